package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.local.FluentBitLogs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MergePlannerTest {
  private static final Instant T = Instant.parse("2026-11-25T20:00:00Z");
  private final FluentBitLogs.Container app1 = FluentBitLogs.Container.of("job-1", "ns", "app", "app-run-1");
  private final FluentBitLogs.Container app2 = FluentBitLogs.Container.of("job-1", "ns", "app", "app-run-2");
  private final FluentBitLogs.Container side = FluentBitLogs.Container.of("job-1", "ns", "sidecar", "side");

  private static ListedObject obj(String key, long size) {
    return new ListedObject(key, size, T, "\"e\"");
  }

  private static List<String> keys(MergePlan.Output o) {
    return o.raws().stream().map(MergePlan.Raw::key).toList();
  }

  @Test
  @DisplayName("raw objects are grouped by container id (restarts apart) and ordered by minute, then index")
  void groupsAndOrders() {
    List<ListedObject> listing = List.of(
        obj(app1.rawKey("202611252001", 0), 10),
        obj(app1.rawKey("202611252000", 10), 10),
        obj(app1.rawKey("202611252000", 2, "__"), 10),
        obj(side.rawKey("202611252000", 0), 10),
        obj(app2.rawKey("202611252005", 0), 10));
    MergePlan plan = MergePlanner.plan("job-1", listing, Set.of(), 1 << 20, T);
    assertThat(plan.outputs()).hasSize(3);
    MergePlan.Output a1 = plan.outputs().stream().filter(o -> o.containerId().equals(app1.id())).findFirst().orElseThrow();
    assertThat(keys(a1)).containsExactly(app1.rawKey("202611252000", 2, "__"), app1.rawKey("202611252000", 10),
        app1.rawKey("202611252001", 0));
    assertThat(a1.container()).isEqualTo("app");
    assertThat(a1.namespace()).isEqualTo("ns");
    assertThat(plan.rawCount()).isEqualTo(5);
  }

  @Test
  @DisplayName("an output is cut before the raw object that would take it over the cap; an oversized object stands alone")
  void cutsAtTheCap() {
    List<ListedObject> listing = new ArrayList<>();
    long[] sizes = {400, 400, 300, 1500, 100, 100};
    for (int i = 0; i < sizes.length; i++) listing.add(obj(app1.rawKey("202611252000", i), sizes[i]));
    MergePlan plan = MergePlanner.plan("job-1", listing, Set.of(), 1000, T);
    assertThat(plan.outputs()).extracting(o -> o.raws().size()).containsExactly(2, 1, 1, 2);
    assertThat(plan.outputs()).extracting(MergePlan.Output::listedBytes).containsExactly(800L, 300L, 1500L, 200L);
  }

  @Test
  @DisplayName("mergeable gives, for one listed object, the raw object the plan merges, and nothing for one it skips")
  void mergeableAgreesWithThePlan() {
    FluentBitLogs.Container other = FluentBitLogs.Container.of("job-2", "ns", "app", "app-run-1");
    ListedObject good = obj(app1.rawKey("202611252000", 1), 10);
    ListedObject skipped = obj(app1.rawKey("202611252000", 2), 10);
    ListedObject otherPod = obj(other.rawKey("202611252000", 0), 10);
    ListedObject notRaw = obj(app1.rawKey("202611252000", 3).replace(".gz", ".txt"), 10);
    Set<String> skip = Set.of(skipped.key());
    MergePlan plan = MergePlanner.plan("job-1", List.of(good, skipped, otherPod, notRaw), skip, 1 << 20, T);

    assertThat(MergePlanner.mergeable("job-1", good, skip)).isEqualTo(plan.outputs().get(0).raws().get(0));
    assertThat(plan.rawCount()).isEqualTo(1);
    assertThat(MergePlanner.mergeable("job-1", skipped, skip)).isNull();
    assertThat(MergePlanner.mergeable("job-1", otherPod, skip)).isNull();
    assertThat(MergePlanner.mergeable("job-1", notRaw, skip)).isNull();
  }

  @Test
  @DisplayName("keys already merged or rejected are skipped; keys that are not raw keys are reported, once")
  void skipsAndReports() {
    String merged = app1.rawKey("202611252000", 0);
    String rejected = app1.rawKey("202611252000", 1);
    String fresh = app1.rawKey("202611252000", 2);
    String bad = "kube.var.log.containers.job-1_ns_app-" + app1.id() + "/not-a-minute_0.gz";
    MergePlan plan = MergePlanner.plan("job-1", List.of(obj(merged, 1), obj(rejected, 1), obj(fresh, 1), obj(bad, 1)),
        Set.of(merged, rejected), 1 << 20, T);
    assertThat(plan.outputs()).hasSize(1);
    assertThat(keys(plan.outputs().get(0))).containsExactly(fresh);
    assertThat(plan.badKeys()).extracting(JobMetadata.RejectedRaw::key).containsExactly(bad);
    assertThat(plan.badKeys().get(0).reason()).contains("not a raw log key");

    MergePlan again = MergePlanner.plan("job-1", List.of(obj(bad, 1)), Set.of(bad), 1 << 20, T);
    assertThat(again.badKeys()).isEmpty();
  }

  @Test
  @DisplayName("keys of another pod whose name extends this one (job-1 vs job-10) are never planned")
  void otherPodsIgnored() {
    FluentBitLogs.Container other = FluentBitLogs.Container.of("job-10", "ns", "app", "x");
    MergePlan plan = MergePlanner.plan("job-1", List.of(obj(other.rawKey("202611252000", 0), 1)), Set.of(), 1 << 20, T);
    assertThat(plan.outputs()).isEmpty();
    assertThat(plan.badKeys()).isEmpty();
  }

  @Test
  @DisplayName("the newest upload time covers every listed object, skipped ones included")
  void newestUpload() {
    String merged = app1.rawKey("202611252000", 0);
    ListedObject late = new ListedObject(merged, 1, T.plusSeconds(90), "\"e\"");
    MergePlan plan = MergePlanner.plan("job-1", List.of(late, obj(app1.rawKey("202611252000", 1), 1)), Set.of(merged),
        1 << 20, T);
    assertThat(plan.newestUpload()).isEqualTo(T.plusSeconds(90));
  }

  @Test
  @DisplayName("merged file names continue each container's sequence after the metadata's highest and skip existing keys")
  void dataKeys() {
    JobMetadata m = new JobMetadata(1, "job-1", List.of(
        file("data/job-1/aa/202611252000_0.gz", "aa"), file("data/job-1/aa/202611252010_3.gz", "aa"),
        file("data/job-1/bb/202611252000_0.gz", "bb")), List.of(), List.of(), null, null);
    DataKeyAllocator names = new DataKeyAllocator("job-1", m, List.of("data/job-1/aa/202611252020_4.gz"));
    assertThat(names.next("aa", "202611252020")).isEqualTo("data/job-1/aa/202611252020_5.gz");
    assertThat(names.next("aa", "202611252020")).isEqualTo("data/job-1/aa/202611252020_6.gz");
    assertThat(names.next("bb", "202611252030")).isEqualTo("data/job-1/bb/202611252030_1.gz");
    assertThat(names.next("cc", "202611252030")).isEqualTo("data/job-1/cc/202611252030_0.gz");
    assertThat(DataKeyAllocator.sequenceOf("data/job-1/aa/202611252000_17.gz")).isEqualTo(17);
    assertThat(DataKeyAllocator.sequenceOf("data/job-1/aa/odd.gz")).isEqualTo(-1);
  }

  private static JobMetadata.MergedFile file(String key, String cid) {
    return new JobMetadata.MergedFile(key, cid, "app", "ns", 1, 1, "202611252000", "202611252000", List.of(), null);
  }
}
