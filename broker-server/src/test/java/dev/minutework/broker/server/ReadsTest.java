package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.server.config.Reads;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Story;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.dao.IncorrectResultSizeDataAccessException;

/** Several reads in one round trip: each gets its own rows, in order, with the parameters they share. */
class ReadsTest extends BrokerTestCase {

    @Test
    void eachReadGetsItsOwnRows() {
        Story.Tenant a = story.tenant("Reads A", Story.Setup.ready());
        Story.Tenant b = story.tenant("Reads B", Story.Setup.ready());
        Reads reads = broker.bean(Reads.class);
        Reads.Read<String> names = new Reads.Read<>("select name from tenants where id in (:a, :b) order by name",
                (rs, n) -> rs.getString(1));
        Reads.Read<Long> balance = new Reads.Read<>("select balance_minor from tenant_wallets where tenant_id = :a",
                (rs, n) -> rs.getLong(1));
        Reads.Read<String> none = new Reads.Read<>("select id from tenants where id = :missing", (rs, n) -> rs.getString(1));

        Reads.Results r = reads.together(Map.of("a", a.id(), "b", b.id(), "missing", "ten_none"),
                List.of(names, none, balance));

        assertThat(r.list(names)).containsExactly("Reads A", "Reads B");
        assertThat(r.optional(none)).isNull();
        assertThat(r.optional(balance)).isEqualTo(80_000L);
        assertThatThrownBy(() -> r.optional(names)).isInstanceOf(IncorrectResultSizeDataAccessException.class);
        Reads.Read<String> notAsked = new Reads.Read<>("select 'x'", (rs, n) -> rs.getString(1));
        assertThatThrownBy(() -> r.list(notAsked)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReadIsOneStatement() {
        Reads.Read<String> two = new Reads.Read<>("select 'a'; select 'b'", (rs, n) -> rs.getString(1));
        assertThatThrownBy(() -> broker.bean(Reads.class).together(Map.of(), List.of(two)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one statement");
    }
}
