package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.faults.Fault;
import io.logcompactor.faults.FaultProxy;
import io.logcompactor.faults.FaultRule;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.NotificationBridge;
import io.logcompactor.soak.Figures;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.LogProducer;
import io.logcompactor.soak.ReadApi;
import io.logcompactor.soak.Scrape;
import io.logcompactor.soak.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Bad input of every kind, fed end to end to one service process while healthy pods upload beside it. Each gets a
 * clear logged error or warning and a counter on /metrics, and loses nothing: the healthy pods' lines, and the good
 * lines of the pods the bad input belongs to, are served exactly once; nothing the service cannot merge is deleted.
 * (Parsing details are unit-tested in the engines; the read API's parameter validation in ReadApiIT.)
 */
@ExtendWith(LocalServersExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
  private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

  private LocalServers.Environment env;
  private FaultProxy s3Proxy;
  private ServiceProcess service;
  private LogProducer neighbours;
  private final AtomicLong badInputs = new AtomicLong();
  private LineCheck checked = LineCheck.none();

  @BeforeAll
  void start(LocalServers servers) throws Exception {
    // Two receives before the dead-letter queue; the "dbl" object's own notification is lost on purpose.
    env = servers.newEnvironment("bad-input", 10, 2, key -> !key.contains("dbl-job_"));
    s3Proxy = FaultProxy.start("s3-bad-input", servers.s3Endpoint());
    service = ServiceProcess.start("bad-input", env, Soak.fastSettings(Map.of(
        CompactorConfig.S3_ENDPOINT, s3Proxy.endpoint().toString())));
    service.awaitReady(Duration.ofSeconds(90));
    neighbours = new LogProducer(env, "good-job", 3, 3, 11L);
    neighbours.startBackground(Duration.ofMillis(500), 30);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      neighbours.stop();
      Soak.awaitConverged(env, neighbours.ledger(), Duration.ofMinutes(2));
      checked = checked.plus(Soak.checkEverything(service.base(), env, neighbours.ledger()));
      assertThat(service.isAlive()).as("the service survived every bad input").isTrue();
      Figures.record("bad-input suite", 0, 0, badInputs.get(), checked);
      assertThat(service.terminate(Duration.ofSeconds(30))).hasValue(0);
    } finally {
      neighbours.close();
      service.close();
      s3Proxy.close();
    }
  }

  private double metric(String name, String... labels) throws Exception {
    return Scrape.of(service).sum(name, labels);
  }

  private void awaitMetric(String name, double atLeast, String... labels) {
    await(name + " >= " + atLeast).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> metric(name, labels) >= atLeast);
  }

  private void awaitLogged(String regex) {
    Pattern p = Pattern.compile(regex);
    await("log line /" + regex + "/").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> !service.linesMatching(p).isEmpty());
  }

  private static FluentBitLogs.Container container(String pod) {
    return FluentBitLogs.Container.of(pod, "jobs", "main", pod);
  }

  /** A gzip object of {@code n} records at raw key index {@code index}; returns the messages. */
  private List<String> upload(FluentBitLogs.Container c, int index, int n) {
    List<String> messages = new ArrayList<>();
    List<String> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String m = c.pod() + " " + c.name() + " seq=" + String.format("%07d", index * 100 + i) + " ok";
      messages.add(m);
      records.add(c.record(T0.plusSeconds(index * 60L + i), "stdout", m));
    }
    put(c.rawKey(T0.plusSeconds(index * 60L), index), FluentBitLogs.gzipLines(records));
    return messages;
  }

  private void put(String key, byte[] body) {
    env.s3().putObject(b -> b.bucket(env.bucket()).key(key), RequestBody.fromBytes(body));
  }

  private boolean exists(String key) {
    try {
      env.s3().headObject(b -> b.bucket(env.bucket()).key(key));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      return false;
    }
  }

  private LineCheck expectLog(String pod, List<String> expected) throws Exception {
    await(pod + " served exactly once").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .until(() -> LineCheck.of(expected, ReadApi.jobLog(service.base(), pod), LineCheck::producerContainer)
            .exactlyOnce());
    LineCheck c = LineCheck.of(expected, ReadApi.jobLog(service.base(), pod), LineCheck::producerContainer);
    checked = checked.plus(c);
    return c;
  }

  @Test
  @DisplayName("a non-JSON and a truncated SQS message are logged with their message ids, counted as malformed, and moved to the dead-letter queue by the redrive policy, not deleted")
  void malformedMessages() throws Exception {
    String valid = env.servers().bridge().event(env.bucket(), container("sqs-job").rawKey(T0, 0), 10, "abc",
        "ObjectCreated:Put");
    String notJson = env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody("this is not JSON {")).messageId();
    String truncated = env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl())
        .messageBody(valid.substring(0, valid.length() / 2))).messageId();
    badInputs.addAndGet(2);

    awaitLogged("malformed SQS message " + notJson);
    awaitLogged("malformed SQS message " + truncated);
    awaitMetric("compactor_events_events_total", 2, "kind", "malformed");
    List<String> inDlq = new ArrayList<>();
    await("both in the dead-letter queue").atMost(Duration.ofSeconds(90)).until(() -> {
      for (Message m : env.sqs().receiveMessage(b -> b.queueUrl(env.dlqUrl()).maxNumberOfMessages(10)
          .waitTimeSeconds(1)).messages()) {
        inDlq.add(m.messageId());
      }
      return inDlq.contains(notJson) && inDlq.contains(truncated);
    });
  }

  @Test
  @DisplayName("notifications for another bucket and for keys outside the raw format (with '..', unicode, 1,024 bytes long) are logged as warnings, counted and ignored, and the service deletes none of those objects")
  void foreignAndMalformedKeys() throws Exception {
    NotificationBridge bridge = env.servers().bridge();
    double ignoredBucket = metric("compactor_events_events_total", "kind", "ignored_bucket");
    double ignoredKey = metric("compactor_events_events_total", "kind", "ignored_key");
    AtomicLong warned = service.watch(Pattern.compile("WARN .*ignoring .* not a raw log key"));
    String cid = FluentBitLogs.containerId("bad-keys");
    env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody(bridge.event("someone-elses-bucket",
        container("other-bucket-job").rawKey(T0, 0), 10, "abc", "ObjectCreated:Put")));
    List<String> keys = new ArrayList<>(List.of(
        "kube.var.log.containers.dots-job_jobs_main-" + cid + "/../../metadata/good-job-0.json",
        "kube.var.log.containers.j\u00f6b-\u65e5\u672c_jobs_main-" + cid + "/202611260600_0.gz",
        "notes/readme.txt"));
    StringBuilder longKey = new StringBuilder("kube.var.log.containers.long-job_jobs_main-" + cid + "/");
    while (longKey.length() < 1024 - 3) longKey.append(longKey.length() % 200 == 0 ? '/' : 'x');
    longKey.append(".gz");
    keys.add(longKey.toString());
    assertThat(longKey.toString().getBytes(StandardCharsets.UTF_8)).hasSize(1024);
    List<String> stored = new ArrayList<>();
    for (String key : keys) {
      try {
        put(key, FluentBitLogs.gzipLines(List.of("{\"log\":\"must stay\"}")));
        stored.add(key);
      } catch (software.amazon.awssdk.core.exception.SdkException e) {
        // The store refused the key: S3 would not, so tell the service about it anyway.
        env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody(bridge.event(env.bucket(), key, 10, "abc",
            "ObjectCreated:Put")));
      }
    }
    badInputs.addAndGet(1 + keys.size());

    awaitMetric("compactor_events_events_total", ignoredBucket + 1, "kind", "ignored_bucket");
    awaitMetric("compactor_events_events_total", ignoredKey + keys.size(), "kind", "ignored_key");
    awaitLogged("WARN .*ignoring .* for bucket someone-elses-bucket");
    await("a warning per bad key").atMost(Duration.ofSeconds(30)).until(() -> warned.get() >= keys.size());
    // A few compaction and reconcile cycles later the objects are all still there.
    AtomicLong reconciles = service.watch(Pattern.compile("reconciled in"));
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciles.get() >= 2);
    for (String key : stored) assertThat(exists(key)).as(key).isTrue();
  }

  @Test
  @DisplayName("a notification whose key was URL-encoded twice is counted and ignored; the object it names is still found by reconciliation and its lines served exactly once")
  void doubleEncodedKey() throws Exception {
    FluentBitLogs.Container c = container("dbl-job");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) expected.addAll(upload(c, i, 4));
    String once = NotificationBridge.encodeKey(c.rawKey(T0, 0)).replace("/", "%2F");
    env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody(
        env.servers().bridge().event(env.bucket(), once, 10, "abc", "ObjectCreated:Put")));
    badInputs.incrementAndGet();
    expectLog("dbl-job", expected);
    await("dbl-job merged").atMost(Duration.ofSeconds(60)).until(() -> exists(Keys.metadataKey("dbl-job")));
  }

  @Test
  @DisplayName("a zero-byte object, plain JSON lines under a .gz name and a 10 MiB single line are merged: counted by format, and every line served exactly once")
  void oddButValidObjects() throws Exception {
    double emptyBefore = metric("compactor_compaction_raw_merged_total", "format", "empty");
    double plainBefore = metric("compactor_compaction_raw_merged_total", "format", "plain");
    FluentBitLogs.Container c = container("odd-job");
    List<String> expected = new ArrayList<>(upload(c, 0, 3));
    put(c.rawKey(T0.plusSeconds(60), 1), new byte[0]);
    List<String> plain = List.of("odd-job main seq=0000200 plain one", "odd-job main seq=0000201 plain two");
    put(c.rawKey(T0.plusSeconds(120), 2), FluentBitLogs.plainLines(
        plain.stream().map(m -> c.record(T0.plusSeconds(121), "stdout", m)).toList()));
    expected.addAll(plain);
    StringBuilder huge = new StringBuilder("odd-job main seq=0000300 ");
    Random r = new Random(10);
    while (huge.length() < 10 * 1024 * 1024) huge.append((char) ('a' + r.nextInt(26)));
    put(c.rawKey(T0.plusSeconds(180), 3), FluentBitLogs.gzipLines(List.of(c.record(T0.plusSeconds(181), "stdout",
        huge.toString()))));
    expected.add(huge.toString());
    expected.addAll(upload(c, 4, 3));
    badInputs.addAndGet(3);

    awaitMetric("compactor_compaction_raw_merged_total", emptyBefore + 1, "format", "empty");
    awaitMetric("compactor_compaction_raw_merged_total", plainBefore + 1, "format", "plain");
    expectLog("odd-job", expected);
  }

  @Test
  @DisplayName("a corrupt gzip object is logged with its key, counted, listed as rejected and never deleted; the pod's good lines are served exactly once")
  void corruptGzip() throws Exception {
    double rejected = metric("compactor_compaction_raw_rejected_total");
    FluentBitLogs.Container c = container("corrupt-job");
    List<String> expected = new ArrayList<>(upload(c, 0, 3));
    byte[] garbage = new byte[3000];
    new Random(3).nextBytes(garbage);
    garbage[0] = 0x1f;
    garbage[1] = (byte) 0x8b;
    garbage[2] = 8;
    garbage[3] = 0;
    String corruptKey = c.rawKey(T0.plusSeconds(60), 1);
    put(corruptKey, garbage);
    expected.addAll(upload(c, 2, 3));
    expected.addAll(upload(c, 3, 3));
    badInputs.incrementAndGet();

    awaitLogged("corrupt-job.*" + Pattern.quote(corruptKey) + ".*corrupt");
    awaitMetric("compactor_compaction_raw_rejected_total", rejected + 1);
    expectLog("corrupt-job", expected);
    String meta = env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key(Keys.metadataKey("corrupt-job")))
        .asUtf8String();
    assertThat(meta).contains("rejected_raw_keys").contains(corruptKey);
    assertThat(exists(corruptKey)).isTrue();
  }

  @Test
  @DisplayName("a raw object deleted after the merge listed it and before it was read is logged and counted as gone, the merge still commits, and the rest of the pod is served exactly once")
  void deletedBetweenListingAndMerge() throws Exception {
    double gone = metric("compactor_compaction_raw_gone_total");
    FluentBitLogs.Container c = container("vanish-job");
    // Hold the answer to the merge's listing of this pod's raw files; S3 has already made the listing.
    s3Proxy.rules(FaultRule.of(Fault.LATENCY).method("GET").target("prefix=" + Pattern.quote(
        java.net.URLEncoder.encode(Keys.rawPodPrefix("vanish-job"), StandardCharsets.UTF_8))).limit(1)
        .latency(Duration.ofSeconds(3)));
    String doomed = c.rawKey(T0, 0);
    List<String> expected = new ArrayList<>();
    upload(c, 0, 3);
    expected.addAll(upload(c, 1, 3));
    expected.addAll(upload(c, 2, 3));
    await("the merge's listing held").atMost(Duration.ofSeconds(60)).until(() -> s3Proxy.injected(Fault.LATENCY) > 0);
    env.s3().deleteObject(b -> b.bucket(env.bucket()).key(doomed));
    badInputs.incrementAndGet();

    awaitMetric("compactor_compaction_raw_gone_total", gone + 1);
    awaitLogged("WARN .*vanish-job.*" + Pattern.quote(doomed) + ".*gone");
    expectLog("vanish-job", expected);
    s3Proxy.heal();
  }

  @Test
  @DisplayName("metadata that is corrupt JSON, or from a newer version, makes the service refuse to touch that pod, log it and count it: its raw files all stay")
  void unreadableMetadata() throws Exception {
    double refused = metric("compactor_compaction_metadata_refused_total");
    env.s3().putObject(b -> b.bucket(env.bucket()).key(Keys.metadataKey("badmeta-job")),
        RequestBody.fromString("{\"version\":1,\"pod\":\"badmeta-job\",\"log_files\":[{\"key\":"));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(Keys.metadataKey("newmeta-job")),
        RequestBody.fromString("{\"version\":99,\"pod\":\"newmeta-job\",\"log_files\":[],\"shards\":[]}"));
    List<String> rawKeys = new ArrayList<>();
    for (String pod : List.of("badmeta-job", "newmeta-job")) {
      FluentBitLogs.Container c = container(pod);
      for (int i = 0; i < 4; i++) {
        upload(c, i, 2);
        rawKeys.add(c.rawKey(T0.plusSeconds(i * 60L), i));
      }
    }
    badInputs.addAndGet(2);

    awaitLogged("badmeta-job.*(not valid JSON|refus)");
    awaitLogged("newmeta-job.*(version 99|refus)");
    awaitMetric("compactor_compaction_metadata_refused_total", refused + 2);
    AtomicLong reconciles = service.watch(Pattern.compile("reconciled in"));
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciles.get() >= 2);
    for (String key : rawKeys) assertThat(exists(key)).as(key).isTrue();
    // The reader refuses too, with an error rather than a partial log.
    for (String pod : List.of("badmeta-job", "newmeta-job")) {
      HttpResponse<String> r = service.get("/api/v1/jobs/" + pod + "/log");
      assertThat(r.statusCode()).as(pod + ": " + r.body()).isGreaterThanOrEqualTo(400);
    }
  }

  @Test
  @DisplayName("hostile requests (NUL, CR LF, unicode, encoded slashes and dots, huge numbers, a 3 KiB parameter) get a 4xx JSON error and are counted on /metrics, a 16 KiB request line gets 414 and a 16 KiB header 431, as JSON too, and the process keeps serving")
  void hostileHttp() throws Exception {
    double before = metric("compactor_http_bad_requests_total");
    String base = "/api/v1/jobs/";
    List<String> bad = List.of(base + "good-job-0%00/log", base + "good-job-0%0D%0AX-Injected:%201/log",
        base + "j%C3%B6b/log", base + "good-job-0%2F..%2Fgood-job-1/log", base + "%252E%252E/log",
        base + "good-job-0/log?container=" + "a".repeat(3 * 1024), base + "good-job-0/log?since=" + "9".repeat(40),
        base + "good-job-0/log?tail=0x10", base + "good-job-0/log?until=-1h", base + "good-job-0/log?follow=yes%00");
    // HTTP/1.1 as kubectl and curl speak it: no h2c upgrade dance.
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    int counted = 0;
    List<String> outcomes = new ArrayList<>();
    for (String path : bad) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(service.base() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      outcomes.add(r.statusCode() + " " + path.substring(0, Math.min(80, path.length())) + " -> "
          + r.body().substring(0, Math.min(120, r.body().length())));
      assertThat(r.statusCode()).as(String.join("\n", outcomes)).isBetween(400, 499);
      assertThat(r.body()).as(String.join("\n", outcomes)).contains("\"error\"");
      assertThat(r.headers().firstValue("X-Injected")).isEmpty();
      if (r.statusCode() == 400) counted++;
    }
    // Past the HTTP codec's limits (4 KiB request line, 8 KiB of headers) no route sees the request: still a JSON
    // error, counted, and the connection closed.
    HttpResponse<String> tooLong = client.send(HttpRequest.newBuilder(URI.create(service.base() + base
        + "good-job-0/log?container=" + "a".repeat(16 * 1024))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(tooLong.statusCode()).isEqualTo(414);
    assertThat(tooLong.body()).contains("\"error\"").contains("request line");
    HttpResponse<String> hugeHeader = client.send(HttpRequest.newBuilder(URI.create(service.base() + base
        + "good-job-0/log")).header("X-Padding", "p".repeat(16 * 1024)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(hugeHeader.statusCode()).isEqualTo(431);
    assertThat(hugeHeader.body()).contains("\"error\"");
    counted += 2;
    badInputs.addAndGet(bad.size() + 2);
    awaitMetric("compactor_http_bad_requests_total", before + counted);
    assertThat(service.get("/health").statusCode()).isEqualTo(200);
  }
}
