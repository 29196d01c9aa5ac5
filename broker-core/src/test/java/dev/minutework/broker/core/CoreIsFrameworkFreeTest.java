package dev.minutework.broker.core;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.minutework.broker.archfixture.ReadsEnvironmentAndClock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** broker-core is plain Java: no framework, JSON library, JDBC, sibling module, wall clock or environment. */
class CoreIsFrameworkFreeTest {

    private static final String CORE = "dev.minutework.broker.core..";

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.minutework.broker.core");
    }

    static ArchRule noFrameworkDependencies(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework..", "tools.jackson..", "com.fasterxml..", "java.sql..", "javax.sql..",
                        "org.postgresql..", "dev.minutework.broker.providers..", "dev.minutework.broker.server..")
                .because("broker-core is the framework-free domain (style.md: Core)");
    }

    static ArchRule noWallClock(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().callMethod(Instant.class, "now")
                .because("time comes from an injected clock");
    }

    static ArchRule noEnvironment(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().callMethodWhere(target(name("getenv")).and(target(owner(JavaClass.Predicates.type(System.class)))))
                .because("configuration is injected, never read from the environment");
    }

    @Test
    void theImportSeesTheCoreButNotItsTests() {
        assertThat(core.contain("dev.minutework.broker.core.json.CanonicalJson")).isTrue();
        assertThat(core.contain("dev.minutework.broker.core.spend.SpendExposure")).isTrue();
        assertThat(core.contain(CoreIsFrameworkFreeTest.class)).isFalse();
    }

    @Test
    void coreDependsOnNoFrameworkJsonLibraryJdbcOrSiblingModule() {
        noFrameworkDependencies(CORE).check(core);
    }

    @Test
    void coreNeverReadsTheWallClock() {
        noWallClock(CORE).check(core);
    }

    @Test
    void coreNeverReadsTheEnvironment() {
        noEnvironment(CORE).check(core);
    }

    @Test
    void theRulesReportAClassThatBreaksThem() {
        String fixture = "dev.minutework.broker.archfixture..";
        JavaClasses offender = new ClassFileImporter().importClasses(ReadsEnvironmentAndClock.class);

        EvaluationResult environment = noEnvironment(fixture).evaluate(offender);
        EvaluationResult clock = noWallClock(fixture).evaluate(offender);
        EvaluationResult frameworks = noFrameworkDependencies(fixture).evaluate(offender);

        assertThat(environment.hasViolation()).isTrue();
        assertThat(environment.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d).contains("System.getenv"));
        assertThat(clock.hasViolation()).isTrue();
        assertThat(clock.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d).contains("Instant.now"));
        assertThat(frameworks.hasViolation()).isTrue();
        assertThat(frameworks.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d).contains("java.sql.Timestamp"));
    }
}
