package io.logcompactor.tracking;

import static io.logcompactor.events.Probes.count;
import static io.logcompactor.events.Probes.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.logcompactor.bus.Addresses;
import io.logcompactor.events.Probes;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/** The tracker on its own, driven over the event bus as the SQS consumer and the HTTP verticle drive it. */
@ExtendWith({LocalServersExtension.class, VertxExtension.class})
class TrackerVerticleIT {
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static String rawKey(String pod, int i) {
    return FluentBitLogs.Container.of(pod, "jobs", "main", pod).rawKey(T0.plusSeconds(60L * i), i);
  }

  private void deploy(Vertx vertx, LocalServers.Environment env, Map<String, String> overrides) throws Exception {
    TrackerSettings s = TrackerSettings.from(env.config(overrides)).withRetry(Duration.ofMillis(100),
        Duration.ofMillis(400));
    vertx.deployVerticle(new TrackerVerticle(s, new S3Store(vertx, env.s3(), env.bucket(), 4), registry))
        .await(30, TimeUnit.SECONDS);
  }

  private static boolean created(Vertx vertx, String key) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.RAW_FILE_CREATED,
            new JsonObject().put("key", key).put("size", 1).put("event_time", T0.toString()))
        .await(10, TimeUnit.SECONDS).body().getBoolean("tracked");
  }

  private static JsonObject list(Vertx vertx, JsonObject request) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.TRACKER_LIST, request).await(10, TimeUnit.SECONDS).body();
  }

  @Test
  @DisplayName("one merge per pod at a time: files arriving during a merge wait for it, then make up the next one")
  void eventsDuringAMergeCountTowardTheNext(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("tracker-inflight");
    deploy(vertx, env, Map.of("COMPACTOR_MERGE_THRESHOLD", "2"));
    MergeRecorder merges = MergeRecorder.register(vertx, r -> MergeRecorder.Answer.HOLD);

    created(vertx, rawKey("p", 0));
    created(vertx, rawKey("p", 1));
    await().atMost(5, TimeUnit.SECONDS).until(() -> merges.heldCount() == 1);
    created(vertx, rawKey("p", 2));
    created(vertx, rawKey("p", 3));
    created(vertx, rawKey("p", 1)); // redelivered during the merge: still one key
    assertThat(pending(vertx, "p")).isEqualTo(4);
    assertThat(merges.requests()).hasSize(1);

    merges.releaseHeld();
    await().atMost(5, TimeUnit.SECONDS).until(() -> merges.heldCount() == 1);
    assertThat(pending(vertx, "p")).isEqualTo(2);
    merges.releaseHeld();
    await().atMost(5, TimeUnit.SECONDS).until(() -> pending(vertx, "p") == 0);
    assertThat(merges.requests()).hasSize(2).allMatch(r -> r.cause().equals("threshold"));
    assertThat(count(registry, "compactor.tracking.raw_files.dropped", "reason", "merged")).isEqualTo(4);
  }

  @Test
  @DisplayName("with nothing consuming merge requests the files stay pending and the request is retried until a "
      + "consumer appears")
  void noCompactionYet(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("tracker-nohandler");
    deploy(vertx, env, Map.of("COMPACTOR_MERGE_THRESHOLD", "1"));

    assertThat(created(vertx, rawKey("early", 0))).isTrue();
    await().atMost(5, TimeUnit.SECONDS)
        .until(() -> count(registry, "compactor.tracking.merges.failed", "reason", "no_handler") >= 2);
    assertThat(pending(vertx, "early")).isEqualTo(1);

    MergeRecorder merges = MergeRecorder.alwaysMerged(vertx);
    await().atMost(5, TimeUnit.SECONDS).until(() -> pending(vertx, "early") == 0);
    assertThat(merges.requests()).containsExactly(new MergeRecorder.Request("early", "threshold"));
  }

  @Test
  @DisplayName("status and list answer per pod in name order with paging; a drained pod is forgotten; bad requests "
      + "fail with 400; keys that are not raw keys are not tracked")
  void queriesAndDrain(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("tracker-queries");
    deploy(vertx, env, Map.of());
    for (String pod : new String[] {"job-2", "job-10", "job-1"}) created(vertx, rawKey(pod, 0));
    created(vertx, rawKey("job-1", 1));
    assertThat(created(vertx, "metadata/job-1.json")).isFalse();

    JsonObject status = Probes.podStatus(vertx, "job-1");
    assertThat(status.getInteger("pending_raw_files")).isEqualTo(2);
    assertThat(status.getString("last_upload_time")).isEqualTo(T0.toString());
    assertThat(status.getBoolean("tracked")).isTrue();
    assertThat(Probes.podStatus(vertx, "job-3").getBoolean("tracked")).isFalse();

    JsonObject page = list(vertx, new JsonObject().put("offset", 1).put("limit", 1));
    assertThat(page.getInteger("total")).isEqualTo(3);
    JsonArray pods = page.getJsonArray("pods");
    assertThat(pods).hasSize(1);
    assertThat(pods.getJsonObject(0).getString("pod")).isEqualTo("job-10");
    assertThat(list(vertx, new JsonObject()).getJsonArray("pods").stream().map(o -> ((JsonObject) o).getString("pod")))
        .containsExactly("job-1", "job-10", "job-2");

    vertx.eventBus().publish(Addresses.POD_DRAINED, new JsonObject().put("pod", "job-1"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> !Probes.podStatus(vertx, "job-1").getBoolean("tracked"));
    assertThat(list(vertx, new JsonObject()).getInteger("total")).isEqualTo(2);

    assertThatThrownBy(() -> list(vertx, new JsonObject().put("offset", -1)))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    assertThatThrownBy(() -> list(vertx, new JsonObject().put("limit", "ten")))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.RAW_FILE_CREATED, new JsonObject())
        .await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
  }

  @Test
  @DisplayName("a periodic reconcile stops counting raw files that are gone from the bucket and starts counting new "
      + "ones whose events were lost")
  void periodicReconcile(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("tracker-periodic", 30, 5, k -> false);
    deploy(vertx, env, Map.of("COMPACTOR_RECONCILE_INTERVAL", "1s"));
    // An event for an object that another instance has merged and deleted since.
    created(vertx, rawKey("gone", 0));
    // An upload whose event was lost.
    env.s3().putObject(b -> b.bucket(env.bucket()).key(rawKey("lost", 0)), RequestBody.fromString("x"));

    await().atMost(10, TimeUnit.SECONDS).until(() -> pending(vertx, "gone") == 0 && pending(vertx, "lost") == 1);
    assertThat(count(registry, "compactor.tracking.raw_files.dropped", "reason", "reconcile")).isEqualTo(1);
    assertThat(count(registry, "compactor.tracking.reconciles", "outcome", "ok")).isGreaterThanOrEqualTo(1);
  }
}
