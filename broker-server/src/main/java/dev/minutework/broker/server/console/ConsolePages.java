package dev.minutework.broker.server.console;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every page of a signed-in user knows: who is signed in (the navigation, the forms' CSRF token). */
@ControllerAdvice(assignableTypes = {ConsoleController.class, ConsoleInboxController.class,
        ConsoleKillSwitchController.class})
class ConsolePages {

    @ModelAttribute
    void session(ConsoleSessions.Session session, Model model) {
        model.addAttribute("me", session);
    }
}
