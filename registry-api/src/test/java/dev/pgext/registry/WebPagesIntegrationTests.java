package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import dev.pgext.registry.search.SearchSql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * The web pages through MockMvc on the shared registry (real Postgres and store): a form
 * without the session's CSRF token changes nothing, a tenant's private extension shows
 * only to that tenant's users, publisher-written Markdown cannot inject markup, and every
 * page is small, plain HTML with one stylesheet and no script.
 */
class WebPagesIntegrationTests extends RegistryIntegrationTest {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]*)\"");

	@Autowired
	private WebApplicationContext context;

	private MockMvc mvc;

	@BeforeEach
	void mockMvc() {
		this.mvc = MockMvcBuilders.webAppContextSetup(this.context).build();
	}

	@Test
	void aFormWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
		String token = userToken("web-csrf-user", null, "publish");
		Session session = signIn(token);
		long before = tokenCount("web-csrf-user");

		MvcResult missing = this.mvc
			.perform(post("/account/tokens").cookie(session.cookie()).param("label", "ci").param("scope", "publish"))
			.andReturn();
		MvcResult forged = this.mvc
			.perform(post("/account/tokens").cookie(session.cookie())
				.param("_csrf", "forged")
				.param("label", "ci")
				.param("scope", "publish"))
			.andReturn();
		MvcResult noSession = this.mvc.perform(post("/sign-in").param("_csrf", session.csrf()).param("token", token))
			.andReturn();

		assertThat(missing.getResponse().getStatus()).isEqualTo(403);
		assertThat(missing.getResponse().getContentAsString()).contains("did not come from this site");
		assertThat(forged.getResponse().getStatus()).isEqualTo(403);
		assertThat(noSession.getResponse().getStatus()).isEqualTo(403);
		assertThat(noSession.getResponse().getHeader(HttpHeaders.SET_COOKIE)).isNull();
		assertThat(tokenCount("web-csrf-user")).isEqualTo(before);

		MvcResult accepted = this.mvc
			.perform(post("/account/tokens").cookie(session.cookie())
				.param("_csrf", session.csrf())
				.param("label", "ci")
				.param("scope", "publish"))
			.andReturn();
		assertThat(accepted.getResponse().getStatus()).isEqualTo(200);
		assertThat(accepted.getResponse().getContentAsString()).contains("shown only this once").contains("pgx_");
		assertThat(tokenCount("web-csrf-user")).isEqualTo(before + 1);
	}

	@Test
	void aSearchWithMoreHitsThanAreCountedSaysSoOnThePage() throws Exception {
		// more entries with the word than the search counts, in a tenant of their own
		this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    document)
				select 'webbounds', n, n, '1.0', a, '', '{}', '{17}', catalog_document(n, n, n, a, '{}', '')
				from generate_series(1, %d) i,
				    lateral (select 'wallaby_' || i as n, 'A wallabies extension' as a) g
				""".formatted(SearchSql.RANKED + 5)).update();
		Session reader = signIn(userToken("web-bounds-reader", "webbounds", "publish"));

		assertThat(page("/search?q=wallabies", reader).getContentAsString())
			.contains("more than " + SearchSql.RANKED + " found");
		assertThat(page("/search?q=wallaby_99", reader).getContentAsString()).contains(">1 found<")
			.doesNotContain("more than");
	}

	@Test
	void theSessionCookieIsHttpOnlySecureAndSameSiteAndSignInReplacesIt() throws Exception {
		MvcResult form = this.mvc.perform(get("/sign-in")).andReturn();
		String setCookie = form.getResponse().getHeader(HttpHeaders.SET_COOKIE);
		assertThat(setCookie).contains("HttpOnly").contains("Secure").contains("SameSite=Lax");
		Session before = session(form);

		Session after = signIn(userToken("web-cookie-user", null, "publish"));

		assertThat(after.cookie().getValue()).isNotEqualTo(before.cookie().getValue());
		assertThat(this.mvc.perform(get("/account").cookie(before.cookie())).andReturn().getResponse().getStatus())
			.isEqualTo(401);
		assertThat(this.mvc.perform(get("/account").cookie(after.cookie())).andReturn().getResponse().getStatus())
			.isEqualTo(200);
	}

	@Test
	void aTenantsPrivateExtensionShowsOnlyToThatTenantsUsers() throws Exception {
		String tenantPublisher = userToken("web-private-owner", "webacme", "publish");
		publishPrivate(tenantPublisher, "webacme", "web_private_ext");
		Session tenantUser = signIn(userToken("web-private-reader", "webacme", "publish"));
		Session otherTenant = signIn(userToken("web-other-tenant", "webglobex", "publish"));
		Session publicUser = signIn(userToken("web-public-user", null, "publish"));

		assertThat(page("/extensions/web_private_ext", null).getStatus()).isEqualTo(404);
		assertThat(page("/extensions/web_private_ext", otherTenant).getStatus()).isEqualTo(404);
		assertThat(page("/extensions/web_private_ext", publicUser).getStatus()).isEqualTo(404);
		assertThat(page("/distributions/web_private_ext", otherTenant).getStatus()).isEqualTo(404);
		assertThat(page("/search?q=web_private_ext", null).getContentAsString()).doesNotContain("web_private_ext\"");
		assertThat(page("/search?q=web_private_ext", otherTenant).getContentAsString()).contains("0 found")
			.doesNotContain("/extensions/web_private_ext");
		assertThat(page("/", publicUser).getContentAsString()).doesNotContain("web_private_ext");

		var shown = page("/extensions/web_private_ext", tenantUser);
		assertThat(shown.getStatus()).isEqualTo(200);
		assertThat(shown.getContentAsString()).contains("private to webacme")
			.contains("&quot;tenant&quot;: &quot;webacme&quot;");
		assertThat(page("/search?q=web_private_ext", tenantUser).getContentAsString())
			.contains("href=\"/extensions/web_private_ext\"");
		assertThat(page("/", tenantUser).getContentAsString()).contains("web_private_ext");
	}

	@Test
	void aTenantsUserPageShowsOnlyToThatTenantsUsersUnlessItMaintainsSomethingPublic() throws Exception {
		String owner = userToken("web-tenant-only-user", "webinitech", "publish");
		publishPrivate(owner, "webinitech", "web_initech_ext");
		Session sameTenant = signIn(userToken("web-initech-colleague", "webinitech", "publish"));
		Session otherTenant = signIn(userToken("web-initech-outsider", "webhooli", "publish"));

		// to anyone else the name answers like one nobody has
		for (Session outsider : new Session[] { null, otherTenant }) {
			var unknown = page("/users/web-nobody-at-all", outsider);
			assertThat(unknown.getStatus()).isEqualTo(404);
			var hidden = page("/users/web-tenant-only-user", outsider);
			assertThat(hidden.getStatus()).isEqualTo(404);
			assertThat(hidden.getContentAsString().replace("web-tenant-only-user", "<name>"))
				.isEqualTo(unknown.getContentAsString().replace("web-nobody-at-all", "<name>"));
		}
		var shown = page("/users/web-tenant-only-user", sameTenant);
		assertThat(shown.getStatus()).isEqualTo(200);
		assertThat(shown.getContentAsString()).contains("web_initech_ext");

		// a public distribution it maintains names it on public pages anyway (made before
		// the registry refused tenant users as maintainers of public distributions, so
		// written as such a catalog holds it)
		String publicOwner = userToken("web-initech-public-owner", null, "publish");
		publishPrivate(publicOwner, null, "web_initech_public");
		this.jdbc.sql("""
				insert into distribution_maintainer (distribution_id, user_id, role)
				select d.id, u.id, 'maintainer' from distribution d, registry_user u
				where d.scope = '' and d.name = 'web_initech_public' and u.name = 'web-tenant-only-user'
				""").update();
		var maintainer = page("/users/web-tenant-only-user", null);
		assertThat(maintainer.getStatus()).isEqualTo(200);
		assertThat(maintainer.getContentAsString()).contains("web_initech_public").doesNotContain("web_initech_ext");
	}

	@Test
	void markdownInTheDescriptionIsRenderedWithoutRawHtmlOrScriptLinks() throws Exception {
		String metadata = """
				{"name": "web_markdown", "version": "1.0.0", "abstract": "Markdown test", "license": "postgresql",
				 "maintainer": "pgext tests", "meta-spec": {"version": "1.0.0"},
				 "description": "# Usage\\n\\nCall **web_markdown_answer()**.\\n\\n<script>alert(1)</script>\\n\\n[click](javascript:alert(2))"}
				""";
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, metadata,
				Map.of("pg15", TestArtifacts.sqlExtension("web_markdown").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		String html = page("/extensions/web_markdown", null).getContentAsString();

		assertThat(html).contains("<h3>Usage</h3>").contains("<strong>web_markdown_answer()</strong>");
		assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
		assertThat(html).doesNotContain("javascript:");
	}

	@Test
	void anExtensionPageListsEveryBuildsMajorAndPlatformAndShowsTheFilesOfOne() throws Exception {
		byte[] artifact = TestArtifacts.sqlExtension("web_majors").tarGz();
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("web_majors", "1.0.0"),
				Map.of("pg15", artifact, "pg16", artifact, "pg16-linux-arm64-gnu", artifact));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		String newest = page("/extensions/web_majors", null).getContentAsString();
		String older = page("/extensions/web_majors?pg=15", null).getContentAsString();
		String arm = page("/extensions/web_majors?pg=16&platform=linux-arm64-gnu", null).getContentAsString();

		assertThat(newest).contains("PostgreSQL <span>16</span> on <span>linux-amd64-gnu</span>")
			.contains("href=\"/extensions/web_majors?pg=15&amp;platform=linux-amd64-gnu\"")
			.contains("href=\"/extensions/web_majors?pg=16&amp;platform=linux-arm64-gnu\"")
			.contains("--pg-config /usr/lib/postgresql/16/bin/pg_config")
			.contains("share/extension/web_majors.control");
		assertThat(older).contains("PostgreSQL <span>15</span> on <span>linux-amd64-gnu</span>")
			.contains("href=\"/extensions/web_majors?pg=16&amp;platform=linux-amd64-gnu\"");
		assertThat(arm).contains("PostgreSQL <span>16</span> on <span>linux-arm64-gnu</span>");
		// the release table names each major's platforms, on the extension and
		// distribution pages
		for (String html : List.of(newest, page("/distributions/web_majors", null).getContentAsString())) {
			assertThat(html).contains("<span>15</span>:\n          <span>linux-amd64-gnu</span>")
				.contains("<span>16</span>:\n          <span>linux-amd64-gnu, linux-arm64-gnu</span>");
		}
		assertThat(page("/extensions/web_majors?pg=14", null).getStatus()).isEqualTo(404);
		assertThat(page("/extensions/web_majors?pg=15&platform=linux-arm64-gnu", null).getStatus()).isEqualTo(404);
		assertThat(page("/extensions/web_majors?pg=fifteen", null).getStatus()).isEqualTo(400);
	}

	@Test
	void theSourceDistributionsReadmeIsRenderedSanitisedAndServedToPgxnClients() throws Exception {
		String readme = "# web_readme\n\nSee [the docs](https://example.org/docs).\n\n<img src=x onerror=alert(1)>\n\n"
				+ "[script](javascript:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)\n";
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("pg15", TestArtifacts.sqlExtension("web_readme").tarGz());
		parts.put("source", zip("web_readme-1.0.0", Map.of("META.json", TestArtifacts.metadata("web_readme", "1.0.0"),
				"README.md", readme, "README.txt", "the plain one loses to README.md", "sql/web_readme.sql", "")));
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("web_readme", "1.0.0"),
				parts);
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		String html = page("/extensions/web_readme", null).getContentAsString();

		assertThat(html).contains("<h2 id=\"readme-heading\">README</h2>")
			.contains("<h3>web_readme</h3>")
			.contains("<a rel=\"nofollow ugc\" href=\"https://example.org/docs\">the docs</a>")
			.contains("&lt;img src=x onerror=alert(1)&gt;")
			.doesNotContain("<img")
			.doesNotContain("javascript:")
			.doesNotContain("data:text/html")
			.doesNotContain("the plain one");
		RegistryClient.Response pgxn = api().get("/pgxn/dist/web_readme/1.0.0/README.txt", null);
		assertThat(pgxn.status()).isEqualTo(200);
		assertThat(pgxn.text()).isEqualTo(readme);
	}

	@Test
	void aReadmePartStandsInForTheSourceDistributionsAndIsBounded() throws Exception {
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("pg15", TestArtifacts.sqlExtension("web_readme_part").tarGz());
		parts.put("readme", "Binary-only: *built* elsewhere.".getBytes(StandardCharsets.UTF_8));
		RegistryClient.Response published = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("web_readme_part", "1.0.0"), parts);
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		assertThat(page("/extensions/web_readme_part", null).getContentAsString())
			.contains("Binary-only: <em>built</em> elsewhere.");

		// the largest README, all of it escaped: the page stays small and points at the
		// text
		RegistryClient.Response longOne = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("web_readme_long", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("web_readme_long").tarGz(), "readme",
						"<".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8)));
		assertThat(longOne.status()).as(longOne.toString()).isEqualTo(201);
		var longReadme = page("/extensions/web_readme_long", null);
		assertThat(longReadme.getContentAsByteArray().length).isLessThan(100 * 1024);
		assertThat(longReadme.getContentAsString()).contains("The README is too long to show here")
			.contains("href=\"/pgxn/dist/web_readme_long/1.0.0/README.txt\"");

		parts.put("readme", "x".repeat(64 * 1024 + 1).getBytes(StandardCharsets.UTF_8));
		RegistryClient.Response tooLarge = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("web_readme_part", "1.0.1"), parts);
		assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(422);
		assertThat(tooLarge.json().path("type").asString()).endsWith("/invalid-readme");
		parts.put("readme", new byte[] { 'a', (byte) 0xC3, '(' });
		RegistryClient.Response notText = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("web_readme_part", "1.0.1"),
				parts);
		assertThat(notText.status()).as(notText.toString()).isEqualTo(422);
		assertThat(this.jdbc.sql("select count(*) from release where distribution = 'web_readme_part'")
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@Test
	void withoutAReadmeTheExtensionPageShowsTheDescription() throws Exception {
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("web_no_readme", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("web_no_readme").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		assertThat(page("/extensions/web_no_readme", null).getContentAsString())
			.contains("<h2 id=\"readme-heading\">Description</h2>")
			.contains("the release has no README");
		assertThat(api().get("/pgxn/dist/web_no_readme/1.0.0/README.txt", null).text())
			.startsWith("web_no_readme 1.0.0\n\nTest distribution web_no_readme");
	}

	private static byte[] zip(String top, Map<String, String> files) throws java.io.IOException {
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
			for (Map.Entry<String, String> file : files.entrySet()) {
				zip.putNextEntry(new java.util.zip.ZipEntry(top + "/" + file.getKey()));
				zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

	@Test
	void everyPageIsSmallPlainHtmlWithOneStylesheetLandmarksAndNoScript() throws Exception {
		String token = userToken("web-plain-user", null, "publish");
		RegistryClient.Response published = publish(token, null, TestArtifacts.metadata("web_plain", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("web_plain").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		Session user = signIn(token);
		Session admin = signIn(ADMIN_TOKEN);

		for (String path : List.of("/", "/search?q=web_plain", "/extensions/web_plain", "/distributions/web_plain",
				"/users/web-plain-user", "/tags/test", "/sign-in", "/account", "/admin", "/extensions/nothing_here")) {
			var response = page(path, path.equals("/admin") ? admin : user);
			String html = response.getContentAsString(StandardCharsets.UTF_8);
			assertThat(response.getContentAsByteArray().length).as(path).isLessThan(100 * 1024);
			assertThat(response.getContentType()).as(path).startsWith("text/html");
			assertThat(html).as(path)
				.contains("<html lang=\"en\"")
				.contains("<main id=\"main\">")
				.contains("<header class=\"site\">")
				.doesNotContain("<script");
			assertThat(count(html, "rel=\"stylesheet\"")).as(path).isEqualTo(1);
		}
		assertThat(page("/admin", user).getStatus()).isEqualTo(403);
		assertThat(page("/admin", null).getStatus()).isEqualTo(401);
		assertThat(this.mvc.perform(get("/css/registry.css")).andReturn().getResponse().getStatus()).isEqualTo(200);
	}

	private void publishPrivate(String token, String tenant, String name) {
		RegistryClient.Response response = api().publish(token, tenant, TestArtifacts.metadata(name, "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension(name).tarGz()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private org.springframework.mock.web.MockHttpServletResponse page(String path, Session session) throws Exception {
		var request = get(path);
		if (session != null) {
			request = request.cookie(session.cookie());
		}
		return this.mvc.perform(request).andReturn().getResponse();
	}

	private long tokenCount(String user) {
		return this.jdbc
			.sql("select count(*) from api_token t join registry_user u on u.id = t.user_id where u.name = ?")
			.param(user)
			.query(Long.class)
			.single();
	}

	/** Opens the sign-in form and signs in with {@code token}: the signed-in session. */
	private Session signIn(String token) throws Exception {
		Session form = session(this.mvc.perform(get("/sign-in")).andReturn());
		MvcResult signedIn = this.mvc
			.perform(post("/sign-in").cookie(form.cookie()).param("_csrf", form.csrf()).param("token", token))
			.andReturn();
		assertThat(signedIn.getResponse().getStatus()).isEqualTo(302);
		Cookie cookie = cookie(signedIn);
		MvcResult account = this.mvc.perform(get("/account").cookie(cookie)).andReturn();
		return new Session(cookie, csrf(account.getResponse().getContentAsString()));
	}

	private static Session session(MvcResult result) throws Exception {
		return new Session(cookie(result), csrf(result.getResponse().getContentAsString()));
	}

	private static Cookie cookie(MvcResult result) {
		String header = result.getResponse().getHeader(HttpHeaders.SET_COOKIE);
		assertThat(header).startsWith("pgext_session=");
		return new Cookie("pgext_session", header.substring("pgext_session=".length(), header.indexOf(';')));
	}

	private static String csrf(String html) {
		Matcher matcher = CSRF.matcher(html);
		assertThat(matcher.find()).as("a form with a CSRF token").isTrue();
		return matcher.group(1);
	}

	private static int count(String text, String part) {
		int n = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
			n++;
		}
		return n;
	}

	private record Session(Cookie cookie, String csrf) {
	}

}
