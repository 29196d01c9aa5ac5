package dev.minutework.broker.server.config;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.dao.IncorrectUpdateSemanticsDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.stereotype.Component;

/**
 * Several writes of the current transaction in one round trip to PostgreSQL: their statements go
 * out together and run in order; each must change exactly one row, or the whole call fails (and
 * with it the transaction). Each write has its own named parameters.
 */
@Component
public class Writes {

    /** One INSERT or UPDATE that must change exactly one row. */
    public record Write(String sql, Map<String, ?> params) {}

    private final JdbcTemplate jdbc;

    Writes(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void together(List<Write> writes) {
        if (writes.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        List<Object> values = new ArrayList<>();
        for (Write w : writes) {
            if (w.sql().contains(";")) {
                throw new IllegalArgumentException("a write is one statement: " + w.sql());
            }
            MapSqlParameterSource source = new MapSqlParameterSource(w.params());
            ParsedSql parsed = NamedParameterUtils.parseSqlStatement(w.sql());
            sql.append(sql.isEmpty() ? "" : ";\n").append(NamedParameterUtils.substituteNamedParameters(parsed, source));
            values.addAll(Arrays.asList(NamedParameterUtils.buildValueArray(parsed, source, null)));
        }
        jdbc.execute(sql.toString(), (PreparedStatement ps) -> {
            for (int i = 0; i < values.size(); i++) {
                StatementCreatorUtils.setParameterValue(ps, i + 1, SqlTypeValue.TYPE_UNKNOWN, values.get(i));
            }
            boolean rows = ps.execute();
            for (Write w : writes) {
                int changed = rows ? -1 : ps.getUpdateCount();
                if (changed != 1) {
                    throw new IncorrectUpdateSemanticsDataAccessException(
                            "expected one row changed, got " + changed + ": " + w.sql());
                }
                rows = ps.getMoreResults();
            }
            return null;
        });
    }
}
