package dev.minutework.broker.archfixture.server.web;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** Not annotated, but named a controller: it may not touch JDBC either. */
final class TemplateController {

    private final NamedParameterJdbcTemplate jdbc;

    TemplateController(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    NamedParameterJdbcTemplate jdbc() {
        return jdbc;
    }
}
