package io.logcompactor.tracking;

import io.logcompactor.bus.Addresses;
import io.logcompactor.events.Backoff;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link Addresses#MERGE_POD} requests: at most one per pod in flight, each covering the keys pending when it
 * was sent. A success drops exactly those keys (keys that arrived meanwhile count toward the next merge); a failure,
 * or a "busy" reply (another instance committed first, possibly without our newest keys), keeps them and asks again
 * after a doubling delay.
 *
 * <p>Every method must be called on the tracker's event loop.
 */
final class MergeScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(MergeScheduler.class);

  private final Vertx vertx;
  private final PodTable table;
  private final TrackerSettings settings;
  private final TrackerMetrics metrics;
  private final Backoff backoff;
  private final Set<String> inFlight = new HashSet<>();
  /** Pod -> timer of its scheduled retry. */
  private final Map<String, Long> retries = new HashMap<>();
  /** Pod -> consecutive unsuccessful requests. */
  private final Map<String, Integer> failures = new HashMap<>();
  private boolean warnedNoHandler;
  private boolean stopped;

  MergeScheduler(Vertx vertx, PodTable table, TrackerSettings settings, TrackerMetrics metrics) {
    this.vertx = vertx;
    this.table = table;
    this.settings = settings;
    this.metrics = metrics;
    this.backoff = new Backoff(settings.retryMin(), settings.retryMax());
  }

  /** A merge is in flight or a retry is scheduled: a new trigger has nothing to add. */
  boolean busy(String pod) {
    return inFlight.contains(pod) || retries.containsKey(pod);
  }

  /** Asks for a merge if the pod has reached the threshold. */
  void thresholdCheck(String pod) {
    if (table.pending(pod) >= settings.mergeThreshold()) request(pod, MergeCause.THRESHOLD);
  }

  void request(String pod, MergeCause cause) {
    if (stopped || busy(pod)) return;
    send(pod, cause);
  }

  /** The pod was drained: no retry for it any more. A request in flight finishes; its reply finds nothing to drop. */
  void forget(String pod) {
    Long timer = retries.remove(pod);
    if (timer != null) vertx.cancelTimer(timer);
    failures.remove(pod);
  }

  void stop() {
    stopped = true;
    retries.values().forEach(vertx::cancelTimer);
    retries.clear();
  }

  private void send(String pod, MergeCause cause) {
    Set<String> snapshot = table.snapshot(pod);
    if (snapshot.isEmpty()) {
      failures.remove(pod);
      return;
    }
    inFlight.add(pod);
    metrics.mergesInFlight.set(inFlight.size());
    metrics.requested(cause);
    LOG.debug("asking for a merge of pod {} ({}, {} raw files pending)", pod, cause.tag(), snapshot.size());
    vertx.eventBus().request(Addresses.MERGE_POD,
            new JsonObject().put("pod", pod).put("cause", cause.tag()),
            new DeliveryOptions().setSendTimeout(settings.mergeTimeout().toMillis()))
        .onComplete(ar -> {
          inFlight.remove(pod);
          metrics.mergesInFlight.set(inFlight.size());
          if (stopped) return;
          if (ar.succeeded()) {
            succeeded(pod, cause, snapshot, ar.result().body() instanceof JsonObject j ? j : null);
          } else {
            failed(pod, cause, snapshot.size(), ar.cause());
          }
        });
  }

  private void succeeded(String pod, MergeCause cause, Set<String> snapshot, JsonObject reply) {
    String status = reply == null ? null : reply.getString("status");
    metrics.completed(status);
    if ("busy".equals(status)) {
      LOG.info("merge of pod {} answered busy (another instance committed first); asking again later", pod);
      retryLater(pod, cause);
      return;
    }
    if ("refused".equals(status)) {
      LOG.warn("compaction refused pod {} (metadata unreadable or from a newer version); its raw files are no longer"
          + " counted as pending here", pod);
    }
    failures.remove(pod);
    int dropped = table.dropMerged(pod, snapshot);
    metrics.droppedMerged.increment(dropped);
    metrics.pending.set(table.pendingTotal());
    LOG.debug("merge of pod {} answered {}: {} raw files no longer pending, {} still pending", pod, status, dropped,
        table.pending(pod));
    // Keys that arrived during the merge may already make up the next one.
    thresholdCheck(pod);
  }

  private void failed(String pod, MergeCause cause, int keys, Throwable err) {
    ReplyFailure type = err instanceof ReplyException re ? re.failureType() : null;
    if (type == ReplyFailure.NO_HANDLERS) {
      metrics.failed("no_handler");
      if (!warnedNoHandler) {
        warnedNoHandler = true;
        LOG.warn("nothing consumes {}: merges stay pending and are asked for again later", Addresses.MERGE_POD);
      } else {
        LOG.debug("nothing consumes {} yet (pod {})", Addresses.MERGE_POD, pod);
      }
    } else {
      metrics.failed(type == ReplyFailure.TIMEOUT ? "timeout" : "error");
      LOG.warn("merge of pod {} ({}) failed; its {} raw files stay pending: {}", pod, cause.tag(), keys,
          err.getMessage());
    }
    retryLater(pod, cause);
  }

  private void retryLater(String pod, MergeCause cause) {
    int n = failures.merge(pod, 1, Integer::sum);
    long delay = backoff.delayMillis(n);
    retries.put(pod, vertx.setTimer(delay, id -> {
      retries.remove(pod);
      if (!stopped) send(pod, cause);
    }));
  }
}
