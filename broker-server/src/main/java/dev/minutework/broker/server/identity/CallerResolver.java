package dev.minutework.broker.server.identity;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Turns {@code Authorization: Bearer <key>} into a {@link Caller} argument of a controller method.
 * The platform knows its operator key and tenant keys; the runtime alone asks the platform instead.
 */
@Component
public class CallerResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private final Function<String, Optional<? extends Caller>> identify;

    @Autowired
    CallerResolver(OperatorKey operatorKey, ApiKeys apiKeys) {
        this(key -> operatorKey.matches(key) ? Optional.of(new Caller.Operator()) : apiKeys.find(key));
    }

    /** A resolver that asks {@code identify} who a presented key is; empty for an unknown or revoked key. */
    public CallerResolver(Function<String, Optional<? extends Caller>> identify) {
        this.identify = identify;
    }

    /** The key an {@code Authorization: Bearer <key>} header presents; empty when the header is not one. */
    public static Optional<String> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).trim());
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return Caller.class.isAssignableFrom(parameter.getParameterType());
    }

    @Override
    public Caller resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        String key = bearer(request.getHeader(HttpHeaders.AUTHORIZATION)).orElseThrow(
                () -> new ApiException(ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <api key>"));
        Caller caller = identify.apply(key)
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED, "unknown or revoked API key"));
        // for whoever must know the caller of a request refused before its handler ran (a refused body)
        request.setAttribute(ATTRIBUTE, caller, NativeWebRequest.SCOPE_REQUEST);
        return caller;
    }

    /** The request attribute holding the {@link Caller} once resolved. */
    public static final String ATTRIBUTE = CallerResolver.class.getName() + ".caller";
}
