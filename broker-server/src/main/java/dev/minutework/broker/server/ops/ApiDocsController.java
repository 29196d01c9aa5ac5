package dev.minutework.broker.server.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API description and where a person lands. {@code /v3/api-docs} is the repository's
 * {@code docs/openapi.yaml} — packaged into the jar by the build ({@value #DOCUMENT}), never
 * generated from the code, so the served document is the documented one (OpenApiContractTest
 * holds the document to the handlers) — as JSON; {@code /v3/api-docs.yaml} the same file as it is.
 * {@code /swagger-ui.html} leads to the interactive view (Swagger UI from its WebJar, served by the
 * broker itself, no CDN), and {@code /} to the approval console. None of them needs a key: they
 * show what the API is, never what it holds.
 */
@RestController
class ApiDocsController {

    /** Where the build puts docs/openapi.yaml on the classpath (broker-server/pom.xml, resources). */
    static final String DOCUMENT = "api-docs/openapi.yaml";
    static final MediaType YAML = new MediaType("application", "yaml", StandardCharsets.UTF_8);

    private final byte[] yaml;
    private final byte[] json;

    ApiDocsController() {
        this.yaml = packagedDocument();
        JsonNode tree = YAMLMapper.builder().build().readTree(yaml);
        this.json = JsonMapper.builder().build().writeValueAsBytes(tree);
    }

    private static byte[] packagedDocument() {
        ClassPathResource resource = new ClassPathResource(DOCUMENT);
        if (!resource.exists()) {
            throw new IllegalStateException(DOCUMENT + " is not on the classpath: build the broker with Maven, "
                    + "which packages docs/openapi.yaml into the jar");
        }
        try (InputStream in = resource.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GetMapping(path = "/v3/api-docs", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> json() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noCache())
                .body(json);
    }

    @GetMapping(path = "/v3/api-docs.yaml")
    ResponseEntity<byte[]> yaml() {
        return ResponseEntity.ok().contentType(YAML).cacheControl(CacheControl.noCache()).body(yaml);
    }

    /** The interactive view: the broker's own page over the Swagger UI WebJar, reading {@code /v3/api-docs}. */
    @GetMapping("/swagger-ui.html")
    ResponseEntity<Void> swaggerUi() {
        return redirect("/swagger-ui/index.html");
    }

    /**
     * Where a person who opens the broker's address lands: the approval console, the page where a
     * human sees and decides what agents ask to spend.
     */
    @GetMapping("/")
    ResponseEntity<Void> landing() {
        return redirect("/console");
    }

    private static ResponseEntity<Void> redirect(String to) {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(to)).build();
    }
}
