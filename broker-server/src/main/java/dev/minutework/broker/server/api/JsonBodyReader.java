package dev.minutework.broker.server.api;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.SmartHttpMessageConverter;

/**
 * Reads every {@code @RequestBody Map<String, Object>} of the API through {@link RequestJson}:
 * UTF-8 JSON objects only, refused with a JSON path when they hold duplicate members, NUL or lone
 * surrogates. It only reads, and only that type; everything else (responses, the actuator's own
 * bodies) is left to the regular JSON converter.
 */
final class JsonBodyReader implements SmartHttpMessageConverter<Object> {

    private static final List<MediaType> TYPES = List.of(MediaType.APPLICATION_JSON, new MediaType("application", "*+json"));

    @Override
    public boolean canRead(ResolvableType type, MediaType mediaType) {
        return isBodyMap(type) && mediaType != null && TYPES.stream().anyMatch(t -> t.includes(mediaType));
    }

    /** {@code Map<String, Object>} (or a raw {@code Map}): the request bodies of the API's controllers. */
    private static boolean isBodyMap(ResolvableType type) {
        return type.toClass() == Map.class && type.getGeneric(0).resolve(String.class) == String.class
                && type.getGeneric(1).resolve(Object.class) == Object.class;
    }

    @Override
    public Object read(ResolvableType type, HttpInputMessage input, Map<String, Object> hints) throws IOException {
        MediaType mediaType = input.getHeaders().getContentType();
        String charset = mediaType == null ? null : mediaType.getParameter("charset");
        if (charset != null && !List.of("utf-8", "utf8", "\"utf-8\"").contains(charset.toLowerCase(Locale.ROOT))) {
            throw new UnreadableBody(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send application/json in UTF-8 (charset=" + RequestJson.clip(charset, 32) + " is not accepted)"));
        }
        try {
            return RequestJson.readObject(input.getBody(), input.getHeaders().getContentLength());
        } catch (ApiException refused) {
            throw new UnreadableBody(refused);
        }
    }

    @Override
    public boolean canWrite(ResolvableType targetType, Class<?> valueClass, MediaType mediaType) {
        return false;
    }

    @Override
    public void write(Object value, ResolvableType type, MediaType contentType, HttpOutputMessage output,
            Map<String, Object> hints) {
        throw new UnsupportedOperationException("JsonBodyReader only reads request bodies");
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return TYPES;
    }
}
