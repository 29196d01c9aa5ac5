package dev.minutework.broker.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator's console session lives only as long as the operator key that opened it: after the
 * key is rotated ({@code BROKER_OPERATOR_KEY} changed, the broker restarted on the same database),
 * the old key's session ends at its next request and the old key no longer signs in.
 */
class ConsoleOperatorKeyRotationTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String NEW_KEY = "mwb_op_rotated_operator_key_for_the_rotation_test";

    @Test
    void rotatingTheOperatorKeyEndsTheOldKeysConsoleSessions() throws Exception {
        String db = TestPostgres.newDatabase("operator_rotation");
        String oldSession;
        try (Broker before = Broker.startOn(db, Map.of())) {
            oldSession = signIn(before.base(), Broker.OPERATOR_KEY);
            assertThat(get(before.base(), "/console/tenants", oldSession).statusCode()).isEqualTo(200);
        }
        try (Broker after = Broker.startOn(db, Map.of("broker.operator-key", NEW_KEY))) {
            HttpResponse<String> stale = get(after.base(), "/console/tenants", oldSession);
            assertThat(stale.statusCode()).as("the old key's session ended").isEqualTo(303);
            assertThat(stale.headers().firstValue("Location")).hasValue("/console/sign-in");
            assertThat(signInAnswer(after.base(), Broker.OPERATOR_KEY).statusCode()).as("the old key signs in no more")
                    .isEqualTo(401);
            String fresh = signIn(after.base(), NEW_KEY);
            assertThat(get(after.base(), "/console/tenants", fresh).statusCode()).isEqualTo(200);
            assertThat(TestPostgres.client(db).sql("select count(*) from console_sessions where role = 'operator'")
                    .query(Long.class).single()).as("the ended session's row is gone").isEqualTo(1L);
        }
    }

    private static String signIn(URI base, String key) throws IOException, InterruptedException {
        HttpResponse<String> r = signInAnswer(base, key);
        assertThat(r.statusCode()).as("signed in: %s", r.body()).isEqualTo(302);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    private static HttpResponse<String> signInAnswer(URI base, String key) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve("/console/sign-in")).header("Origin", base.toString())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("api_key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI base, String path, String session) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Cookie", ConsoleAccess.COOKIE + "=" + session).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
