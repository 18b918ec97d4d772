package io.logcompactor.infra;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.StringTokenizer;

/**
 * The object key Fluent Bit's s3 output writes for a tag, a time and an upload index, computed as its
 * {@code flb_get_s3_key} and {@code s3_put_object} do: {@code $TAG[n]}, then {@code $TAG}, {@code $INDEX},
 * {@code $UUID}, then strftime in UTC; the request is {@code PUT /{bucket}{key}}, so the format's leading
 * {@code /} separates bucket and key and is not part of the stored key.
 */
final class S3KeyFormat {
  private S3KeyFormat() {}

  /** @param delimiters {@code s3_key_format_tag_delimiters} (Fluent Bit's default is ".") */
  static String storedKey(String format, String tag, String delimiters, Instant firstRecord, long index,
                          boolean staticFilePath) {
    if (!format.startsWith("/")) {
      throw new IllegalArgumentException("'" + format + "' does not start with '/'; Fluent Bit refuses to start");
    }
    String key = format;
    List<String> parts = new ArrayList<>();
    StringTokenizer t = new StringTokenizer(tag, delimiters);
    while (t.hasMoreTokens() && parts.size() < 10) parts.add(t.nextToken());
    for (int i = 0; i < parts.size(); i++) key = key.replace("$TAG[" + i + "]", parts.get(i));
    if (key.contains("$TAG[")) throw new IllegalArgumentException("'" + format + "' uses a tag part the tag lacks");
    key = key.replace("$TAG", tag);
    boolean hasIndex = format.contains("$INDEX");
    boolean hasUuid = format.contains("$UUID");
    key = key.replace("$INDEX", Long.toString(index));
    key = key.replace("$UUID", "Ab3dE6gH");
    key = strftime(key, ZonedDateTime.ofInstant(firstRecord, ZoneOffset.UTC));
    // Without $INDEX or $UUID, PutObject appends a random suffix so uploads in the same second do not collide.
    if (!hasIndex && !hasUuid && !staticFilePath) key = key + "-objectAb3dE6gH";
    return key.substring(1);
  }

  private static String strftime(String s, ZonedDateTime t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%' || i + 1 == s.length()) {
        sb.append(c);
        continue;
      }
      char conv = s.charAt(++i);
      switch (conv) {
        case 'Y' -> sb.append(String.format("%04d", t.getYear()));
        case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
        case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
        case 'H' -> sb.append(String.format("%02d", t.getHour()));
        case 'M' -> sb.append(String.format("%02d", t.getMinute()));
        case 'S' -> sb.append(String.format("%02d", t.getSecond()));
        case '%' -> sb.append('%');
        default -> throw new IllegalArgumentException("strftime conversion %" + conv + " is not modelled offline");
      }
    }
    return sb.toString();
  }
}
