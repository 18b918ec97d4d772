package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.compaction.TestPod.Format;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.PodLines;
import io.logcompactor.s3.S3RequestCounter;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@ExtendWith(LocalServersExtension.class)
class CompactionEngineIT {
  private EngineFixture fx;

  private EngineFixture fixture(LocalServers servers) {
    fx = new EngineFixture(servers, "engine");
    return fx;
  }

  @AfterEach
  void close() throws Exception {
    if (fx != null) fx.close();
  }

  private String mergedContent(EngineFixture fx, JobMetadata m, String containerId) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (JobMetadata.MergedFile f : m.logFiles()) {
      if (!f.containerId().equals(containerId)) continue;
      byte[] data = fx.s3().getObjectAsBytes(b -> b.bucket(fx.bucket()).key(f.key())).asByteArray();
      sb.append(PodLines.gunzip(data, 0, data.length));
    }
    return sb.toString();
  }

  @Test
  @DisplayName("merged files hold, per container and in order, exactly the raw contents (gzip, plain, empty, restarts); "
      + "raw files go only in the next run's clean phase")
  void mergesAndCleans(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-1");
    FluentBitLogs.Container app = pod.container("app", "run-1");
    FluentBitLogs.Container appRestarted = pod.container("app", "run-2");
    FluentBitLogs.Container side = pod.container("sidecar", "run-1");
    List<String> keys = new ArrayList<>();
    keys.add(pod.put(app, "202611252001", 0, Format.GZIP, 5));
    keys.add(pod.put(app, "202611252000", 1, Format.GZIP, 3));
    keys.add(pod.put(app, "202611252000", 0, Format.PLAIN, 4));
    keys.add(pod.put(appRestarted, "202611252003", 0, Format.GZIP, 2));
    keys.add(pod.put(appRestarted, "202611252003", 1, Format.EMPTY, 0));
    keys.add(pod.put(side, "202611252000", 0, Format.EMPTY, 0));
    keys.add(pod.put(side, "202611252001", 0, Format.PLAIN, 6));
    keys.add(pod.put(side, "202611252002", 0, Format.GZIP, 1));
    // A pod whose name extends this one's must be left alone.
    TestPod other = new TestPod(fx.s3(), fx.bucket(), "job-10");
    String otherKey = other.put(other.container("app", "x"), "202611252000", 0, Format.GZIP, 2);

    PodCompactor compactor = fx.compactor();
    RunResult first = compactor.compact("job-1");

    assertThat(first.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(first.mergedRawFiles()).isEqualTo(8);
    assertThat(first.logFilesWritten()).isEqualTo(3);
    PodLines afterFirst = pod.read();
    JobMetadata m = afterFirst.metadata();
    for (FluentBitLogs.Container c : List.of(app, appRestarted, side)) {
      assertThat(mergedContent(fx, m, c.id())).as("container %s", c.id()).isEqualTo(pod.expectedContent(c.id()));
    }
    assertThat(m.mergedRawKeys()).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(m.mergedRawEtags()).containsOnlyKeys(keys);
    JobMetadata.MergedFile appFile = m.logFiles().stream().filter(f -> f.containerId().equals(app.id())).findFirst()
        .orElseThrow();
    assertThat(appFile.key()).isEqualTo(Keys.dataKey("job-1", app.id(), "202611252000", 0));
    assertThat(appFile.container()).isEqualTo("app");
    assertThat(appFile.namespace()).isEqualTo("jobs");
    assertThat(appFile.rawFiles()).isEqualTo(3);
    assertThat(appFile.firstRawMinute()).isEqualTo("202611252000");
    assertThat(appFile.lastRawMinute()).isEqualTo("202611252001");
    assertThat(appFile.sources()).extracting(JobMetadata.Source::key).containsExactly(app.rawKey("202611252000", 0),
        app.rawKey("202611252000", 1), app.rawKey("202611252001", 0));
    assertThat(m.lastUploadTime()).isNotNull();
    assertThat(m.lastCompactionTime()).isNotNull();
    assertThat(fx.keys(Keys.rawPodPrefix("job-1"))).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(fx.keys(Keys.cleanupKey("job-1"))).containsExactly(Keys.cleanupKey("job-1"));
    afterFirst.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(fx.count("compactor.compaction.raw.merged", "format", "plain")).isEqualTo(2);
    assertThat(fx.count("compactor.compaction.raw.merged", "format", "empty")).isEqualTo(2);

    RunResult second = compactor.compact("job-1");
    assertThat(second.status()).isEqualTo(RunResult.Status.NOTHING);
    assertThat(second.deletedRawKeys()).isEqualTo(8);
    assertThat(second.pendingMergedKeys()).isZero();
    assertThat(fx.keys(Keys.rawPodPrefix("job-1"))).isEmpty();
    assertThat(fx.keys(Keys.RAW_PREFIX + "job-10_")).containsExactly(otherKey);
    PodLines afterSecond = pod.read();
    assertThat(afterSecond.metadata().mergedRawKeys()).isEmpty();
    assertThat(afterSecond.metadata().logFiles()).hasSize(3);
    afterSecond.assertEveryLineExactlyOnce(pod.expectedLines());

    RunResult third = compactor.compact("job-1");
    assertThat(third.status()).isEqualTo(RunResult.Status.NOTHING);
    assertThat(third.deletedRawKeys()).isZero();
  }

  @Test
  @DisplayName("a late upload with an older minute is merged into a new file of its own, and deleted only after that merge")
  void lateUpload(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-late");
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252010", 0, Format.GZIP, 3);
    pod.put(app, "202611252011", 0, Format.GZIP, 3);
    PodCompactor compactor = fx.compactor();
    assertThat(compactor.compact("job-late").status()).isEqualTo(RunResult.Status.MERGED);

    String late = pod.put(app, "202611252005", 0, Format.GZIP, 4);
    RunResult second = compactor.compact("job-late");
    assertThat(second.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(second.deletedRawKeys()).isEqualTo(2);
    assertThat(fx.keys(Keys.rawPodPrefix("job-late"))).containsExactly(late);
    PodLines lines = pod.read();
    assertThat(lines.metadata().logFiles()).extracting(JobMetadata.MergedFile::key).containsExactly(
        Keys.dataKey("job-late", app.id(), "202611252010", 0), Keys.dataKey("job-late", app.id(), "202611252005", 1));
    assertThat(lines.metadata().mergedRawKeys()).containsExactly(late);
    lines.assertEveryLineExactlyOnce(pod.expectedLines());

    compactor.compact("job-late");
    assertThat(fx.keys(Keys.rawPodPrefix("job-late"))).isEmpty();
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("corrupt gzip objects (truncated, bad CRC, trailing garbage) are never merged nor deleted, and are reported")
  void corruptKept(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-corrupt");
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    byte[] good = FluentBitLogs.gzipLines(List.of("{\"log\":\"x\"}", "{\"log\":\"y\"}"));
    String truncated = app.rawKey("202611252000", 1);
    pod.putBytes(truncated, Arrays.copyOf(good, good.length - 5));
    byte[] crc = good.clone();
    crc[crc.length - 6] ^= 0x55;
    String badCrc = app.rawKey("202611252000", 2);
    pod.putBytes(badCrc, crc);
    String garbage = app.rawKey("202611252000", 3);
    byte[] withGarbage = Arrays.copyOf(good, good.length + 3);
    pod.putBytes(garbage, withGarbage);
    pod.put(app, "202611252000", 4, Format.GZIP, 3);

    PodCompactor compactor = fx.compactor();
    RunResult r = compactor.compact("job-corrupt");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(r.mergedRawFiles()).isEqualTo(2);
    assertThat(r.rejectedRawFiles()).isEqualTo(3);
    compactor.compact("job-corrupt");
    compactor.compact("job-corrupt");

    PodLines lines = pod.read();
    assertThat(lines.metadata().rejectedRawKeys()).extracting(JobMetadata.RejectedRaw::key)
        .containsExactly(truncated, badCrc, garbage);
    assertThat(lines.metadata().rejectedRawKeys()).allSatisfy(x -> assertThat(x.reason()).startsWith("corrupt gzip: "));
    assertThat(lines.metadata().rejectedRawKeys().get(0).reason()).contains("truncated");
    assertThat(lines.metadata().rejectedRawKeys().get(1).reason()).contains("CRC");
    assertThat(lines.metadata().rejectedRawKeys().get(2).reason()).contains("trailing");
    assertThat(fx.keys(Keys.rawPodPrefix("job-corrupt"))).containsExactly(truncated, badCrc, garbage);
    assertThat(mergedContent(fx, lines.metadata(), app.id())).isEqualTo(pod.expectedContent(app.id()));
    assertThat(fx.count("compactor.compaction.raw.rejected", "reason", "corrupt_gzip")).isEqualTo(3);
  }

  @Test
  @DisplayName("outputs are cut at the size cap, each file continuing the container's sequence")
  void cutsAtCap(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-cut");
    FluentBitLogs.Container app = pod.container("app", "1");
    for (int i = 0; i < 6; i++) pod.putLarge(app, "202611252000", i, Format.GZIP, 400_000);

    RunResult r = fx.compactor(1L << 20, CompactionSettings.DEFAULTS, Failpoints.NONE).compact("job-cut");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    PodLines lines = pod.read();
    List<JobMetadata.MergedFile> files = lines.metadata().logFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(2).allSatisfy(f -> assertThat(f.size()).isLessThanOrEqualTo(1L << 20));
    assertThat(files).extracting(f -> DataKeyAllocator.sequenceOf(f.key()))
        .containsExactly(java.util.stream.LongStream.range(0, files.size()).boxed().toArray(Long[]::new));
    assertThat(mergedContent(fx, lines.metadata(), app.id())).isEqualTo(pod.expectedContent(app.id()));
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("a merged file larger than a part is a multipart upload; objects above the stream threshold are never held whole")
  void multipart(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-big");
    FluentBitLogs.Container big = pod.container("big", "1");
    pod.putLarge(big, "202611252100", 0, Format.GZIP, 2_600_000);
    pod.putLarge(big, "202611252100", 1, Format.PLAIN, 2_500_000);
    pod.put(big, "202611252101", 0, Format.GZIP, 10);
    pod.putLarge(big, "202611252102", 0, Format.GZIP, 2_600_000);
    pod.putLarge(big, "202611252102", 1, Format.GZIP, 2_600_000);
    pod.put(big, "202611252103", 0, Format.PLAIN, 10);

    // 5 MiB parts, streaming above 1 MiB, 4 MiB look-ahead.
    CompactionSettings settings = new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 1L << 20, false, 1, 8);
    RunResult r = fx.compactor(64L << 20, settings, Failpoints.NONE).compact("job-big");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(r.logFilesWritten()).isEqualTo(1);

    PodLines lines = pod.read();
    assertThat(lines.metadata().logFiles().get(0).size()).isGreaterThan(5L << 20);
    assertMultipartFiles(fx, pod, lines, big, 1);
  }

  @Test
  @DisplayName("a file of more parts than upload at once gets them all, in order, and the next file of the run reuses "
      + "the part buffers")
  void partsUploadInTheBackground(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-parts");
    FluentBitLogs.Container big = twelveLargeObjects(pod);
    RunResult r = fx.compactor(CUT_AT_14_MIB, FIVE_MIB_PARTS, Failpoints.NONE).compact("job-parts");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(r.logFilesWritten()).isGreaterThanOrEqualTo(2);
    assertThat(MergedObjectWriter.UPLOADS_IN_FLIGHT).isLessThan(3);

    PodLines lines = pod.read();
    assertThat(lines.metadata().logFiles().get(0).size()).as("three parts").isGreaterThan(10L << 20);
    assertThat(lines.metadata().logFiles()).allSatisfy(f -> assertThat(f.size()).isGreaterThan(5L << 20));
    assertMultipartFiles(fx, pod, lines, big, lines.metadata().logFiles().size());
  }

  @Test
  @DisplayName("a file completed in the background while the next is written is removed when the run then fails, and "
      + "the next run merges everything once")
  void failedRunRemovesAFileCompletedInTheBackground(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-late-fail");
    FluentBitLogs.Container big = twelveLargeObjects(pod);
    // The fourth part uploaded is the second file's first, uploaded while the first file completes.
    java.util.concurrent.atomic.AtomicInteger parts = new java.util.concurrent.atomic.AtomicInteger();
    PodCompactor failing = fx.compactor(CUT_AT_14_MIB, FIVE_MIB_PARTS, (step, p) -> {
      if (step == Failpoints.Step.PART_UPLOADED && parts.incrementAndGet() == 4) {
        throw new IllegalStateException("injected failure in the second file");
      }
    });

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.compact("job-late-fail"))
        .hasMessageContaining("injected failure");

    assertThat(fx.keys(Keys.dataPodPrefix("job-late-fail"))).as("the first file, completed, removed again").isEmpty();
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertThat(fx.keys(Keys.metadataKey("job-late-fail"))).isEmpty();
    assertThat(fx.keys(Keys.rawPodPrefix("job-late-fail"))).hasSize(12);

    RunResult r = fx.compactor(CUT_AT_14_MIB, FIVE_MIB_PARTS, Failpoints.NONE).compact("job-late-fail");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(r.logFilesWritten()).isGreaterThanOrEqualTo(2);
    PodLines lines = pod.read();
    assertMultipartFiles(fx, pod, lines, big, lines.metadata().logFiles().size());
  }

  @Test
  @DisplayName("a merged file larger than one held PUT is one PUT of the listed size, streamed as it is written")
  void largeFilesAreStreamed(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-streamed");
    FluentBitLogs.Container big = twelveLargeObjects(pod);
    RunResult r = fx.compactor(CUT_AT_14_MIB, FIVE_MIB_PARTS_STREAMED, Failpoints.NONE).compact("job-streamed");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);

    PodLines lines = pod.read();
    List<JobMetadata.MergedFile> files = lines.metadata().logFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(2).allSatisfy(f -> assertThat(f.size()).isGreaterThan(5L << 20));
    assertThat(fx.count("compactor.compaction.files.written", "upload", "streamed")).isEqualTo(files.size());
    assertThat(fx.count("compactor.compaction.streams.given_up")).isZero();
    assertThat(mergedContent(fx, lines.metadata(), big.id())).isEqualTo(pod.expectedContent(big.id()));
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(fx.keys(Keys.dataPodPrefix("job-streamed"))).as("placeholders replaced by their files")
        .containsExactlyInAnyOrderElementsOf(files.stream().map(JobMetadata.MergedFile::key).toList());
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
  }

  @Test
  @DisplayName("a streamed file meeting an object that is not as listed (corrupt, plain text) after its first part "
      + "went out is given up and written again as parts: every line once, the corrupt object kept")
  void streamGivenUpForObjectsNotAsListed(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-stream-odd");
    FluentBitLogs.Container big = pod.container("big", "1");
    pod.putLarge(big, "202611252100", 0, Format.GZIP, 2_600_000);
    pod.putLarge(big, "202611252100", 1, Format.GZIP, 2_800_000);
    byte[] good = FluentBitLogs.gzipLines(List.of("{\"log\":\"x\"}", "{\"log\":\"y\"}"));
    String truncated = big.rawKey("202611252100", 2);
    pod.putBytes(truncated, Arrays.copyOf(good, good.length - 5));
    pod.putLarge(big, "202611252100", 3, Format.PLAIN, 1_000_000);
    pod.putLarge(big, "202611252101", 0, Format.GZIP, 2_600_000);

    RunResult r = fx.compactor(64L << 20, FIVE_MIB_PARTS_STREAMED, Failpoints.NONE).compact("job-stream-odd");
    assertThat(r.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(r.mergedRawFiles()).isEqualTo(4);
    assertThat(r.rejectedRawFiles()).isEqualTo(1);

    assertThat(fx.count("compactor.compaction.streams.given_up")).isEqualTo(1);
    assertThat(fx.count("compactor.compaction.files.written", "upload", "multipart")).isEqualTo(1);
    assertThat(fx.count("compactor.compaction.raw.merged", "format", "gzip")).as("each counted once").isEqualTo(3);
    PodLines lines = pod.read();
    assertThat(mergedContent(fx, lines.metadata(), big.id())).isEqualTo(pod.expectedContent(big.id()));
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(lines.metadata().rejectedRawKeys()).extracting(JobMetadata.RejectedRaw::key).containsExactly(truncated);
    assertThat(fx.keys(Keys.rawPodPrefix("job-stream-odd"))).contains(truncated);
    assertThat(fx.keysBesidesCutOffPuts(Keys.dataPodPrefix("job-stream-odd")))
        .containsExactly(lines.metadata().logFiles().get(0).key());
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
  }

  private static final CompactionSettings FIVE_MIB_PARTS_STREAMED =
      new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 8L << 20, true, 1, 8);

  /**
   * 5 MiB parts, streamed from the first: with {@link #CUT_AT_14_MIB}, {@link #twelveLargeObjects} make a file of
   * three parts (two uploading while the third fills), then one of two.
   */
  private static final CompactionSettings FIVE_MIB_PARTS =
      new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 8L << 20, false, 1, 8);
  private static final long CUT_AT_14_MIB = 14L << 20;

  private static FluentBitLogs.Container twelveLargeObjects(TestPod pod) throws Exception {
    FluentBitLogs.Container big = pod.container("big", "1");
    for (int i = 0; i < 12; i++) pod.putLarge(big, "202611252100", i, Format.GZIP, 2_600_000);
    return big;
  }

  /** The container's merged files, {@code files} multipart uploads all completed, hold exactly its raw contents. */
  private void assertMultipartFiles(EngineFixture fx, TestPod pod, PodLines lines, FluentBitLogs.Container c,
                                    int files) throws Exception {
    assertThat(mergedContent(fx, lines.metadata(), c.id())).isEqualTo(pod.expectedContent(c.id()));
    assertThat(fx.count("compactor.compaction.files.written", "upload", "multipart")).isEqualTo(files);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("unreadable metadata, or metadata of a newer version, makes the run refuse the pod and touch nothing")
  void refusesMetadata(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-refused");
    String key = pod.put(pod.container("app", "1"), "202611252000", 0, Format.GZIP, 2);
    for (String json : List.of("{not json", "{\"version\":99,\"pod\":\"job-refused\"}")) {
      fx.s3().putObject(b -> b.bucket(fx.bucket()).key(Keys.metadataKey("job-refused")), RequestBody.fromString(json));
      assertThat(fx.compactor().compact("job-refused").status()).isEqualTo(RunResult.Status.REFUSED);
      assertThat(fx.compactor().drainer().drain("job-refused", Duration.ZERO).status()).isEqualTo(RunResult.Status.REFUSED);
      assertThat(fx.keys(Keys.DATA_PREFIX)).isEmpty();
      assertThat(fx.keys(Keys.rawPodPrefix("job-refused"))).containsExactly(key);
      assertThat(new String(fx.s3().getObjectAsBytes(b -> b.bucket(fx.bucket()).key(Keys.metadataKey("job-refused")))
          .asByteArray(), StandardCharsets.UTF_8)).isEqualTo(json);
    }
    assertThat(fx.count("compactor.compaction.metadata.refused")).isEqualTo(4);
  }

  @Test
  @DisplayName("of two instances merging one pod at once, one commits; the other replies busy and removes its own files")
  void lostCommit(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-race");
    FluentBitLogs.Container app = pod.container("app", "1");
    for (int i = 0; i < 5; i++) pod.put(app, "202611252000", i, Format.GZIP, 3);
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    PodCompactor slow = fx.compactor(64L << 20, CompactionSettings.DEFAULTS, (step, p) -> {
      if (step == Failpoints.Step.DATA_WRITTEN) {
        paused.countDown();
        try {
          resume.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    CompletableFuture<RunResult> slowRun = CompletableFuture.supplyAsync(() -> {
      try {
        return slow.compact("job-race");
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
    String slowFile = Keys.dataKey("job-race", app.id(), "202611252000", 0);
    assertThat(fx.keys(Keys.dataPodPrefix("job-race"))).containsExactly(slowFile);

    RunResult fast = fx.compactor().compact("job-race");
    assertThat(fast.status()).isEqualTo(RunResult.Status.MERGED);
    resume.countDown();
    RunResult lost = slowRun.get(30, TimeUnit.SECONDS);

    assertThat(lost.status()).isEqualTo(RunResult.Status.BUSY);
    PodLines lines = pod.read();
    assertThat(lines.metadata().logFiles()).extracting(JobMetadata.MergedFile::key)
        .containsExactly(Keys.dataKey("job-race", app.id(), "202611252000", 1));
    assertThat(fx.keys(Keys.dataPodPrefix("job-race"))).doesNotContain(slowFile).hasSize(1);
    assertThat(fx.count("compactor.compaction.commits.lost")).isEqualTo(1);
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("a raw key uploaded again with new content after its merge is not deleted but merged again")
  void reuploadedKey(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-again");
    FluentBitLogs.Container app = pod.container("app", "1");
    String key = pod.put(app, "202611252000", 0, Format.GZIP, 3);
    PodCompactor compactor = fx.compactor();
    compactor.compact("job-again");

    // Fluent Bit restarted without its index: the same key again, other lines. Both versions must survive.
    List<String> firstLines = pod.expectedLines();
    List<String> newer = List.of(app.record(java.time.Instant.now(), "stdout", "after restart 1"),
        app.record(java.time.Instant.now(), "stdout", "after restart 2"));
    pod.putBytes(key, FluentBitLogs.gzipLines(newer));
    RunResult second = compactor.compact("job-again");
    assertThat(second.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(second.deletedRawKeys()).isZero();
    assertThat(fx.count("compactor.compaction.raw.changed")).isEqualTo(1);
    List<String> all = new ArrayList<>(firstLines);
    all.addAll(newer);
    pod.read().assertEveryLineExactlyOnce(all);

    compactor.compact("job-again");
    assertThat(fx.keys(Keys.rawPodPrefix("job-again"))).isEmpty();
    PodLines lines = pod.read();
    assertThat(lines.metadata().logFiles()).hasSize(2);
    lines.assertEveryLineExactlyOnce(all);
  }

  @Test
  @DisplayName("unreferenced data objects are deleted once older than the safety age, referenced ones never")
  void orphans(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-orphan");
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    String orphan = Keys.dataKey("job-orphan", app.id(), "202611251900", 7);
    fx.s3().putObject(b -> b.bucket(fx.bucket()).key(orphan), RequestBody.fromBytes(FluentBitLogs.gzipLines(List.of("x"))));
    PodCompactor compactor = fx.compactor();
    assertThat(compactor.compact("job-orphan").orphansDeleted()).isZero();
    assertThat(fx.keys(Keys.dataPodPrefix("job-orphan"))).contains(orphan).hasSize(2);
    // A crashed multipart upload, too.
    fx.s3().createMultipartUpload(b -> b.bucket(fx.bucket()).key(Keys.dataKey("job-orphan", app.id(), "202611251900", 8)));

    fx.clock.advance(Duration.ofHours(2));
    RunResult later = compactor.compact("job-orphan");
    assertThat(later.orphansDeleted()).isEqualTo(1);
    assertThat(fx.keys(Keys.dataPodPrefix("job-orphan"))).doesNotContain(orphan).hasSize(1);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("without metadata no data object is ever deleted as an orphan: lost metadata must not cost merged data")
  void noOrphansWithoutMetadata(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-lost");
    FluentBitLogs.Container app = pod.container("app", "1");
    String old = Keys.dataKey("job-lost", app.id(), "202611251900", 0);
    fx.s3().putObject(b -> b.bucket(fx.bucket()).key(old), RequestBody.fromBytes(FluentBitLogs.gzipLines(List.of("x"))));
    fx.clock.advance(Duration.ofDays(2));
    RunResult r = fx.compactor().compact("job-lost");
    assertThat(r.status()).isEqualTo(RunResult.Status.NOTHING);
    assertThat(r.orphansDeleted()).isZero();
    assertThat(fx.keys(Keys.dataPodPrefix("job-lost"))).containsExactly(old);
  }

  @Test
  @DisplayName("draining an idle pod merges what is left, deletes every raw file and its cleanup marker; an active pod is left")
  void drain(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-drain");
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    PodCompactor compactor = fx.compactor();
    compactor.compact("job-drain");
    pod.put(app, "202611252001", 0, Format.GZIP, 3);
    assertThat(fx.keys(Keys.cleanupKey("job-drain"))).hasSize(1);

    assertThat(compactor.drainer().drain("job-drain", Duration.ofMinutes(5)).status()).isEqualTo(RunResult.Status.ACTIVE);
    assertThat(fx.keys(Keys.rawPodPrefix("job-drain"))).hasSize(2);

    fx.clock.advance(Duration.ofMinutes(6));
    RunResult drained = compactor.drainer().drain("job-drain", Duration.ofMinutes(5));
    assertThat(drained.status()).isEqualTo(RunResult.Status.DRAINED);
    assertThat(drained.mergedRawFiles()).isEqualTo(1);
    assertThat(drained.deletedRawKeys()).isEqualTo(2);
    assertThat(fx.keys(Keys.rawPodPrefix("job-drain"))).isEmpty();
    assertThat(fx.keys(Keys.cleanupKey("job-drain"))).isEmpty();
    PodLines lines = pod.read();
    assertThat(lines.metadata().mergedRawKeys()).isEmpty();
    lines.assertEveryLineExactlyOnce(pod.expectedLines());
  }

  @Test
  @DisplayName("a pod listed in several pages is merged whole, in upload order, each raw object fetched once; the first "
      + "page's objects are fetched while the next page is listed")
  void listingOfSeveralPages(LocalServers servers) throws Exception {
    EngineFixture fx = fixture(servers);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-pages");
    FluentBitLogs.Container app = pod.container("app", "run-1");
    FluentBitLogs.Container side = pod.container("sidecar", "run-1");
    DateTimeFormatter minutes = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
    Instant start = Instant.parse("2026-11-25T20:00:00Z");
    // Twelve uploads a minute: "_10" and "_11" list before "_2", so listing order is not upload order.
    for (int i = 0; i < 1_150; i++) {
      pod.put(app, minutes.format(start.plusSeconds(i / 12 * 60L)), i % 12, i % 7 == 0 ? Format.PLAIN : Format.GZIP,
          1 + i % 3);
    }
    for (int i = 0; i < 60; i++) pod.put(side, minutes.format(start.plusSeconds(i * 60L)), 0, Format.GZIP, 2);
    S3RequestCounter requests = new S3RequestCounter(new SimpleMeterRegistry());
    S3Client client = AwsClients.s3(fx.env.config(Map.of()), requests);
    S3Store store = new S3Store(fx.vertx, client, fx.bucket(), 8);
    try {
      PodCompactor compactor = new PodCompactor(store, 64L << 20, Duration.ofHours(1), CompactionSettings.DEFAULTS,
          fx.clock, Failpoints.NONE, fx.metrics);
      RunResult run = compactor.compact("job-pages");

      assertThat(run.status()).isEqualTo(RunResult.Status.MERGED);
      assertThat(run.mergedRawFiles()).isEqualTo(1_210);
      PodLines lines = pod.read();
      for (FluentBitLogs.Container c : List.of(app, side)) {
        assertThat(mergedContent(fx, lines.metadata(), c.id())).as("container %s", c.id())
            .isEqualTo(pod.expectedContent(c.id()));
      }
      lines.assertEveryLineExactlyOnce(pod.expectedLines());
      assertThat(requests.count("ListObjectsV2")).as("two pages of raw keys, one of merged files").isEqualTo(3);
      assertThat(requests.count("GetObject")).as("each raw object once, and the metadata").isEqualTo(1_211);
      assertThat(fx.count("compactor.compaction.raw.fetched_early")).isBetween(1.0, 1_000.0);
    } finally {
      store.close();
      client.close();
    }
  }
}
