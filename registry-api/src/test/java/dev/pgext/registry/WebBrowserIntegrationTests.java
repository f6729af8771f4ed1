package dev.pgext.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.deque.html.axecore.args.AxeRunOptions;
import com.deque.html.axecore.providers.StringAxeScriptProvider;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.selenium.AxeBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.pgext.model.Executables;
import dev.pgext.model.Sha256Digest;
import dev.pgext.testsupport.OutsideTools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web pages in a real browser: headless Chromium driven by Selenium against the
 * registry on its random port. Every page visited is saved as a screenshot under
 * {@code target/web-screenshots} and checked with axe-core for WCAG 2.1 A and AA
 * violations. Skipped with a reason when Debian's {@code chromium} and
 * {@code chromium-driver} are not installed; under {@code CI=true} their absence fails.
 */
class WebBrowserIntegrationTests extends RegistryIntegrationTest {

	private static final Path SCREENSHOTS = Paths.get("target", "web-screenshots");

	/** The axe-core rule tags of WCAG 2.0 and 2.1, levels A and AA. */
	private static final List<String> WCAG_21_AA = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");

	/** axe-core as the builder's own jar carries it, read once. */
	private static final String AXE_SCRIPT = axeScript();

	/** The documents axe has checked, by the digest of their markup. */
	private static final Set<Sha256Digest> CHECKED_DOCUMENTS = ConcurrentHashMap.newKeySet();

	private static WebDriver browser;

	@TempDir
	static Path profile;

