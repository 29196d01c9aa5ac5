package dev.minutework.broker.server;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameEndingWith;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import dev.minutework.broker.archfixture.server.cycle.left.Left;
import dev.minutework.broker.archfixture.server.cycle.right.Right;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RestController;

/**
 * The server's package structure: no cycles between its top-level packages, and controllers that
 * never touch JDBC themselves. (Which package may write which table is {@link TableOwnershipTest}:
 * ArchUnit cannot see SQL.)
 */
class ServerArchitectureTest {

    private static final String SERVER = "dev.minutework.broker.server";

    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(SERVER);
    }

    /** (a) The slices named by {@code pattern} (one capture group) depend on each other without a cycle. */
    static ArchRule noPackageCycles(String pattern) {
        return SlicesRuleDefinition.slices().matching(pattern).should().beFreeOfCycles()
                .because("a package cycle makes packages one unit that cannot be understood, tested or moved alone");
    }

    /** What rule (b) calls a controller. */
    static final DescribedPredicate<JavaClass> CONTROLLERS = DescribedPredicate.<JavaClass>or(
            annotatedWith(RestController.class), annotatedWith(Controller.class), simpleNameEndingWith("Controller"))
            .as("controllers (@RestController, @Controller or named *Controller)");

    /** (b) Controllers never touch JDBC ({@code JdbcClient}, {@code JdbcTemplate}, {@code NamedParameterJdbcTemplate} …). */
    static ArchRule controllersDoNotTouchJdbc() {
        return noClasses().that(CONTROLLERS)
                .should().dependOnClassesThat().resideInAPackage("org.springframework.jdbc..")
                .because("a controller goes through the repository of the package that owns the rows");
    }

    @Test
    void theImportSeesTheServerButNotItsTestsOrFixtures() {
        assertThat(server.contain(SERVER + ".execution.ExecuteService")).isTrue();
        assertThat(server.contain(SERVER + ".routing.ProviderRouting")).isTrue();
        assertThat(server.contain(SERVER + ".accounts.ProviderAccountController")).isTrue();
        assertThat(server.contain(ServerArchitectureTest.class)).isFalse();
        assertThat(server.contain(Left.class)).isFalse();
    }

    @Test
    void theServerPackagesHaveNoCycles() {
        noPackageCycles(SERVER + ".(*)..").check(server);
    }

    @Test
    void controllersNeverTouchJdbc() {
        controllersDoNotTouchJdbc().check(server);
    }

    @Test
    void theRulesReportClassesThatBreakThem() {
        String fixtures = "dev.minutework.broker.archfixture.server";
        JavaClasses cycle = new ClassFileImporter().importClasses(Left.class, Right.class);
        JavaClasses web = new ClassFileImporter().importPackages(fixtures + ".web");

        EvaluationResult cycles = noPackageCycles(fixtures + ".cycle.(*)..").evaluate(cycle);
        EvaluationResult jdbc = controllersDoNotTouchJdbc().evaluate(web);

        assertThat(cycles.hasViolation()).isTrue();
        assertThat(cycles.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d)
                .contains("Cycle detected").contains("left").contains("right"));
        assertThat(jdbc.hasViolation()).isTrue();
        assertThat(jdbc.getFailureReport().getDetails())
                .anySatisfy(d -> assertThat(d).contains("QueryingController").contains("JdbcClient"))
                .anySatisfy(d -> assertThat(d).contains("TemplateController").contains("NamedParameterJdbcTemplate"));
    }
}
