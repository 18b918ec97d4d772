package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.NonRetryableException;

class StreamedBodyTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  @DisplayName("chunks are read in order, each buffer comes back once read, and the stream ends after the last")
  void readsInOrder() throws Exception {
    StreamedBody body = new StreamedBody(LONG);
    InputStream in = body.provider().newStream();
    byte[] first = {1, 2, 3, 0};
    byte[] second = {4, 5};
    body.hand(first, 3);
    body.hand(second, 2);
    assertThat(body.inFlight()).isEqualTo(2);
    body.end();

    byte[] read = new byte[2];
    assertThat(in.read(read, 0, 2)).isEqualTo(2);
    assertThat(read).containsExactly(1, 2);
    assertThat(in.read()).isEqualTo(3);
    assertThat(in.read()).as("the first chunk given back on moving to the next").isEqualTo(4);
    assertThat(body.awaitSent()).isSameAs(first);
    assertThat(in.read()).isEqualTo(5);
    assertThat(in.read()).isEqualTo(-1);
    assertThat(body.awaitSent()).isSameAs(second);
    assertThat(body.inFlight()).isZero();
  }

  @Test
  @DisplayName("a reader waits for the writer's next chunk")
  void readerWaitsForTheWriter() throws Exception {
    StreamedBody body = new StreamedBody(LONG);
    InputStream in = body.provider().newStream();
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      try {
        return in.read();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    body.hand(new byte[] {42}, 1);
    assertThat(read.get()).isEqualTo(42);
  }

  @Test
  @DisplayName("the body opens once: the SDK may not send it again, for nothing is kept to send")
  void opensOnce() throws Exception {
    StreamedBody body = new StreamedBody(LONG);
    body.provider().newStream();
    assertThatThrownBy(() -> body.provider().newStream()).isInstanceOf(NonRetryableException.class);
  }

  @Test
  @DisplayName("an abandoned body fails its next read, even with bytes left, so the server never stores it")
  void abandonedFails() throws Exception {
    StreamedBody body = new StreamedBody(LONG);
    InputStream in = body.provider().newStream();
    byte[] chunk = {1, 2, 3};
    body.hand(chunk, 3);
    assertThat(in.read()).isEqualTo(1);
    body.abandon();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("abandoned");
    body.over();
    assertThat(body.awaitSent()).as("nothing more is sent once the request is over").isNull();
    assertThat(body.remaining()).containsExactly(chunk);
  }

  @Test
  @DisplayName("a body that gets no bytes for the stall limit fails rather than hold the request open")
  void stallFails() throws Exception {
    StreamedBody body = new StreamedBody(Duration.ofMillis(50));
    InputStream in = body.provider().newStream();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("stalled");
  }
}
