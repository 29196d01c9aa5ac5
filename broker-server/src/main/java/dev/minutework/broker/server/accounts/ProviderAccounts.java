package dev.minutework.broker.server.accounts;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.routing.AccountContexts;
import dev.minutework.broker.server.routing.CredentialVault;
import java.security.GeneralSecurityException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** BrokerProviderAccount rows. Credentials go in encrypted and come out only as a call's context. */
@Repository
public class ProviderAccounts implements AccountContexts {

    private static final String INSERT = """
            insert into provider_accounts (id, provider, label, scope, credentials_ciphertext, credential_names,
                                           base_url, created_at)
            values (:id, :provider, :label, cast(:scope as jsonb), :cipher, :names, :base, :now)
            """;
    private static final String COLUMNS = "id, provider, label, scope::text as scope, credential_names, base_url, created_at";
    private static final String SELECT = "select " + COLUMNS + " from provider_accounts";

    private final JdbcClient jdbc;
    private final CredentialVault vault;
    private final JsonMapper json;
    private final Clock clock;

    ProviderAccounts(JdbcClient jdbc, CredentialVault vault, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.vault = vault;
        this.json = json;
        this.clock = clock;
    }

    /** A provider account as the API shows it: never with credential values. */
    public record View(String id, String provider, String label, Map<String, String> scope, List<String> credentialFields,
            String baseUrl, OffsetDateTime createdAt) implements AccountContexts.Account {}

    public View create(String provider, String label, Map<String, String> scope, Map<String, String> credentials,
            String baseUrl) {
        String id = Ids.next("pac");
        byte[] cipher = vault.encrypt(id, json.writeValueAsString(credentials));
        String[] names = credentials.keySet().stream().sorted().toArray(String[]::new);
        jdbc.sql(INSERT).param("id", id).param("provider", provider).param("label", label)
                .param("scope", json.writeValueAsString(scope)).param("cipher", cipher).param("names", names)
                .param("base", baseUrl).param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .update();
        return find(id).orElseThrow();
    }

    public Optional<View> find(String id) {
        return jdbc.sql(SELECT + " where id = :id").param("id", id).query(this::view).optional();
    }

    @Override
    public List<View> all() {
        return jdbc.sql(SELECT + " order by created_at").query(this::view).list();
    }

    private View view(ResultSet rs, int n) throws SQLException {
        return new View(rs.getString("id"), rs.getString("provider"), rs.getString("label"),
                json.readValue(rs.getString("scope"), new TypeReference<Map<String, String>>() {}),
                List.of((String[]) rs.getArray("credential_names").getArray()), rs.getString("base_url"),
                rs.getObject("created_at", OffsetDateTime.class));
    }

    /**
     * Decrypts an account's credentials for one provider call.
     *
     * @throws GeneralSecurityException when the ciphertext does not decrypt under the master keyset
     */
    @Override
    public ProviderAccountContext context(String id) throws GeneralSecurityException {
        record Sealed(View view, byte[] cipher) {}
        Sealed sealed = jdbc.sql("select " + COLUMNS + ", credentials_ciphertext from provider_accounts where id = :id")
                .param("id", id).query((rs, n) -> new Sealed(view(rs, n), rs.getBytes("credentials_ciphertext")))
                .optional().orElseThrow(() -> new IllegalStateException("provider account vanished: " + id));
        Map<String, String> creds = json.readValue(vault.decrypt(id, sealed.cipher()),
                new TypeReference<Map<String, String>>() {});
        View view = sealed.view();
        return new ProviderAccountContext(id, view.provider(), view.scope(), new ProviderCredentials(creds), view.baseUrl());
    }
}
