package dev.minutework.broker.server.mcp;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.RequestJson;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * What stands between HTTP and the SDK's Streamable HTTP transport at {@code /mcp}: it refuses, as
 * JSON-RPC error objects ({@code {"jsonrpc":"2.0","id":null,"error":{"code","message"}}}) with the
 * statuses the transport specification names, every request the transport would otherwise answer
 * with a serialized Java exception, and it rewrites any error the transport still writes the same
 * way. Codes: -32700 parse error (the body is not I-JSON, see {@link RequestJson}), -32600 invalid
 * request (not a JSON-RPC 2.0 message, or too large), -32000 a transport-level refusal (method,
 * media type, Accept, a missing {@code Mcp-Session-Id}), -32001 an unknown or expired session
 * (404), -32603 an internal error. No message carries a stack trace or a class name.
 */
final class JsonRpcTransportGuard {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int INTERNAL_ERROR = -32603;
    static final int TRANSPORT_ERROR = -32000;
    static final int SESSION_NOT_FOUND = -32001;

    static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final Set<String> METHODS = Set.of("GET", "POST", "DELETE");

    private final JsonMapper json;

    JsonRpcTransportGuard(JsonMapper json) {
        this.json = json;
    }

    /** What to hand the transport: the request (its body read and checked), or nothing when refused here. */
    record Checked(HttpServletRequest request, HttpServletResponse response) {}

    /**
     * Checks a request from an authenticated agent before the transport sees it; answers the
     * refusal itself and returns {@code null} when the request is refused.
     */
    Checked check(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        if (!METHODS.contains(method)) {
            resp.setHeader("Allow", "GET, POST, DELETE");
            error(resp, 405, TRANSPORT_ERROR, "Method not allowed: POST sends a message, GET opens the event stream, "
                    + "DELETE ends the session", null);
            return null;
        }
        String session = req.getHeader(SESSION_HEADER);
        boolean hasSession = session != null && !session.isBlank();
        if (!"POST".equals(method)) {
            if ("GET".equals(method) && !accepts(req, MediaType.TEXT_EVENT_STREAM)) {
                error(resp, 406, TRANSPORT_ERROR, "Not Acceptable: the event stream needs Accept: text/event-stream", null);
                return null;
            }
            if (!hasSession) {
                error(resp, 400, TRANSPORT_ERROR, "Bad Request: the Mcp-Session-Id header is required", null);
                return null;
            }
            return new Checked(req, new RewritingErrors(resp));
        }
        if (!isJson(req.getContentType())) {
            error(resp, 415, TRANSPORT_ERROR, "Unsupported Media Type: Content-Type must be application/json", null);
            return null;
        }
        if (!accepts(req, MediaType.APPLICATION_JSON) || !accepts(req, MediaType.TEXT_EVENT_STREAM)) {
            error(resp, 406, TRANSPORT_ERROR,
                    "Not Acceptable: Accept must list both application/json and text/event-stream", null);
            return null;
        }
        byte[] body = readBounded(req.getInputStream(), req.getContentLengthLong());
        if (body == null) {
            error(resp, 413, INVALID_REQUEST, "Request too large: a message is at most " + RequestJson.MAX_BODY_BYTES
                    + " bytes", null);
            return null;
        }
        Object parsed;
        try {
            parsed = RequestJson.readValue(new ByteArrayInputStream(body), body.length);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
                error(resp, 413, INVALID_REQUEST, "Request too large", null);
            } else {
                error(resp, 400, PARSE_ERROR, "Parse error: " + e.getMessage(), e.details());
            }
            return null;
        }
        if (!(parsed instanceof Map<?, ?>)) {
            error(resp, 400, INVALID_REQUEST, "Invalid Request: a message is one JSON-RPC object (batches are not "
                    + "part of the Streamable HTTP transport)", null);
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> message = (Map<String, Object>) parsed;
        String invalid = invalidMessage(message);
        if (invalid != null) {
            error(resp, 400, INVALID_REQUEST, "Invalid Request: " + invalid, null);
            return null;
        }
        if (!hasSession && !"initialize".equals(message.get("method"))) {
            error(resp, 400, TRANSPORT_ERROR,
                    "Bad Request: the Mcp-Session-Id header is required (send initialize first to get one)", null);
            return null;
        }
        if (hasSession && "initialize".equals(message.get("method"))) {
            error(resp, 400, INVALID_REQUEST, "Invalid Request: initialize starts a session; send it without "
                    + "Mcp-Session-Id", null);
            return null;
        }
        return new Checked(new ReadBody(req, body), new RewritingErrors(resp));
    }

