package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.logcompactor.compaction.Failpoints.Step;
import io.logcompactor.compaction.TestPod.Format;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.PodLines;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The process dies right after each durable step of a run; a restarted instance then converges: every line exactly
 * once for readers at the crash point and after, every raw file eventually deleted, every orphan eventually gone.
 */
@ExtendWith(LocalServersExtension.class)
class FailpointsIT {
  private EngineFixture fx;

  /** What a crash looks like to the engine: not an Exception, so no clean-up code runs. */
  static final class Crash extends Error {
    Crash(Step step) {
      super("simulated crash after " + step);
    }
  }

  /** Crashes the first time {@code at} is reached. */
  private static Failpoints crashAt(Step at) {
    return (step, pod) -> {
      if (step == at) throw new Crash(step);
    };
  }

  @AfterEach
  void close() throws Exception {
    if (fx != null) fx.close();
  }

  @ParameterizedTest(name = "crash after {0}")
  @EnumSource(value = Step.class, names = {"METADATA_READ", "RAW_DELETED", "ORPHANS_DELETED", "DATA_WRITTEN",
      "COMMITTED", "MARKED"})
  @DisplayName("after a crash at any step, readers see every line once and the next runs converge with nothing lost")
  void convergesAfterCrash(Step step, LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "crash");
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-crash");
    FluentBitLogs.Container app = pod.container("app", "1");
    FluentBitLogs.Container restarted = pod.container("app", "2");
    FluentBitLogs.Container side = pod.container("side", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    pod.put(app, "202611252001", 0, Format.PLAIN, 2);
    pod.put(side, "202611252000", 0, Format.GZIP, 2);
    pod.put(side, "202611252000", 1, Format.EMPTY, 0);
    fx.compactor().compact("job-crash");

    pod.put(app, "202611252002", 0, Format.GZIP, 3);
    pod.put(app, "202611251959", 0, Format.GZIP, 2);
    pod.put(restarted, "202611252003", 0, Format.PLAIN, 4);
    pod.put(side, "202611252002", 0, Format.GZIP, 1);
    String orphan = Keys.dataKey("job-crash", side.id(), "202611251000", 40);
    fx.s3().putObject(b -> b.bucket(fx.bucket()).key(orphan), RequestBody.fromBytes(FluentBitLogs.gzipLines(List.of("dup"))));
    fx.clock.advance(Duration.ofHours(2));

    PodCompactor crashing = fx.compactor(64L << 20, CompactionSettings.DEFAULTS, crashAt(step));
    assertThatThrownBy(() -> crashing.compact("job-crash")).isInstanceOf(Crash.class);
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());

