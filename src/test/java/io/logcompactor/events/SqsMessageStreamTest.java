package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SqsMessageStreamTest {
  private final StubSqs sqs = new StubSqs();
  private final List<ReceivedMessage> delivered = new CopyOnWriteArrayList<>();
  private Context context;
  private WorkerExecutor pool;
  private SqsMessageStream stream;

  private static EventsSettings settings(int pollers) {
    return new EventsSettings("b", "http://sqs/queue", pollers, Duration.ZERO, Duration.ofSeconds(30), 20,
        Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5));
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    context = vertx.getOrCreateContext();
    pool = vertx.createSharedWorkerExecutor("stub-sqs", 4);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (stream != null) {
      context.<Void>runOnContext(v -> stream.close());
    }
    pool.close().await(5, TimeUnit.SECONDS);
  }

  private void onContext(Runnable r) {
    context.runOnContext(v -> r.run());
  }

  @Test
  @DisplayName("with demand for 25 messages the stream asks SQS for 25 in all, delivers 25, and then stops receiving")
  void receivesOnlyWhatIsDemanded(Vertx vertx) {
    onContext(() -> {
      stream = new SqsMessageStream(vertx, sqs, pool, settings(2));
      stream.pause();
      stream.handler(delivered::add);
      stream.fetch(25);
    });
    await().atMost(5, TimeUnit.SECONDS).until(() -> delivered.size() == 25);
    await().during(500, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
        .until(() -> sqs.messagesAskedFor() == 25 && delivered.size() == 25);
    assertThat(sqs.receives).allMatch(r -> r.maxNumberOfMessages() <= 10);
  }

  @Test
  @DisplayName("a paused stream keeps at most one batch per poller buffered and resumes where it stopped")
  void pauseBoundsTheBuffer(Vertx vertx) {
    AtomicInteger buffered = new AtomicInteger();
    onContext(() -> {
      stream = new SqsMessageStream(vertx, sqs, pool, settings(2));
      stream.handler(m -> {
        delivered.add(m);
        if (delivered.size() == 5) stream.pause();
      });
    });
    await().atMost(5, TimeUnit.SECONDS).until(() -> delivered.size() == 5);
    await().during(500, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> {
      onContext(() -> buffered.set(stream.buffered()));
      return delivered.size() == 5;
    });
    assertThat(buffered.get()).isLessThanOrEqualTo(2 * EventsSettings.MAX_BATCH);
    assertThat(sqs.messagesAskedFor()).isLessThanOrEqualTo(5 + 2 * EventsSettings.MAX_BATCH);
    onContext(() -> stream.fetch(10));
    await().atMost(5, TimeUnit.SECONDS).until(() -> delivered.size() == 15);
    // Delivery order is receive order: nothing buffered was lost or skipped.
    assertThat(delivered.stream().map(ReceivedMessage::id).distinct().count()).isEqualTo(15);
  }

  @Test
  @DisplayName("failed receives are reported, retried after a growing delay, and delivery resumes once SQS answers")
  void backsOffAndRecovers(Vertx vertx) {
    sqs.failReceives.set(4);
    List<Long> failureTimes = new CopyOnWriteArrayList<>();
    onContext(() -> {
      stream = new SqsMessageStream(vertx, sqs, pool, settings(1));
      stream.exceptionHandler(e -> failureTimes.add(System.nanoTime()));
      stream.pause();
      stream.handler(delivered::add);
      stream.fetch(10);
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> delivered.size() == 10);
    assertThat(failureTimes).hasSize(4);
    // Backoff 50, 100, 200 ms (less up to a fifth of jitter). A loaded machine can only delay a retry, never bring it
    // forward, so only the lower bounds are asserted: each retry waited at least its backoff.
    long firstGap = TimeUnit.NANOSECONDS.toMillis(failureTimes.get(1) - failureTimes.get(0));
    long secondGap = TimeUnit.NANOSECONDS.toMillis(failureTimes.get(2) - failureTimes.get(1));
    long lastGap = TimeUnit.NANOSECONDS.toMillis(failureTimes.get(3) - failureTimes.get(2));
    assertThat(firstGap).isGreaterThanOrEqualTo(40);
    assertThat(secondGap).isGreaterThanOrEqualTo(80);
    assertThat(lastGap).isGreaterThanOrEqualTo(160);
  }

  @Test
  @DisplayName("close stops receiving, hands buffered messages back with visibility 0, then calls the end handler")
  void closeReleasesBuffered(Vertx vertx) {
    AtomicBoolean ended = new AtomicBoolean();
    onContext(() -> {
      stream = new SqsMessageStream(vertx, sqs, pool, settings(1));
      stream.endHandler(v -> ended.set(true));
      stream.handler(m -> {
        delivered.add(m);
        stream.pause();
      });
    });
    await().atMost(5, TimeUnit.SECONDS).until(() -> delivered.size() == 1);
    onContext(() -> stream.close());
    await().atMost(5, TimeUnit.SECONDS).until(ended::get);
    int receivesAtClose = sqs.receives.size();
    assertThat(sqs.visibilityChanges).isNotEmpty();
    assertThat(sqs.visibilityChanges.stream().flatMap(r -> r.entries().stream()))
        .allMatch(e -> e.visibilityTimeout() == 0)
        .noneMatch(e -> e.receiptHandle().equals(delivered.get(0).receiptHandle()));
    await().during(300, TimeUnit.MILLISECONDS).atMost(1, TimeUnit.SECONDS)
        .until(() -> sqs.receives.size() == receivesAtClose);
  }
}
