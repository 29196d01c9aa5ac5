package dev.minutework.broker.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The machine's headless Chromium (Debian packages {@code chromium} and {@code chromium-driver}),
 * driven through its own chromedriver: the driver's path is given, so Selenium Manager never looks
 * for (or downloads) a browser or driver. Missing packages fail the test with the command that
 * installs them: a console nobody opened in a browser is not tested. Screenshots of each page go
 * to {@code target/console-screenshots/<page>.png}.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "console-screenshots");

    final ChromeDriver driver;
    final String base;

    ConsoleBrowser(String base) {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the console's browser test needs headless Chromium and its driver at %s and %s; install them "
                        + "with `apt-get install -y chromium chromium-driver` (.ci/run does when apt-get exists)",
                        CHROMIUM, CHROMEDRIVER)
                .isTrue();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.base = base;
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    /** Waits (the browser works asynchronously: htmx, WebAuthn) until {@code css} is on the page. */
    WebElement await(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until the element {@code css} shows {@code text} (a script's answer arriving). */
    String awaitText(String css, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
        return find(css).getText();
    }

    void signIn(String key) {
        driver.manage().deleteAllCookies();
        open("/console/sign-in");
        find("#api_key").sendKeys(key);
        find("#sign-in").click();
        await("#who");
    }

    String cookie() {
        return driver.manage().getCookieNamed(ConsoleAccess.COOKIE).getValue();
    }

    String csrfToken() {
        return find("input[name=_csrf]").getDomProperty("value");
    }

    /** The HTML of every page a screenshot was taken of, for checks over all of them. */
    final java.util.List<String> pagesSeen = new java.util.ArrayList<>();

    void screenshot(String page) {
        pagesSeen.add(driver.getPageSource());
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(page + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
