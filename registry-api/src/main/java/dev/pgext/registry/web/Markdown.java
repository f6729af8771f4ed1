package dev.pgext.registry.web;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.commonmark.node.Heading;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.DefaultUrlSanitizer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.HtmlWriter;

/**
 * Publisher-written Markdown as safe HTML: raw HTML in the source is escaped, never
 * passed through, link and image URLs other than http(s), mailto and relative ones are
 * dropped, links carry {@code rel="nofollow ugc"}, and headings start at {@code h3},
 * below the page's own {@code h1} and the section's {@code h2}. Parser and renderer are
 * thread-safe.
 */
final class Markdown {

	private static final Parser PARSER = Parser.builder().build();

	private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
		.escapeHtml(true)
		.sanitizeUrls(true)
		// the default also lets data: URLs through
		.urlSanitizer(new DefaultUrlSanitizer(List.of("http", "https", "mailto")))
		.attributeProviderFactory((context) -> (node, tag, attributes) -> {
			if (node instanceof Link) {
				attributes.putAll(Map.of("rel", "nofollow ugc"));
			}
		})
		.nodeRendererFactory(ShiftedHeadings::new)
		.build();

	private Markdown() {
	}

	static String toHtml(String markdown) {
		return (markdown == null || markdown.isBlank()) ? "" : RENDERER.render(PARSER.parse(markdown));
	}

	/** Renders a Markdown heading of level n as {@code h(n+2)}, at most {@code h6}. */
	private static final class ShiftedHeadings implements NodeRenderer {

		private final HtmlNodeRendererContext context;

		ShiftedHeadings(HtmlNodeRendererContext context) {
			this.context = context;
		}

		@Override
		public Set<Class<? extends Node>> getNodeTypes() {
			return Set.of(Heading.class);
		}

		@Override
		public void render(Node node) {
			String tag = "h" + Math.min(6, ((Heading) node).getLevel() + 2);
			HtmlWriter html = this.context.getWriter();
			html.line();
			html.tag(tag);
			for (Node child = node.getFirstChild(); child != null;) {
				Node next = child.getNext();
				this.context.render(child);
				child = next;
			}
			html.tag("/" + tag);
			html.line();
		}

	}

}
