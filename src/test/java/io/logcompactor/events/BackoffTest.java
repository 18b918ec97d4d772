package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  @Test
  @DisplayName("the delay doubles from the minimum with each consecutive failure and stops at the cap")
  void doublesUpToCap() {
    assertThat(backoff.ceilingMillis(1)).isEqualTo(500);
    assertThat(backoff.ceilingMillis(2)).isEqualTo(1_000);
    assertThat(backoff.ceilingMillis(4)).isEqualTo(4_000);
    assertThat(backoff.ceilingMillis(7)).isEqualTo(30_000);
    assertThat(backoff.ceilingMillis(1_000_000)).isEqualTo(30_000);
  }

  @Test
  @DisplayName("jitter takes at most a fifth off the delay, never more, never adds")
  void jitterWithinBounds() {
    for (int failures = 1; failures < 70; failures++) {
      long ceiling = backoff.ceilingMillis(failures);
      for (int i = 0; i < 20; i++) {
        assertThat(backoff.delayMillis(failures)).isBetween(ceiling - ceiling / 5, ceiling);
      }
    }
  }

  @Test
  @DisplayName("a large minimum does not overflow into a negative or tiny delay")
  void noOverflow() {
    Backoff big = new Backoff(Duration.ofMinutes(5), Duration.ofHours(1));
    for (int failures = 1; failures < 200; failures++) {
      assertThat(big.ceilingMillis(failures)).isBetween(300_000L, 3_600_000L);
    }
  }
}
