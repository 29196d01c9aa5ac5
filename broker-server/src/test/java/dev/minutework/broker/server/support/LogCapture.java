package dev.minutework.broker.server.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Keeps every log line of the test JVM (message, arguments and stack traces), so tests can prove no
 * credential was ever logged. Re-installed after each broker start, because Spring Boot resets
 * the logging system when a context starts.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {

    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    private LogCapture() {}

    static synchronized void install() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("test-capture") != null) {
            return;
        }
        LogCapture appender = new LogCapture();
        appender.setName("test-capture");
        appender.setContext(ctx);
        appender.start();
        root.addAppender(appender);
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        LINES.add(b.toString());
    }

    public static List<String> lines() {
        return List.copyOf(LINES);
    }
}