    PodCompactor restartedInstance = fx.compactor();
    RunResult recovery = restartedInstance.compact("job-crash");
    assertThat(recovery.status()).isIn(RunResult.Status.MERGED, RunResult.Status.NOTHING);
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());

    restartedInstance.compact("job-crash");
    fx.clock.advance(Duration.ofHours(2));
    restartedInstance.compact("job-crash");
    PodLines settled = pod.read();
    settled.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(settled.metadata().mergedRawKeys()).isEmpty();
    assertThat(fx.keys(Keys.rawPodPrefix("job-crash"))).isEmpty();
    assertEveryDataObjectReferenced(settled.metadata());
    assertThat(fx.keys(Keys.cleanupKey("job-crash"))).hasSize(1);
  }

  @Test
  @DisplayName("a crash in the middle of a multipart upload leaves only a placeholder and parts, which age out")
  void crashMidMultipart(LocalServers servers) throws Exception {
    TestPod pod = twoLargeObjects(servers, "job-mp");
    CompactionSettings settings = partsOf5MiB(false);

    PodCompactor crashing = fx.compactor(64L << 20, settings, crashAt(Step.PART_UPLOADED));
    assertThatThrownBy(() -> crashing.compact("job-mp")).isInstanceOf(Crash.class);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).hasSize(1);
    assertThat(fx.keys(Keys.dataPodPrefix("job-mp"))).hasSize(1);
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());

    PodCompactor restarted = fx.compactor(64L << 20, settings, Failpoints.NONE);
    assertThat(restarted.compact("job-mp").status()).isEqualTo(RunResult.Status.MERGED);
    PodLines merged = pod.read();
    merged.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(merged.metadata().logFiles()).hasSize(1);
    assertThat(merged.metadata().logFiles().get(0).key()).endsWith("_1.gz");

    fx.clock.advance(Duration.ofHours(2));
    restarted.compact("job-mp");
    PodLines settled = pod.read();
    settled.assertEveryLineExactlyOnce(pod.expectedLines());
    assertEveryDataObjectReferenced(settled.metadata());
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertThat(fx.keys(Keys.rawPodPrefix("job-mp"))).isEmpty();
  }

  @Test
  @DisplayName("a crash in the middle of a streamed PUT stores nothing of the file: its placeholder ages out, and "
      + "the restarted instance merges every line once under the next name")
  void crashMidStream(LocalServers servers) throws Exception {
    TestPod pod = twoLargeObjects(servers, "job-stream");
    CompactionSettings settings = partsOf5MiB(true);

    // Reached once a chunk of the body has gone out and the writer waits to hand over the next: the PUT is under way.
    PodCompactor crashing = fx.compactor(64L << 20, settings, crashAt(Step.PART_UPLOADED));
    assertThatThrownBy(() -> crashing.compact("job-stream")).isInstanceOf(Crash.class);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    List<String> claimed = fx.keysBesidesCutOffPuts(Keys.dataPodPrefix("job-stream"));
    assertThat(claimed).as("the placeholder alone").hasSize(1);
    assertThat(fx.s3().getObjectAsBytes(b -> b.bucket(fx.bucket()).key(claimed.get(0))).asUtf8String())
        .as("nothing of the file's bytes").startsWith("merged file being written by compaction run");
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());

    // The crashed run's request may still hang (its body stalls, then fails): the next instance does not wait for it.
    PodCompactor restarted = fx.compactor(64L << 20, settings, Failpoints.NONE);
    assertThat(restarted.compact("job-stream").status()).isEqualTo(RunResult.Status.MERGED);
    PodLines merged = pod.read();
    merged.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(merged.metadata().logFiles()).singleElement()
        .satisfies(f -> assertThat(f.key()).endsWith("_1.gz"))
        .satisfies(f -> assertThat(f.size()).isGreaterThan(5L << 20));
    assertThat(fx.count("compactor.compaction.files.written", "upload", "streamed")).isEqualTo(1);

    fx.clock.advance(Duration.ofHours(2));
    restarted.compact("job-stream");
    PodLines settled = pod.read();
    settled.assertEveryLineExactlyOnce(pod.expectedLines());
    Set<String> referenced = settled.metadata().logFiles().stream().map(JobMetadata.MergedFile::key)
        .collect(Collectors.toSet());
    assertThat(fx.keysBesidesCutOffPuts(Keys.DATA_PREFIX)).as("the placeholder aged out")
        .containsExactlyInAnyOrderElementsOf(referenced);
    assertThat(fx.keys(Keys.rawPodPrefix("job-stream"))).isEmpty();
  }

  /** A pod with two raw objects of ~3.4 MB compressed: one merged file of two 5 MiB parts, or one streamed PUT. */
  private TestPod twoLargeObjects(LocalServers servers, String name) {
    fx = new EngineFixture(servers, name);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), name);
    FluentBitLogs.Container big = pod.container("big", "1");
    pod.putLarge(big, "202611252000", 0, Format.GZIP, 4_500_000);
    pod.putLarge(big, "202611252000", 1, Format.GZIP, 4_500_000);
    return pod;
  }

  private static CompactionSettings partsOf5MiB(boolean streamLargeFiles) {
    return new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 1L << 20, streamLargeFiles, 1, 8);
  }

  private void assertEveryDataObjectReferenced(JobMetadata m) {
    Set<String> referenced = m.logFiles().stream().map(JobMetadata.MergedFile::key).collect(Collectors.toSet());
    assertThat(fx.keys(Keys.DATA_PREFIX)).containsExactlyInAnyOrderElementsOf(referenced);
  }
}
