package dev.minutework.broker.server.gaps;

import dev.minutework.broker.server.identity.Caller;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/capability-gaps}: the operator's view of every gap with counts. */
@RestController
class CapabilityGapController {

    private final CapabilityGaps gaps;

    CapabilityGapController(CapabilityGaps gaps) {
        this.gaps = gaps;
    }

    @GetMapping("/v1/capability-gaps")
    Map<String, Object> list(Caller caller) {
        caller.requireOperator();
        return Map.of("gaps", gaps.summary());
    }
}
