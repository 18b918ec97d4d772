package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class PodQueueTest {
  @Test
  @DisplayName("requests arriving during a pod's run share one next run that starts after it; other pods run at once")
  void serialisesAndCoalesces(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PodQueue queue = new PodQueue();
      List<String> started = new ArrayList<>();
      Promise<String> first = Promise.promise();
      Promise<String> second = Promise.promise();
      Future<String> a = queue.submit("p", "merge", () -> {
        started.add("a");
        return first.future();
      });
      Future<String> b = queue.submit("p", "merge", () -> {
        started.add("b");
        return second.future();
      });
      Future<String> c = queue.submit("p", "merge", () -> {
        started.add("c");
        return Future.succeededFuture("c");
      });
      Future<String> d = queue.submit("p", "drain", () -> {
        started.add("d");
        return Future.succeededFuture("d");
      });
      Future<String> other = queue.submit("q", "merge", () -> {
        started.add("other");
        return Future.succeededFuture("other");
      });
      ctx.verify(() -> {
        assertThat(started).containsExactly("a", "other");
        assertThat(c).isSameAs(b);
        assertThat(other.result()).isEqualTo("other");
      });
      first.complete("a");
      ctx.verify(() -> assertThat(started).containsExactly("a", "other", "b"));
      // A request arriving while b runs waits for yet another run.
      Future<String> e = queue.submit("p", "merge", () -> {
        started.add("e");
        return Future.succeededFuture("e");
      });
      second.fail("b failed");
      ctx.verify(() -> {
        assertThat(a.result()).isEqualTo("a");
        assertThat(b.failed()).isTrue();
        assertThat(d.result()).isEqualTo("d");
        assertThat(e.result()).isEqualTo("e");
        assertThat(started).containsExactly("a", "other", "b", "d", "e");
        assertThat(queue.pods()).isZero();
      });
      ctx.completeNow();
    });
  }
}
