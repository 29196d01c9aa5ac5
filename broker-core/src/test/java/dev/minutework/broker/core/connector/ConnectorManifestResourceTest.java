package dev.minutework.broker.core.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConnectorManifestResourceTest {

    private static final String RESOURCE = "/connectors/mw.connector.ads.json";

    private static final String[] ACTIONS = {"ads.create_campaign", "ads.update_campaign", "ads.pause_campaign",
        "ads.create_group", "ads.create_creative", "ads.create_ad", "ads.fetch_report", "ads.record_conversion"};

    private static String manifest() throws IOException {
        try (InputStream in = ConnectorManifestResourceTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as("classpath resource %s", RESOURCE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The manifest with insignificant whitespace outside strings removed, so members read as {@code "k":"v"}. */
    private static String compact(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Test
    void theAdsManifestIsOnTheClasspath() throws IOException {
        assertThat(manifest()).isNotBlank();
    }

    @Test
    void itIsOneObjectWithBalancedBracketsOutsideStrings() throws IOException {
        String json = compact(manifest());
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                assertThat(depth).as("depth at %d", i).isGreaterThanOrEqualTo(0);
                if (depth == 0) {
                    assertThat(i).as("the top-level object ends the document").isEqualTo(json.length() - 1);
                }
            }
        }
        assertThat(json).startsWith("{").endsWith("}");
        assertThat(depth).isZero();
        assertThat(inString).isFalse();
    }

    @Test
    void itIdentifiesTheAdsConnectorAndDefaultsToOpenAiAds() throws IOException {
        String json = compact(manifest());

        assertThat(json).startsWith("{\"id\":\"mw.connector.ads\",")
                .contains("\"default_provider\":\"openaiads\"")
                .contains("\"providers\":[\"openaiads\",\"googleads\",\"metaads\",\"tiktokads\"]");
    }

    @Test
    void itDeclaresEachOfTheEightActionsExactlyOnce() throws IOException {
        String json = compact(manifest());

        for (String action : ACTIONS) {
            assertThat(countOf(json, "\"name\":\"" + action + "\"")).as(action).isEqualTo(1);
        }
        assertThat(countOf(json, "\"name\":\"ads.")).isEqualTo(ACTIONS.length);
    }

    @Test
    void everyActionHasBothSchemas() throws IOException {
        String json = compact(manifest());

        assertThat(countOf(json, "\"input_schema\":{")).isEqualTo(ACTIONS.length);
        assertThat(countOf(json, "\"output_schema\":{")).isEqualTo(ACTIONS.length);
    }

    @Test
    void everyAmountInAnInputSchemaIsBoundedByTheBrokersMaximumAmount() throws IOException {
        String json = compact(manifest());
        Matcher amounts = Pattern.compile("\"amount_minor\":\\{([^}]*)}").matcher(json);
        int found = 0;
        while (amounts.find()) {
            found++;
            assertThat(amounts.group(1)).as("schema of amount_minor #%s", found)
                    .contains("\"type\":\"integer\"", "\"minimum\":1",
                            "\"maximum\":" + dev.minutework.broker.core.money.Money.MAX_AMOUNT_MINOR);
        }
        assertThat(found).as("amount_minor schemas (budgets of create/update, the bid of create_group)").isEqualTo(3);
    }

    @Test
    void onlyRecordConversionIsReserved() throws IOException {
        String json = compact(manifest());

        assertThat(countOf(json, "\"reserved\":true")).isEqualTo(1);
        assertThat(countOf(json, "\"reserved\":false")).isEqualTo(ACTIONS.length - 1);
        String conversion = json.substring(json.indexOf("\"name\":\"ads.record_conversion\""));
        assertThat(conversion).contains("\"reserved\":true");
    }

    private static int countOf(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
