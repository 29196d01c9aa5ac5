package dev.minutework.broker.server.persistence;

import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import org.springframework.dao.IncorrectUpdateSemanticsDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
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
        Statements.Joined joined = Statements.join(writes.stream().map(Write::sql).toList(), i -> writes.get(i).params());
        jdbc.execute(joined.sql(), (PreparedStatement ps) -> {
            joined.bind(ps);
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
