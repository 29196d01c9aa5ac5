package dev.minutework.broker.server.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the adapter is sent: the campaign's end brought within its authorization (no Spring, no database). */
class ProviderCommandTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant AUTH_END = NOW.plus(Duration.ofDays(10));
    private static final CampaignBudget DAILY = new CampaignBudget(Money.of(1_000, "USD"), BudgetPeriod.DAILY);
    private static final ProviderCapabilities MOVES_END = ProviderCapabilities.ANY;
    private static final ProviderCapabilities KEEPS_END = ProviderCapabilities.ANY.without(Feature.CAMPAIGN_END_TIME_UPDATE);

    private static ExecuteCommand.CreateCampaign create(Instant end) {
        return new ExecuteCommand.CreateCampaign("Boots", null, true, DAILY, null, end);
    }

    @Test
    void aNewCampaignEndsNoLaterThanItsAuthorization() {
        assertThat(Calls.providerCommand(create(null), null, AUTH_END, KEEPS_END))
                .isEqualTo(create(AUTH_END));
        assertThat(Calls.providerCommand(create(AUTH_END.plus(Duration.ofDays(1))), null, AUTH_END, KEEPS_END))
                .isEqualTo(create(AUTH_END));
        ExecuteCommand earlier = create(AUTH_END.minus(Duration.ofDays(1)));
        assertThat(Calls.providerCommand(earlier, null, AUTH_END, KEEPS_END)).isSameAs(earlier);
    }

    @Test
    void withoutAnAuthorizationEndNothingIsCapped() {
        ExecuteCommand c = create(null);
        assertThat(Calls.providerCommand(c, null, null, MOVES_END)).isSameAs(c);
    }

    @Test
    void anUpdateThatCanRaiseSpendMovesTheCurrentEndWithinTheAuthorization() {
        ExecuteCommand.UpdateCampaign raise = new ExecuteCommand.UpdateCampaign("cmp_1", null, null, DAILY, null);
        Instant current = AUTH_END.plus(Duration.ofDays(30));

        assertThat(Calls.providerCommand(raise, current, AUTH_END, MOVES_END)).isEqualTo(raise.endingAt(AUTH_END));
        assertThat(Calls.providerCommand(raise, null, AUTH_END, MOVES_END)).isEqualTo(raise.endingAt(AUTH_END));
        assertThat(Calls.providerCommand(raise, AUTH_END.minus(Duration.ofDays(1)), AUTH_END, MOVES_END))
                .isSameAs(raise);
    }

    @Test
    void aProviderThatCannotMoveAnEndIsSentTheUpdateAsAsked() {
        ExecuteCommand.UpdateCampaign activate = new ExecuteCommand.UpdateCampaign("cmp_1", null, true, null, null);
        assertThat(Calls.providerCommand(activate, null, AUTH_END, KEEPS_END)).isSameAs(activate);
    }

    @Test
    void aRenameOrAPauseIsNeverCapped() {
        ExecuteCommand.UpdateCampaign rename = new ExecuteCommand.UpdateCampaign("cmp_1", "New name", null, null, null);
        ExecuteCommand.PauseCampaign pause = new ExecuteCommand.PauseCampaign("cmp_1");
        assertThat(Calls.providerCommand(rename, null, AUTH_END, MOVES_END)).isSameAs(rename);
        assertThat(Calls.providerCommand(pause, null, AUTH_END, MOVES_END)).isSameAs(pause);
    }
}