    /** Why a parsed object is not one JSON-RPC 2.0 message, or {@code null} when it is. */
    static String invalidMessage(Map<String, Object> m) {
        if (!"2.0".equals(m.get("jsonrpc"))) {
            return "jsonrpc must be \"2.0\"";
        }
        Object id = m.get("id");
        if (m.containsKey("id") && !(id instanceof String || id instanceof Integer || id instanceof Long)) {
            return "id must be a string or an integer";
        }
        if (m.containsKey("method")) {
            if (!(m.get("method") instanceof String name) || name.isBlank()) {
                return "method must be a non-empty string";
            }
            if (m.containsKey("params") && !(m.get("params") instanceof Map<?, ?>)) {
                return "params must be an object";
            }
            if (m.containsKey("result") || m.containsKey("error")) {
                return "a request or notification carries no result or error";
            }
            return null;
        }
        if (!m.containsKey("id")) {
            return "a message needs a method (request or notification) or an id with a result or error (response)";
        }
        if (m.containsKey("result") == m.containsKey("error")) {
            return "a response carries exactly one of result and error";
        }
        if (m.containsKey("error") && !(m.get("error") instanceof Map<?, ?> e && e.get("code") instanceof Integer
                && e.get("message") instanceof String)) {
            return "error must be an object with an integer code and a string message";
        }
        return null;
    }

    /** Writes one JSON-RPC error object as the whole answer. */
    void error(HttpServletResponse resp, int status, int code, String message, Object data) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (data != null) {
            error.put("data", data);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", "2.0");
        body.put("id", null);
        body.put("error", error);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
        resp.getWriter().write(json.writeValueAsString(body));
        resp.getWriter().flush();
    }

    /** The JSON-RPC error the guard sends for a status the transport chose. */
    void errorFor(HttpServletResponse resp, int status) throws IOException {
        switch (status) {
            case 400 -> error(resp, 400, INVALID_REQUEST, "Invalid Request: refused by the MCP transport", null);
            case 404 -> error(resp, 404, SESSION_NOT_FOUND, "Session not found: it ended or expired; send initialize "
                    + "without Mcp-Session-Id to start a new one", null);
            case 405 -> error(resp, 405, TRANSPORT_ERROR, "Method not allowed", null);
            case 406 -> error(resp, 406, TRANSPORT_ERROR, "Not Acceptable", null);
            case 415 -> error(resp, 415, TRANSPORT_ERROR, "Unsupported Media Type: Content-Type must be application/json",
                    null);
            case 503 -> error(resp, 503, TRANSPORT_ERROR, "Service unavailable: the server is shutting down", null);
            default -> {
                if (status >= 500) {
                    error(resp, status, INTERNAL_ERROR, "Internal error", null);
                } else {
                    error(resp, status, INVALID_REQUEST, "Invalid Request", null);
                }
            }
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            String charset = type.getParameter("charset");
            return MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)
                    && (charset == null || List.of("utf-8", "utf8").contains(charset.toLowerCase(Locale.ROOT)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean accepts(HttpServletRequest req, MediaType wanted) {
        String accept = req.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        try {
            return MediaType.parseMediaTypes(accept).stream().anyMatch(t -> t.equalsTypeAndSubtype(wanted));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The body, or {@code null} when it is larger than {@link RequestJson#MAX_BODY_BYTES}. */
    private static byte[] readBounded(InputStream in, long declared) throws IOException {
        if (declared > RequestJson.MAX_BODY_BYTES) {
            return null;
        }
        byte[] bytes = in.readNBytes(RequestJson.MAX_BODY_BYTES + 1);
        return bytes.length > RequestJson.MAX_BODY_BYTES ? null : bytes;
    }

    /** The request with its body already read: the transport reads the same bytes again, as UTF-8. */
    private static final class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /**
     * The response as the transport sees it: an error it writes (a serialized exception) or sends
     * ({@code sendError}, which would reach the container's error page) is swallowed and replaced
     * by the guard's JSON-RPC error for the same status once the transport returns.
     */
    final class RewritingErrors extends HttpServletResponseWrapper {
        private int status = 200;
        private boolean swallowed;

        RewritingErrors(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int sc) {
            status = sc;
            if (sc < 400) {
                super.setStatus(sc);
            }
        }

        @Override
        public void sendError(int sc) throws IOException {
            sendError(sc, null);
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            status = sc;
            swallowed = true;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (status >= 400) {
                swallowed = true;
                return new PrintWriter(Writer.nullWriter());
            }
            return super.getWriter();
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (status >= 400) {
                swallowed = true;
                OutputStream sink = OutputStream.nullOutputStream();
                return new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        sink.write(b);
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        // nothing is ever written
                    }
                };
            }
            return super.getOutputStream();
        }

        /** After the transport returned: the JSON-RPC error for what it refused, if it refused. */
        void finish() throws IOException {
            HttpServletResponse real = (HttpServletResponse) getResponse();
            if ((swallowed || status >= 400) && !real.isCommitted()) {
                real.resetBuffer();
                errorFor(real, status);
            }
        }
    }
}
