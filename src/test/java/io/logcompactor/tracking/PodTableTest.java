package io.logcompactor.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PodTableTest {
  private static final String CID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private final PodTable table = new PodTable();

  private static String key(String pod, int index) {
    return "kube.var.log.containers." + pod + "_ns_main-" + CID + "/202611252000_" + index + ".gz";
  }

  private static RawListing listing(Map<String, PodListing> pods, Set<String> unreadable) {
    return new RawListing(pods, unreadable, 0, 0);
  }

  @Test
  @DisplayName("the same raw key added twice counts once")
  void dedupes() {
    assertThat(table.add("job-1", key("job-1", 0), T0)).isTrue();
    assertThat(table.add("job-1", key("job-1", 0), T0)).isFalse();
    assertThat(table.pending("job-1")).isEqualTo(1);
    assertThat(table.pendingTotal()).isEqualTo(1);
  }

  @Test
  @DisplayName("job-1 and job-10 are different pods, listed in name order")
  void podsByExactName() {
    table.add("job-10", key("job-10", 0), T0);
    table.add("job-1", key("job-1", 0), T0);
    table.add("job-1", key("job-1", 1), T0);
    assertThat(table.pending("job-1")).isEqualTo(2);
    assertThat(table.pending("job-10")).isEqualTo(1);
    assertThat(table.page(0, 10)).extracting(s -> s.pod).containsExactly("job-1", "job-10");
    assertThat(table.page(1, 10)).extracting(s -> s.pod).containsExactly("job-10");
    assertThat(table.page(0, 1)).extracting(s -> s.pod).containsExactly("job-1");
  }

  @Test
  @DisplayName("a successful merge drops the keys it covered; keys added while it ran stay pending")
  void mergeDropsOnlyItsSnapshot() {
    table.add("p", key("p", 0), T0);
    table.add("p", key("p", 1), T0);
    Set<String> snapshot = table.snapshot("p");
    table.add("p", key("p", 2), T0);
    table.add("p", key("p", 1), T0); // a duplicate delivery during the merge
    assertThat(table.dropMerged("p", snapshot)).isEqualTo(2);
    assertThat(table.get("p").pendingKeys()).containsExactly(key("p", 2));
    assertThat(table.pendingTotal()).isEqualTo(1);
  }

  @Test
  @DisplayName("the last upload time is the newest seen, from events or listings")
  void lastUpload() {
    table.add("p", key("p", 0), T0.plusSeconds(60));
    table.add("p", key("p", 1), T0);
    assertThat(table.get("p").lastUpload()).isEqualTo(T0.plusSeconds(60));
    table.reconcile(listing(Map.of("p", new PodListing("p", Set.of(key("p", 0)), T0.plusSeconds(120))), Set.of()),
        table.mark());
    assertThat(table.get("p").lastUpload()).isEqualTo(T0.plusSeconds(120));
  }

  @Test
  @DisplayName("reconcile adds live keys, drops old keys no longer live, and keeps keys that arrived during the listing")
  void reconcile() {
    table.add("p", key("p", 0), T0); // still in the bucket
    table.add("p", key("p", 1), T0); // merged and deleted by another instance
    long mark = table.mark();
    table.add("p", key("p", 2), T0); // uploaded after the listing started: not in it
    RawListing l = listing(Map.of(
        "p", new PodListing("p", Set.of(key("p", 0), key("p", 3)), T0),
        "q", new PodListing("q", Set.of(key("q", 0)), T0)), Set.of());

    PodTable.ReconcileOutcome o = table.reconcile(l, mark);

    assertThat(table.get("p").pendingKeys()).containsExactlyInAnyOrder(key("p", 0), key("p", 2), key("p", 3));
    assertThat(table.get("q").pendingKeys()).containsExactly(key("q", 0));
    assertThat(o.added()).isEqualTo(2);
    assertThat(o.removed()).isEqualTo(1);
    assertThat(table.pendingTotal()).isEqualTo(4);
  }

  @Test
  @DisplayName("reconcile drops old keys of a pod absent from the listing, and leaves pods with unreadable metadata alone")
  void reconcileAbsentAndUnreadable() {
    table.add("gone", key("gone", 0), T0);
    table.add("locked", key("locked", 0), T0);
    PodTable.ReconcileOutcome o = table.reconcile(listing(Map.of(), Set.of("locked")), table.mark());
    assertThat(table.pending("gone")).isZero();
    assertThat(table.pending("locked")).isEqualTo(1);
    assertThat(o.removed()).isEqualTo(1);
  }

  @Test
  @DisplayName("a listed pod whose raw keys are all merged is not created")
  void noPodForMergedOnly() {
    table.reconcile(listing(Map.of("p", new PodListing("p", Set.of(), T0)), Set.of()), table.mark());
    assertThat(table.get("p")).isNull();
  }

  @Test
  @DisplayName("idle pods with nothing pending are forgotten, busy or pending or recent ones are kept")
  void forgetIdle() {
    table.add("idle", key("idle", 0), T0);
    table.dropMerged("idle", table.snapshot("idle"));
    table.add("busy", key("busy", 0), T0);
    table.dropMerged("busy", table.snapshot("busy"));
    table.add("pending", key("pending", 0), T0);
    table.add("recent", key("recent", 0), T0.plusSeconds(3600));
    table.dropMerged("recent", table.snapshot("recent"));

    assertThat(table.forgetIdle(T0.plusSeconds(60), "busy"::equals)).containsExactly("idle");
    assertThat(table.size()).isEqualTo(3);
    assertThat(table.forget("pending")).isTrue();
    assertThat(table.pendingTotal()).isZero();
  }
}
