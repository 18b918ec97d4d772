package io.logcompactor.events;

import io.logcompactor.bus.Addresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Consumes the bucket's notifications from SQS and tells the tracker about every raw file created
 * ({@link Addresses#RAW_FILE_CREATED}). A message is deleted only once every event it carries has been handled:
 * tracked, or deliberately ignored (another bucket, not a creation, not a raw key, a test event). A malformed message
 * is logged once and left alone, so the queue's redrive policy moves it to the dead-letter queue; a message whose
 * event the tracker did not take is left to be delivered again.
 *
 * <p>Back-pressure: at most {@link EventsSettings#maxInFlightMessages()} messages are between receive and finish
 * (deleted, or left for redelivery); at that point the stream stops receiving. Credit goes back to the stream ten at a
 * time, so receives stay full batches.
 */
public final class EventsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventsVerticle.class);
  public static final String POOL = "sqs-io";
  /** Deletes wait this long for more handled messages to share their DeleteMessageBatch. */
  private static final long DELETE_LINGER_MS = 25;
  /** Malformed message ids remembered so each is logged and counted once, not on every redelivery. */
  private static final int MALFORMED_REMEMBERED = 10_000;

  private final EventsSettings settings;
  private final SqsClient sqs;
  private final EventsMetrics metrics;
  private final EventClassifier classifier;
  private final Set<String> malformedSeen = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MALFORMED_REMEMBERED;
    }
  });
  private WorkerExecutor pool;
  private SqsMessageStream stream;
  private DeleteBatcher deleter;
  private VisibilityHeartbeat heartbeat;
  /** Delivered by the stream and not yet finished. */
  private int inFlight;
  /** Of those, the ones still waiting for the tracker's replies. */
  private int awaitingTracker;
  /** Finished messages whose credit has not been handed back to the stream yet. */
  private int owed;
  private boolean flushScheduled;
  private boolean stopping;
  private boolean warnedNoTracker;
  private Promise<Void> drained;

  public EventsVerticle(EventsSettings settings, SqsClient sqs, MeterRegistry registry) {
    this.settings = settings;
    this.sqs = sqs;
    this.metrics = new EventsMetrics(registry);
    this.classifier = new EventClassifier(settings.bucket());
  }

  @Override
  public Future<?> start() {
    // Receives hold a thread for the whole long poll: two more threads keep deletes and heartbeats moving.
    pool = vertx.createSharedWorkerExecutor(POOL, settings.pollers() + 2, 2, TimeUnit.MINUTES);
    deleter = new DeleteBatcher(vertx, sqs, pool, settings.queueUrl(), metrics, DELETE_LINGER_MS);
    heartbeat = new VisibilityHeartbeat(vertx, sqs, pool, settings, metrics);
    heartbeat.start();
    stream = new SqsMessageStream(vertx, sqs, pool, settings);
    stream.exceptionHandler(e -> metrics.receiveErrors.increment());
    stream.pause();
    stream.handler(this::handle);
    stream.fetch(settings.maxInFlightMessages());
    LOG.info("consuming {} with {} pollers (wait {} s, visibility {} s, at most {} messages in flight)",
        settings.queueUrl(), settings.pollers(), settings.waitTime().toSeconds(), settings.visibilitySeconds(),
        settings.maxInFlightMessages());
    return Future.succeededFuture();
  }

  /**
   * Stops receiving, lets in-flight messages finish (tracked and deleted) within the shutdown timeout, then stops.
   * Whatever is still unfinished becomes visible again after its visibility timeout.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> closing = stream.close();
    Future<Void> idle;
    if (inFlight == 0) {
      idle = Future.succeededFuture();
    } else {
      drained = Promise.promise();
      idle = drained.future();
    }
    return Future.join(closing, idle)
        .timeout(Math.max(1, settings.shutdownTimeout().toMillis()), TimeUnit.MILLISECONDS)
        .<Void>transform(ar -> {
          if (ar.failed()) {
            LOG.warn("stopping with {} SQS messages unfinished after {} ms; they will be delivered again", inFlight,
                settings.shutdownTimeout().toMillis());
          }
          heartbeat.stop();
          return pool.close();
        });
  }

  private void handle(ReceivedMessage m) {
    inFlight++;
    metrics.inFlight.set(inFlight);
    metrics.received.increment();
    heartbeat.track(m);
    try {
      dispatch(m);
    } catch (RuntimeException e) {
      // A bug must not leave the message hidden by the heartbeat forever, nor leak its in-flight slot.
      metrics.handlingFailed.increment();
      heartbeat.untrack(m);
      LOG.error("handling SQS message {} failed; it will be delivered again", m.id(), e);
      finish();
    }
  }

  /** The service's own writes, notified like any other object: expected, not worth a warning. */
  private static boolean ownKey(String key) {
    return key.startsWith(io.logcompactor.layout.Keys.DATA_PREFIX)
        || key.startsWith(io.logcompactor.layout.Keys.METADATA_PREFIX)
        || key.startsWith(io.logcompactor.layout.Keys.CLEANUP_PREFIX);
  }

  private void dispatch(ReceivedMessage m) {
    Notification n = NotificationParser.parse(m.body());
    if (n instanceof Notification.Malformed bad) {
      malformed(m, bad.reason());
      return;
    }
    if (n instanceof Notification.TestEvent test) {
      metrics.event(EventKind.TEST);
      LOG.info("s3:TestEvent for bucket {} (message {}): notifications reach this queue", test.bucket(), m.id());
      delete(m);
      return;
    }
    List<Future<Void>> tracking = new ArrayList<>();
    for (S3Event e : ((Notification.Events) n).events()) {
      EventKind kind = classifier.classify(e);
      metrics.event(kind);
      switch (kind) {
        case CREATED -> tracking.add(track(e));
        // A misrouted notification or an upload we cannot parse means logs that will never be compacted: say so.
        case IGNORED_BUCKET -> LOG.warn("ignoring {} for bucket {} (this service compacts {}; message {})",
            e.eventName(), e.bucket(), settings.bucket(), m.id());
        case IGNORED_EVENT -> LOG.debug("ignoring {} of {}", e.eventName(), e.key());
        case IGNORED_KEY -> {
          if (ownKey(e.key())) {
            LOG.debug("ignoring {} of {}: {}", e.eventName(), e.key(), EventClassifier.keyProblem(e.key()));
          } else {
            LOG.warn("ignoring {} of s3://{}/{}: not a raw log key: {}", e.eventName(), e.bucket(), e.key(),
                EventClassifier.keyProblem(e.key()));
          }
        }
        default -> throw new IllegalStateException("unexpected kind " + kind);
      }
    }
    if (tracking.isEmpty()) {
      delete(m);
      return;
    }
    awaitingTracker++;
    Future.all(tracking).onComplete(ar -> {
      awaitingTracker--;
      if (ar.succeeded()) {
        delete(m);
      } else {
        metrics.handlingFailed.increment();
        heartbeat.untrack(m);
        LOG.warn("message {} stays on the queue: the tracker did not take its event ({}); it will be delivered again",
            m.id(), ar.cause().toString());
        finish();
      }
    });
  }

  private Future<Void> track(S3Event e) {
    JsonObject body = new JsonObject().put("key", e.key()).put("size", e.size())
        .put("event_time", e.eventTime() == null ? null : e.eventTime().toString());
    return vertx.eventBus().<JsonObject>request(Addresses.RAW_FILE_CREATED, body,
            new DeliveryOptions().setSendTimeout(settings.trackerTimeout().toMillis()))
        .onFailure(err -> {
          if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS && !warnedNoTracker) {
            warnedNoTracker = true;
            LOG.warn("no tracker consumes {}: raw-file events stay on the queue until one does",
                Addresses.RAW_FILE_CREATED);
          }
        })
        .mapEmpty();
  }

  private void malformed(ReceivedMessage m, String reason) {
    if (malformedSeen.add(m.id())) {
      metrics.event(EventKind.MALFORMED);
      LOG.error("malformed SQS message {} (receive {}): {}; left on the queue so its redrive policy moves it to the "
          + "dead-letter queue", m.id(), m.receiveCount(), reason);
    } else {
      LOG.debug("malformed SQS message {} again (receive {})", m.id(), m.receiveCount());
    }
    heartbeat.untrack(m);
    finish();
  }

  private void delete(ReceivedMessage m) {
    heartbeat.untrack(m);
    deleter.delete(m).onComplete(ar -> finish());
    // Once nothing waits for the tracker, send what is ready, after the rest of this receive's batch is handled.
    if (awaitingTracker == 0 && !flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> {
        flushScheduled = false;
        if (awaitingTracker == 0) deleter.flush();
      });
    }
  }

  private void finish() {
    inFlight--;
    metrics.inFlight.set(inFlight);
    owed++;
    if (!stopping && (owed >= EventsSettings.MAX_BATCH || inFlight == 0)) {
      stream.fetch(owed);
      owed = 0;
    }
    if (inFlight == 0 && drained != null) drained.tryComplete();
  }
}
