package io.logcompactor.tracking;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The tracker's meters, all under {@code compactor.tracking.}. */
final class TrackerMetrics {
  private final MeterRegistry registry;
  final Counter trackedFromEvents;
  final Counter trackedFromReconcile;
  final Counter duplicates;
  final Counter droppedMerged;
  final Counter droppedGone;
  final Counter reconciles;
  final Counter reconcileFailures;
  final AtomicLong pods = new AtomicLong();
  final AtomicLong pending = new AtomicLong();
  final AtomicLong mergesInFlight = new AtomicLong();
  private final Map<MergeCause, Counter> requested = new EnumMap<>(MergeCause.class);
  private final Map<String, Counter> completed = new ConcurrentHashMap<>();
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();

  TrackerMetrics(MeterRegistry registry) {
    this.registry = registry;
    trackedFromEvents = tracked("event");
    trackedFromReconcile = tracked("reconcile");
    duplicates = Counter.builder("compactor.tracking.raw_files.duplicate")
        .description("raw-file events for keys already pending (SQS delivers at least once)").register(registry);
    droppedMerged = Counter.builder("compactor.tracking.raw_files.dropped").tag("reason", "merged")
        .description("raw files no longer pending").register(registry);
    droppedGone = Counter.builder("compactor.tracking.raw_files.dropped").tag("reason", "reconcile")
        .description("raw files no longer pending").register(registry);
    reconciles = Counter.builder("compactor.tracking.reconciles").tag("outcome", "ok")
        .description("listings of the raw prefix").register(registry);
    reconcileFailures = Counter.builder("compactor.tracking.reconciles").tag("outcome", "failed")
        .description("listings of the raw prefix").register(registry);
    for (MergeCause c : MergeCause.values()) {
      requested.put(c, Counter.builder("compactor.tracking.merges.requested").tag("cause", c.tag())
          .description("merge requests sent, retries included").register(registry));
    }
    Gauge.builder("compactor.tracking.pods", pods, AtomicLong::get).description("pods tracked").register(registry);
    Gauge.builder("compactor.tracking.pending_raw_files", pending, AtomicLong::get)
        .description("raw files tracked and not yet merged").register(registry);
    Gauge.builder("compactor.tracking.merges.in_flight", mergesInFlight, AtomicLong::get)
        .description("merge requests awaiting their reply").register(registry);
  }

  private Counter tracked(String source) {
    return Counter.builder("compactor.tracking.raw_files.tracked").tag("source", source)
        .description("raw files newly pending").register(registry);
  }

  void requested(MergeCause cause) {
    requested.get(cause).increment();
  }

  /** @param status the reply's status: merged, nothing, busy, refused (anything else is counted as "other") */
  void completed(String status) {
    String s = status == null ? "other" : switch (status) {
      case "merged", "nothing", "busy", "refused" -> status;
      default -> "other";
    };
    completed.computeIfAbsent(s, k -> Counter.builder("compactor.tracking.merges.completed").tag("status", k)
        .description("merge requests answered").register(registry)).increment();
  }

  /** @param reason no_handler, timeout or error */
  void failed(String reason) {
    failed.computeIfAbsent(reason, k -> Counter.builder("compactor.tracking.merges.failed").tag("reason", k)
        .description("merge requests that failed; the raw files stay pending and the request is retried")
        .register(registry)).increment();
  }
}
