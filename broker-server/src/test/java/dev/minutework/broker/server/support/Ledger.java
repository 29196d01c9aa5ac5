package dev.minutework.broker.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * "Nothing half-done": one tenant's money, executions, approvals and audit chains agree with each
 * other in the database. Call it at the end of every test, after whatever refusals and failures the
 * test provoked.
 */
public final class Ledger {

    /** The receipt an execution at rest must carry for its status. */
    private static final Map<String, String> TERMINAL_RECEIPT = Map.of(
            "awaiting_approval", "approval.requested",
            "succeeded", "execution.succeeded",
            "failed", "execution.failed",
            "outcome_unknown", "execution.outcome_unknown",
            "denied", "approval.denied",
            "expired", "approval.expired");

    private Ledger() {}

    public static void assertConsistent(JdbcClient jdbc, String tenantId) {
        SoftAssertions soft = new SoftAssertions();

        // every reservation belongs to an execution of the same tenant
        soft.assertThat(jdbc.sql("""
                select r.id from spend_reservations r
                left join executions e on e.id = r.execution_id and e.tenant_id = r.tenant_id
                where r.tenant_id = :t and e.id is null
                """).param("t", tenantId).query(String.class).list())
                .as("reservations without an execution of the tenant").isEmpty();

        // every execution has its acceptance receipt and the receipt of the status it rests in
        List<Map<String, Object>> executions = jdbc.sql("select id, status from executions where tenant_id = :t")
                .param("t", tenantId).query().listOfRows();
        for (Map<String, Object> e : executions) {
            String id = (String) e.get("id");
            String status = (String) e.get("status");
            List<String> kinds = jdbc.sql("""
                    select kind from broker_receipts where tenant_id = :t and execution_id = :e order by seq
                    """).param("t", tenantId).param("e", id).query(String.class).list();
            soft.assertThat(kinds).as("receipts of execution %s", id).contains("execution.accepted");
            soft.assertThat(status).as("execution %s is not left executing", id).isNotEqualTo("executing");
            if (TERMINAL_RECEIPT.containsKey(status)) {
                soft.assertThat(kinds).as("receipts of %s execution %s", status, id).contains(TERMINAL_RECEIPT.get(status));
            }
        }

        // executions that cannot spend hold nothing; executions awaiting approval never reserved
        soft.assertThat(jdbc.sql("""
                select r.id from spend_reservations r join executions e on e.id = r.execution_id
                where r.tenant_id = :t and r.status = 'held' and e.status in ('failed', 'denied', 'expired')
                """).param("t", tenantId).query(String.class).list())
                .as("held reservations of failed, denied or expired executions").isEmpty();
        soft.assertThat(jdbc.sql("""
                select r.id from spend_reservations r join executions e on e.id = r.execution_id
                where r.tenant_id = :t and e.status = 'awaiting_approval'
                """).param("t", tenantId).query(String.class).list())
                .as("reservations of executions still awaiting approval").isEmpty();

        // the wallet's reserved total is the sum of held reservations; its balance follows its entries
        Map<String, Object> wallet = jdbc.sql("select balance_minor, reserved_minor from tenant_wallets where tenant_id = :t")
                .param("t", tenantId).query().singleRow();
        // a held reservation still holds what was not settled of it yet (reported spend settles in parts)
        long held = sum(jdbc, "select coalesce(sum(amount_minor - settled_minor), 0) from spend_reservations where tenant_id = :t and status = 'held'", tenantId);
        // spend the provider reported beyond what was held, settled from available credits
        long beyond = sum(jdbc, "select coalesce(sum(beyond_minor - unsettled_minor), 0) from campaign_spend_days where tenant_id = :t", tenantId);
        soft.assertThat(num(wallet.get("reserved_minor"))).as("wallet reserved = held reservations").isEqualTo(held);
        long credits = sum(jdbc, "select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'credit'", tenantId);
        long debits = sum(jdbc, "select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'debit'", tenantId);
        long settlements = sum(jdbc, "select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'settlement'", tenantId);
        soft.assertThat(num(wallet.get("balance_minor"))).as("wallet balance = credits - debits - settlements")
                .isEqualTo(credits - debits - settlements);
        soft.assertThat(settlements).as("settlement entries = settled reservations + settled beyond them")
                .isEqualTo(sum(jdbc, "select coalesce(sum(settled_minor), 0) from spend_reservations where tenant_id = :t", tenantId)
                        + beyond);
        soft.assertThat(num(wallet.get("reserved_minor"))).as("wallet reserved ≤ balance")
                .isLessThanOrEqualTo(num(wallet.get("balance_minor")));

        // each authorization's reserved and settled totals are the sums of its reservations, within its cap
        for (Map<String, Object> a : jdbc.sql("""
                select id, cap_minor, reserved_minor, settled_minor from spend_authorizations where tenant_id = :t
                """).param("t", tenantId).query().listOfRows()) {
            String id = (String) a.get("id");
            long authHeld = jdbc.sql("""
                    select coalesce(sum(amount_minor - settled_minor), 0) from spend_reservations
                    where tenant_id = :t and authorization_id = :a and status = 'held'
                    """).param("t", tenantId).param("a", id).query(Long.class).single();
            long authSettled = jdbc.sql("""
                    select coalesce(sum(settled_minor), 0) from spend_reservations
                    where tenant_id = :t and authorization_id = :a
                    """).param("t", tenantId).param("a", id).query(Long.class).single();
            soft.assertThat(num(a.get("reserved_minor"))).as("authorization %s reserved = held reservations", id)
                    .isEqualTo(authHeld);
            if (beyond == 0) {
                soft.assertThat(num(a.get("settled_minor"))).as("authorization %s settled = settled reservations", id)
                        .isEqualTo(authSettled);
            } else {
                soft.assertThat(num(a.get("settled_minor"))).as("authorization %s settled ≥ settled reservations", id)
                        .isGreaterThanOrEqualTo(authSettled);
            }
            soft.assertThat(num(a.get("reserved_minor")) + num(a.get("settled_minor")))
                    .as("authorization %s reserved + settled ≤ cap", id).isLessThanOrEqualTo(num(a.get("cap_minor")));
        }

        // every reservation decision has its spend policy receipt and its broker receipt, exactly once
        for (Map<String, Object> r : jdbc.sql("select id, status from spend_reservations where tenant_id = :t")
                .param("t", tenantId).query().listOfRows()) {
            String id = (String) r.get("id");
            List<String> decisions = jdbc.sql("""
                    select kind from spend_policy_receipts where tenant_id = :t and reservation_id = :r order by seq
                    """).param("t", tenantId).param("r", id).query(String.class).list();
            List<String> expected = switch ((String) r.get("status")) {
                case "held" -> List.of("reserve");
                case "released" -> List.of("reserve", "release");
                default -> List.of("reserve", "settle");
            };
            soft.assertThat(decisions).as("spend policy receipts of reservation %s (%s)", id, r.get("status"))
                    .isEqualTo(expected);
        }
        soft.assertThat(sum(jdbc, "select count(*) from broker_receipts where tenant_id = :t and kind like 'spend.%'", tenantId))
                .as("one spend.* broker receipt per spend policy receipt")
                .isEqualTo(sum(jdbc, "select count(*) from spend_policy_receipts where tenant_id = :t", tenantId));

        // one-shot approvals: the one an execution points at is pending exactly while it awaits approval;
        // one superseded by a new figure is never the one it points at
        soft.assertThat(jdbc.sql("""
                select g.id from approval_grants g join executions e on e.id = g.execution_id
                where g.tenant_id = :t and g.kind = 'one_shot'
                  and case when g.status = 'superseded' then e.approval_id = g.id
                           else (g.status = 'pending') <> (e.status = 'awaiting_approval') end
                """).param("t", tenantId).query(String.class).list())
                .as("one-shot approvals whose status disagrees with their execution").isEmpty();
        soft.assertThat(jdbc.sql("""
                select id from approval_grants where tenant_id = :t and kind = 'standing'
                  and spend_used_minor > spend_ceiling_minor
                """).param("t", tenantId).query(String.class).list())
                .as("standing grants used beyond their ceiling").isEmpty();

        // successful creations have their projection
        soft.assertThat(jdbc.sql("""
                select e.id from executions e where e.tenant_id = :t and e.status = 'succeeded'
                  and e.action = 'ads.create_campaign'
                  and not exists (select 1 from ads_campaigns c where c.tenant_id = e.tenant_id and c.created_by = e.id)
                """).param("t", tenantId).query(String.class).list())
                .as("succeeded campaign creations without a projection").isEmpty();
        soft.assertThat(jdbc.sql("""
                select c.id from ads_campaigns c join executions e on e.id = c.created_by
                where c.tenant_id = :t and e.status <> 'succeeded'
                """).param("t", tenantId).query(String.class).list())
                .as("projections created by executions that did not succeed").isEmpty();

        // both hash chains are gapless, linked, and end at their recorded heads
        chain(soft, jdbc, tenantId, "broker_receipts", "receipts");
        chain(soft, jdbc, tenantId, "spend_policy_receipts", "spend_policy");
        soft.assertAll();
    }

