package dev.minutework.broker.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts: what providers that accept
 * uploads (and clients that send every POST this way, such as Meta's Business SDK) put on the wire.
 */
public final class MultipartBody {

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern NAME = Pattern.compile("(?i);\\s*name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i);\\s*filename=\"([^\"]*)\"");

    /**
     * One part.
     *
     * @param filename the file name of a file part, {@code null} for a plain field
     * @param contentType the part's own type, {@code null} when it sent none
     */
    public record Part(String name, String filename, String contentType, byte[] data) {

        /** The part's data as UTF-8 text (a plain field's value). */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private MultipartBody() {}

    /** The parts of {@code body}; throws {@link IllegalArgumentException} when it is not well formed. */
    public static List<Part> parse(String contentType, byte[] body) {
        Matcher b = contentType == null ? null : BOUNDARY.matcher(contentType);
        if (b == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data") || !b.find()) {
            throw new IllegalArgumentException("not multipart/form-data with a boundary");
        }
        byte[] delimiter = ("--" + (b.group(2) != null ? b.group(2) : b.group(3))).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("the boundary does not occur in the body");
        }
        while (true) {
            int after = at + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts; // the closing delimiter
            }
            int headersStart = skipLineEnd(body, after);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("a part without a blank line after its headers");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, delimiter, dataStart);
            if (next < 0) {
                throw new IllegalArgumentException("the body does not end with the closing boundary");
            }
            int dataEnd = next >= 2 && body[next - 2] == '\r' && body[next - 1] == '\n' ? next - 2 : next;
            parts.add(part(headers, Arrays.copyOfRange(body, dataStart, Math.max(dataStart, dataEnd))));
            at = next;
        }
    }

    private static Part part(String headers, byte[] data) {
        String disposition = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (name.equals("content-disposition")) {
                disposition = line.substring(colon + 1).strip();
            } else if (name.equals("content-type")) {
                type = line.substring(colon + 1).strip();
            }
        }
        Matcher n = disposition == null ? null : NAME.matcher(disposition);
        if (n == null || !n.find()) {
            throw new IllegalArgumentException("a part without Content-Disposition: form-data; name=\"…\"");
        }
        Matcher f = FILENAME.matcher(disposition);
        return new Part(n.group(1), f.find() ? f.group(1) : null, type, data);
    }

    private static int skipLineEnd(byte[] b, int at) {
        if (at + 1 < b.length && b[at] == '\r' && b[at + 1] == '\n') {
            return at + 2;
        }
        return at < b.length && b[at] == '\n' ? at + 1 : at;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
