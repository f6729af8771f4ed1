package dev.pgext.registry.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MarkdownTests {

	@Test
	void rawHtmlIsEscapedNotPassedThrough() {
		assertThat(Markdown.toHtml("<script>alert(1)</script>\n\nInline <b onclick=\"x()\">bold</b>"))
			.doesNotContain("<script>")
			.doesNotContain("<b ")
			.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
			.contains("&lt;b onclick=&quot;x()&quot;&gt;");
	}

	@Test
	void onlyWebMailAndRelativeLinksKeepTheirTarget() {
		String html = Markdown.toHtml("[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) "
				+ "[c](vbscript:x) [d](https://example.org/) [e](mailto:someone@example.org) [f](docs/usage.md)");

		assertThat(html).doesNotContain("javascript:")
			.doesNotContain("data:")
			.doesNotContain("vbscript:")
			.contains("href=\"https://example.org/\"")
			.contains("href=\"mailto:someone@example.org\"")
			.contains("href=\"docs/usage.md\"")
			.contains("rel=\"nofollow ugc\"");
	}

	@Test
	void headingsStartBelowThePagesOwn() {
		assertThat(Markdown.toHtml("# Title\n\n## Usage\n\n##### Deep")).contains("<h3>Title</h3>")
			.contains("<h4>Usage</h4>")
			.contains("<h6>Deep</h6>");
	}

	@Test
	void nothingToRenderIsEmpty() {
		assertThat(Markdown.toHtml(null)).isEmpty();
		assertThat(Markdown.toHtml("  \n")).isEmpty();
	}

}
