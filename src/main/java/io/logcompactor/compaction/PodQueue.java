package io.logcompactor.compaction;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * At most one run per pod at a time in this instance. A request that arrives while a run of its pod is going on
 * waits for a run that starts after it (that run, not the current one, covers files uploaded since the current one
 * listed the bucket); requests of the same kind that wait together share that one run. Not thread-safe: used on
 * the verticle's event loop only.
 */
final class PodQueue {
  private final Map<String, Slot> tails = new HashMap<>();

  private static final class Slot {
    final String kind;
    boolean started;
    Future<?> result;

    Slot(String kind) {
      this.kind = kind;
    }
  }

  /** @param kind requests of the same kind that wait for the same run share it */
  @SuppressWarnings("unchecked")
  <T> Future<T> submit(String pod, String kind, Supplier<Future<T>> run) {
    Slot tail = tails.get(pod);
    if (tail != null && !tail.started && tail.kind.equals(kind)) return (Future<T>) tail.result;
    Slot slot = new Slot(kind);
    Future<?> before = tail == null ? Future.succeededFuture() : tail.result;
    Future<T> result = before.transform(ignored -> {
      slot.started = true;
      return run.get();
    });
    slot.result = result;
    tails.put(pod, slot);
    result.onComplete(ar -> tails.remove(pod, slot));
    return result;
  }

  /** Every queued or running run has completed. */
  Future<Void> idle() {
    return Future.join(tails.values().stream().map(s -> (Future<?>) s.result).toList()).mapEmpty();
  }

  int pods() {
    return tails.size();
  }
}
