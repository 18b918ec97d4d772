package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.layout.Keys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What {@code make run} runs, in-process on free ports and a temporary data folder. */
class LocalModeIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  /** Fast demo ticks; no merge while the test looks at the raw objects. */
  private LocalMode.Settings settings() {
    Map<String, String> env = new HashMap<>();
    env.put(LocalMode.Settings.DATA_DIR, dataDir.toString());
    env.put(LocalMode.Settings.S3_PORT, "0");
    env.put(LocalMode.Settings.SQS_PORT, "0");
    env.put(LocalMode.Settings.DEMO_INTERVAL, "200ms");
    env.put(CompactorConfig.HTTP_PORT, "0");
    env.put(CompactorConfig.MERGE_THRESHOLD, "100000");
    env.put(CompactorConfig.COMPACTION_INTERVAL, "1h");
    env.put(CompactorConfig.RECONCILE_INTERVAL, "1h");
    env.put(CompactorConfig.SQS_WAIT_TIME, "1s");
    env.put(CompactorConfig.SHUTDOWN_TIMEOUT, "5s");
    return LocalMode.Settings.fromEnv(env);
  }

  private int get(LocalMode mode, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + mode.service().httpPort() + path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static Set<String> rawKeysInBucket(LocalMode mode) {
    return mode.servers().s3().listObjectsV2Paginator(b -> b.bucket(LocalMode.BUCKET).prefix(Keys.RAW_PREFIX))
        .contents().stream().map(S3Object::key).collect(Collectors.toSet());
  }

  private static void awaitUploads(LocalMode mode, int atLeast) {
    await().atMost(Duration.ofSeconds(30)).until(() -> mode.producer().uploadedKeys().size() >= atLeast);
  }

  private static boolean canBind(int port) {
    try (ServerSocket s = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  @Test
  @DisplayName("local mode answers /health with 200, its demo objects land in S3, each notified once to the queue, and closing it frees its ports and threads")
  void upAndProducing() throws Exception {
    Set<Thread> before = liveNonDaemonThreads();
    LocalMode mode = LocalMode.start(settings());
    int s3Port = mode.servers().s3Endpoint().getPort();
    int sqsPort = mode.servers().sqsEndpoint().getPort();
    int httpPort = mode.service().httpPort();
    try {
      assertThat(get(mode, "/health")).isEqualTo(200);
      assertThat(get(mode, "/ready")).isEqualTo(200);
      awaitUploads(mode, 9);
      mode.producer().close(); // freeze the counts

      List<String> uploaded = mode.producer().uploadedKeys();
      assertThat(mode.producer().failures()).isZero();
      assertThat(rawKeysInBucket(mode)).containsExactlyInAnyOrderElementsOf(uploaded);
      // The bridge counts a notification once SQS accepted it: one per demo object, none for anything else.
      assertThat(mode.servers().bridge().sent()).isEqualTo(uploaded.size());
      Map<QueueAttributeName, String> queue = mode.servers().sqs().getQueueAttributes(b -> b
          .queueUrl(mode.environment().queueUrl()).attributeNames(QueueAttributeName.REDRIVE_POLICY)).attributes();
      JsonNode redrive = new ObjectMapper().readTree(queue.get(QueueAttributeName.REDRIVE_POLICY));
      assertThat(redrive.path("maxReceiveCount").asInt()).isEqualTo(5);
      assertThat(redrive.path("deadLetterTargetArn").asText()).endsWith(":" + LocalMode.QUEUE + "-dlq");
      assertThat(mode.banner()).contains("http://localhost:" + httpPort, mode.servers().s3Endpoint().toString(),
          LocalServers.ACCESS_KEY, LocalServers.SECRET_KEY, "aws --endpoint-url", "curl -s");
    } finally {
      mode.close();
    }
    assertThat(canBind(s3Port)).as("S3 port released").isTrue();
    assertThat(canBind(sqsPort)).as("SQS port released").isTrue();
    assertThat(canBind(httpPort)).as("HTTP port released").isTrue();
    // `make run` runs in Maven's JVM, which waits for every non-daemon thread: closing must end all it started.
    await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(liveNonDaemonThreads()).map(Thread::getName).containsExactlyInAnyOrderElementsOf(
            before.stream().map(Thread::getName).toList()));
  }

  @Test
  @DisplayName("a second start on the same data folder re-uses the bucket and keeps the first run's objects")
  void restartKeepsObjects() throws Exception {
    List<String> firstRun;
    try (LocalMode first = LocalMode.start(settings())) {
      awaitUploads(first, 3);
      first.producer().close();
      firstRun = first.producer().uploadedKeys();
    }
    try (LocalMode second = LocalMode.start(settings())) {
      assertThat(get(second, "/health")).isEqualTo(200);
      awaitUploads(second, 3);
      second.producer().close();
      assertThat(rawKeysInBucket(second)).containsAll(firstRun).containsAll(second.producer().uploadedKeys());
      assertThat(second.servers().bridge().sent()).isEqualTo(second.producer().uploadedKeys().size());
    }
  }
}
