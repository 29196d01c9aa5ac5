package dev.minutework.broker.server.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Container;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * How the HTTP layer reads requests and renders the errors no controller sees: request bodies
 * through {@link RequestJson}, query parameters checked for text PostgreSQL cannot hold, and the
 * servlet container's own error reports (a malformed URL, a refused header) as the API's error
 * envelope instead of an HTML page.
 */
@Configuration(proxyBeanMethods = false)
public class ApiConfiguration implements WebMvcConfigurer {

    /** Request bodies of every controller go through {@link JsonBodyReader}, ahead of the default JSON converter. */
    @Bean
    ServerHttpMessageConvertersCustomizer requestJsonBodies() {
        return builder -> builder.addCustomConverter(new JsonBodyReader());
    }

    /** Tomcat reports errors it detects itself (bad URL, header too large) as the error envelope. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
        return new WebServerFactoryCustomizer<>() {
            @Override
            public void customize(TomcatServletWebServerFactory factory) {
                factory.addContextCustomizers(context -> {
                    Container host = context.getParent();
                    if (host instanceof StandardHost h) {
                        h.setErrorReportValveClass(JsonErrorReportValve.class.getName());
                    }
                    host.getPipeline().addValve(new JsonErrorReportValve());
                });
            }
        };
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new QueryParameters()).order(Ordered.HIGHEST_PRECEDENCE);
    }

    /** Refuses query parameters holding NUL or lone surrogates, naming each one. */
    static final class QueryParameters implements HandlerInterceptor {
        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            if (request.getQueryString() == null) {
                return true;
            }
            List<Map<String, String>> errors = new ArrayList<>();
            for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
                String name = RequestJson.segment(p.getKey()).substring(1);
                String bad = RequestJson.textProblem(p.getKey());
                if (bad != null) {
                    errors.add(Map.of("path", name, "message", "parameter name " + bad));
                }
                for (String v : p.getValue()) {
                    bad = RequestJson.textProblem(v);
                    if (bad != null) {
                        errors.add(Map.of("path", name, "message", bad));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "the query has " + errors.size() + " invalid parameter(s)",
                        Map.of("errors", errors));
            }
            return true;
        }
    }
}
