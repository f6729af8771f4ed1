package dev.pgext.model.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;

/**
 * Parses extension control files the way the server does ({@code ParseConfigFp} with the
 * configuration-file lexer, then {@code parse_extension_control_file}): one
 * {@code name [=] value} per line, values as identifiers, numbers, unquoted strings or
 * single-quoted strings with {@code ''} and backslash escapes, {@code #} comments,
 * booleans as {@code parse_bool} reads them, and {@code requires} split like
 * {@code SplitIdentifierString}. A parameter the server does not know is an error, as it
 * is for the server.
 */
public final class ControlFileParser {

	private ControlFileParser() {
	}

	/**
	 * Parses a primary control file.
	 * @param fileName the file name, such as {@code hstore.control}; the extension name
	 * comes from it
	 * @param text the file's content
	 * @return the parsed control file
	 * @throws ControlFileException naming the line when the server would refuse the file
	 */
	public static ControlFile parse(String fileName, String text) {
		if (fileName == null || !fileName.endsWith(".control")) {
			throw new ControlFileException(String.valueOf(fileName), 0, "a control file name must end in .control");
		}
		String base = fileName.substring(fileName.lastIndexOf('/') + 1, fileName.length() - ".control".length());
		if (base.contains("--")) {
			throw new ControlFileException(fileName, 0,
					"secondary control files (name--version.control) are not primary control files");
		}
		String nameProblem = ExtensionName.problem(base);
		if (nameProblem != null) {
			throw new ControlFileException(fileName, 0, nameProblem);
		}
		Map<String, Item> items = parseItems(fileName, text);

		String defaultVersion = string(items, "default_version");
		if (defaultVersion != null) {
			String problem = ExtensionVersion.problem(defaultVersion);
			if (problem != null) {
				throw new ControlFileException(fileName, items.get("default_version").line, problem);
			}
		}
		String encoding = string(items, "encoding");
		return new ControlFile(base, defaultVersion, string(items, "comment"), string(items, "directory"),
				string(items, "module_pathname"), string(items, "schema"), bool(fileName, items, "relocatable", false),
				bool(fileName, items, "superuser", true), bool(fileName, items, "trusted", false), encoding,
				identifiers(fileName, items, "requires"), identifiers(fileName, items, "no_relocate"));
	}

	private record Item(String value, int line) {
	}

	private static final List<String> KNOWN = List.of("directory", "default_version", "module_pathname", "comment",
			"schema", "relocatable", "superuser", "trusted", "encoding", "requires", "no_relocate");

	private static Map<String, Item> parseItems(String fileName, String text) {
		Map<String, Item> items = new HashMap<>();
		String[] lines = text.split("\n", -1);
		for (int i = 0; i < lines.length; i++) {
			int lineNo = i + 1;
			Lexer lexer = new Lexer(fileName, lines[i], lineNo);
			Token name = lexer.next();
			if (name == null) {
				continue;
			}
			if (name.kind != Kind.ID && name.kind != Kind.QUALIFIED_ID) {
				throw lexer.syntaxError(name);
			}
			Token value = lexer.next();
			if (value != null && value.kind == Kind.EQUALS) {
				value = lexer.next();
			}
			if (value == null) {
				throw new ControlFileException(fileName, lineNo,
						"syntax error: parameter \"" + name.text + "\" has no value");
			}
			if (value.kind == Kind.EQUALS) {
				throw lexer.syntaxError(value);
			}
			Token extra = lexer.next();
			if (extra != null) {
				throw lexer.syntaxError(extra);
			}
			String key = name.text;
			if (key.startsWith("include")) {
				throw new ControlFileException(fileName, lineNo, "\"" + key + "\" is not allowed in a control file");
			}
			if (!KNOWN.contains(key)) {
				throw new ControlFileException(fileName, lineNo, "unrecognized parameter \"" + key + "\"");
			}
			// like the server, a later setting of the same parameter wins
			items.put(key, new Item(value.value(), lineNo));
		}
		return items;
	}

	private static String string(Map<String, Item> items, String key) {
		Item item = items.get(key);
		return (item != null) ? item.value : null;
	}

	private static boolean bool(String fileName, Map<String, Item> items, String key, boolean defaultValue) {
		Item item = items.get(key);
		if (item == null) {
			return defaultValue;
		}
		Boolean value = parseBool(item.value);
		if (value == null) {
			throw new ControlFileException(fileName, item.line, "parameter \"" + key + "\" requires a Boolean value");
		}
		return value;
	}

	/**
	 * The server's {@code parse_bool}: unique prefixes of true/false/yes/no, on/off, 1/0.
	 */
	static Boolean parseBool(String raw) {
		String v = raw.strip().toLowerCase(Locale.ROOT);
		if (v.isEmpty()) {
			return null;
		}
		if ("true".startsWith(v) || "yes".startsWith(v)) {
			return true;
		}
		if ("false".startsWith(v) || ("no".startsWith(v))) {
			return false;
		}
		if (v.equals("on")) {
			return true;
		}
		if (v.length() >= 2 && "off".startsWith(v)) {
			return false;
		}
		if (v.equals("1")) {
			return true;
		}
		if (v.equals("0")) {
			return false;
		}
		return null;
	}

