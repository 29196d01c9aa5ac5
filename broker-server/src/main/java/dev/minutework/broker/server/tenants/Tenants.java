package dev.minutework.broker.server.tenants;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Ids;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Tenant rows; a tenant is created with an empty wallet. */
@Repository
public class Tenants {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final WalletOpening wallets;

    Tenants(JdbcClient jdbc, Clock clock, WalletOpening wallets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.wallets = wallets;
    }

    public record Tenant(String id, String name, OffsetDateTime createdAt) {}

    /** Creates the tenant and its wallet; call inside a transaction. */
    public Tenant create(String name, String walletCurrency) {
        String id = Ids.next("ten");
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        jdbc.sql("insert into tenants (id, name, created_at) values (:id, :name, :now)")
                .param("id", id).param("name", name).param("now", now).update();
        wallets.open(id, walletCurrency, now);
        return new Tenant(id, name, now);
    }

    public Optional<Tenant> find(String id) {
        return jdbc.sql("select id, name, created_at from tenants where id = :id").param("id", id)
                .query((rs, n) -> new Tenant(rs.getString("id"), rs.getString("name"),
                        rs.getObject("created_at", OffsetDateTime.class))).optional();
    }

    public Tenant require(String id) {
        return find(id).orElseThrow(() -> ApiException.notFound("tenant"));
    }
}
