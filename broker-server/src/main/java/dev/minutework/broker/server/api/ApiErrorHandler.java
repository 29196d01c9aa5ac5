package dev.minutework.broker.server.api;

import jakarta.servlet.http.HttpServletRequest;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Renders every error as the one envelope; never echoes request bodies (they may hold secrets). */
@RestControllerAdvice
public class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    private final ObjectProvider<RefusedBodies> refusedBodies;

    public ApiErrorHandler(ObjectProvider<RefusedBodies> refusedBodies) {
        this.refusedBodies = refusedBodies;
    }

    public static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT, PROVIDER_UNSUPPORTED, FORBIDDEN_SCOPE_FIELD, UNBOUNDED_SPEND, UNSUPPORTED_CURRENCY -> 400;
            case UNAUTHENTICATED -> 401;
            case BUDGET_EXCEEDED, INSUFFICIENT_CREDITS -> 402;
            case FORBIDDEN_ROLE, SELF_APPROVAL_FORBIDDEN, PASSKEY_REQUIRED, PASSKEY_INVALID -> 403;
            case NOT_FOUND, CAPABILITY_GAP -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case NOT_READY, CONFLICT, APPROVAL_NOT_PENDING, APPROVAL_EXPIRED, APPROVAL_DENIED, BALANCE_LIMIT_EXCEEDED,
                    CAMPAIGN_BUSY, KILL_SWITCH_ENGAGED, SPEND_IMPACT_CHANGED, PAYLOAD_DIGEST_MISMATCH -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case IDEMPOTENCY_CONFLICT, PROVIDER_WOULD_REJECT -> 422;
            case INTERNAL_ERROR -> 500;
            case ACTION_RESERVED -> 501;
            case PROVIDER_REJECTED, PROVIDER_AUTH_FAILED, PROVIDER_OUTCOME_UNKNOWN -> 502;
            case PROVIDER_RATE_LIMITED, SERVICE_UNAVAILABLE -> 503;
        };
    }

    public static Map<String, Object> envelope(ErrorCode code, String message, Object details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wire());
        error.put("message", message);
        error.put("details", details == null ? Map.of() : details);
        return Map.of("error", error);
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e, HttpServletRequest request) {
        if (e instanceof UnreadableBody) {
            refusedBodies.ifAvailable(r -> r.refused(request, e));
        }
        return ResponseEntity.status(status(e.code())).body(envelope(e.code(), e.getMessage(), e.details()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        // bodies are read by RequestJson, which refuses with paths; this is a missing body (or an
        // unreadable one of another type). The parser's message can quote the body: never echoed.
        return render(ErrorCode.INVALID_INPUT, "request body must be a JSON object",
                Map.of("errors", List.of(Map.of("path", "$", "message", "is required: a JSON object"))));
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> badParameter(Exception e) {
        String name = e instanceof MissingServletRequestParameterException m ? m.getParameterName()
                : ((MethodArgumentTypeMismatchException) e).getName();
        return render(ErrorCode.INVALID_INPUT, "bad query parameter " + name,
                Map.of("errors", List.of(Map.of("path", name, "message", "missing or malformed"))));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return render(ErrorCode.METHOD_NOT_ALLOWED, "method " + e.getMethod() + " not allowed here", null);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return render(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json", null);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noRoute(NoResourceFoundException e) {
        return render(ErrorCode.NOT_FOUND, "no such endpoint", null);
    }

    /**
     * The database went away mid-request (failover, network cut). Every transaction that moves
     * money is atomic, so nothing is half-done; a retry with the same idempotency key is safe.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            TransactionSystemException.class, CannotCreateTransactionException.class})
    ResponseEntity<Map<String, Object>> databaseUnavailable(Exception e) {
        if (valueRefusedByDatabase(e)) {
            return valueNotStorable(e);
        }
        log.warn("database unavailable: {}", e.getClass().getName());
        return render(ErrorCode.SERVICE_UNAVAILABLE,
                "the database is unavailable; retry with the same idempotency key", null);
    }

    /**
     * A value the database refused as data (SQL state class 22: text with NUL, a number out of
     * range; class 54: a value over a limit such as an index entry's size). Request validation is
     * meant to refuse such input first; this keeps a value it missed a 400, never a 5xx. A broken
     * constraint (class 23) is still a bug.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Map<String, Object>> dataRefused(DataIntegrityViolationException e) {
        return valueRefusedByDatabase(e) ? valueNotStorable(e) : bug(e);
    }

    private static boolean valueRefusedByDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("54");
            }
        }
        return false;
    }

    private static ResponseEntity<Map<String, Object>> valueNotStorable(Exception e) {
        log.warn("database refused a value of the request: {}", e.getClass().getName());
        return render(ErrorCode.INVALID_INPUT, "a value of the request is out of range or cannot be stored", null);
    }

    /** A query string that is not percent-encoded UTF-8: the servlet container cannot decode its parameters. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Map<String, Object>> undecodableQuery(InvalidParameterException e) {
        return render(ErrorCode.INVALID_INPUT, "the query string is not valid percent-encoded UTF-8",
                Map.of("errors", List.of(Map.of("path", "?", "message", "cannot be decoded"))));
    }

    /**
     * {@code Content-Type: *}{@code /*} (or {@code application/*}) on a body: Spring refuses to read a
     * body of a wildcard type with an {@link IllegalArgumentException}, which is a 415, not a bug.
     */
    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, Object>> illegalArgument(IllegalArgumentException e, HttpServletRequest request) {
        String type = request.getContentType();
        if (type != null && e.getMessage() != null && e.getMessage().startsWith("Content-Type cannot contain wildcard")) {
            return render(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json", null);
        }
        return bug(e);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> bug(Exception e) {
        log.error("unexpected failure", e);
        return render(ErrorCode.INTERNAL_ERROR, "internal error", null);
    }

    private static ResponseEntity<Map<String, Object>> render(ErrorCode code, String message, Object details) {
        return ResponseEntity.status(status(code)).body(envelope(code, message, details));
    }
}
