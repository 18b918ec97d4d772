package io.logcompactor.events;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * Keeps messages whose work is still running hidden: once half of the visibility timeout has passed since a message
 * was received (or last extended), its visibility is reset to a full timeout with ChangeMessageVisibilityBatch.
 * Without it, a message whose event waits longer than the timeout would be delivered again while still in flight.
 *
 * <p>Every method must be called on the verticle's context.
 */
final class VisibilityHeartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(VisibilityHeartbeat.class);

  private final Vertx vertx;
  private final SqsClient sqs;
  private final WorkerExecutor pool;
  private final String queueUrl;
  private final int visibilitySeconds;
  private final long extendAfterNanos;
  private final EventsMetrics metrics;
  /** Receipt handle -> nanoTime of the last receive or extension. Keyed by handle: one message may be received twice. */
  private final Map<String, Long> tracked = new LinkedHashMap<>();
  private long timerId = -1;

  VisibilityHeartbeat(Vertx vertx, SqsClient sqs, WorkerExecutor pool, EventsSettings settings, EventsMetrics metrics) {
    this.vertx = vertx;
    this.sqs = sqs;
    this.pool = pool;
    this.queueUrl = settings.queueUrl();
    this.visibilitySeconds = settings.visibilitySeconds();
    this.extendAfterNanos = settings.visibilityTimeout().toNanos() / 2;
    this.metrics = metrics;
  }

  void start() {
    long period = Math.max(100, extendAfterNanos / 2_000_000);
    timerId = vertx.setPeriodic(period, id -> beat(System.nanoTime()));
  }

  void stop() {
    if (timerId != -1) vertx.cancelTimer(timerId);
    timerId = -1;
  }

  void track(ReceivedMessage m) {
    tracked.put(m.receiptHandle(), m.receivedAtNanos());
  }

  void untrack(ReceivedMessage m) {
    tracked.remove(m.receiptHandle());
  }

  int size() {
    return tracked.size();
  }

  /** Receipt handles due for an extension at {@code now}. */
  List<String> due(long now) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : tracked.entrySet()) {
      if (now - e.getValue() >= extendAfterNanos) out.add(e.getKey());
    }
    return out;
  }

  private void beat(long now) {
    List<String> due = due(now);
    // Stamped before the call so the next beat does not extend the same messages again while this one runs.
    for (String h : due) tracked.put(h, now);
    for (int i = 0; i < due.size(); i += EventsSettings.MAX_BATCH) {
      extend(due.subList(i, Math.min(due.size(), i + EventsSettings.MAX_BATCH)));
    }
  }

  private void extend(List<String> handles) {
    Map<String, String> byId = new HashMap<>();
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      byId.put(Integer.toString(i), handles.get(i));
      entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
          .receiptHandle(handles.get(i)).visibilityTimeout(visibilitySeconds).build());
    }
    pool.<ChangeMessageVisibilityBatchResponse>executeBlocking(
            () -> sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries)), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            metrics.visibilityExtendFailed.increment(handles.size());
            LOG.warn("extending the visibility of {} in-flight messages failed (they may be delivered again): {}",
                handles.size(), ar.cause().toString());
            return;
          }
          metrics.visibilityExtended.increment(ar.result().successful().size());
          for (BatchResultErrorEntry e : ar.result().failed()) {
            metrics.visibilityExtendFailed.increment();
            // A message deleted meanwhile has an invalid handle: expected, and not worth a warning.
            if (tracked.containsKey(byId.get(e.id()))) {
              LOG.warn("SQS refused to extend an in-flight message ({}: {}); it may be delivered again", e.code(),
                  e.message());
            }
          }
        });
  }
}
