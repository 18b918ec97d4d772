package io.logcompactor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.Service;
import io.logcompactor.bus.Addresses;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.read.JobFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

@ExtendWith(LocalServersExtension.class)
class ReadApiIT {
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Service> services = new ArrayList<>();

  @AfterEach
  void stopServices() throws Exception {
    for (Service s : services) s.stop().await(30, TimeUnit.SECONDS);
  }

  /**
   * The read path alone: these tests play the compactor's steps by hand between reads, and stand in for the tracker
   * where they need one, so no tracker or compactor of the service may act on the same bucket.
   */
  private Service start(LocalServers.Environment env, Map<String, String> overrides) throws Exception {
    Service s = Service.start(env.config(overrides), java.util.EnumSet.of(Service.Component.READ));
    services.add(s);
    return s;
  }

  private HttpResponse<String> get(Service s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
        .timeout(Duration.ofSeconds(60));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String log(Service s, String pod, String query) throws Exception {
    HttpResponse<String> r = get(s, "/api/v1/jobs/" + pod + "/log" + (query.isEmpty() ? "" : "?" + query));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    return r.body();
  }

  private static double counter(Service s, String name, String... tags) {
    var search = s.registry().find(name);
    if (tags.length > 0) search = search.tags(tags);
    var c = search.counter();
    return c == null ? 0 : c.count();
  }

  /** Two containers and a restart of the first; {@code perObject} lines of {@code width} characters per upload. */
  private static JobFixture twoContainersAndRestart(JobFixture job, int objects, int perObject, int width) {
    FluentBitLogs.Container main = job.container("main", job.pod() + "-main-1");
    FluentBitLogs.Container sidecar = job.container("sidecar", job.pod() + "-side-1");
    FluentBitLogs.Container restarted = job.container("main", job.pod() + "-main-2");
    String pad = "p".repeat(width);
    for (int m = 0; m < objects; m++) {
      Instant t = T0.plusSeconds(60L * m);
      FluentBitLogs.Container c = m < objects * 2 / 3 ? main : restarted;
      job.upload(c, t, 0, JobFixture.lines(c, t, c.id().substring(0, 6) + " m" + m + " " + pad, perObject));
      if (m % 2 == 0) {
        job.upload(sidecar, t.plusSeconds(1), 1,
            JobFixture.lines(sidecar, t.plusSeconds(1), "side m" + m + " " + pad, perObject / 2 + 1));
      }
    }
    return job;
  }

  @Test
  @DisplayName("a job with two containers and a restart reads exactly as uploaded before compaction, after a merge, "
      + "after its clean, and with a late upload after everything was merged")
  void exactBeforeAndAfterCompaction(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-exact");
    Service s = start(env, Map.of());
    JobFixture job = twoContainersAndRestart(new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-1"), 9, 20, 10);
    String expected = job.expectedText();
    assertThat(expected.lines()).hasSize(9 * 20 + 5 * 11);
    assertThat(log(s, "job-1", "")).isEqualTo(expected);

    List<String> keys = job.rawKeys();
    job.merge(keys.subList(0, keys.size() / 2));
    assertThat(log(s, "job-1", "")).isEqualTo(expected);
    job.clean();
    assertThat(log(s, "job-1", "")).isEqualTo(expected);
    job.merge(job.rawKeys().subList(keys.size() / 2, keys.size()));
    job.clean();
    assertThat(log(s, "job-1", "")).isEqualTo(expected);

    FluentBitLogs.Container main = job.container("main", "job-1-main-1");
    job.upload(main, T0.plusSeconds(90), 7, JobFixture.lines(main, T0.plusSeconds(90), "late", 3));
    assertThat(log(s, "job-1", "")).isEqualTo(job.expectedText());
    assertThat(counter(s, "compactor.read.gets", "source", "merged")).isGreaterThan(0);
  }

  @Test
  @DisplayName("a slow client reading while a merge commits and a clean deletes the raw objects gets every line "
      + "exactly once, the vanished raw objects being read from the merged files")
  void exactDuringCompaction(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-during");
    Service s = start(env, Map.of());
    // ~22 MiB of output. Through a fixed 256 KiB receive window the service runs at most ~7 MiB ahead of the client
    // (BoundedMemoryIT measures it), so raw objects deleted while the client has read well under 1 MiB are still
    // unread; with the kernel's autotuning the window could grow to hold the whole log.
    JobFixture job = twoContainersAndRestart(new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-2"), 30, 1800,
        300);
    String expected = job.expectedText();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (InputStream in = FixedWindowGet.open(s.httpPort(), "/api/v1/jobs/job-2/log", 256 * 1024)) {
      got.writeBytes(in.readNBytes(64 * 1024));
      List<String> keys = job.rawKeys();
      job.merge(keys.subList(0, keys.size() / 2));
      got.writeBytes(in.readNBytes(256 * 1024));
      job.clean();
      got.writeBytes(in.readNBytes(256 * 1024));
      job.merge(keys.subList(keys.size() / 2, keys.size()));
      job.clean();
      got.writeBytes(in.readAllBytes());
    }
    assertThat(got.size()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
    assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(counter(s, "compactor.read.replans", "reason", "object_vanished")).isGreaterThan(0);
  }

  @Test
  @DisplayName("since, until, tail, timestamps, stream, container and format=jsonl each select and format lines")
  void parameters(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-params");
    Service s = start(env, Map.of());
    JobFixture job = twoContainersAndRestart(new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-3"), 6, 10, 0);
    job.merge(job.rawKeys().subList(0, 4));
    Instant since = T0.plusSeconds(65);
    Instant until = T0.plusSeconds(185);
    Predicate<JobFixture.Line> all = l -> true;

    assertThat(log(s, "job-3", "since=" + since)).isEqualTo(job.expectedText(l -> !l.time().isBefore(since), false));
    assertThat(log(s, "job-3", "until=" + enc("2026-11-25T21:03:05+01:00")))
        .isEqualTo(job.expectedText(l -> l.time().isBefore(until), false));
    assertThat(log(s, "job-3", "since=" + since + "&until=" + until))
        .isEqualTo(job.expectedText(l -> !l.time().isBefore(since) && l.time().isBefore(until), false));
    assertThat(log(s, "job-3", "since=1h")).isEmpty(); // everything was logged in 2026-11-25, long before now-1h
    assertThat(log(s, "job-3", "timestamps=true")).isEqualTo(job.expectedText(all, true));
    assertThat(log(s, "job-3", "stream=stderr"))
        .isEqualTo(job.expectedText(l -> l.stream().equals("stderr"), false));
    assertThat(log(s, "job-3", "container=sidecar&stream=stdout")).isEqualTo(job.expectedText(
        l -> l.container().name().equals("sidecar") && l.stream().equals("stdout"), false));
    List<String> lines = job.expectedText().lines().toList();
    assertThat(log(s, "job-3", "tail=5")).isEqualTo(String.join("\n", lines.subList(lines.size() - 5, lines.size())) + "\n");
    assertThat(log(s, "job-3", "tail=0")).isEmpty();

    HttpResponse<String> jsonl = get(s, "/api/v1/jobs/job-3/log?format=jsonl&container=main");
    assertThat(jsonl.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("ndjson"));
    StringBuilder records = new StringBuilder();
    job.expectedLines().stream().filter(l -> l.container().name().equals("main"))
        .forEach(l -> records.append(l.json()).append('\n'));
    assertThat(jsonl.body()).isEqualTo(records.toString());
  }

  @Test
  @DisplayName("follow=true delivers lines uploaded after the request started, then ends when the job is idle")
  void follow(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-follow");
    Service s = start(env, Map.of("COMPACTOR_IDLE_TIMEOUT", "3s"));
    JobFixture job = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-4");
    FluentBitLogs.Container main = job.container("main", "job-4-main");
    job.upload(main, T0, 0, JobFixture.lines(main, T0, "before", 2));

    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + s.httpPort() + "/api/v1/jobs/job-4/log?follow=true")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    StringBuffer received = new StringBuffer();
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      try (InputStream in = r.body()) {
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> received.toString().equals("before line 0\nbefore line 1\n"));
    job.upload(main, T0.plusSeconds(60), 0, JobFixture.lines(main, T0.plusSeconds(60), "after", 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.toString().endsWith("after line 1\n"));
    job.merge(job.rawKeys());
    job.clean();
    job.upload(main, T0.plusSeconds(120), 0, JobFixture.lines(main, T0.plusSeconds(120), "later", 1));
    reading.get(20, TimeUnit.SECONDS); // ends by itself: no upload for the idle timeout
    assertThat(received.toString()).isEqualTo(job.expectedText());
  }

  @Test
  @DisplayName("a merged file of 3,000 gzip members is read to its end through a real S3 stream")
  void manyMembers(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-members");
    Service s = start(env, Map.of());
    FluentBitLogs.Container c = FluentBitLogs.Container.of("job-5", "jobs", "main", "job-5-main");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    List<JobMetadata.Source> sources = new ArrayList<>();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      Instant t = T0.plusSeconds(60L * i);
      List<String> records = new ArrayList<>();
      for (int j = 0; j < 1 + i % 4; j++) {
        records.add(c.record(t.plusSeconds(j), "stdout", "member " + i + " record " + j));
        expected.append("member ").append(i).append(" record ").append(j).append('\n');
      }
      byte[] member = FluentBitLogs.gzipLines(records);
      sources.add(new JobMetadata.Source(c.rawKey(t, 0), data.size(), member.length));
      data.writeBytes(member);
    }
    String dataKey = Keys.dataKey("job-5", c.id(), FluentBitLogs.minute(T0), 0);
    env.s3().putObject(b -> b.bucket(env.bucket()).key(dataKey), RequestBody.fromBytes(data.toByteArray()));
    JobMetadata md = new JobMetadata(1, "job-5", List.of(new JobMetadata.MergedFile(dataKey, c.id(), "main", "jobs",
        3000, data.size(), sources.get(0).key().substring(0, 0) + FluentBitLogs.minute(T0),
        FluentBitLogs.minute(T0.plusSeconds(60L * 2999)), sources, null)), List.of(), List.of(), null, null);
    env.s3().putObject(b -> b.bucket(env.bucket()).key(Keys.metadataKey("job-5")),
        RequestBody.fromBytes(MetadataCodec.write(md)));

    assertThat(log(s, "job-5", "")).isEqualTo(expected.toString());
    assertThat(counter(s, "compactor.read.gets", "source", "merged")).isEqualTo(1);
  }

  @Test
  @DisplayName("bad pod names and parameters get 400 with a JSON error, an unknown job 404, and the service "
      + "keeps serving; job-1 never serves job-10's lines")
  void badInput(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-bad");
    Service s = start(env, Map.of());
    JobFixture job1 = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-1");
    JobFixture job10 = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-10");
    FluentBitLogs.Container c1 = job1.container("main", "one");
    FluentBitLogs.Container c10 = job10.container("main", "ten");
    job1.upload(c1, T0, 0, JobFixture.lines(c1, T0, "job-1", 2));
    job10.upload(c10, T0, 0, JobFixture.lines(c10, T0, "job-10", 2));
    job10.merge(job10.rawKeys());

    for (String path : List.of("/api/v1/jobs/Job_1/log", "/api/v1/jobs/-x/log", "/api/v1/jobs/a..b/log",
        "/api/v1/jobs/..%2F..%2Fmetadata/log", "/api/v1/jobs/" + "a".repeat(254) + "/log",
        "/api/v1/jobs/job-1/log?tail=abc", "/api/v1/jobs/job-1/log?tail=-5", "/api/v1/jobs/job-1/log?tail=100001",
        "/api/v1/jobs/job-1/log?since=yesterday", "/api/v1/jobs/job-1/log?until=2026-13-01T00:00:00Z",
        "/api/v1/jobs/job-1/log?since=2026-11-25T20:00:00Z&until=2026-11-25T19:00:00Z",
        "/api/v1/jobs/job-1/log?stream=both", "/api/v1/jobs/job-1/log?timestamps=yes",
        "/api/v1/jobs/job-1/log?format=xml", "/api/v1/jobs/job-1/log?container=Bad_Name",
        "/api/v1/jobs/job-1/log?tial=5", "/api/v1/jobs/job-1/log?tail=1&tail=2", "/api/v1/jobs/Job_1",
        "/api/v1/jobs?limit=0", "/api/v1/jobs?offset=-1")) {
      HttpResponse<String> r = get(s, path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getString("error")).as(path).isNotBlank();
    }
    // Dot segments are resolved before routing: they can only reach another route, never another job's objects.
    HttpResponse<String> dots = get(s, "/api/v1/jobs/%2E%2E/log");
    assertThat(dots.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(dots.body()).getString("error")).isNotBlank();
    HttpResponse<String> unknown = get(s, "/api/v1/jobs/job-2/log");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("error")).contains("job-2");
    assertThat(get(s, "/api/v1/jobs/job-2").statusCode()).isEqualTo(404);
    assertThat(get(s, "/api/v1/nothing").statusCode()).isEqualTo(404);

    assertThat(log(s, "job-1", "")).isEqualTo("job-1 line 0\njob-1 line 1\n");
    assertThat(log(s, "job-10", "")).isEqualTo("job-10 line 0\njob-10 line 1\n");
    assertThat(counter(s, "compactor.http.bad_requests", "status", "400")).isEqualTo(20);
  }

  @Test
  @DisplayName("with COMPACTOR_API_TOKEN set, a missing or wrong bearer token gets 401 with a JSON error, the right "
      + "one is served, and health stays open")
  void token(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-token");
    Service s = start(env, Map.of("COMPACTOR_API_TOKEN", "s3cret-token"));
    JobFixture job = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-6");
    FluentBitLogs.Container c = job.container("main", "six");
    job.upload(c, T0, 0, JobFixture.lines(c, T0, "secret", 1));

    for (String[] headers : List.of(new String[0], new String[] {"Authorization", "Bearer wrong"},
        new String[] {"Authorization", "Bearer s3cret-token-and-more"}, new String[] {"Authorization", "s3cret-token"},
        new String[] {"Authorization", "Basic czNjcmV0LXRva2Vu"})) {
      HttpResponse<String> r = get(s, "/api/v1/jobs/job-6/log", headers);
      assertThat(r.statusCode()).as(String.join(" ", headers)).isEqualTo(401);
      assertThat(new JsonObject(r.body()).getString("error")).isNotBlank();
      assertThat(get(s, "/api/v1/jobs", headers).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> ok = get(s, "/api/v1/jobs/job-6/log", "Authorization", "Bearer s3cret-token");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("secret line 0\n");
    assertThat(get(s, "/health").statusCode()).isEqualTo(200);
    assertThat(counter(s, "compactor.http.bad_requests", "status", "401", "reason", "wrong_token")).isEqualTo(8);
  }

  @Test
  @DisplayName("job status combines S3 (merged files, unmerged raw files, cleanup marker) with the tracker; without "
      + "a tracker it answers from S3 alone and the job list is empty")
  void statusAndList(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-status");
    Service s = start(env, Map.of());
    JobFixture job = twoContainersAndRestart(new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-7"), 3, 2, 0);
    job.merge(job.rawKeys().subList(0, 2));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(Keys.cleanupKey("job-7")), RequestBody.empty());

    JsonObject degraded = new JsonObject(get(s, "/api/v1/jobs/job-7").body());
    assertThat(degraded.getBoolean("tracker_available")).isFalse();
    assertThat(degraded.getJsonObject("merged").getInteger("log_files")).isEqualTo(2);
    assertThat(degraded.getJsonObject("merged").getInteger("raw_files")).isEqualTo(2);
    assertThat(degraded.getInteger("unmerged_raw_files")).isEqualTo(3);
    assertThat(degraded.getInteger("pending_raw_files")).isEqualTo(3);
    assertThat(degraded.getInteger("merged_raw_files_not_cleaned")).isEqualTo(2);
    assertThat(degraded.getBoolean("in_cleanup_queue")).isTrue();
    JsonObject emptyList = new JsonObject(get(s, "/api/v1/jobs").body());
    assertThat(emptyList.getJsonArray("pods")).isEmpty();
    assertThat(emptyList.getBoolean("tracker_available")).isFalse();

    var bus = s.vertx().eventBus();
    bus.<JsonObject>consumer(Addresses.TRACKER_POD_STATUS, m -> m.reply(new JsonObject()
        .put("pod", m.body().getString("pod")).put("pending_raw_files", 3)
        .put("last_upload_time", "2026-11-25T20:03:00Z").put("tracked", true))).completion().await();
    bus.<JsonObject>consumer(Addresses.TRACKER_LIST, m -> {
      int offset = m.body().getInteger("offset");
      int limit = m.body().getInteger("limit");
      JsonArray pods = new JsonArray();
      for (int i = offset; i < Math.min(5, offset + limit); i++) {
        pods.add(new JsonObject().put("pod", "job-" + i).put("pending_raw_files", i).put("last_upload_time", null));
      }
      m.reply(new JsonObject().put("pods", pods).put("total", 5));
    }).completion().await();

    JsonObject full = new JsonObject(get(s, "/api/v1/jobs/job-7").body());
    assertThat(full.getBoolean("tracker_available")).isTrue();
    assertThat(full.getBoolean("tracked")).isTrue();
    assertThat(full.getString("last_upload_time")).isEqualTo("2026-11-25T20:03:00Z");
    assertThat(full.getInteger("pending_raw_files")).isEqualTo(3);
    JsonObject page = new JsonObject(get(s, "/api/v1/jobs?offset=2&limit=2").body());
    assertThat(page.getInteger("total")).isEqualTo(5);
    assertThat(page.getJsonArray("pods").stream().map(o -> ((JsonObject) o).getString("pod")))
        .containsExactly("job-2", "job-3");
    assertThat(page.getBoolean("tracker_available")).isTrue();
  }

  @Test
  @DisplayName("a client that disconnects mid-log stops the S3 reads and its read stream is closed")
  void disconnectStopsReads(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-disconnect");
    Service s = start(env, Map.of());
    JobFixture job = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "job-8");
    FluentBitLogs.Container c = job.container("main", "eight");
    for (int m = 0; m < 40; m++) {
      Instant t = T0.plusSeconds(60L * m);
      job.upload(c, t, 0, JobFixture.lines(c, t, "m" + m + " " + "q".repeat(200), 300));
    }
    double before = s.s3Requests().count("GetObject");
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + s.httpPort() + "/api/v1/jobs/job-8/log")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      assertThat(in.readNBytes(100_000)).hasSize(100_000);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> s.reader().openStreams() == 0);
    double atClose = s.s3Requests().count("GetObject");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> s.s3Requests().count("GetObject") == atClose);
    // 40 raw objects (~2.5 MiB of output) + 2 metadata GETs; reading all of them would take 42 GETs.
    assertThat(atClose - before).isLessThan(30);
    assertThat(counter(s, "compactor.http.log.streams", "outcome", "client_closed")).isEqualTo(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
