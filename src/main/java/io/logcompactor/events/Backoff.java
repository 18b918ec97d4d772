package io.logcompactor.events;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Doubling delay between retries, capped, with up to 20 % jitter taken off so that pollers (and instances) that
 * failed together do not retry together.
 */
public record Backoff(Duration min, Duration max) {

  public Backoff {
    if (min.isNegative() || max.compareTo(min) < 0) throw new IllegalArgumentException("need 0 <= min <= max");
  }

  /** @param failures consecutive failures so far, at least 1 */
  public long delayMillis(int failures) {
    long ceiling = ceilingMillis(failures);
    long jitter = ceiling / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling / 5 + 1);
    return Math.max(1, ceiling - jitter);
  }

  /** The delay before jitter: min * 2^(failures - 1), at most max. */
  public long ceilingMillis(int failures) {
    long base = Math.max(1, min.toMillis());
    int doublings = Math.max(0, failures - 1);
    if (doublings >= Long.numberOfLeadingZeros(base) - 1) return max.toMillis();
    return Math.min(max.toMillis(), base << doublings);
  }
}
