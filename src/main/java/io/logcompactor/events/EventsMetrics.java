package io.logcompactor.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The SQS consumer's meters, all under {@code compactor.events.}. */
final class EventsMetrics {
  final Counter received;
  final Counter deleted;
  final Counter deleteFailed;
  final Counter handlingFailed;
  final Counter receiveErrors;
  final Counter visibilityExtended;
  final Counter visibilityExtendFailed;
  final AtomicInteger inFlight = new AtomicInteger();
  private final Map<EventKind, Counter> events = new EnumMap<>(EventKind.class);

  EventsMetrics(MeterRegistry registry) {
    received = Counter.builder("compactor.events.messages.received")
        .description("SQS messages received").register(registry);
    deleted = Counter.builder("compactor.events.messages.deleted")
        .description("SQS messages deleted after every event they carry was handled").register(registry);
    deleteFailed = Counter.builder("compactor.events.messages.delete_failed")
        .description("SQS messages whose delete failed; they are delivered again and counted once").register(registry);
    handlingFailed = Counter.builder("compactor.events.messages.handling_failed")
        .description("SQS messages left on the queue because the tracker did not take an event").register(registry);
    receiveErrors = Counter.builder("compactor.events.receive.errors")
        .description("failed SQS receives (retried with backoff)").register(registry);
    visibilityExtended = Counter.builder("compactor.events.visibility.extended")
        .description("visibility timeouts extended for messages still in flight").register(registry);
    visibilityExtendFailed = Counter.builder("compactor.events.visibility.extend_failed")
        .description("visibility extensions SQS refused").register(registry);
    for (EventKind k : EventKind.values()) {
      events.put(k, Counter.builder("compactor.events.events").tag("kind", k.tag())
          .description("events found in SQS messages, by what they turned out to be").register(registry));
    }
    Gauge.builder("compactor.events.messages.in_flight", inFlight, AtomicInteger::get)
        .description("messages received and not yet finished").register(registry);
  }

  void event(EventKind kind) {
    events.get(kind).increment();
  }
}
