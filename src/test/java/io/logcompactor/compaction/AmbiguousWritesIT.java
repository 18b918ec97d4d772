package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.compaction.TestPod.Format;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.faults.Fault;
import io.logcompactor.faults.FaultProxy;
import io.logcompactor.faults.FaultRule;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.PodLines;
import io.logcompactor.s3.S3Store;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes whose answer is lost. A metadata commit whose every SDK attempt fails without a usable answer: the run must
 * find out from the metadata whether it landed, and neither drop its merged files while they may be referenced nor
 * give up while trying again is safe. A create (If-None-Match) whose first attempt landed unanswered: the retry's
 * 412 must not make the run abandon its own object as someone else's.
 */
@ExtendWith(LocalServersExtension.class)
class AmbiguousWritesIT {
  private EngineFixture fx;
  private FaultProxy proxy;
  private S3Client client;
  private S3Store store;

  @AfterEach
  void close() throws Exception {
    if (store != null) store.close();
    if (client != null) client.close();
    if (proxy != null) proxy.close();
    if (fx != null) fx.close();
  }

  /** A pod merged once (so the next commit is an If-Match) with new raw files waiting. */
  private TestPod podWithPendingFiles(LocalServers servers, String name) throws Exception {
    fx = new EngineFixture(servers, name);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-" + name);
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    assertThat(fx.compactor().compact(pod.pod).status()).isEqualTo(RunResult.Status.MERGED);
    pod.put(app, "202611252001", 0, Format.GZIP, 4);
    pod.put(app, "202611252002", 0, Format.PLAIN, 2);
    return pod;
  }

  /** A compactor whose S3 traffic goes through a fault proxy, with the service's own client settings. */
  private PodCompactor compactorThroughProxy(LocalServers servers) throws Exception {
    return compactorThroughProxy(servers, CompactionSettings.DEFAULTS);
  }

  private PodCompactor compactorThroughProxy(LocalServers servers, CompactionSettings settings) throws Exception {
    proxy = FaultProxy.start("s3-commit", servers.s3Endpoint());
    client = AwsClients.s3(fx.env.config(Map.of(CompactorConfig.S3_ENDPOINT, proxy.endpoint().toString())));
    store = new S3Store(fx.vertx, client, fx.bucket(), 8);
    return new PodCompactor(store, 64L << 20, Duration.ofHours(1), settings, fx.clock, Failpoints.NONE, fx.metrics);
  }

  /**
   * The first PUT lands but its answer is lost (the proxy resets the connection); the proxy answers every later
   * attempt with a 500 itself, so no attempt ever reports the 412 that would tell.
   */
  private static FaultRule[] firstLandsThenNoAnswer(String target) {
    return new FaultRule[] {FaultRule.of(Fault.RESET_MID_BODY).method("PUT").target(target).limit(1),
        FaultRule.of(Fault.INTERNAL_ERROR).method("PUT").target(target).limit(AwsClients.S3_MAX_ATTEMPTS - 1)};
  }

  private static FaultRule everyMetadataPutAttempt(Fault fault) {
    return FaultRule.of(fault).method("PUT").target("/metadata/").limit(AwsClients.S3_MAX_ATTEMPTS);
  }

  @Test
  @DisplayName("a commit refused with 500 on every attempt, the metadata unchanged: tried again, merged, nothing lost")
  void unchangedMetadataIsCommittedAgain(LocalServers servers) throws Exception {
    TestPod pod = podWithPendingFiles(servers, "commit-500");
    PodCompactor compactor = compactorThroughProxy(servers);
    proxy.rules(everyMetadataPutAttempt(Fault.INTERNAL_ERROR));

    RunResult run = compactor.compact(pod.pod);

    assertThat(run.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(proxy.injected(Fault.INTERNAL_ERROR)).isEqualTo(AwsClients.S3_MAX_ATTEMPTS);
    assertThat(fx.count("compactor.compaction.commits.retried")).isEqualTo(1);
    assertThat(fx.count("compactor.compaction.commits.lost")).isZero();
    assertSettled(pod);
  }

  @Test
  @DisplayName("a commit that landed but whose answers were all lost: recognised from the metadata, its files kept")
  void landedCommitIsRecognised(LocalServers servers) throws Exception {
    TestPod pod = podWithPendingFiles(servers, "commit-lost-answer");
    PodCompactor compactor = compactorThroughProxy(servers);
    proxy.rules(firstLandsThenNoAnswer("/metadata/"));

    RunResult run = compactor.compact(pod.pod);

    assertThat(run.status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
    assertThat(proxy.injected(Fault.INTERNAL_ERROR)).isEqualTo(AwsClients.S3_MAX_ATTEMPTS - 1);
    assertThat(fx.count("compactor.compaction.commits.retried")).isZero();
    assertThat(fx.count("compactor.compaction.commits.lost")).isZero();
    assertSettled(pod);
  }

  @Test
  @DisplayName("a clean-only commit (no new files) that landed but whose answers were all lost: recognised as its own")
  void landedCleanOnlyCommitIsRecognised(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "commit-clean-only");
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-clean-only");
    FluentBitLogs.Container app = pod.container("app", "1");
    pod.put(app, "202611252000", 0, Format.GZIP, 3);
    pod.put(app, "202611252000", 1, Format.GZIP, 2);
    assertThat(fx.compactor().compact(pod.pod).status()).isEqualTo(RunResult.Status.MERGED);
    PodCompactor compactor = compactorThroughProxy(servers);
    proxy.rules(firstLandsThenNoAnswer("/metadata/"));

    RunResult run = compactor.compact(pod.pod);

    assertThat(run.status()).isEqualTo(RunResult.Status.NOTHING);
    assertThat(run.deletedRawKeys()).isEqualTo(2);
    assertThat(proxy.injectedTotal()).isEqualTo(AwsClients.S3_MAX_ATTEMPTS);
    assertThat(fx.count("compactor.compaction.commits.lost")).isZero();
    assertSettled(pod);
  }

  @Test
  @DisplayName("a merged file whose PUT landed but whose answer was lost is this run's own: kept under its name, no orphan")
  void landedDataFileIsKept(LocalServers servers) throws Exception {
    TestPod pod = podWithPendingFiles(servers, "data-lost-answer");
    PodCompactor compactor = compactorThroughProxy(servers);
    proxy.rules(FaultRule.of(Fault.RESET_MID_BODY).method("PUT").target("/data/").limit(1));

    assertThat(compactor.compact(pod.pod).status()).isEqualTo(RunResult.Status.MERGED);

    assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
    JobMetadata m = pod.read().metadata();
    assertThat(m.logFiles()).hasSize(2);
    assertThat(m.logFiles().get(1).key()).endsWith("_1.gz");
    assertSettled(pod);
  }

  @Test
  @DisplayName("a multipart file whose claim (placeholder PUT) landed but whose answer was lost keeps its name")
  void landedPlaceholderIsKept(LocalServers servers) throws Exception {
    TestPod pod = mergeLargeObjectsWithFault(servers, "claim-lost-answer", 2,
        new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 1L << 20, false, 1, 8),
        FaultRule.of(Fault.RESET_MID_BODY).method("PUT").target("/data/").limit(1));

    JobMetadata m = pod.read().metadata();
    assertThat(m.logFiles()).singleElement().satisfies(f -> assertThat(f.key()).endsWith("_0.gz"));
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertSettled(pod);
  }

