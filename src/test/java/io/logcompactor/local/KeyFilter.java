package io.logcompactor.local;

import java.util.function.Predicate;

/**
 * The key filter S3 supports on a bucket notification: an optional prefix and an optional suffix. A plain
 * {@code Predicate} works with the notification bridge; LocalStack needs this form, since a real bucket notification
 * is configured from it.
 */
public record KeyFilter(String prefix, String suffix) implements Predicate<String> {
  public KeyFilter {
    prefix = prefix == null ? "" : prefix;
    suffix = suffix == null ? "" : suffix;
  }

  public static KeyFilter all() {
    return new KeyFilter("", "");
  }

  public static KeyFilter prefix(String prefix) {
    return new KeyFilter(prefix, "");
  }

  @Override
  public boolean test(String key) {
    return key.startsWith(prefix) && key.endsWith(suffix);
  }
}
