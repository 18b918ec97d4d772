package io.logcompactor.events;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS queue as a back-pressured {@link ReadStream}, shaped like the Vert.x Kafka consumer: each of
 * {@code pollers} pollers keeps at most one long-poll receive in flight on the worker pool, and messages are handed
 * to the handler on the context that created the stream. A receive asks for no more messages than the demand left
 * over by what is buffered and what receives in flight may still bring, so a paused stream stops receiving and never
 * holds more than one batch per poller.
 *
 * <p>A failed receive is reported to the exception handler and retried after a doubling, capped delay that resets on
 * the next success; the stream itself never fails. {@link #close()} stops receiving and hands back (visibility 0)
 * whatever was received but not delivered, so another consumer gets it at once instead of after the visibility
 * timeout.
 *
 * <p>Every method must be called on the creating context.
 */
public final class SqsMessageStream implements ReadStream<ReceivedMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(SqsMessageStream.class);
  /** Pause after an empty receive when long polling is off, so an empty queue is not polled in a tight loop. */
  private static final long EMPTY_RECEIVE_PAUSE_MS = 1_000;

  private final Vertx vertx;
  private final SqsClient sqs;
  private final WorkerExecutor pool;
  private final EventsSettings settings;
  private final Backoff backoff;
  private final ArrayDeque<ReceivedMessage> buffer = new ArrayDeque<>();
  private final List<Poller> pollers = new ArrayList<>();
  private Handler<ReceivedMessage> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  /** Messages the receives in flight asked for: they may still arrive. */
  private long requested;
  private boolean emitting;
  private int releasesInFlight;
  private Promise<Void> closed;

  private static final class Poller {
    final int id;
    boolean receiving;
    long timerId = -1;
    int failures;

    Poller(int id) {
      this.id = id;
    }
  }

  public SqsMessageStream(Vertx vertx, SqsClient sqs, WorkerExecutor pool, EventsSettings settings) {
    this.vertx = vertx;
    this.sqs = sqs;
    this.pool = pool;
    this.settings = settings;
    this.backoff = new Backoff(settings.receiveBackoffMin(), settings.receiveBackoffMax());
    for (int i = 0; i < settings.pollers(); i++) pollers.add(new Poller(i));
  }

  @Override
  public SqsMessageStream exceptionHandler(Handler<Throwable> h) {
    this.exceptionHandler = h;
    return this;
  }

  @Override
  public SqsMessageStream handler(Handler<ReceivedMessage> h) {
    this.handler = h;
    emit();
    return this;
  }

  @Override
  public SqsMessageStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public SqsMessageStream resume() {
    demand = Long.MAX_VALUE;
    emit();
    return this;
  }

  @Override
  public SqsMessageStream fetch(long amount) {
    if (amount < 0) throw new IllegalArgumentException("negative fetch: " + amount);
    demand = demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    emit();
    return this;
  }

  /** Called once {@link #close()} has finished. */
  @Override
  public SqsMessageStream endHandler(Handler<Void> h) {
    this.endHandler = h;
    return this;
  }

  /** Messages received and not yet handed to the handler. */
  public int buffered() {
    return buffer.size();
  }

  /**
   * Stops receiving. Messages received but not delivered, now or by receives still in flight, are made visible again.
   * Completes once no receive is in flight and those messages are handed back.
   */
  public Future<Void> close() {
    if (closed != null) return closed.future();
    closed = Promise.promise();
    for (Poller p : pollers) {
      if (p.timerId != -1) {
        vertx.cancelTimer(p.timerId);
        p.timerId = -1;
      }
    }
    List<ReceivedMessage> undelivered = new ArrayList<>(buffer);
    buffer.clear();
    release(undelivered);
    finishCloseIfIdle();
    return closed.future();
  }

  private boolean isClosed() {
    return closed != null;
  }

  /** Delivers what demand allows, then starts the receives that the remaining demand justifies. */
  private void emit() {
    if (emitting) return; // the loop below is already running further up the stack and sees the new demand
    emitting = true;
    try {
      while (!isClosed() && handler != null && demand > 0 && !buffer.isEmpty()) {
        if (demand != Long.MAX_VALUE) demand--;
        handler.handle(buffer.poll());
      }
    } finally {
      emitting = false;
    }
    startReceives();
  }

  private void startReceives() {
    if (isClosed() || handler == null) return;
    for (Poller p : pollers) {
      if (p.receiving || p.timerId != -1) continue;
      long credit = demand == Long.MAX_VALUE ? Long.MAX_VALUE : demand - buffer.size() - requested;
      if (credit <= 0) return;
      receive(p, (int) Math.min(EventsSettings.MAX_BATCH, credit));
    }
  }

  private void receive(Poller p, int max) {
    p.receiving = true;
    requested += max;
    pool.<List<ReceivedMessage>>executeBlocking(() -> {
      List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl())
          .maxNumberOfMessages(max)
          .waitTimeSeconds((int) settings.waitTime().toSeconds())
          .visibilityTimeout(settings.visibilitySeconds())
          .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
      long now = System.nanoTime();
      List<ReceivedMessage> out = new ArrayList<>(messages.size());
      for (Message m : messages) out.add(new ReceivedMessage(m, now));
      return out;
    }, false).onComplete(ar -> {
      p.receiving = false;
      requested -= max;
      if (ar.failed()) {
        receiveFailed(p, ar.cause());
      } else {
        p.failures = 0;
        if (isClosed()) {
          release(ar.result());
        } else {
          buffer.addAll(ar.result());
          if (ar.result().isEmpty() && settings.waitTime().isZero()) pauseFor(p, EMPTY_RECEIVE_PAUSE_MS);
        }
      }
      if (isClosed()) {
        finishCloseIfIdle();
      } else {
        emit();
      }
    });
  }

  private void receiveFailed(Poller p, Throwable cause) {
    p.failures++;
    long delay = backoff.delayMillis(p.failures);
    LOG.warn("SQS receive from {} failed ({} in a row on poller {}); retrying in {} ms: {}", settings.queueUrl(),
        p.failures, p.id, delay, cause.toString());
    if (exceptionHandler != null) {
      try {
        exceptionHandler.handle(cause);
      } catch (RuntimeException e) {
        LOG.warn("exception handler failed", e);
      }
    }
    if (!isClosed()) pauseFor(p, delay);
  }

  private void pauseFor(Poller p, long millis) {
    p.timerId = vertx.setTimer(millis, id -> {
      p.timerId = -1;
      emit();
    });
  }

  /** Makes messages we will not handle visible again right away. Best effort: otherwise they reappear later. */
  private void release(List<ReceivedMessage> messages) {
    if (messages.isEmpty()) return;
    releasesInFlight++;
    pool.executeBlocking(() -> {
      for (int i = 0; i < messages.size(); i += EventsSettings.MAX_BATCH) {
        List<ReceivedMessage> chunk = messages.subList(i, Math.min(messages.size(), i + EventsSettings.MAX_BATCH));
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        for (int j = 0; j < chunk.size(); j++) {
          entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(j))
              .receiptHandle(chunk.get(j).receiptHandle()).visibilityTimeout(0).build());
        }
        sqs.changeMessageVisibilityBatch(b -> b.queueUrl(settings.queueUrl()).entries(entries));
      }
      return null;
    }, false).onComplete(ar -> {
      releasesInFlight--;
      if (ar.failed()) {
        LOG.info("{} received messages not handed back ({}); they reappear after their visibility timeout",
            messages.size(), ar.cause().toString());
      } else {
        LOG.debug("handed back {} received messages", messages.size());
      }
      finishCloseIfIdle();
    });
  }

  private void finishCloseIfIdle() {
    if (closed == null || releasesInFlight > 0) return;
    for (Poller p : pollers) {
      if (p.receiving) return;
    }
    if (closed.tryComplete() && endHandler != null) endHandler.handle(null);
  }
}
