package dev.minutework.broker.sim.metaads;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The field and parameter sets Meta documents for the nodes and edges the simulator serves
 * ({@code graph-reference.properties} beside this class, taken from Meta's Business SDK): a field
 * or parameter in them is accepted even where the simulator does not model it; one outside them is
 * refused, as Graph refuses it.
 */
final class GraphReference {

    private static final Properties SETS = load();

    private GraphReference() {}

    /** The documented fields of a node type ({@code campaign}, {@code adset}, {@code insights}, …) plus {@code extra}. */
    static Set<String> fields(String node, Set<String> extra) {
        return union("fields." + node, extra);
    }

    /** The documented parameters of an endpoint ({@code campaign.create}, {@code insights}, …) plus {@code extra}. */
    static Set<String> params(String endpoint, Set<String> extra) {
        return union("params." + endpoint, extra);
    }

    /** Any other documented set: {@code fields.link_data}, {@code enum.call_to_action_type}, …. */
    static Set<String> set(String key) {
        return union(key, Set.of());
    }

    private static Set<String> union(String key, Set<String> extra) {
        String listed = SETS.getProperty(key);
        if (listed == null) {
            throw new IllegalArgumentException("graph-reference.properties has no " + key);
        }
        Set<String> out = new HashSet<>(extra);
        for (String name : listed.split(",")) {
            if (!name.isBlank()) {
                out.add(name.strip());
            }
        }
        return Set.copyOf(out);
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = GraphReference.class.getResourceAsStream("graph-reference.properties")) {
            if (in == null) {
                throw new IllegalStateException("graph-reference.properties is missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Every endpoint key, for tests. */
    static List<String> keys() {
        return SETS.stringPropertyNames().stream().sorted().toList();
    }
}
