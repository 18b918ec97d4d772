package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.layout.JobMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OrphanPolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-25T21:00:00Z");
  private static final Duration AGE = Duration.ofHours(1);
  private final JobMetadata metadata = new JobMetadata(1, "p", List.of(new JobMetadata.MergedFile(
      "data/p/aa/202611252000_0.gz", "aa", "c", "ns", 1, 1, "202611252000", "202611252000", List.of(), null)),
      List.of(), List.of(), null, null);

  private static ListedObject data(String key, Duration age) {
    return new ListedObject(key, 1, NOW.minus(age), "\"e\"");
  }

  @Test
  @DisplayName("only unreferenced data objects older than the safety age are orphans")
  void selects() {
    List<ListedObject> listing = List.of(
        data("data/p/aa/202611252000_0.gz", Duration.ofDays(2)),
        data("data/p/aa/202611252000_1.gz", Duration.ofMinutes(61)),
        data("data/p/aa/202611252000_2.gz", Duration.ofMinutes(59)));
    assertThat(OrphanPolicy.select(metadata, listing, NOW, NOW, AGE)).extracting(ListedObject::key)
        .containsExactly("data/p/aa/202611252000_1.gz");
  }

  @Test
  @DisplayName("nothing is deleted when the listing came more than half the safety age after the metadata was read")
  void staleMetadataDeletesNothing() {
    List<ListedObject> listing = List.of(data("data/p/aa/202611252000_1.gz", Duration.ofDays(1)));
    assertThat(OrphanPolicy.select(metadata, listing, NOW.minus(Duration.ofMinutes(31)), NOW, AGE)).isEmpty();
    assertThat(OrphanPolicy.select(metadata, listing, NOW.minus(Duration.ofMinutes(29)), NOW, AGE)).hasSize(1);
  }

  @Test
  @DisplayName("a run may commit only while younger than half the safety age; a zero age disables both guards")
  void commitWindow() {
    assertThat(OrphanPolicy.mayCommit(NOW.minus(Duration.ofMinutes(29)), NOW, AGE)).isTrue();
    assertThat(OrphanPolicy.mayCommit(NOW.minus(Duration.ofMinutes(31)), NOW, AGE)).isFalse();
    assertThat(OrphanPolicy.mayCommit(NOW.minus(Duration.ofDays(1)), NOW, Duration.ZERO)).isTrue();
    assertThat(OrphanPolicy.select(metadata, List.of(data("data/p/x/202611252000_0.gz", Duration.ZERO)), NOW, NOW,
        Duration.ZERO)).hasSize(1);
  }
}
