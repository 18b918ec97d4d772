package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.local.FluentBitLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadPlannerTest {
  private final FluentBitLogs.Container main = FluentBitLogs.Container.of("job-1", "jobs", "main", "m1");
  private final FluentBitLogs.Container restarted = FluentBitLogs.Container.of("job-1", "jobs", "main", "m2");
  private final FluentBitLogs.Container sidecar = FluentBitLogs.Container.of("job-1", "jobs", "sidecar", "s1");

  private static JobMetadata.MergedFile merged(FluentBitLogs.Container c, String dataKey, long size,
                                               List<JobMetadata.Source> sources) {
    return new JobMetadata.MergedFile(dataKey, c.id(), c.name(), "jobs", sources.size(), size, "202611252000",
        "202611252010", sources, null);
  }

  private static JobMetadata metadata(List<String> mergedRawKeys, JobMetadata.MergedFile... files) {
    return new JobMetadata(1, "job-1", List.of(files), mergedRawKeys, List.of(), null, null);
  }

  @Test
  @DisplayName("merged sources and unmerged raw keys are combined per container in start order, each in "
      + "(minute, index) order; back-to-back sources of one merged file become one whole-object read")
  void combinesAndCoalesces() {
    String m0 = main.rawKey("202611252000", 0);
    String m1 = main.rawKey("202611252001", 0);
    String m2 = main.rawKey("202611252002", 0);
    String s0 = sidecar.rawKey("202611252001", 1);
    String r0 = restarted.rawKey("202611252005", 0);
    JobMetadata md = metadata(List.of(m1), merged(main, "data/job-1/m/a.gz", 30,
        List.of(new JobMetadata.Source(m0, 0, 10), new JobMetadata.Source(m1, 10, 20))));
    List<String> listed = List.of(m1, m2, r0, s0, "kube.var.log.containers.job-1_jobs_bad/x.gz");
    List<String> bad = new ArrayList<>();
    ReadPlanner.Plan plan = ReadPlanner.plan("job-1", md, listed, Set.of(), null, (k, why) -> bad.add(k));

    assertThat(plan.jobExists()).isTrue();
    assertThat(plan.units()).extracting(ReadUnit::rawKeys)
        .containsExactly(List.of(m0, m1), List.of(m2), List.of(s0), List.of(r0));
    ReadUnit first = plan.units().get(0);
    assertThat(first.merged()).isTrue();
    assertThat(first.wholeObject()).isTrue();
    assertThat(plan.units().get(1).merged()).isFalse();
    assertThat(bad).containsExactly("kube.var.log.containers.job-1_jobs_bad/x.gz");
  }

  @Test
  @DisplayName("a raw key that sorts between two merged sources splits the merged file into two range reads")
  void lateUploadSplitsMergedFile() {
    String a = main.rawKey("202611252000", 0);
    String b = main.rawKey("202611252002", 0);
    String late = main.rawKey("202611252001", 0);
    JobMetadata md = metadata(List.of(), merged(main, "data/job-1/m/a.gz", 30,
        List.of(new JobMetadata.Source(a, 0, 10), new JobMetadata.Source(b, 10, 20))));
    ReadPlanner.Plan plan = ReadPlanner.plan("job-1", md, List.of(late), Set.of(), null, (k, w) -> {});
    assertThat(plan.units()).extracting(ReadUnit::rawKeys).containsExactly(List.of(a), List.of(late), List.of(b));
    assertThat(plan.units().get(0)).extracting(ReadUnit::offset, ReadUnit::length).containsExactly(0L, 10L);
    assertThat(plan.units().get(2)).extracting(ReadUnit::offset, ReadUnit::length).containsExactly(10L, 20L);
  }

  @Test
  @DisplayName("keys already read and other containers are left out; a job with nothing at all does not exist")
  void filters() {
    String m0 = main.rawKey("202611252000", 0);
    String s0 = sidecar.rawKey("202611252000", 1);
    ReadPlanner.Plan plan = ReadPlanner.plan("job-1", null, List.of(m0, s0), Set.of(m0), null, (k, w) -> {});
    assertThat(plan.units()).extracting(ReadUnit::rawKeys).containsExactly(List.of(s0));
    plan = ReadPlanner.plan("job-1", null, List.of(m0, s0), Set.of(), "main", (k, w) -> {});
    assertThat(plan.units()).extracting(ReadUnit::rawKeys).containsExactly(List.of(m0));
    assertThat(ReadPlanner.plan("job-1", null, List.of(), Set.of(), null, (k, w) -> {}).jobExists()).isFalse();
  }

  @Test
  @DisplayName("a raw key that two merged files list (a contract breach) is read once, from the first")
  void duplicateSourceReadOnce() {
    String a = main.rawKey("202611252000", 0);
    JobMetadata md = metadata(List.of(a),
        merged(main, "data/job-1/m/a.gz", 10, List.of(new JobMetadata.Source(a, 0, 10))),
        merged(main, "data/job-1/m/b.gz", 10, List.of(new JobMetadata.Source(a, 0, 10))));
    ReadPlanner.Plan plan = ReadPlanner.plan("job-1", md, List.of(a), Set.of(), null, (k, w) -> {});
    assertThat(plan.units()).extracting(ReadUnit::objectKey).containsExactly("data/job-1/m/a.gz");
  }

  @Test
  @DisplayName("a vanished raw key is located in the merged file that lists it as a source")
  void locate() {
    String a = main.rawKey("202611252000", 0);
    String b = main.rawKey("202611252001", 0);
    JobMetadata md = metadata(List.of(), merged(main, "data/job-1/m/a.gz", 30,
        List.of(new JobMetadata.Source(a, 0, 10), new JobMetadata.Source(b, 10, 20))));
    assertThat(ReadPlanner.locate(md, b)).extracting(ReadUnit::objectKey, ReadUnit::offset, ReadUnit::length)
        .containsExactly("data/job-1/m/a.gz", 10L, 20L);
    assertThat(ReadPlanner.locate(md, main.rawKey("202611252009", 0))).isNull();
  }
}
