package dev.minutework.broker.server.persistence;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

/**
 * Several statements with named parameters as one JDBC statement: the driver sends them to
 * PostgreSQL in one message. Shared by {@link Reads} and {@link Writes}.
 */
final class Statements {

    private Statements() {}

    /** The statements joined, with their parameters' values in placeholder order. */
    record Joined(String sql, List<Object> values) {
        void bind(PreparedStatement ps) throws SQLException {
            for (int i = 0; i < values.size(); i++) {
                StatementCreatorUtils.setParameterValue(ps, i + 1, SqlTypeValue.TYPE_UNKNOWN, values.get(i));
            }
        }
    }

    /** Joins {@code sqls}, statement {@code i} taking its parameters from {@code params.apply(i)}. */
    static Joined join(List<String> sqls, IntFunction<Map<String, ?>> params) {
        StringBuilder sql = new StringBuilder();
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < sqls.size(); i++) {
            String one = sqls.get(i);
            if (one.contains(";")) {
                throw new IllegalArgumentException("each part is one statement: " + one);
            }
            MapSqlParameterSource source = new MapSqlParameterSource(params.apply(i));
            ParsedSql parsed = NamedParameterUtils.parseSqlStatement(one);
            sql.append(sql.isEmpty() ? "" : ";\n").append(NamedParameterUtils.substituteNamedParameters(parsed, source));
            for (Object value : NamedParameterUtils.buildValueArray(parsed, source, null)) {
                // a collection was written out as one placeholder per element, so it binds the same way
                if (value instanceof Iterable<?> many) {
                    many.forEach(values::add);
                } else {
                    values.add(value);
                }
            }
        }
        return new Joined(sql.toString(), values);
    }
}
