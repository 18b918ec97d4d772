package io.logcompactor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.read.JobFixture;
import io.logcompactor.soak.Scrape;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service in its own JVM with a 64 MiB heap streams a log about twice that size to a client that reads slowly:
 * only possible if the read path holds a bounded amount, whatever the log's size. The read also stays at most a few
 * chunks ahead of the client (back-pressure reaches the S3 reads). The 1 GiB / -Xmx256m run belongs to the benchmark.
 */
@ExtendWith(LocalServersExtension.class)
class BoundedMemoryIT {
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private static final long SLOW_BYTES = 32L << 20;
  private static final int CLIENT_RCVBUF = 256 * 1024;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @DisplayName("a 64 MiB-heap service streams ~120 MiB of log, merged and raw, intact to a slow client, reading S3 "
      + "only a bounded distance ahead of it")
  void boundedMemoryForSlowClient(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("read-memory");
    JobFixture job = new JobFixture(JobFixture.s3(env.s3(), env.bucket()), "big-job");
    FluentBitLogs.Container c = job.container("main", "big");
    String pad = "0123456789abcdef".repeat(64);
    for (int m = 0; m < 30; m++) {
      Instant t = T0.plusSeconds(60L * m);
      job.upload(c, t, 0, JobFixture.lines(c, t, "m" + m + " " + pad, 3500));
    }
    job.merge(job.rawKeys().subList(0, 15));
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    long expectedBytes = 0;
    for (JobFixture.Line l : job.expectedLines()) {
      byte[] b = (l.message() + "\n").getBytes(StandardCharsets.UTF_8);
      expected.update(b);
      expectedBytes += b.length;
    }
    assertThat(expectedBytes).isGreaterThan(100L << 20);

    int port = LocalServers.freePort();
    Map<String, String> childEnv = env.env(Map.of(CompactorConfig.HTTP_PORT, Integer.toString(port)));
    Path childLog = Files.createTempFile("bounded-memory-service", ".log");
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(io.logcompactor.local.ChildJvm.nativeAccessFlags());
    command.addAll(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        "io.logcompactor.Main"));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(childEnv);
    pb.redirectErrorStream(true).redirectOutput(childLog.toFile());
    Process child = pb.start();
    Vertx vertx = Vertx.vertx();
    // Held until the end: Vert.x closes an HTTP client that becomes unreachable ("Pool closed" mid-read after a GC).
    // A fixed receive buffer: left to the kernel's autotuning, a paused client's socket grows as large as tcp_rmem
    // allows (32 MiB on some hosts), and what it holds would count as the service's lead.
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(CLIENT_RCVBUF));
    try {
      await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
          .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

      MessageDigest got = MessageDigest.getInstance("SHA-256");
      AtomicLong received = new AtomicLong();
      AtomicLong maxPipelineLead = new AtomicLong();
      AtomicLong maxConnectionLead = new AtomicLong();
      CompletableFuture<Void> done = new CompletableFuture<>();
      client.request(HttpMethod.GET, port, "127.0.0.1", "/api/v1/jobs/big-job/log")
          .compose(req -> req.send())
          .onFailure(done::completeExceptionally)
          .onSuccess(resp -> {
            assertThat(resp.statusCode()).isEqualTo(200);
            resp.pause();
            resp.handler(buf -> {
              got.update(buf.getBytes());
              received.addAndGet(buf.length());
            });
            resp.exceptionHandler(done::completeExceptionally);
            resp.endHandler(v -> done.complete(null));
            // Slow: one network buffer every 2 ms for the first part, then as fast as it comes.
            vertx.setPeriodic(2, t -> {
              if (received.get() < SLOW_BYTES) {
                resp.fetch(1);
              } else {
                vertx.cancelTimer(t);
                resp.resume();
              }
            });
          });
      // While the client lags, the service must not have produced much more than the client took. The lead has two
      // parts: chunks produced but not yet written to the response (the reader's own read-ahead, a few chunks), and
      // bytes written but not yet received (the connection's write queue, both sockets' kernel buffers, the client's
      // queue: a few MiB, depending on the host's TCP settings). Without back-pressure either would grow to the log.
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        Scrape scrape = scrape(port);
        long produced = (long) scrape.sum("compactor_read_bytes_total");
        long written = (long) scrape.sum("compactor_http_log_bytes_total");
        maxPipelineLead.accumulateAndGet(produced - written, Math::max);
        maxConnectionLead.accumulateAndGet(written - received.get(), Math::max);
        return received.get() >= SLOW_BYTES || done.isDone();
      });
      done.get(5, TimeUnit.MINUTES);
      long heapUsed = (long) scrape(port).sum("jvm_memory_used_bytes", "area", "heap");

      assertThat(received.get()).isEqualTo(expectedBytes);
      assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));
      assertThat(child.isAlive()).as("the service survived (no OutOfMemoryError): " + childLog).isTrue();
      System.out.printf("bounded memory: %d MiB streamed at -Xmx64m; S3 reads at most %d KiB ahead of the response "
          + "and %d KiB written ahead of the slow client; heap used at the end %d MiB%n", received.get() >> 20,
          maxPipelineLead.get() >> 10, maxConnectionLead.get() >> 10, heapUsed >> 20);
      // The read-ahead: chunks queued and in production (ReadVerticle.CHUNKS_AHEAD + 1 of 256 KiB), one handed over.
      assertThat(maxPipelineLead.get()).isLessThan(2L << 20);
      // Up to LogStreamPump.MAX_UNWRITTEN chunks in the connection, the kernel buffers (the server's send buffer autotunes up to tcp_wmem's 4 MiB),
      // the client's queue.
      assertThat(maxConnectionLead.get()).isLessThan(SLOW_BYTES / 2);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
      child.destroy();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Scrape scrape(int port) throws Exception {
    return new Scrape(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }
}
