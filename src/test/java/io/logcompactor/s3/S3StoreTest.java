package io.logcompactor.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pool side of {@link S3Store}; no request is made, so it needs no client. */
class S3StoreTest {
  private Vertx vertx;
  private S3Store store;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    store = new S3Store(vertx, null, "bucket", 2);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("blockingDirect completes on the pool's thread, not through the caller's event loop")
  void directCompletion() throws Exception {
    CountDownLatch listening = new CountDownLatch(1);
    AtomicReference<String> completedOn = new AtomicReference<>();
    // Called from an event loop, as a run's first fetches would be if it ran there: a Vert.x future would pass its
    // result through that event loop.
    CompletableFuture<CompletableFuture<String>> called = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> called.complete(store.blockingDirect(() -> {
      listening.await();
      return Thread.currentThread().getName();
    })));
    CompletableFuture<String> result = called.get(30, TimeUnit.SECONDS);
    CompletableFuture<Void> seen = result.thenAccept(x -> completedOn.set(Thread.currentThread().getName()));
    listening.countDown();
    seen.get(30, TimeUnit.SECONDS);

    assertThat(result.get()).startsWith(S3Store.POOL);
    assertThat(completedOn.get()).isEqualTo(result.get());
  }

  @Test
  @DisplayName("blockingDirect fails with the work's own exception")
  void failure() {
    IOException broken = new IOException("broken body");
    CompletableFuture<String> result = store.blockingDirect(() -> {
      throw broken;
    });

    Throwable thrown = catchThrowable(() -> result.get(30, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(broken);
  }

  @Test
  @DisplayName("blockingDirect on a closed pool is refused at once rather than left waiting")
  void closedPool() {
    store.close();

    assertThatThrownBy(() -> store.blockingDirect(() -> "never run"))
        .isInstanceOf(RejectedExecutionException.class);
  }
}
