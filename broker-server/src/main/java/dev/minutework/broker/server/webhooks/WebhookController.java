package dev.minutework.broker.server.webhooks;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/webhooks/{provider}/{providerAccountId}}: provider deliveries. No API key: a delivery
 * is authenticated by the provider's signature over its raw bytes ({@link WebhookIntake}), read here
 * unparsed and bounded. Which paths take no key is decided per handler: this controller takes no
 * {@code Caller}, every other endpoint does.
 */
@RestController
class WebhookController {

    private final WebhookIntake intake;

    WebhookController(WebhookIntake intake) {
        this.intake = intake;
    }

    @PostMapping("/v1/webhooks/{provider}/{providerAccountId}")
    Map<String, Object> deliver(@PathVariable String provider, @PathVariable String providerAccountId,
            HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > WebhookIntake.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] raw;
        try (InputStream in = request.getInputStream()) {
            raw = in.readNBytes(WebhookIntake.MAX_BODY_BYTES + 1);
        }
        if (raw.length > WebhookIntake.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        WebhookIntake.Outcome outcome = intake.receive(provider, providerAccountId, raw, request::getHeader);
        return Map.of("status", outcome.wire());
    }

    /** Meta's verification handshake: echoes {@code hub.challenge} when the verify token matches. */
    @GetMapping("/v1/webhooks/{provider}/{providerAccountId}")
    ResponseEntity<String> verify(@PathVariable String provider, @PathVariable String providerAccountId,
            @RequestParam(name = "hub.mode", required = false) String mode,
            @RequestParam(name = "hub.verify_token", required = false) String verifyToken,
            @RequestParam(name = "hub.challenge", required = false) String challenge) {
        String echo = intake.verifySubscription(provider, providerAccountId, mode, verifyToken, challenge);
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(echo);
    }

    private static ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                "a webhook body may have at most " + WebhookIntake.MAX_BODY_BYTES + " bytes");
    }
}
