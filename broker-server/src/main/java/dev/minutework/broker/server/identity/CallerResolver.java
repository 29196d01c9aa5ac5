package dev.minutework.broker.server.identity;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Turns {@code Authorization: Bearer <key>} into a {@link Caller} argument of a controller method. */
@Component
public class CallerResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private final OperatorKey operatorKey;
    private final ApiKeys apiKeys;

    CallerResolver(OperatorKey operatorKey, ApiKeys apiKeys) {
        this.operatorKey = operatorKey;
        this.apiKeys = apiKeys;
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
        String key = header.substring(7).trim();
        if (operatorKey.matches(key)) {
            return new Caller.Operator();
        }
        return apiKeys.find(key).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED, "unknown or revoked API key"));
    }
}
