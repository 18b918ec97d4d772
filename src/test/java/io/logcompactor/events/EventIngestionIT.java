package io.logcompactor.events;

import static io.logcompactor.events.Probes.count;
import static io.logcompactor.events.Probes.messagesOnQueue;
import static io.logcompactor.events.Probes.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.Service;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.tracking.MergeRecorder;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/** Issue 3's acceptance, end to end: PUTs into the bucket, notifications through the bridge, a whole Service. */
@ExtendWith(LocalServersExtension.class)
class EventIngestionIT {
  /** Tracker and SQS consumer only: a MergeRecorder stands in for compaction on MERGE_POD. */
  private static Service ingestionOnly(io.logcompactor.config.CompactorConfig config) throws Exception {
    return Service.start(config, java.util.EnumSet.of(Service.Component.TRACKING, Service.Component.EVENTS));
  }

  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private Service service;

  @AfterEach
  void stop() throws Exception {
    if (service != null) service.stop().await(30, TimeUnit.SECONDS);
  }

  private static void upload(LocalServers.Environment env, String key) {
    env.s3().putObject(b -> b.bucket(env.bucket()).key(key),
        RequestBody.fromBytes(FluentBitLogs.gzipLines(List.of("{\"log\":\"line\"}"))));
  }

  private static FluentBitLogs.Container container(String pod) {
    return FluentBitLogs.Container.of(pod, "jobs", "main", pod);
  }

  private static String rawKey(String pod, int i) {
    return container(pod).rawKey(T0.plusSeconds(60L * i), i);
  }

  @Test
  @DisplayName("threshold 3: three uploads of job-1 ask for exactly one merge; two uploads of job-10 ask for none")
  void thresholdTriggersExactlyOneMerge(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("ingest-threshold");
    service = ingestionOnly(env.config(Map.of("COMPACTOR_MERGE_THRESHOLD", "3")));
    MergeRecorder merges = MergeRecorder.alwaysMerged(service.vertx());

    for (int i = 0; i < 2; i++) upload(env, rawKey("job-10", i));
    for (int i = 0; i < 3; i++) upload(env, rawKey("job-1", i));

    await().atMost(15, TimeUnit.SECONDS).until(() -> merges.requestsFor("job-1").size() == 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> pending(service.vertx(), "job-10") == 2);
    // Everything has been received and handled: nothing more may come.
    await().atMost(10, TimeUnit.SECONDS).until(() -> messagesOnQueue(env, env.queueUrl()) == 0);
    assertThat(merges.requests()).containsExactly(new MergeRecorder.Request("job-1", "threshold"));
    assertThat(pending(service.vertx(), "job-1")).isZero();
    assertThat(count(service.registry(), "compactor.tracking.merges.requested", "cause", "threshold")).isEqualTo(1);
    assertThat(count(service.registry(), "compactor.events.events", "kind", "created")).isEqualTo(5);
    assertThat(count(service.registry(), "compactor.events.messages.deleted")).isEqualTo(5);
  }

  @Test
  @DisplayName("threshold 3: two uploads ask for no merge until the compaction timer fires, then for one")
  void timerMergesPodsBelowThreshold(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("ingest-timer");
    service = ingestionOnly(env.config(Map.of("COMPACTOR_MERGE_THRESHOLD", "3",
        "COMPACTOR_COMPACTION_INTERVAL", "3s")));
    MergeRecorder merges = MergeRecorder.alwaysMerged(service.vertx());
    long started = System.nanoTime();

    upload(env, rawKey("slow-job", 0));
    upload(env, rawKey("slow-job", 1));

    await().atMost(15, TimeUnit.SECONDS).until(() -> !merges.requests().isEmpty());
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(merges.requests().get(0)).isEqualTo(new MergeRecorder.Request("slow-job", "timer"));
    assertThat(merges.requests()).noneMatch(r -> r.cause().equals("threshold"));
    assertThat(waitedMs).isGreaterThanOrEqualTo(2_000); // the first tick, not the uploads, triggered it
    await().atMost(5, TimeUnit.SECONDS).until(() -> pending(service.vertx(), "slow-job") == 0);
  }

  @Test
  @DisplayName("a duplicate notification counts once; SNS-wrapped and EventBridge envelopes are tracked; a TestEvent,"
      + " other buckets, deletions and the service's own keys are deleted from the queue and ignored")
  void envelopesDuplicatesAndIgnoredEvents(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("ingest-envelopes");
    service = ingestionOnly(env.config(Map.of()));
    String pod = "envelopes";
    String direct = servers.bridge().event(env.bucket(), rawKey(pod, 0), 10, "etag0", "ObjectCreated:Put");
    String inner = servers.bridge().event(env.bucket(), rawKey(pod, 1), 10, "etag1", "ObjectCreated:Put");
    String sns = new JsonObject().put("Type", "Notification").put("MessageId", "sns-1")
        .put("TopicArn", "arn:aws:sns:us-east-1:000000000000:t").put("Message", inner).encode();
    String eventBridge = new JsonObject().put("version", "0").put("id", "eb-1")
        .put("detail-type", "Object Created").put("source", "aws.s3").put("time", "2026-11-25T20:05:00Z")
        .put("detail", new JsonObject()
            .put("bucket", new JsonObject().put("name", env.bucket()))
            .put("object", new JsonObject().put("key", rawKey(pod, 2)).put("size", 10)))
        .encode();
    String test = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2026-11-25T20:00:00.089Z\","
        + "\"Bucket\":\"" + env.bucket() + "\",\"RequestId\":\"1\",\"HostId\":\"2\"}";
    String otherBucket = servers.bridge().event("someone-elses-logs", rawKey(pod, 3), 10, "e", "ObjectCreated:Put");
    String deletion = servers.bridge().event(env.bucket(), rawKey(pod, 4), 0, null, "ObjectRemoved:Delete");
    for (String body : List.of(direct, direct, sns, eventBridge, test, otherBucket, deletion)) {
      env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody(body));
    }
    // The service's own writes come back as notifications through the bridge, as on AWS without a prefix filter.
    upload(env, Keys.dataKey(pod, container(pod).id(), "202611252000", 0));
    upload(env, Keys.metadataKey(pod));
    upload(env, Keys.cleanupKey(pod));

