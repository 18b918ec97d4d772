package io.logcompactor.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.Service;
import io.logcompactor.bus.Addresses;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.PodLines;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

@ExtendWith(LocalServersExtension.class)
class CleanupIT {
  @Test
  @DisplayName("the cleanup pass drains an idle pod (rest merged, raw files deleted, marker removed, POD_DRAINED) "
      + "and leaves a pod that is still uploading queued")
  void drainsIdleKeepsActive(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("cleanup", 30, 5, key -> false);
    Service service = Service.start(env.config(Map.of(
        CompactorConfig.CLEANUP_INTERVAL, "1s", CompactorConfig.IDLE_TIMEOUT, "2s")));
    ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
    try {
      List<String> drained = new CopyOnWriteArrayList<>();
      service.vertx().eventBus().<JsonObject>consumer(Addresses.POD_DRAINED, m -> drained.add(m.body().getString("pod")))
          .completion().await(10, TimeUnit.SECONDS);
      FluentBitLogs.Container idle = FluentBitLogs.Container.of("job-idle", "jobs", "app", "idle");
      FluentBitLogs.Container active = FluentBitLogs.Container.of("job-active", "jobs", "app", "active");
      List<String> idleLines = new ArrayList<>();
      List<String> activeLines = new CopyOnWriteArrayList<>();
      put(env, idle, 0, idleLines);
      put(env, active, 0, activeLines);
      for (String pod : List.of("job-idle", "job-active")) {
        JsonObject reply = service.vertx().eventBus().<JsonObject>request(Addresses.MERGE_POD,
            new JsonObject().put("pod", pod).put("cause", "threshold"), new DeliveryOptions().setSendTimeout(60_000))
            .await(60, TimeUnit.SECONDS).body();
        assertThat(reply.getString("status")).isEqualTo("merged");
      }
      // Left over after the last merge: the drain must merge it, not drop it.
      put(env, idle, 1, idleLines);
      AtomicInteger index = new AtomicInteger(1);
      producer.scheduleAtFixedRate(() -> put(env, active, index.getAndIncrement(), activeLines), 0, 400,
          TimeUnit.MILLISECONDS);
      // Not a pod name: reported and left alone.
      env.s3().putObject(b -> b.bucket(env.bucket()).key("cleanup/Not_A_Pod"), RequestBody.empty());

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(drained).contains("job-idle");
        assertThat(keys(env, Keys.cleanupKey("job-idle"))).isEmpty();
      });
      assertThat(keys(env, Keys.rawPodPrefix("job-idle"))).isEmpty();
      PodLines idleNow = PodLines.read(env.s3(), env.bucket(), "job-idle");
      idleNow.assertEveryLineExactlyOnce(idleLines);
      assertThat(idleNow.metadata().mergedRawKeys()).isEmpty();

      // Several passes ran meanwhile; the active pod stayed queued through all of them.
      await().atMost(Duration.ofSeconds(10)).until(() -> counter(service, "active") >= 2);
      assertThat(drained).doesNotContain("job-active");
      assertThat(keys(env, Keys.cleanupKey("job-active"))).hasSize(1);
      assertThat(keys(env, "cleanup/Not_A_Pod")).hasSize(1);
      assertThat(service.registry().find("compactor.cleanup.markers.invalid").counter().count()).isPositive();
      producer.shutdown();
      assertThat(producer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      PodLines.read(env.s3(), env.bucket(), "job-active").assertEveryLineExactlyOnce(activeLines);
    } finally {
      producer.shutdownNow();
      service.stop().await(60, TimeUnit.SECONDS);
    }
  }

  private static double counter(Service s, String outcome) {
    var c = s.registry().find("compactor.cleanup.pods").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static void put(LocalServers.Environment env, FluentBitLogs.Container c, int i, List<String> expected) {
    List<String> lines = List.of(c.record(Instant.now(), "stdout", c.pod() + " file " + i + " a"),
        c.record(Instant.now(), "stdout", c.pod() + " file " + i + " b"));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(c.rawKey(FluentBitLogs.minute(Instant.now()), i)),
        RequestBody.fromBytes(FluentBitLogs.gzipLines(lines)));
    expected.addAll(lines);
  }

  private static List<String> keys(LocalServers.Environment env, String prefix) {
    return env.s3().listObjectsV2(b -> b.bucket(env.bucket()).prefix(prefix)).contents().stream()
        .map(o -> o.key()).toList();
  }
}
