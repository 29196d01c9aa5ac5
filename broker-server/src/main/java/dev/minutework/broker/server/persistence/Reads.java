package dev.minutework.broker.server.persistence;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Several independent reads in one round trip to PostgreSQL: their statements go out together (the
 * driver sends them in one message and reads the answers back in order) and run in one implicit
 * transaction, so they also see one snapshot. Each read keeps its repository's own SQL and row
 * mapping; their named parameters share one map, so a name means the same value in every read.
 */
@Component
public class Reads {

    /** One read: a SELECT with named parameters and how to map its rows. */
    public record Read<T>(String sql, RowMapper<T> mapper) {}

    /** The rows each read answered. */
    public static final class Results {
        private final Map<Read<?>, List<?>> rows = new IdentityHashMap<>();

        @SuppressWarnings("unchecked")
        public <T> List<T> list(Read<T> read) {
            List<?> r = rows.get(read);
            if (r == null) {
                throw new IllegalArgumentException("this read was not part of the round trip");
            }
            return (List<T>) r;
        }

        /** The read's single row, or null; more than one row is an error. */
        public <T> T optional(Read<T> read) {
            List<T> r = list(read);
            if (r.size() > 1) {
                throw new IncorrectResultSizeDataAccessException(1, r.size());
            }
            return r.isEmpty() ? null : r.getFirst();
        }
    }

    private final JdbcTemplate jdbc;

    Reads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Results together(Map<String, ?> params, List<Read<?>> reads) {
        Statements.Joined joined = Statements.join(reads.stream().map(Read::sql).toList(), i -> params);
        return jdbc.execute(joined.sql(), (PreparedStatement ps) -> {
            joined.bind(ps);
            Results results = new Results();
            boolean hasRows = ps.execute();
            for (Read<?> read : reads) {
                if (!hasRows) {
                    throw new IllegalStateException("a read answered no rows: " + read.sql());
                }
                List<Object> mapped = new ArrayList<>();
                try (ResultSet rs = ps.getResultSet()) {
                    int n = 0;
                    while (rs.next()) {
                        mapped.add(read.mapper().mapRow(rs, n++));
                    }
                }
                results.rows.put(read, mapped);
                hasRows = ps.getMoreResults();
            }
            return results;
        });
    }
}