    await().atMost(15, TimeUnit.SECONDS).until(() -> count(service.registry(), "compactor.events.messages.deleted") == 10);
    assertThat(pending(service.vertx(), pod)).isEqualTo(3);
    var r = service.registry();
    assertThat(count(r, "compactor.events.messages.received")).isEqualTo(10);
    assertThat(count(r, "compactor.events.events", "kind", "created")).isEqualTo(4);
    assertThat(count(r, "compactor.tracking.raw_files.tracked", "source", "event")).isEqualTo(3);
    assertThat(count(r, "compactor.tracking.raw_files.duplicate")).isEqualTo(1);
    assertThat(count(r, "compactor.events.events", "kind", "test")).isEqualTo(1);
    assertThat(count(r, "compactor.events.events", "kind", "ignored_bucket")).isEqualTo(1);
    assertThat(count(r, "compactor.events.events", "kind", "ignored_event")).isEqualTo(1);
    assertThat(count(r, "compactor.events.events", "kind", "ignored_key")).isEqualTo(3);
    assertThat(count(r, "compactor.events.events", "kind", "malformed")).isZero();
    assertThat(messagesOnQueue(env, env.queueUrl())).isZero();
    assertThat(messagesOnQueue(env, env.dlqUrl())).isZero();
  }

  @Test
  @DisplayName("raw files uploaded while the service was down are tracked at start, minus those metadata lists as "
      + "merged, and a pod at the threshold gets a merge with cause reconcile")
  void reconcileTracksUploadsMadeWhileDown(LocalServers servers) throws Exception {
    // No notifications at all: only the listing can find these files.
    LocalServers.Environment env = servers.newEnvironment("ingest-reconcile", 30, 5, k -> false);
    for (int i = 0; i < 3; i++) upload(env, rawKey("full", i));
    for (int i = 0; i < 3; i++) upload(env, rawKey("half", i));
    upload(env, rawKey("job-1", 0));
    upload(env, rawKey("job-10", 0));
    upload(env, rawKey("job-10", 1));
    JobMetadata half = new JobMetadata(JobMetadata.CURRENT_VERSION, "half", List.of(), List.of(rawKey("half", 0)),
        List.of(new JobMetadata.RejectedRaw(rawKey("half", 1), "corrupt gzip", T0.toString())), null, null);
    env.s3().putObject(b -> b.bucket(env.bucket()).key(Keys.metadataKey("half")),
        RequestBody.fromBytes(MetadataCodec.write(half)));

    service = ingestionOnly(env.config(Map.of("COMPACTOR_MERGE_THRESHOLD", "3")));
    MergeRecorder merges = MergeRecorder.alwaysMerged(service.vertx());

    // The first request may find no consumer yet (it registers after start): it is retried.
    await().atMost(20, TimeUnit.SECONDS).until(() -> !merges.requestsFor("full").isEmpty());
    assertThat(merges.requests()).containsOnly(new MergeRecorder.Request("full", "reconcile"));
    assertThat(pending(service.vertx(), "half")).isEqualTo(1);
    assertThat(pending(service.vertx(), "job-1")).isEqualTo(1);
    assertThat(pending(service.vertx(), "job-10")).isEqualTo(2);
    await().atMost(5, TimeUnit.SECONDS).until(() -> pending(service.vertx(), "full") == 0);
    assertThat(count(service.registry(), "compactor.tracking.raw_files.tracked", "source", "reconcile")).isEqualTo(7);
  }

  @Test
  @DisplayName("a pod whose merge fails keeps its raw files pending and is asked for again until it succeeds")
  void failedMergeIsRetried(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("ingest-retry");
    service = ingestionOnly(env.config(Map.of("COMPACTOR_MERGE_THRESHOLD", "2")));
    MergeRecorder merges = MergeRecorder.register(service.vertx(), r -> MergeRecorder.Answer.FAIL);

    upload(env, rawKey("flaky", 0));
    upload(env, rawKey("flaky", 1));
    await().atMost(15, TimeUnit.SECONDS).until(() -> merges.requests().size() >= 2);
    assertThat(pending(service.vertx(), "flaky")).isEqualTo(2);
    assertThat(count(service.registry(), "compactor.tracking.merges.failed", "reason", "error")).isGreaterThanOrEqualTo(2);

    merges.policy(r -> MergeRecorder.Answer.MERGED);
    await().atMost(Duration.ofSeconds(15)).until(() -> pending(service.vertx(), "flaky") == 0);
    assertThat(merges.requests()).allMatch(r -> r.equals(new MergeRecorder.Request("flaky", "threshold")));
  }
}
