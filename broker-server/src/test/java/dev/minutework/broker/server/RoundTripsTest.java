package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.persistence.Writes;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Story;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.dao.IncorrectUpdateSemanticsDataAccessException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Several statements in one round trip: reads each get their own rows, in order, with the
 * parameters they share; writes each change one row, or the transaction fails whole.
 */
class RoundTripsTest extends BrokerTestCase {

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

    @Test
    void writesChangeOneRowEachOrNothingAtAll() {
        Story.Tenant t = story.tenant("Writes", Story.Setup.ready());
        Writes writes = broker.bean(Writes.class);
        TransactionTemplate tx = broker.bean(TransactionTemplate.class);
        String rename = "update tenants set name = :name where id = :id";
        tx.executeWithoutResult(s -> writes.together(List.of(
                new Writes.Write(rename, Map.of("name", "Writes once", "id", t.id())),
                new Writes.Write(rename, Map.of("name", "Writes twice", "id", t.id())))));
        assertThat(name(t)).isEqualTo("Writes twice");

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> writes.together(List.of(
                new Writes.Write(rename, Map.of("name", "Never", "id", t.id())),
                new Writes.Write(rename, Map.of("name", "Nobody", "id", "ten_missing"))))))
                .isInstanceOf(IncorrectUpdateSemanticsDataAccessException.class).hasMessageContaining("got 0");
        assertThat(name(t)).as("the failed round trip changed nothing").isEqualTo("Writes twice");
    }

    private static String name(Story.Tenant t) {
        return jdbc.sql("select name from tenants where id = :id").param("id", t.id()).query(String.class).single();
    }
}
