package dev.minutework.broker.server.console;

import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Puts {@link ConsoleAccess} in front of the console's pages (not its static files, which hold no
 * data) and makes the signed-in session a handler argument.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

    private final ConsoleAccess access;

    ConsoleConfiguration(ConsoleSessions sessions) {
        this.access = new ConsoleAccess(sessions);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(access).addPathPatterns("/console", "/console/**")
                .excludePathPatterns("/console/assets/**");
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(access);
    }
}
