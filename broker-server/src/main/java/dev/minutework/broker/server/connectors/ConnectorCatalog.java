package dev.minutework.broker.server.connectors;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every connector the broker knows, read from its manifest in {@code broker-core}'s resources
 * ({@code connectors/<id>.json}). Validation, the capability inventory and agent tools all read
 * these manifests; nothing restates them.
 */
@Component
public class ConnectorCatalog {

    static final List<String> MANIFESTS = List.of("mw.connector.ads");

    private final Map<String, ConnectorManifest> manifests = new LinkedHashMap<>();
    private final Map<String, Schema> schemas = new HashMap<>();
    private final JsonMapper json;

    ConnectorCatalog(JsonMapper json) {
        this.json = json;
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        for (String id : MANIFESTS) {
            ConnectorManifest m = load(id);
            manifests.put(m.id(), m);
            for (ActionSpec a : m.actions()) {
                schemas.put(m.id() + "/" + a.name(), registry.getSchema(json.valueToTree(a.inputSchema())));
            }
        }
    }

    public Optional<ConnectorManifest> connector(String id) {
        return Optional.ofNullable(manifests.get(id));
    }

    public List<ConnectorManifest> all() {
        return List.copyOf(manifests.values());
    }

    /** Schema errors of an action input as {@code {path, message}}; empty when valid. */
    public List<Map<String, String>> validate(String connector, String action, Map<String, Object> input) {
        Schema schema = schemas.get(connector + "/" + action);
        JsonNode node = json.valueToTree(input);
        List<Error> errors = schema.validate(node);
        return errors.stream().map(e -> Map.of("path", path(e), "message", e.getMessage())).toList();
    }

    /**
     * The JSONPath-like path of an error ({@code $.input.budget.currency}, {@code $.input.items[2]}),
     * built from the validator's instance location; a missing or unexpected property is named
     * itself rather than its parent object.
     */
    private static String path(Error e) {
        NodePath at = e.getInstanceLocation();
        StringBuilder path = new StringBuilder("$.input");
        for (int i = 0; i < at.getNameCount(); i++) {
            Object element = at.getElement(i);
            if (element instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                path.append('.').append(element);
            }
        }
        if (e.getProperty() != null && ("required".equals(e.getKeyword()) || "additionalProperties".equals(e.getKeyword()))) {
            path.append('.').append(e.getProperty());
        }
        return path.toString();
    }

    private ConnectorManifest load(String id) {
        try (InputStream in = ConnectorManifest.class.getResourceAsStream("/connectors/" + id + ".json")) {
            if (in == null) {
                throw new IllegalStateException("connector manifest missing from the classpath: " + id);
            }
            Map<String, Object> raw = json.readValue(in, new TypeReference<Map<String, Object>>() {});
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> actions = (List<Map<String, Object>>) raw.get("actions");
            @SuppressWarnings("unchecked")
            List<String> providers = (List<String>) raw.get("providers");
            return new ConnectorManifest((String) raw.get("id"), (String) raw.get("version"), (String) raw.get("title"),
                    (String) raw.get("default_provider"), providers, actions.stream().map(ConnectorCatalog::action).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static ActionSpec action(Map<String, Object> a) {
        return new ActionSpec((String) a.get("name"), (String) a.get("title"), (String) a.get("description"),
                Boolean.TRUE.equals(a.get("mutating")), Boolean.TRUE.equals(a.get("raises_spend")),
                Boolean.TRUE.equals(a.get("reserved")), (Map<String, Object>) a.get("input_schema"),
                (Map<String, Object>) a.get("output_schema"));
    }
}
