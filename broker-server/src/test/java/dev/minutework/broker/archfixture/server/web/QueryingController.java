package dev.minutework.broker.archfixture.server.web;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A controller that queries the database itself instead of going through a repository. */
@RestController
class QueryingController {

    private final JdbcClient jdbc;

    QueryingController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/fixture/names")
    List<String> names() {
        return jdbc.sql("select name from tenants").query(String.class).list();
    }
}
