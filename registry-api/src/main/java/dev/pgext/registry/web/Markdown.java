package dev.pgext.registry.web;

import java.util.Map;

import org.commonmark.node.Link;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Publisher-written Markdown as safe HTML: raw HTML in the source is escaped, never passed
 * through, link and image URLs other than http(s), mailto and relative ones are dropped,
 * and links carry {@code rel="nofollow ugc"}. Parser and renderer are thread-safe.
 */
final class Markdown {

	private static final Parser PARSER = Parser.builder().build();

	private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
		.escapeHtml(true)
		.sanitizeUrls(true)
		.attributeProviderFactory((context) -> (node, tag, attributes) -> {
			if (node instanceof Link) {
				attributes.putAll(Map.of("rel", "nofollow ugc"));
			}
		})
		.build();

	private Markdown() {
	}

	static String toHtml(String markdown) {
		return (markdown == null || markdown.isBlank()) ? "" : RENDERER.render(PARSER.parse(markdown));
	}

}