	@BeforeAll
	static void startBrowser() throws IOException {
		Optional<Path> chromium = Executables.onPath("chromium", "chromium-browser", "google-chrome");
		Optional<Path> driver = Executables.onPath("chromedriver");
		boolean present = chromium.isPresent() && driver.isPresent();
		OutsideTools.require(present,
				"chromium or chromedriver is not installed (apt-get install chromium chromium-driver, as .ci/run does)");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(chromium.get().toFile());
		// Chromium refuses to run as root without --no-sandbox; the rest keep a headless
		// run
		// quiet and independent of any profile on the machine
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--user-data-dir=" + profile.toAbsolutePath());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
		browser.manage().window().setSize(new Dimension(1200, 900));
		browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@BeforeEach
	void signedOut() {
		browser.get(url("/"));
		browser.manage().deleteAllCookies();
	}

	@Test
	void aVisitorSearchesAndOpensAnExtensionPage() throws IOException {
		String metadata = """
				{"name": "web_browse", "version": "1.2.0", "abstract": "Fuzzy answers for browsers", "license": "postgresql",
				 "maintainer": "pgext tests", "meta-spec": {"version": "1.0.0"}, "tags": ["answers"],
				 "description": "## Usage\\n\\n```sql\\nCREATE EXTENSION web_browse;\\nSELECT web_browse_answer();\\n```"}
				""";
		String readme = """
				# web_browse

				Fuzzy answers for browsers, as a [PostgreSQL](https://www.postgresql.org/) extension.

				## Usage

				```sql
				CREATE EXTENSION web_browse;
				SELECT web_browse_answer();
				```
				""";
		byte[] artifact = TestArtifacts.sqlExtension("web_browse").tarGz();
		RegistryClient.Response published = publish(userToken("web-browse-owner", null, "publish"), null, metadata,
				Map.of("pg15", artifact, "pg16", artifact, "pg16-linux-arm64-gnu", artifact, "readme",
						readme.getBytes(StandardCharsets.UTF_8)));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		browser.get(url("/"));
		screenshot("home");
		assertThat(browser.getTitle()).contains("pgext registry");
		WebElement box = browser.findElement(By.id("q"));
		box.sendKeys("web_brow");
		loadsNewPage(box::submit);
		assertThat(browser.getCurrentUrl()).contains("/search?q=web_brow");
		screenshot("search");
		loadsNewPage(browser.findElement(By.linkText("web_browse"))::click);

		assertThat(browser.getCurrentUrl()).endsWith("/extensions/web_browse");
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("web_browse").contains("1.2.0");
		String page = browser.findElement(By.tagName("main")).getText();
		assertThat(page).contains("test extension web_browse")
			.contains("README")
			.contains("Fuzzy answers for browsers, as a PostgreSQL extension.")
			.contains("SELECT web_browse_answer();")
			.contains("files for PostgreSQL 16 on linux-arm64-gnu")
			.contains("pgext install web_browse@")
			.contains("share/extension/web_browse.control")
			.contains("web-browse-owner (owner)");
		String sha = this.jdbc
			.sql("select distinct f.sha256 from release_file f join release_extension e on e.id = f.extension_id "
					+ "where e.name = 'web_browse' and f.path = 'share/extension/web_browse.control'")
			.query(String.class)
			.single();
		assertThat(page).contains(sha);
		screenshot("extension");

		loadsNewPage(browser.findElement(By.linkText("answers"))::click);
		assertThat(browser.findElement(By.tagName("main")).getText()).contains("web_browse");
		screenshot("tag");
		browser.get(url("/distributions/web_browse"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("web_browse");
		assertThat(browser.findElement(By.tagName("main")).getText()).contains("1.2.0")
			.contains("Fuzzy answers for browsers")
			.contains("16: linux-amd64-gnu, linux-arm64-gnu");
		screenshot("distribution");
		loadsNewPage(browser.findElement(By.linkText("web-browse-owner"))::click);
		assertThat(browser.findElement(By.tagName("main")).getText()).contains("web_browse");
		screenshot("user");
	}

	@Test
	void aUserSignsInCreatesATokenSeesItOnceAndRevokesIt() throws IOException {
		String token = userToken("web-token-user", null, "publish");
		signIn(token);
		assertThat(browser.getCurrentUrl()).endsWith("/account");
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("web-token-user");

		browser.findElement(By.id("label")).sendKeys("laptop");
		browser.findElement(By.id("scope-publish")).click();
		loadsNewPage(browser.findElement(By.id("label"))::submit);
		String created = browser.findElement(By.id("new-token")).getText();
		screenshot("account");
		assertThat(created).startsWith("pgx_");
		assertThat(api().get("/api/v1/me", created).json().path("user").asString()).isEqualTo("web-token-user");

		long id = this.jdbc
			.sql("select id from api_token where label = 'laptop' and user_id = "
					+ "(select id from registry_user where name = 'web-token-user')")
			.query(Long.class)
			.single();
		browser.get(url("/account"));
		assertThat(browser.getPageSource()).doesNotContain(created);
		// the page as seen, should the row be missing (a lost session would show the
		// sign-in form)
		assertThat(browser.findElements(By.id("token-" + id)))
			.as(() -> browser.getCurrentUrl() + "\n" + browser.findElement(By.tagName("main")).getText())
			.hasSize(1);
		WebElement row = browser.findElement(By.id("token-" + id));
		loadsNewPage(row.findElement(By.tagName("button"))::click);

		assertThat(browser.findElement(By.id("token-" + id)).getText()).contains("revoked");
		screenshot("account-revoked");
		assertThat(api().get("/api/v1/me", created).status()).isEqualTo(401);
		assertThat(api().get("/api/v1/me", token).status()).isEqualTo(200);
	}

	@Test
	void aTenantsPrivateExtensionIsVisibleOnlyToThatTenant() throws IOException {
		RegistryClient.Response published = api().publish(userToken("web-browser-tenant", "webinitech", "publish"),
				"webinitech", TestArtifacts.metadata("web_secret", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("web_secret").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		browser.get(url("/extensions/web_secret"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("404");
		screenshot("not-found");
		signIn(userToken("web-browser-outsider", "webumbrella", "publish"));
		browser.get(url("/extensions/web_secret"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("404");
		loadsNewPage(browser.findElement(By.xpath("//button[text()='Sign out']"))::click);

		signIn(userToken("web-browser-insider", "webinitech", "publish"));
		browser.get(url("/search?q=web_secret"));
		loadsNewPage(browser.findElement(By.linkText("web_secret"))::click);
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("web_secret")
			.contains("private to webinitech");
		screenshot("private-extension");
	}

	@Test
	void anAdministratorSeesTheAuditLog() throws IOException {
		userToken("web-audited-user", null, "publish");
		signIn(ADMIN_TOKEN);
		loadsNewPage(browser.findElement(By.linkText("Admin"))::click);
		assertThat(browser.findElement(By.tagName("main")).getText()).contains("Audit log")
			.contains("Bundle pins waiting for approval")
			.contains("token.create web-audited-user");
		screenshot("admin");
	}

	private void signIn(String token) throws IOException {
		browser.get(url("/sign-in"));
		screenshot("sign-in");
		browser.findElement(By.id("token")).sendKeys(token);
		loadsNewPage(browser.findElement(By.id("token"))::submit);
		assertThat(browser.getCurrentUrl()).endsWith("/account");
	}

	/**
	 * Runs an action that makes the browser load another page (following a link, sending
	 * a form) and waits until that page has replaced the current one. WebDriver returns
	 * from a click or a submit once the event is dispatched, not when the navigation it
	 * starts has ended: without this wait the next command may read the page being left
	 * (a stale element, the old URL, the token list as it was before the form was sent).
	 */
	private static void loadsNewPage(Runnable action) {
		WebElement leaving = browser.findElement(By.tagName("html"));
		action.run();
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		wait.until((driver) -> {
			try {
				leaving.isEnabled();
				return false;
			}
			catch (StaleElementReferenceException ex) {
				return true;
			}
			catch (WebDriverException ex) {
				// while one document replaces the other, chromedriver may answer "node
				// does not
				// belong to the document" instead: the page being left is gone all the
				// same
				return ex.getMessage() != null && ex.getMessage().contains("does not belong to the document");
			}
		});
		// a script run while the new document is being committed may fail; it is asked
		// again
		wait.ignoring(JavascriptException.class)
			.until((driver) -> "complete"
				.equals(((JavascriptExecutor) driver).executeScript("return document.readyState")));
	}

	private String url(String path) {
		// localhost, not 127.0.0.1 spelled out: browsers keep Secure cookies on plain
		// http only for localhost
		return "http://localhost:" + this.port + path;
	}

	/**
	 * Saves the page as a screenshot and checks it with axe-core against WCAG 2.1 A and
	 * AA: any violation fails the test, naming the rule and the elements. A document axe
	 * has already checked in this run, the same markup but for its CSRF tokens (the
	 * sign-in form, visited by three tests, four times), is not checked again: what axe
	 * finds is a function of the markup and the style sheets, which are the same.
	 */
	private static void screenshot(String name) throws IOException {
		byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
		Files.write(SCREENSHOTS.resolve(name + ".png"), png);
		String markup = (String) ((JavascriptExecutor) browser)
			.executeScript("const copy = document.documentElement.cloneNode(true);"
					+ "copy.querySelectorAll('input[name=_csrf]').forEach((input) => input.setAttribute('value', ''));"
					+ "return copy.outerHTML;");
		if (!CHECKED_DOCUMENTS.add(Sha256Digest.of(markup.getBytes(StandardCharsets.UTF_8)))) {
			return;
		}
		// axe's legacy mode runs axe.run in the page itself; the default mode runs it in
		// parts per frame and then opens a blank window to combine them, which costs a
		// window and a second copy of axe per check (about a fifth of a check's time) and
		// differs only for pages with frames: none of the registry's has one, and this
		// fails if one ever does
		assertThat(browser.findElements(By.cssSelector("iframe, frame"))).as("frames in %s", name).isEmpty();
		// every node is described only for violations, which fail the test: axe then
		// skips building selectors and HTML snippets for each passing node (its own
		// advice for speed), and passed rules still list their first node
		AxeRunOptions options = new AxeRunOptions();
		options.setResultTypes(List.of("violations"));
		AxeBuilder builder = new AxeBuilder().setAxeScriptProvider(new StringAxeScriptProvider(AXE_SCRIPT))
			.withOptions(options)
			.withTags(WCAG_21_AA)
			.setLegacyMode(true);
		// the builder injects axe before it asks whether axe is there, and again to run
		// it: the 550 kB script is sent and compiled once per page instead
		builder.setInjectAxe(WebBrowserIntegrationTests::injectAxeOnce, true);
		Results axe = builder.analyze(browser);
		assertThat(axe.getErrorMessage()).as("axe run on %s", name).isNull();
		assertThat(axe.getViolations())
			.as(() -> name + " (" + browser.getCurrentUrl() + ") violates WCAG 2.1 AA:\n"
					+ axe.getViolations()
						.stream()
						.map((rule) -> rule.getId() + ": " + rule.getHelp() + " at "
								+ rule.getNodes().stream().map((node) -> String.valueOf(node.getTarget())).toList())
						.collect(Collectors.joining("\n")))
			.isEmpty();
		assertThat(axe.getPasses()).as("axe checked %s", name).isNotEmpty();
	}

	private static void injectAxeOnce(WebDriver driver) {
		JavascriptExecutor page = (JavascriptExecutor) driver;
		if (!Boolean.TRUE.equals(page.executeScript("return typeof window.axe === 'object';"))) {
			page.executeScript(AXE_SCRIPT);
		}
	}

	private static String axeScript() {
		try (InputStream script = AxeBuilder.class.getResourceAsStream("/axe.min.js")) {
			assertThat(script).as("axe.min.js in the axe-core selenium jar").isNotNull();
			return new String(script.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
