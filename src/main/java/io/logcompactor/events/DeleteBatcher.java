package io.logcompactor.events;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

/**
 * Deletes handled messages with DeleteMessageBatch: ten at once as soon as ten are waiting, else after a short
 * linger (or at once when asked) so that the messages of one receive usually go in one request. A failed entry (or
 * request) is logged and counted; the message is then delivered again, and the tracker counts its event once.
 *
 * <p>Every method must be called on the verticle's context.
 */
final class DeleteBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(DeleteBatcher.class);

  private record Pending(ReceivedMessage message, Promise<Boolean> done) {}

  private final Vertx vertx;
  private final SqsClient sqs;
  private final WorkerExecutor pool;
  private final String queueUrl;
  private final EventsMetrics metrics;
  private final long lingerMillis;
  private final List<Pending> waiting = new ArrayList<>();
  private long timerId = -1;

  DeleteBatcher(Vertx vertx, SqsClient sqs, WorkerExecutor pool, String queueUrl, EventsMetrics metrics,
                long lingerMillis) {
    this.vertx = vertx;
    this.sqs = sqs;
    this.pool = pool;
    this.queueUrl = queueUrl;
    this.metrics = metrics;
    this.lingerMillis = lingerMillis;
  }

  /** @return completes with whether SQS deleted the message; never fails */
  Future<Boolean> delete(ReceivedMessage m) {
    Promise<Boolean> done = Promise.promise();
    waiting.add(new Pending(m, done));
    if (waiting.size() >= EventsSettings.MAX_BATCH) {
      flush();
    } else if (timerId == -1) {
      timerId = vertx.setTimer(lingerMillis, id -> {
        timerId = -1;
        flush();
      });
    }
    return done.future();
  }

  /** Sends whatever is waiting now. */
  void flush() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    while (!waiting.isEmpty()) {
      List<Pending> batch = new ArrayList<>(waiting.subList(0, Math.min(EventsSettings.MAX_BATCH, waiting.size())));
      waiting.subList(0, batch.size()).clear();
      send(batch);
    }
  }

  private void send(List<Pending> batch) {
    Map<String, Pending> byId = new HashMap<>();
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      String id = Integer.toString(i);
      byId.put(id, batch.get(i));
      entries.add(DeleteMessageBatchRequestEntry.builder().id(id).receiptHandle(batch.get(i).message().receiptHandle())
          .build());
    }
    pool.<DeleteMessageBatchResponse>executeBlocking(
            () -> sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            metrics.deleteFailed.increment(batch.size());
            LOG.warn("DeleteMessageBatch of {} messages failed; they will be delivered again: {}", batch.size(),
                ar.cause().toString());
            batch.forEach(p -> p.done().complete(false));
            return;
          }
          for (BatchResultErrorEntry e : ar.result().failed()) {
            Pending p = byId.remove(e.id());
            if (p == null) continue;
            metrics.deleteFailed.increment();
            LOG.warn("SQS did not delete message {} ({}: {}); it will be delivered again", p.message().id(), e.code(),
                e.message());
            p.done().complete(false);
          }
          for (String id : ar.result().successful().stream().map(s -> s.id()).toList()) {
            Pending p = byId.remove(id);
            if (p == null) continue;
            metrics.deleted.increment();
            p.done().complete(true);
          }
          // Neither confirmed nor refused: count it as not deleted, the safe side (a redelivery counts once).
          for (Pending p : byId.values()) {
            metrics.deleteFailed.increment();
            LOG.warn("SQS gave no result for deleting message {}; it may be delivered again", p.message().id());
            p.done().complete(false);
          }
        });
  }
}
