package dev.minutework.broker.server.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report for what never reaches a controller (a URL with an encoded NUL, a request
 * line or header over the limits, an exception escaping a servlet): the API's error envelope, with
 * the code for the status, instead of Tomcat's HTML page. Never a stack trace, exception name or
 * server version; a server error is logged with its class only.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorReportValve.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ErrorCode code = codeFor(status);
        if (throwable != null || status >= 500) {
            log.warn("container error {} for {} {}: {}", status, request.getMethod(), RequestJson.clip(request.getRequestURI(), 200),
                    throwable == null ? "no exception" : throwable.getClass().getName());
        }
        try {
            response.setStatus(ApiErrorHandler.status(code));
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(JSON.writeValueAsString(ApiErrorHandler.envelope(code, messageFor(code), null)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("could not write the error report: {}", e.getClass().getName());
        }
    }

    /** The stable code for a status the container chose; its HTTP status is then the registry's. */
    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN_ROLE;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_INPUT;
        };
    }

    private static String messageFor(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> "send Authorization: Bearer <api key>";
            case FORBIDDEN_ROLE -> "forbidden";
            case NOT_FOUND -> "no such endpoint";
            case METHOD_NOT_ALLOWED -> "method not allowed here";
            case PAYLOAD_TOO_LARGE -> "the request is too large";
            case UNSUPPORTED_MEDIA_TYPE -> "send application/json";
            case SERVICE_UNAVAILABLE -> "the service is unavailable; retry later";
            case INTERNAL_ERROR -> "internal error";
            default -> "the request is malformed (request line, URL or headers)";
        };
    }
}
