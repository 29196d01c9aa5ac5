package dev.minutework.broker.core.execution;

import static dev.minutework.broker.core.execution.ExecutionStatus.AWAITING_APPROVAL;
import static dev.minutework.broker.core.execution.ExecutionStatus.DENIED;
import static dev.minutework.broker.core.execution.ExecutionStatus.EXECUTING;
import static dev.minutework.broker.core.execution.ExecutionStatus.EXPIRED;
import static dev.minutework.broker.core.execution.ExecutionStatus.FAILED;
import static dev.minutework.broker.core.execution.ExecutionStatus.OUTCOME_UNKNOWN;
import static dev.minutework.broker.core.execution.ExecutionStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The execution life cycle: every (from, to) pair of the table, written out independently of {@code next()}. */
class ExecutionStatusTest {

    /** The legal moves, as design §4 and the class's javadoc state them. */
    private static final Set<String> LEGAL = Set.of(
            "AWAITING_APPROVAL>EXECUTING", "AWAITING_APPROVAL>DENIED", "AWAITING_APPROVAL>EXPIRED",
            "AWAITING_APPROVAL>FAILED",
            "EXECUTING>SUCCEEDED", "EXECUTING>FAILED", "EXECUTING>OUTCOME_UNKNOWN", "EXECUTING>EXECUTING",
            "OUTCOME_UNKNOWN>EXECUTING");

    static Stream<Arguments> everyPair() {
        return Stream.of(ExecutionStatus.values())
                .flatMap(from -> Stream.of(ExecutionStatus.values()).map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void everyPairIsLegalExactlyWhenTheTableSaysSo(ExecutionStatus from, ExecutionStatus to) {
        boolean legal = LEGAL.contains(from + ">" + to);
        assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(legal);
        assertThat(from.next().contains(to)).isEqualTo(legal);
        if (legal) {
            assertThat(ExecutionStatus.requireTransition(EnumSet.of(from), to)).isSameAs(to);
        } else {
            assertThatThrownBy(() -> ExecutionStatus.requireTransition(EnumSet.of(from), to))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("an execution cannot move from " + from.wire() + " to " + to.wire());
        }
    }

    @Test
    void theTableHasExactlyTheLegalMoves() {
        long legal = everyPair().filter(a -> ((ExecutionStatus) a.get()[0]).canMoveTo((ExecutionStatus) a.get()[1]))
                .count();
        assertThat(legal).isEqualTo(LEGAL.size()).isEqualTo(9);
    }

    @Test
    void succeededFailedDeniedAndExpiredAreTerminal() {
        assertThat(EnumSet.allOf(ExecutionStatus.class).stream().filter(ExecutionStatus::terminal).toList())
                .containsExactlyInAnyOrder(SUCCEEDED, FAILED, DENIED, EXPIRED);
        for (ExecutionStatus s : List.of(SUCCEEDED, FAILED, DENIED, EXPIRED)) {
            assertThat(s.next()).isEmpty();
        }
        for (ExecutionStatus s : List.of(AWAITING_APPROVAL, EXECUTING, OUTCOME_UNKNOWN)) {
            assertThat(s.terminal()).as("%s", s).isFalse();
        }
    }

    @Test
    void anExecutionIsBornAwaitingApprovalOrExecuting() {
        assertThat(ExecutionStatus.INITIAL).containsExactlyInAnyOrder(AWAITING_APPROVAL, EXECUTING);
    }

    @Test
    void nextIsACopyThatCallersCannotCorrupt() {
        Set<ExecutionStatus> next = OUTCOME_UNKNOWN.next();
        next.add(SUCCEEDED);
        assertThat(OUTCOME_UNKNOWN.canMoveTo(SUCCEEDED)).isFalse();
    }

    @Test
    void requireTransitionChecksEveryStartingState() {
        assertThat(ExecutionStatus.requireTransition(EnumSet.of(EXECUTING, OUTCOME_UNKNOWN), EXECUTING))
                .isEqualTo(EXECUTING);
        assertThat(ExecutionStatus.requireTransition(EnumSet.of(AWAITING_APPROVAL, EXECUTING), FAILED))
                .isEqualTo(FAILED);
        // one illegal starting state is enough to refuse the whole transition
        assertThatThrownBy(() -> ExecutionStatus.requireTransition(EnumSet.of(EXECUTING, OUTCOME_UNKNOWN), SUCCEEDED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("an execution cannot move from outcome_unknown to succeeded");
        assertThatThrownBy(() -> ExecutionStatus.requireTransition(EnumSet.of(AWAITING_APPROVAL, EXECUTING), DENIED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("an execution cannot move from executing to denied");
        assertThatThrownBy(() -> ExecutionStatus.requireTransition(EnumSet.noneOf(ExecutionStatus.class), FAILED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a transition to failed from no state");
    }

    @ParameterizedTest
    @EnumSource(ExecutionStatus.class)
    void wireNamesRoundTrip(ExecutionStatus s) {
        assertThat(s.wire()).isEqualTo(s.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(ExecutionStatus.parse(s.wire())).isSameAs(s);
    }

    @Test
    void wireNamesAreTheDatabaseOnes() {
        // the executions table's check constraint (V1__governed_broker.sql)
        assertThat(Stream.of(ExecutionStatus.values()).map(ExecutionStatus::wire).toList())
                .containsExactlyInAnyOrder("awaiting_approval", "executing", "succeeded", "failed", "denied",
                        "outcome_unknown", "expired");
    }

    @Test
    void anUnknownStatusDoesNotParse() {
        assertThatThrownBy(() -> ExecutionStatus.parse("approved")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecutionStatus.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
