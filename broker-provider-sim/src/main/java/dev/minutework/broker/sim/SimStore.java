package dev.minutework.broker.sim;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a simulator keeps across restarts: the objects created on each provider account and its id
 * counters, as a journal of JSON lines in one file (the broker's data directory). Every write is
 * appended before the simulator answers, so an object the broker was told about survives a
 * restart, even an abrupt one; on opening, the journal is read (last write of an object wins) and
 * rewritten compacted. Never holds credentials or tokens: those are provisioned again by the
 * broker after a restart.
 *
 * <p>Values are JSON: strings, booleans, numbers, lists and maps. They come back as {@link
 * JsonParser} reads the canonical JSON ({@link CanonicalJson}) of what was put — the same before and
 * after a restart, since {@link #account} always answers that form: an integral number is a {@link
 * Long} ({@code new BigDecimal("5.00")} comes back as {@code 5L}), a fraction a {@link
 * java.math.BigDecimal} without trailing zeros. Keep a value whose scale matters as a string, or
 * read numbers as {@link Number}; an integer beyond 2^53 (a 19-digit id) does not survive as a
 * JSON number: keep it as a string. Without a file ({@link #inMemory()}) nothing is written and
 * nothing survives.
 */
public final class SimStore implements AutoCloseable {

    /** account → kind → id → object, in insertion order. */
    private final Map<String, Map<String, Map<String, Map<String, Object>>>> accounts = new LinkedHashMap<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Path file;
    private BufferedWriter out;

    private SimStore(Path file) {
        this.file = file;
    }

    /** A store that keeps nothing across restarts (tests, and runs without a data directory). */
    public static SimStore inMemory() {
        return new SimStore(null);
    }

    /** Opens (or creates) the journal at {@code file}, reads it and compacts it. */
    public static SimStore at(Path file) {
        SimStore store = new SimStore(file);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                int number = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        store.apply(JsonParser.parseObject(line));
                    } catch (IllegalArgumentException e) {
                        // a line cut short by a crash mid-write is the last one; anything else is damage
                        if (number < lineCount(file)) {
                            throw new IllegalStateException("simulator state " + file + " is damaged at line " + number,
                                    e);
                        }
                    }
                }
            }
            Path compacted = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(compacted, StandardCharsets.UTF_8)) {
                for (String line : store.lines()) {
                    w.write(line);
                    w.newLine();
                }
            }
            Files.move(compacted, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            store.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open simulator state " + file, e);
        }
        return store;
    }

    private static long lineCount(Path file) throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    /** Whether writes survive a restart. */
    public boolean durable() {
        return file != null;
    }

    /** Records an object as it is now (a copy is kept); replaces what was recorded under the same key. */
    public synchronized void put(String account, String kind, String id, Map<String, Object> object) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("account", account);
        line.put("kind", kind);
        line.put("id", id);
        line.put("object", object);
        write(line); // first: an object that cannot be written is not kept either
        apply(line);
    }

    /** Forgets an object. */
    public synchronized void remove(String account, String kind, String id) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("account", account);
        line.put("kind", kind);
        line.put("id", id);
        line.put("removed", true);
        write(line);
        apply(line);
    }

    /** Records a counter's value (e.g. the last id handed out); a lower value than recorded is ignored. */
    public synchronized void advance(String name, long value) {
        if (counters.getOrDefault(name, Long.MIN_VALUE) >= value) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("counter", name);
        line.put("value", value);
        write(line);
        apply(line);
    }

    /** The highest value recorded for a counter, or {@code orElse} when none was. */
    public synchronized long counter(String name, long orElse) {
        Long v = counters.get(name);
        return v == null ? orElse : Math.max(v, orElse);
    }

    /** The objects recorded for an account: kind → id → object, each a fresh copy. */
    public synchronized Map<String, Map<String, Map<String, Object>>> account(String account) {
        Map<String, Map<String, Map<String, Object>>> copy = new LinkedHashMap<>();
        accounts.getOrDefault(account, Map.of()).forEach((kind, objects) -> {
            Map<String, Map<String, Object>> k = new LinkedHashMap<>();
            objects.forEach((id, o) -> k.put(id, copyOf(o)));
            copy.put(kind, k);
        });
        return copy;
    }

    /** The accounts that have objects recorded. */
    public synchronized List<String> accounts() {
        return List.copyOf(accounts.keySet());
    }

    @SuppressWarnings("unchecked")
    private void apply(Map<String, Object> line) {
        if (line.get("counter") instanceof String name && line.get("value") instanceof Number v) {
            counters.merge(name, v.longValue(), Math::max);
            return;
        }
        String account = (String) line.get("account");
        String kind = (String) line.get("kind");
        String id = (String) line.get("id");
        if (Boolean.TRUE.equals(line.get("removed"))) {
            Map<String, Map<String, Map<String, Object>>> kinds = accounts.get(account);
            if (kinds != null && kinds.get(kind) != null) {
                kinds.get(kind).remove(id);
            }
            return;
        }
        accounts.computeIfAbsent(account, a -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new LinkedHashMap<>())
                .put(id, copyOf((Map<String, Object>) line.get("object")));
    }

    private List<String> lines() {
        List<String> lines = new java.util.ArrayList<>();
        counters.forEach((name, v) -> lines.add(CanonicalJson.canonicalize(Map.of("counter", name, "value", v))));
        accounts.forEach((account, kinds) -> kinds.forEach((kind, objects) -> objects.forEach((id, o) ->
                lines.add(CanonicalJson.canonicalize(Map.of("account", account, "kind", kind, "id", id, "object", o))))));
        return lines;
    }

    private void write(Map<String, Object> line) {
        if (out == null) {
            return;
        }
        try {
            out.write(CanonicalJson.canonicalize(line));
            out.newLine();
            out.flush(); // to the operating system before the simulator answers: survives the process dying
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write simulator state " + file, e);
        }
    }

    /** A deep copy through JSON, so stored values are exactly what a restart reads back. */
    private static Map<String, Object> copyOf(Map<String, Object> object) {
        return JsonParser.parseObject(CanonicalJson.canonicalize(object));
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                out = null;
            }
        }
    }
}
