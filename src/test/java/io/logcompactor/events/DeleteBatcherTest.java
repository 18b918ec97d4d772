package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(VertxExtension.class)
class DeleteBatcherTest {
  private final StubSqs sqs = new StubSqs();
  private final EventsMetrics metrics = new EventsMetrics(new SimpleMeterRegistry());

  private static ReceivedMessage message(int i) {
    return new ReceivedMessage(Message.builder().messageId("m" + i).receiptHandle("h" + i).body("{}").build(), 0);
  }

  @Test
  @DisplayName("23 handled messages go out in three DeleteMessageBatch requests of 10, 10 and 3")
  void batchesOfTen(Vertx vertx, VertxTestContext t) {
    WorkerExecutor pool = vertx.createSharedWorkerExecutor("stub-delete", 2);
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      DeleteBatcher batcher = new DeleteBatcher(vertx, sqs, pool, "q", metrics, 10_000);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 23; i++) results.add(batcher.delete(message(i)));
      batcher.flush();
      Future.all(results).onComplete(t.succeeding(all -> t.verify(() -> {
        assertThat(sqs.deletes).extracting(r -> r.entries().size()).containsExactlyInAnyOrder(10, 10, 3);
        assertThat(results).allMatch(Future::result);
        assertThat(metrics.deleted.count()).isEqualTo(23);
        assertThat(metrics.deleteFailed.count()).isZero();
        t.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("a partial failure completes the refused message with false, the others with true, and counts each")
  void partialFailure(Vertx vertx, VertxTestContext t) {
    WorkerExecutor pool = vertx.createSharedWorkerExecutor("stub-delete", 2);
    sqs.refuseDelete.add("h1");
    vertx.getOrCreateContext().runOnContext(v -> {
      DeleteBatcher batcher = new DeleteBatcher(vertx, sqs, pool, "q", metrics, 5);
      Future<Boolean> a = batcher.delete(message(0));
      Future<Boolean> b = batcher.delete(message(1));
      Future<Boolean> c = batcher.delete(message(2));
      // No explicit flush: the linger timer sends all three in one request.
      Future.all(a, b, c).onComplete(t.succeeding(all -> t.verify(() -> {
        assertThat(sqs.deletes).hasSize(1);
        assertThat(a.result()).isTrue();
        assertThat(b.result()).isFalse();
        assertThat(c.result()).isTrue();
        assertThat(metrics.deleted.count()).isEqualTo(2);
        assertThat(metrics.deleteFailed.count()).isEqualTo(1);
        t.completeNow();
      })));
    });
  }
}