  @Test
  @DisplayName("a streamed file whose PUT fails is written again as parts")
  void failedStreamIsWrittenAgainAsParts(LocalServers servers) throws Exception {
    TestPod pod = mergeLargeObjectsWithFault(servers, "stream-fails", 3, STREAMED, onStreamedPut(Fault.INTERNAL_ERROR));

    assertThat(fx.count("compactor.compaction.streams.given_up")).isEqualTo(1);
    assertThat(fx.count("compactor.compaction.files.written", "upload", "multipart")).isEqualTo(1);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertSettled(pod);
  }

  @Test
  @DisplayName("a streamed file that landed but whose answer was lost is kept, not written again")
  void landedStreamIsKept(LocalServers servers) throws Exception {
    TestPod pod = mergeLargeObjectsWithFault(servers, "stream-lost-answer", 3, STREAMED,
        onStreamedPut(Fault.RESET_MID_BODY));

    assertThat(fx.count("compactor.compaction.streams.given_up")).isZero();
    assertThat(fx.count("compactor.compaction.files.written", "upload", "streamed")).isEqualTo(1);
    assertSettled(pod);
  }

  /** {@code fault} once, on a streamed file's PUT: the claim is the first PUT under data/, the file the second. */
  private static FaultRule onStreamedPut(Fault fault) {
    return FaultRule.of(fault).method("PUT").target("/data/").everyNth(2).limit(1);
  }

  /** Merges a pod of {@code objects} raw objects of 3.5 MB (one file) through the proxy, {@code rule} injected once. */
  private TestPod mergeLargeObjectsWithFault(LocalServers servers, String name, int objects,
                                             CompactionSettings settings, FaultRule rule) throws Exception {
    fx = new EngineFixture(servers, name);
    TestPod pod = new TestPod(fx.s3(), fx.bucket(), "job-" + name);
    FluentBitLogs.Container big = pod.container("big", "1");
    for (int i = 0; i < objects; i++) pod.putLarge(big, "202611252000", i, Format.GZIP, 3_500_000);
    PodCompactor compactor = compactorThroughProxy(servers, settings);
    proxy.rules(rule);

    assertThat(compactor.compact(pod.pod).status()).isEqualTo(RunResult.Status.MERGED);
    assertThat(proxy.injected(rule.fault())).isEqualTo(1);
    return pod;
  }

  /** 5 MiB parts; a file larger than one streams. */
  private static final CompactionSettings STREAMED =
      new CompactionSettings(5 << 20, 5 << 20, 4L << 20, 1L << 20, true, 1, 8);

  /** Every line once now; a later run deletes what was merged and leaves every data object referenced. */
  private void assertSettled(TestPod pod) throws Exception {
    pod.read().assertEveryLineExactlyOnce(pod.expectedLines());
    fx.compactor().compact(pod.pod);
    PodLines settled = pod.read();
    settled.assertEveryLineExactlyOnce(pod.expectedLines());
    assertThat(settled.metadata().mergedRawKeys()).isEmpty();
    assertThat(fx.keys(Keys.rawPodPrefix(pod.pod))).isEmpty();
    assertThat(fx.keys(Keys.dataPodPrefix(pod.pod))).containsExactlyInAnyOrderElementsOf(
        settled.metadata().logFiles().stream().map(JobMetadata.MergedFile::key).toList());
  }
}
