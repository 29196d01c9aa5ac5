package dev.minutework.broker.archfixture.server.tables;

/** SQL that writes tables this package does not own, in the forms the ownership test must find. */
final class WritesAnotherPackagesTable {

    /** In a text block, lower case. */
    static final String LINK = """
            update spend_reservations set campaign_id = :c
            where tenant_id = :t and execution_id = :e
            """;

    /** In a plain string, upper case. */
    static final String CREDIT = "INSERT INTO tenant_wallets (tenant_id, currency, updated_at) VALUES (:t, :c, :now)";

    /** Split over a concatenation. */
    static final String FORGET = "delete from "
            + "api_keys where id = :id";

    // a comment is no write: delete from tenants
    /* nor is this: update tenants set name = 'x' */

    private WritesAnotherPackagesTable() {}
}
