package dev.minutework.broker.server.console;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The console's JSON calls ({@link ConsolePasskeyController}) answer refusals as the API does, in
 * the error envelope: the door's own ({@link ConsoleRefusal}) here; the services' (an
 * {@code ApiException}) and bugs by the API's {@code ApiErrorHandler}.
 */
@RestControllerAdvice(assignableTypes = ConsolePasskeyController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleJsonErrors {

    @ExceptionHandler(ConsoleRefusal.class)
    ResponseEntity<Map<String, Object>> refused(ConsoleRefusal e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        error.put("details", Map.of());
        return ResponseEntity.status(e.status()).body(Map.of("error", error));
    }
}
