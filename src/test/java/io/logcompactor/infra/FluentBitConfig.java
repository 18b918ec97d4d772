package io.logcompactor.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fluent Bit's classic configuration format, read with the rules of its own reader (flb_cf_fluentbit.c): a
 * section header at column 0, every entry indented exactly like the first indented line, {@code #} comments,
 * {@code key value} split at the first space. What Fluent Bit would refuse at start is refused here too.
 */
final class FluentBitConfig {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  /** One {@code [NAME]} section; keys are lower case (Fluent Bit ignores their case). */
  record Section(String name, Map<String, String> properties, int line) {
    String get(String key) {
      return properties.get(key.toLowerCase(Locale.ROOT));
    }

    String get(String key, String fallback) {
      return properties.getOrDefault(key.toLowerCase(Locale.ROOT), fallback);
    }
  }

  private FluentBitConfig() {}

  /** @throws IllegalArgumentException naming the line Fluent Bit would reject */
  static List<Section> parse(String text) {
    List<Section> sections = new ArrayList<>();
    String indent = null;
    Section current = null;
    String[] lines = text.split("\n", -1);
    for (int n = 1; n <= lines.length; n++) {
      String line = lines[n - 1];
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      if (line.isEmpty() || line.charAt(0) == '#') continue;
      if (line.charAt(0) == '@') {
        throw new IllegalArgumentException("line " + n + ": '" + line + "': @ directives are not checked offline");
      }
      if (line.charAt(0) == '[') {
        int end = line.indexOf(']');
        if (end < 0) throw new IllegalArgumentException("line " + n + ": bad header definition '" + line + "'");
        current = new Section(line.substring(1, end).trim().toUpperCase(Locale.ROOT), new LinkedHashMap<>(), n);
        sections.add(current);
        continue;
      }
      if (line.isBlank()) continue;
      int blanks = leadingBlanks(line);
      if (indent == null) {
        if (blanks == 0) throw new IllegalArgumentException("line " + n + ": entry '" + line + "' is not indented");
        indent = line.substring(0, blanks);
      }
      if (!line.startsWith(indent)) {
        throw new IllegalArgumentException("line " + n + ": invalid indentation level (every entry must be indented"
            + " like the first one, '" + indent.replace("\t", "\\t") + "')");
      }
      int extra = blanks - indent.length();
      if (extra != 0 && extra != indent.length()) {
        throw new IllegalArgumentException("line " + n + ": extra indentation level found");
      }
      String content = line.substring(blanks);
      if (content.startsWith("#")) continue;
      if (current == null) throw new IllegalArgumentException("line " + n + ": entry outside of any [SECTION]");
      int space = content.indexOf(' ');
      if (space < 0) throw new IllegalArgumentException("line " + n + ": key '" + content + "' has no value");
      String value = content.substring(space + 1).trim();
      if (value.isEmpty()) throw new IllegalArgumentException("line " + n + ": key has an empty value");
      current.properties().put(content.substring(0, space).toLowerCase(Locale.ROOT), value);
    }
    return sections;
  }

  static List<Section> sections(List<Section> all, String name, String plugin) {
    return all.stream()
        .filter(s -> s.name().equals(name) && plugin.equalsIgnoreCase(s.get("name", "")))
        .toList();
  }

  /** Expands {@code ${VAR}} as Fluent Bit does at start; {@code missing} is told each variable it cannot find. */
  static String expand(String value, Map<String, String> env, java.util.function.Consumer<String> missing) {
    Matcher m = ENV.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      if (v == null) {
        missing.accept(m.group(1));
        v = "";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** Fluent Bit's tag match: {@code *} matches any run of characters. */
  static boolean tagMatches(String pattern, String tag) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
    }
    return tag.matches(regex.toString());
  }

  /** On/Off as Fluent Bit reads booleans (flb_utils_bool). */
  static boolean isOn(String value) {
    if (value == null) return false;
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      default -> false;
    };
  }

  private static int leadingBlanks(String line) {
    int i = 0;
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
    return i;
  }
}
