package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * In runtime mode, turns {@code Authorization: Bearer <key>} into a {@link Caller} by asking the
 * platform who the key is: the runtime keeps no keys of its own. No operator here: the operator
 * works on the platform.
 */
class RemoteCallers implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private final Platform platform;

    RemoteCallers(Platform platform) {
        this.platform = platform;
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
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <api key>");
        }
        return platform.identify(header.substring(7).trim())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED, "unknown or revoked API key"));
    }
}
