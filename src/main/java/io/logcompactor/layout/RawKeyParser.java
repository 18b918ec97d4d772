package io.logcompactor.layout;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses raw keys strictly; anything else is rejected with a reason an operator can act on. */
public final class RawKeyParser {
  public static final String RAW_PREFIX = "kube.var.log.containers.";

  /** Fluent Bit writes {@code _} or {@code __} before the index, depending on the s3_key_format. */
  private static final Pattern FILE = Pattern.compile("(\\d{12})__?(\\d{1,18})\\.gz");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,64}");
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("uuuuMMddHHmm").withResolverStyle(ResolverStyle.STRICT);

  private RawKeyParser() {}

  /** The outcome of a parse: a key, or the reason it is not one. */
  public sealed interface Result permits Parsed, Rejected {}

  public record Parsed(RawKey rawKey) implements Result {}

  public record Rejected(String key, String reason) implements Result {}

  public static Result parse(String key) {
    if (key == null || key.isEmpty()) return new Rejected("", "empty key");
    if (key.length() > 1024) return new Rejected(key, "key longer than 1024 bytes");
    if (!key.startsWith(RAW_PREFIX)) return new Rejected(key, "not under " + RAW_PREFIX);
    String rest = key.substring(RAW_PREFIX.length());
    int slash = rest.indexOf('/');
    if (slash < 0) return new Rejected(key, "no '/' between the tag and the file name");
    String tag = rest.substring(0, slash);
    String file = rest.substring(slash + 1);
    if (file.indexOf('/') >= 0) return new Rejected(key, "more than one '/' in the key");
    if (tag.endsWith(".log")) tag = tag.substring(0, tag.length() - 4);

    String[] parts = tag.split("_", -1);
    if (parts.length != 3) {
      return new Rejected(key, "tag is not {pod}_{namespace}_{container}-{container_id}");
    }
    String pod = parts[0];
    String namespace = parts[1];
    String containerAndId = parts[2];
    String podProblem = Names.podNameProblem(pod);
    if (podProblem != null) return new Rejected(key, "pod name: " + podProblem);
    String nsProblem = Names.labelProblem(namespace);
    if (nsProblem != null) return new Rejected(key, "namespace: " + nsProblem);
    int dash = containerAndId.lastIndexOf('-');
    if (dash <= 0) return new Rejected(key, "no '-{container_id}' after the container name");
    String container = containerAndId.substring(0, dash);
    String containerId = containerAndId.substring(dash + 1);
    String cProblem = Names.labelProblem(container);
    if (cProblem != null) return new Rejected(key, "container name: " + cProblem);
    if (!HEX.matcher(containerId).matches()) {
      return new Rejected(key, "container id '" + containerId + "' is not 1-64 lowercase hex digits");
    }

    Matcher m = FILE.matcher(file);
    if (!m.matches()) return new Rejected(key, "file name is not {yyyyMMddHHmm}_{index}.gz");
    String minute = m.group(1);
    try {
      LocalDateTime.parse(minute, MINUTE);
    } catch (DateTimeParseException e) {
      return new Rejected(key, "'" + minute + "' is not a valid yyyyMMddHHmm minute");
    }
    long index = Long.parseLong(m.group(2));
    return new Parsed(new RawKey(key, pod, namespace, container, containerId, minute, index));
  }
}