	/** The server's {@code SplitIdentifierString} with a comma separator. */
	private static List<String> identifiers(String fileName, Map<String, Item> items, String key) {
		Item item = items.get(key);
		List<String> result = new ArrayList<>();
		if (item == null) {
			return result;
		}
		String s = item.value;
		int i = 0;
		int n = s.length();
		while (i < n && Character.isWhitespace(s.charAt(i))) {
			i++;
		}
		if (i == n) {
			return result;
		}
		while (true) {
			String ident;
			if (i < n && s.charAt(i) == '"') {
				StringBuilder sb = new StringBuilder();
				i++;
				while (true) {
					if (i >= n) {
						throw new ControlFileException(fileName, item.line,
								"unterminated quoted name in \"" + key + "\"");
					}
					char c = s.charAt(i);
					if (c == '"') {
						if (i + 1 < n && s.charAt(i + 1) == '"') {
							sb.append('"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					sb.append(c);
					i++;
				}
				ident = sb.toString();
			}
			else {
				int start = i;
				while (i < n && s.charAt(i) != ',' && !Character.isWhitespace(s.charAt(i))) {
					i++;
				}
				ident = s.substring(start, i).toLowerCase(Locale.ROOT);
			}
			if (ident.isEmpty()) {
				throw new ControlFileException(fileName, item.line, "empty name in \"" + key + "\"");
			}
			result.add(ident);
			while (i < n && Character.isWhitespace(s.charAt(i))) {
				i++;
			}
			if (i == n) {
				return result;
			}
			if (s.charAt(i) != ',') {
				throw new ControlFileException(fileName, item.line, "invalid list syntax in \"" + key + "\"");
			}
			i++;
			while (i < n && Character.isWhitespace(s.charAt(i))) {
				i++;
			}
		}
	}

	private enum Kind {

		ID, QUALIFIED_ID, STRING, INTEGER, REAL, UNQUOTED, EQUALS

	}

	private record Token(Kind kind, String text, String unescaped) {

		String value() {
			return (this.kind == Kind.STRING) ? this.unescaped : this.text;
		}

	}

	/** One line of the configuration-file lexer ({@code guc-file.l}). */
	private static final class Lexer {

		private final String fileName;

		private final String line;

		private final int lineNo;

		private int pos;

		Lexer(String fileName, String line, int lineNo) {
			this.fileName = fileName;
			this.line = line;
			this.lineNo = lineNo;
		}

		ControlFileException syntaxError(Token near) {
			return new ControlFileException(this.fileName, this.lineNo, "syntax error near \"" + near.text + "\"");
		}

		Token next() {
			while (this.pos < this.line.length()) {
				char c = this.line.charAt(this.pos);
				if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
					this.pos++;
				}
				else {
					break;
				}
			}
			if (this.pos >= this.line.length() || this.line.charAt(this.pos) == '#') {
				return null;
			}
			int start = this.pos;
			char c = this.line.charAt(this.pos);
			if (c == '=') {
				this.pos++;
				return new Token(Kind.EQUALS, "=", null);
			}
			if (c == '\'') {
				return quoted(start);
			}
			// flex takes the longest match; an unquoted string is the longest candidate
			int end = start;
			while (end < this.line.length() && isUnquotedChar(this.line.charAt(end))) {
				end++;
			}
			if (end == start) {
				throw new ControlFileException(this.fileName, this.lineNo, "syntax error near \""
						+ this.line.substring(start, Math.min(this.line.length(), start + 10)) + "\"");
			}
			String text = this.line.substring(start, end);
			this.pos = end;
			return new Token(classify(text), text, null);
		}

		private Token quoted(int start) {
			StringBuilder value = new StringBuilder();
			int i = start + 1;
			while (true) {
				if (i >= this.line.length()) {
					throw new ControlFileException(this.fileName, this.lineNo, "unterminated quoted string");
				}
				char c = this.line.charAt(i);
				if (c == '\'') {
					if (i + 1 < this.line.length() && this.line.charAt(i + 1) == '\'') {
						value.append('\'');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (c == '\\') {
					if (i + 1 >= this.line.length()) {
						throw new ControlFileException(this.fileName, this.lineNo, "unterminated quoted string");
					}
					char e = this.line.charAt(i + 1);
					i += 2;
					switch (e) {
						case 'b' -> value.append('\b');
						case 'f' -> value.append('\f');
						case 'n' -> value.append('\n');
						case 'r' -> value.append('\r');
						case 't' -> value.append('\t');
						default -> {
							if (e >= '0' && e <= '7') {
								int octal = e - '0';
								for (int k = 0; k < 2 && i < this.line.length() && this.line.charAt(i) >= '0'
										&& this.line.charAt(i) <= '7'; k++, i++) {
									octal = octal * 8 + (this.line.charAt(i) - '0');
								}
								value.append((char) (octal & 0xff));
							}
							else {
								value.append(e);
							}
						}
					}
					continue;
				}
				value.append(c);
				i++;
			}
			this.pos = i;
			return new Token(Kind.STRING, this.line.substring(start, i), value.toString());
		}

		private static boolean isLetter(char c) {
			return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
		}

		private static boolean isUnquotedChar(char c) {
			return isLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' || c == '/' || c == '+';
		}

		private Kind classify(String text) {
			if (text.matches("[A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z_0-9\\x{80}-\\x{10FFFF}]*")) {
				return Kind.ID;
			}
			if (text.matches(
					"[A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z_0-9\\x{80}-\\x{10FFFF}]*\\.[A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z_0-9\\x{80}-\\x{10FFFF}]*")) {
				return Kind.QUALIFIED_ID;
			}
			if (text.matches("[-+]?([0-9]+|0x[0-9a-fA-F]+)[a-zA-Z]*")) {
				return Kind.INTEGER;
			}
			if (text.matches("[-+]?[0-9]*\\.[0-9]*([Ee][-+]?[0-9]+)?") && !text.equals(".")) {
				return Kind.REAL;
			}
			if (isLetter(text.charAt(0)) && !text.contains("+")) {
				return Kind.UNQUOTED;
			}
			throw new ControlFileException(this.fileName, this.lineNo, "syntax error near \"" + text + "\"");
		}

	}

}
