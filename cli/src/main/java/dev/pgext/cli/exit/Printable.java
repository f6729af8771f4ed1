package dev.pgext.cli.exit;

/**
 * Text from elsewhere (the registry's answers, file names) made safe to print on a
 * terminal: control characters (an escape sequence can recolour, retitle or clear the
 * terminal, a carriage return or a newline can forge a line) and the bidirectional
 * overrides (which reorder what is shown) are printed as escapes: {@code \x1b} for ESC, a
 * backslash, {@code u} and four hex digits above U+00FF.
 */
public final class Printable {

	private Printable() {
	}

	/**
	 * {@code text} with every such character escaped; {@code null} stays {@code null}.
	 */
	public static String of(String text) {
		if (text == null || text.chars().noneMatch(Printable::unsafe)) {
			return text;
		}
		StringBuilder shown = new StringBuilder(text.length() + 16);
		text.chars().forEach((c) -> {
			if (!unsafe(c)) {
				shown.append((char) c);
			}
			else if (c <= 0xff) {
				shown.append(String.format("\\x%02x", c));
			}
			else {
				shown.append(String.format("\\u%04x", c));
			}
		});
		return shown.toString();
	}

	private static boolean unsafe(int c) {
		return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
				|| c == 0x200e || c == 0x200f;
	}

}
