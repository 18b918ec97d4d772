package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

class VisibilityHeartbeatTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static ReceivedMessage received(String handle, long at) {
    return new ReceivedMessage(Message.builder().messageId(handle).receiptHandle(handle).body("{}").build(), at);
  }

  @Test
  @DisplayName("a message is due for an extension once half of the visibility timeout has passed, not before")
  void dueAfterHalfTheTimeout() {
    EventsSettings s = new EventsSettings("b", "q", 1, Duration.ofSeconds(1), Duration.ofSeconds(60), 20,
        Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1));
    VisibilityHeartbeat hb = new VisibilityHeartbeat(null, new StubSqs(), null, s,
        new EventsMetrics(new SimpleMeterRegistry()));
    long t0 = 1_000 * SECOND;
    hb.track(received("old", t0));
    hb.track(received("young", t0 + 20 * SECOND));
    assertThat(hb.due(t0 + 29 * SECOND)).isEmpty();
    assertThat(hb.due(t0 + 30 * SECOND)).containsExactly("old");
    assertThat(hb.due(t0 + 50 * SECOND)).containsExactly("old", "young");
    hb.untrack(received("old", t0));
    assertThat(hb.due(t0 + 50 * SECOND)).containsExactly("young");
  }
}
