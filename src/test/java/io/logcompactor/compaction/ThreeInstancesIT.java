package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.Service;
import io.logcompactor.bus.Addresses;
import io.logcompactor.compaction.TestPod.Format;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.local.PodLines;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Three service instances on one bucket, merging the same pods at the same time while uploads go on. */
@ExtendWith(LocalServersExtension.class)
class ThreeInstancesIT {
  private static final Logger LOG = LoggerFactory.getLogger(ThreeInstancesIT.class);
  private static final int PODS = 20;
  private static final int FILES_PER_CONTAINER = 50;
  private final List<Service> services = new ArrayList<>();
  private final ExecutorService uploaders = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() throws Exception {
    uploaders.shutdownNow();
    for (Service s : services) s.stop().await(60, TimeUnit.SECONDS);
  }

  private Future<JsonObject> merge(Service s, String pod) {
    return s.vertx().eventBus().<JsonObject>request(Addresses.MERGE_POD,
            new JsonObject().put("pod", pod).put("cause", "timer"), new DeliveryOptions().setSendTimeout(120_000))
        .map(m -> m.body());
  }

  @Test
  @DisplayName("three instances merging 20 pods x 100 raw files concurrently, uploads ongoing: every line exactly once")
  void everyLineOnce(LocalServers servers) throws Exception {
    // No notifications: this test drives the merges itself, so the outcome depends on compaction alone.
    LocalServers.Environment env = servers.newEnvironment("three", 30, 5, key -> false);
    CompactorConfig config = env.config(Map.of(CompactorConfig.S3_CONCURRENCY, "8"));
    for (int i = 0; i < 3; i++) services.add(Service.start(config));

    List<TestPod> pods = new ArrayList<>();
    List<List<FluentBitLogs.Container>> containers = new ArrayList<>();
    for (int p = 0; p < PODS; p++) {
      TestPod pod = new TestPod(env.s3(), env.bucket(), "job-" + p);
      pods.add(pod);
      containers.add(List.of(pod.container("main", "1"), pod.container("sidecar", "1")));
    }
    // First half of each container's files, then merges from all three instances while the second half arrives.
    upload(pods, containers, 0, FILES_PER_CONTAINER / 2).join();
    CompletableFuture<Void> secondHalf = upload(pods, containers, FILES_PER_CONTAINER / 2, FILES_PER_CONTAINER);
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (TestPod pod : pods) {
        for (Service s : services) replies.add(merge(s, pod.pod));
      }
    }
    secondHalf.join();
    // A run may also fail outright under this contention (an S3 request that fails all its retries): the contract
    // is then that nothing was dropped and a later run converges, which the settle phase below proves.
    Future.join(replies).otherwiseEmpty().await(5, TimeUnit.MINUTES);
    Map<String, Integer> statuses = new ConcurrentHashMap<>();
    replies.forEach(r -> statuses.merge(r.succeeded() ? r.result().getString("status") : "failed", 1, Integer::sum));
    LOG.info("concurrent merge replies by status: {}", statuses);
    assertThat(statuses.keySet()).isSubsetOf("merged", "nothing", "busy", "failed");
    assertThat(statuses.getOrDefault("merged", 0)).isPositive();

    // Then each pod converges on one instance: the rest merged, everything merged deleted.
    List<Future<JsonObject>> settle = new ArrayList<>();
    for (int p = 0; p < PODS; p++) {
      Service s = services.get(p % 3);
      String pod = pods.get(p).pod;
      settle.add(mergeUntilSucceeded(s, pod, 5).compose(r -> mergeUntilSucceeded(s, pod, 5)));
    }
    Future.all(settle).await(5, TimeUnit.MINUTES);

    for (TestPod pod : pods) {
      PodLines lines = pod.read();
      lines.assertEveryLineExactlyOnce(pod.expectedLines());
      assertThat(lines.metadata().mergedRawKeys()).isEmpty();
      assertThat(env.s3().listObjectsV2(b -> b.bucket(env.bucket()).prefix(Keys.rawPodPrefix(pod.pod))).contents())
          .isEmpty();
    }
    assertThat(pods.stream().mapToInt(p -> p.expectedLines().size()).sum())
        .isEqualTo(PODS * 2 * FILES_PER_CONTAINER * 3);
  }

  /** As the tracker does: a failed run is retried; only a success (merged or nothing) settles the pod. */
  private Future<JsonObject> mergeUntilSucceeded(Service s, String pod, int attempts) {
    return merge(s, pod).compose(r -> "busy".equals(r.getString("status")) && attempts > 1
            ? mergeUntilSucceeded(s, pod, attempts - 1) : Future.succeededFuture(r),
        e -> attempts > 1 ? mergeUntilSucceeded(s, pod, attempts - 1) : Future.failedFuture(e));
  }

  private CompletableFuture<Void> upload(List<TestPod> pods, List<List<FluentBitLogs.Container>> containers, int from,
                                         int to) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int p = 0; p < pods.size(); p++) {
      TestPod pod = pods.get(p);
      List<FluentBitLogs.Container> cs = containers.get(p);
      // One uploader per pod keeps TestPod's bookkeeping single-threaded.
      all.add(CompletableFuture.runAsync(() -> {
        for (int i = from; i < to; i++) {
          for (FluentBitLogs.Container c : cs) {
            String minute = String.format("2026112520%02d", i / 4);
            pod.put(c, minute, i % 4, i % 10 == 9 ? Format.PLAIN : Format.GZIP, 3);
          }
        }
      }, uploaders));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }
}