    private static void chain(SoftAssertions soft, JdbcClient jdbc, String tenantId, String table, String chain) {
        List<Map<String, Object>> links = jdbc.sql("select seq, prev_hash, hash from " + table
                + " where tenant_id = :t order by seq").param("t", tenantId).query().listOfRows();
        for (int i = 0; i < links.size(); i++) {
            soft.assertThat(num(links.get(i).get("seq"))).as("%s seq at position %d", table, i).isEqualTo(i + 1L);
            if (i > 0) {
                soft.assertThat(links.get(i).get("prev_hash")).as("%s link %d", table, i + 1)
                        .isEqualTo(links.get(i - 1).get("hash"));
            }
        }
        List<Map<String, Object>> head = jdbc.sql("select seq, hash from chain_heads where tenant_id = :t and chain = :c")
                .param("t", tenantId).param("c", chain).query().listOfRows();
        if (links.isEmpty()) {
            soft.assertThat(head.isEmpty() || num(head.getFirst().get("seq")) == 0).as("%s head of an empty chain", table)
                    .isTrue();
        } else {
            assertThat(head).as("%s head", table).hasSize(1);
            soft.assertThat(num(head.getFirst().get("seq"))).as("%s head seq", table).isEqualTo(links.size());
            soft.assertThat(head.getFirst().get("hash")).as("%s head hash", table).isEqualTo(links.getLast().get("hash"));
        }
    }

    private static long sum(JdbcClient jdbc, String sql, String tenantId) {
        return jdbc.sql(sql).param("t", tenantId).query(Long.class).single();
    }

    private static long num(Object o) {
        return ((Number) o).longValue();
    }
}
