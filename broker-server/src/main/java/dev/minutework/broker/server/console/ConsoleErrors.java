package dev.minutework.broker.server.console;

import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * The console's errors as a page, never a stack trace: the API's error code and message for a
 * refusal a service made (the same {@link ApiException} the API renders as JSON, with the same
 * status), the console's own code for a refusal at its door, and {@code internal_error} alone for
 * a bug (logged). Ahead of {@link ApiErrorHandler}, for the console's page controllers only.
 */
@ControllerAdvice(assignableTypes = {ConsoleController.class, ConsoleInboxController.class,
        ConsoleSignInController.class, ConsoleKillSwitchController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleErrors {

    private static final Logger log = LoggerFactory.getLogger(ConsoleErrors.class);

    @ExceptionHandler(ConsoleRefusal.class)
    ModelAndView refused(ConsoleRefusal e) {
        return page(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(ApiException.class)
    ModelAndView api(ApiException e) {
        return page(ApiErrorHandler.status(e.code()), e.code().wire(), e.getMessage());
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ModelAndView badParameter(Exception e) {
        return page(400, ErrorCode.INVALID_INPUT.wire(), "a form field is missing or malformed");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ModelAndView method(HttpRequestMethodNotSupportedException e) {
        return page(405, ErrorCode.METHOD_NOT_ALLOWED.wire(), "method " + e.getMethod() + " not allowed here");
    }

    @ExceptionHandler(Exception.class)
    ModelAndView bug(Exception e) {
        log.error("unexpected console failure", e);
        return page(500, ErrorCode.INTERNAL_ERROR.wire(), "internal error");
    }

    static ModelAndView page(int status, String code, String message) {
        ModelAndView mav = new ModelAndView("console/error");
        mav.setStatus(HttpStatusCode.valueOf(status));
        mav.addObject("status", status);
        mav.addObject("code", code);
        mav.addObject("message", message);
        return mav;
    }
}
