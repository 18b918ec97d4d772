package io.logcompactor.events;

import static io.logcompactor.events.Probes.count;
import static io.logcompactor.events.Probes.messagesOnQueue;
import static io.logcompactor.events.Probes.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.bus.Addresses;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.s3.S3Store;
import io.logcompactor.tracking.TrackerSettings;
import io.logcompactor.tracking.TrackerVerticle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The SQS consumer on its own (with the real tracker, or a stand-in where a test needs to control the replies),
 * against ElasticMQ, with timings the service configuration would refuse: one- and two-second visibility timeouts.
 */
@ExtendWith({LocalServersExtension.class, VertxExtension.class})
class EventsVerticleIT {
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static String rawKey(String pod, int i) {
    return FluentBitLogs.Container.of(pod, "jobs", "main", pod).rawKey(T0.plusSeconds(60L * i), i);
  }

  private static EventsSettings settings(LocalServers.Environment env) {
    return EventsSettings.from(env.config(Map.of()));
  }

  private String deploy(Vertx vertx, io.vertx.core.Deployable verticle) throws Exception {
    return vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
  }

  private void deployTracker(Vertx vertx, LocalServers.Environment env) throws Exception {
    S3Store store = new S3Store(vertx, env.s3(), env.bucket(), 4);
    deploy(vertx, new TrackerVerticle(TrackerSettings.from(env.config(Map.of())), store, registry));
  }

  /** A stand-in tracker that records every event and replies only after {@code delay} (or when told, if null). */
  private static final class SlowTracker {
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();

    SlowTracker(Vertx vertx, Duration delay) throws Exception {
      vertx.eventBus().<JsonObject>consumer(Addresses.RAW_FILE_CREATED, m -> {
        keys.add(m.body().getString("key"));
        if (delay == null) {
          held.add(m);
        } else {
          vertx.setTimer(delay.toMillis(), id -> m.reply(new JsonObject().put("tracked", true)));
        }
      }).completion().await(10, TimeUnit.SECONDS);
    }

    void releaseAll() {
      List<Message<JsonObject>> now = new ArrayList<>(held);
      held.removeAll(now);
      now.forEach(m -> m.reply(new JsonObject().put("tracked", true)));
    }
  }

