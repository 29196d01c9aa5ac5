package dev.minutework.broker.server.console;

import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.OperatorKey;
import dev.minutework.broker.server.identity.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Sign-in with an API key and sign-out. The key is resolved as the API's {@code CallerResolver}
 * resolves a Bearer key (the operator key, else an unrevoked tenant key) and then forgotten: only
 * the session is kept. Agent keys are for MCP and the runtime, not for people: refused here.
 */
@Controller
class ConsoleSignInController {

    static final String SIGN_IN = "/console/sign-in";

    private final OperatorKey operatorKey;
    private final ApiKeys apiKeys;
    private final ConsoleSessions sessions;

    ConsoleSignInController(OperatorKey operatorKey, ApiKeys apiKeys, ConsoleSessions sessions) {
        this.operatorKey = operatorKey;
        this.apiKeys = apiKeys;
        this.sessions = sessions;
    }

    @GetMapping(SIGN_IN)
    String form() {
        return "console/sign-in";
    }

    @PostMapping(SIGN_IN)
    String signIn(@RequestParam(name = "api_key", defaultValue = "") String apiKey, HttpServletRequest request,
            HttpServletResponse response, Model model) {
        Optional<? extends Caller> caller = apiKey.isBlank() ? Optional.empty()
                : operatorKey.matches(apiKey.strip()) ? Optional.of(new Caller.Operator()) : apiKeys.find(apiKey.strip());
        if (caller.isEmpty()) {
            response.setStatus(401);
            model.addAttribute("error", "unauthenticated: unknown or revoked API key");
            return "console/sign-in";
        }
        if (caller.get() instanceof Caller.TenantKey k && k.role() == Role.AGENT) {
            response.setStatus(403);
            model.addAttribute("error", "forbidden_role: agent keys sign in to MCP, not to the console");
            return "console/sign-in";
        }
        ConsoleAccess.token(request).ifPresent(sessions::end); // a new sign-in replaces, never reuses, a session
        ConsoleSessions.Opened opened = sessions.open(caller.get());
        response.addHeader(HttpHeaders.SET_COOKIE, ConsoleAccess.cookie(request, opened.token()).toString());
        return "redirect:/console";
    }

    @PostMapping("/console/sign-out")
    String signOut(ConsoleSessions.Session session, HttpServletRequest request, HttpServletResponse response) {
        ConsoleAccess.token(request).ifPresent(sessions::end);
        response.addHeader(HttpHeaders.SET_COOKIE, ConsoleAccess.cookie(request, "").toString());
        return "redirect:" + SIGN_IN;
    }
}
