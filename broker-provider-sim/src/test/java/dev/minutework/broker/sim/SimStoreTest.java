package dev.minutework.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimStoreTest {

    @TempDir
    Path dir;

    @Test
    void objectsAndCountersSurviveReopeningTheLastWriteWinning() {
        Path file = dir.resolve("sim").resolve("openaiads.jsonl");
        try (SimStore store = SimStore.at(file)) {
            store.put("act_1", "campaign", "cmpn_1", Map.of("name", "Boots", "status", "active",
                    "budget", new BigDecimal("5.00"), "hints", List.of("a", "b")));
            store.put("act_1", "campaign", "cmpn_2", Map.of("name", "Gone"));
            store.put("act_1", "campaign", "cmpn_1", Map.of("name", "Boots", "status", "paused",
                    "budget", new BigDecimal("5.00"), "hints", List.of("a", "b")));
            store.remove("act_1", "campaign", "cmpn_2");
            store.put("act_2", "ad", "ad_9", Map.of("n", 7L));
            store.advance("ids", 1004);
            store.advance("ids", 1002); // lower: ignored
        }
        try (SimStore again = SimStore.at(file)) {
            assertThat(again.accounts()).containsExactly("act_1", "act_2");
            // numbers come back in their canonical JSON form: 5.00 is the integer 5
            assertThat(again.account("act_1")).isEqualTo(Map.of("campaign", Map.of("cmpn_1", Map.of("name", "Boots",
                    "status", "paused", "budget", 5L, "hints", List.of("a", "b")))));
            assertThat(again.account("act_2").get("ad").get("ad_9").get("n")).isEqualTo(7L);
            assertThat(again.counter("ids", 1000)).isEqualTo(1004);
            assertThat(again.counter("other", 5)).isEqualTo(5);
            assertThat(again.account("act_3")).isEmpty();
        }
    }

    @Test
    void whatIsReadBeforeARestartIsWhatIsReadAfterIt() {
        Path file = dir.resolve("googleads.jsonl");
        Map<String, Map<String, Map<String, Object>>> before;
        try (SimStore store = SimStore.at(file)) {
            store.put("123", "budget", "1", Map.of("amountMicros", "5000000", "share", new BigDecimal("0.250")));
            before = store.account("123");
        }
        try (SimStore again = SimStore.at(file)) {
            assertThat(again.account("123")).isEqualTo(before);
            assertThat(again.account("123").get("budget").get("1").get("share")).isEqualTo(new BigDecimal("0.25"));
        }
    }

    @Test
    void theJournalIsCompactedWhenOpened() throws IOException {
        Path file = dir.resolve("metaads.jsonl");
        try (SimStore store = SimStore.at(file)) {
            for (int i = 0; i < 50; i++) {
                store.put("act_1", "campaign", "c1", Map.of("version", (long) i));
            }
        }
        assertThat(Files.readAllLines(file)).hasSize(50);
        SimStore.at(file).close();
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void aLastLineCutShortByACrashIsDroppedButDamageElsewhereIsRefused() throws IOException {
        Path file = dir.resolve("tiktokads.jsonl");
        try (SimStore store = SimStore.at(file)) {
            store.put("adv", "campaign", "c1", Map.of("name", "kept"));
        }
        Files.writeString(file, "{\"account\":\"adv\",\"kind\":\"campaign\",\"id\":\"c2\",\"obj", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (SimStore store = SimStore.at(file)) {
            assertThat(store.account("adv").get("campaign")).containsOnlyKeys("c1");
        }
        Files.writeString(file, "not json\n" + Files.readString(file), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SimStore.at(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("damaged at line 1");
    }

    @Test
    void inMemoryKeepsNothingOnDisk() {
        try (SimStore store = SimStore.inMemory()) {
            store.put("a", "k", "i", Map.of("x", 1L));
            assertThat(store.durable()).isFalse();
            assertThat(store.account("a").get("k")).containsKey("i");
        }
        assertThat(dir.toFile().list()).isEmpty();
    }
}