  private static void send(LocalServers servers, LocalServers.Environment env, String key) {
    env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl())
        .messageBody(servers.bridge().event(env.bucket(), key, 10, "etag", "ObjectCreated:Put")));
  }

  @Test
  @DisplayName("a malformed message is logged and counted once, not deleted, and lands in the dead-letter queue after"
      + " the redrive count, while valid uploads keep being tracked")
  void malformedGoesToDeadLetterQueue(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("events-dlq", 1, 2, k -> true);
    deployTracker(vertx, env);
    deploy(vertx, new EventsVerticle(settings(env).withVisibilityTimeout(Duration.ofSeconds(1)), env.sqs(), registry));

    env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody("this is not a notification"));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(rawKey("after-poison", 0)), RequestBody.fromString("x"));

    await().atMost(20, TimeUnit.SECONDS).until(() -> messagesOnQueue(env, env.dlqUrl()) == 1);
    var inDlq = env.sqs().receiveMessage(b -> b.queueUrl(env.dlqUrl()).maxNumberOfMessages(10)).messages();
    assertThat(inDlq).extracting(m -> m.body()).containsExactly("this is not a notification");
    assertThat(count(registry, "compactor.events.events", "kind", "malformed")).isEqualTo(1);
    assertThat(count(registry, "compactor.events.messages.received")).isGreaterThanOrEqualTo(3);
    await().atMost(10, TimeUnit.SECONDS).until(() -> pending(vertx, "after-poison") == 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> messagesOnQueue(env, env.queueUrl()) == 0);
  }

  @Test
  @DisplayName("an event whose handling outlasts the visibility timeout is kept hidden by the heartbeat: handled once,"
      + " then deleted")
  void heartbeatKeepsSlowMessagesHidden(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("events-heartbeat", 2, 5, k -> true);
    SlowTracker tracker = new SlowTracker(vertx, Duration.ofMillis(4_500));
    deploy(vertx, new EventsVerticle(settings(env).withVisibilityTimeout(Duration.ofSeconds(2)), env.sqs(), registry));

    send(servers, env, rawKey("slow", 0));

    await().atMost(15, TimeUnit.SECONDS).until(() -> count(registry, "compactor.events.messages.deleted") == 1);
    assertThat(tracker.keys).containsExactly(rawKey("slow", 0));
    assertThat(count(registry, "compactor.events.messages.received")).isEqualTo(1);
    assertThat(count(registry, "compactor.events.visibility.extended")).isGreaterThanOrEqualTo(2);
    assertThat(messagesOnQueue(env, env.queueUrl())).isZero();
  }

  @Test
  @DisplayName("when the tracker stops replying, receiving stops at the in-flight limit; replies let the rest drain")
  void stopsReceivingWhenSaturated(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("events-backpressure");
    SlowTracker tracker = new SlowTracker(vertx, null);
    EventsSettings s = new EventsSettings(env.bucket(), env.queueUrl(), 1, Duration.ofSeconds(1),
        Duration.ofSeconds(60), 10, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1),
        Duration.ofSeconds(60));
    for (int batch = 0; batch < 5; batch++) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String key = rawKey("busy", batch * 10 + i);
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
            .messageBody(servers.bridge().event(env.bucket(), key, 10, "e", "ObjectCreated:Put")).build());
      }
      env.sqs().sendMessageBatch(b -> b.queueUrl(env.queueUrl()).entries(entries));
    }
    deploy(vertx, new EventsVerticle(s, env.sqs(), registry));

    await().atMost(10, TimeUnit.SECONDS).until(() -> tracker.keys.size() == 10);
    await().during(2, TimeUnit.SECONDS).atMost(3, TimeUnit.SECONDS)
        .until(() -> count(registry, "compactor.events.messages.received") == 10 && tracker.keys.size() == 10);

    // Keep releasing: each reply frees room for more.
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
      tracker.releaseAll();
      return count(registry, "compactor.events.messages.deleted") == 50;
    });
    assertThat(tracker.keys).hasSize(50).doesNotHaveDuplicates();
    assertThat(messagesOnQueue(env, env.queueUrl())).isZero();
  }

  @Test
  @DisplayName("receive errors are counted and retried with a growing delay; the consumer recovers when the queue "
      + "appears")
  void receiveErrorsBackOffAndRecover(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("events-errors");
    String name = "events-errors-late-" + System.nanoTime();
    String lateUrl = env.queueUrl().substring(0, env.queueUrl().lastIndexOf('/') + 1) + name;
    EventsSettings s = settings(env).withQueueUrl(lateUrl)
        .withReceiveBackoff(Duration.ofMillis(100), Duration.ofMillis(800));
    deployTracker(vertx, env);
    deploy(vertx, new EventsVerticle(s, env.sqs(), registry));

    await().atMost(10, TimeUnit.SECONDS).until(() -> count(registry, "compactor.events.receive.errors") >= 4);
    long t0 = System.nanoTime();
    double before = count(registry, "compactor.events.receive.errors");
    await().atMost(5, TimeUnit.SECONDS).until(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 1_600);
    // Two pollers at the 800 ms cap: about four more in 1.6 s; without backoff it would be hundreds.
    assertThat(count(registry, "compactor.events.receive.errors") - before).isBetween(1.0, 10.0);

    String created = env.sqs().createQueue(b -> b.queueName(name)).queueUrl();
    assertThat(created).isEqualTo(lateUrl);
    env.sqs().sendMessage(b -> b.queueUrl(lateUrl)
        .messageBody(servers.bridge().event(env.bucket(), rawKey("late", 0), 1, "e", "ObjectCreated:Put")));
    await().atMost(15, TimeUnit.SECONDS).until(() -> pending(vertx, "late") == 1);
    double after = count(registry, "compactor.events.receive.errors");
    await().during(1, TimeUnit.SECONDS).atMost(2, TimeUnit.SECONDS)
        .until(() -> count(registry, "compactor.events.receive.errors") == after);
  }

  @Test
  @DisplayName("undeploying waits for an event still in flight, deletes its message, and then stops receiving")
  void stopLetsInFlightWorkFinish(LocalServers servers, Vertx vertx) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("events-stop");
    SlowTracker tracker = new SlowTracker(vertx, Duration.ofMillis(1_500));
    String id = deploy(vertx, new EventsVerticle(settings(env), env.sqs(), registry));
    send(servers, env, rawKey("stopping", 0));
    await().atMost(10, TimeUnit.SECONDS).until(() -> tracker.keys.size() == 1);

    vertx.undeploy(id).await(20, TimeUnit.SECONDS);

    assertThat(count(registry, "compactor.events.messages.deleted")).isEqualTo(1);
    assertThat(messagesOnQueue(env, env.queueUrl())).isZero();
    double received = count(registry, "compactor.events.messages.received");
    send(servers, env, rawKey("stopping", 1));
    await().during(2, TimeUnit.SECONDS).atMost(3, TimeUnit.SECONDS)
        .until(() -> count(registry, "compactor.events.messages.received") == received);
    assertThat(messagesOnQueue(env, env.queueUrl())).isEqualTo(1);
  }
}
