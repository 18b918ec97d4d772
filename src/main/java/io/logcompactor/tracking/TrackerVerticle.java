package io.logcompactor.tracking;

import io.logcompactor.bus.Addresses;
import io.logcompactor.events.Backoff;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.RawKeyParser;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows, per pod, which raw files are not merged yet, and asks for merges: when a pod reaches the threshold, for
 * every pod with pending files each compaction interval, and for pods a reconcile finds at or over the threshold.
 * Reconcile lists the raw prefix at start and every reconcile interval, so raw files whose events were lost, or that
 * were uploaded while no instance ran, are still tracked.
 *
 * <p>Serves {@link Addresses#RAW_FILE_CREATED}, {@link Addresses#POD_DRAINED}, {@link Addresses#TRACKER_POD_STATUS} and
 * {@link Addresses#TRACKER_LIST}. All state lives on this verticle's event loop.
 */
public final class TrackerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerVerticle.class);
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1_000;

  private final TrackerSettings settings;
  private final S3Store store;
  private final TrackerMetrics metrics;
  private final PodTable table = new PodTable();
  private final Backoff reconcileBackoff;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private MergeScheduler merges;
  private long compactionTimer = -1;
  private long reconcileTimer = -1;
  private long reconcileRetryTimer = -1;
  private boolean reconciling;
  private int reconcileFailures;
  private boolean stopped;

  public TrackerVerticle(TrackerSettings settings, S3Store store, MeterRegistry registry) {
    this.settings = settings;
    this.store = store;
    this.metrics = new TrackerMetrics(registry);
    Duration cap = settings.reconcileInterval().compareTo(Duration.ofMinutes(5)) < 0
        ? settings.reconcileInterval() : Duration.ofMinutes(5);
    this.reconcileBackoff = new Backoff(Duration.ofSeconds(1).compareTo(cap) < 0 ? Duration.ofSeconds(1) : cap, cap);
  }

  @Override
  public Future<?> start() {
    merges = new MergeScheduler(vertx, table, settings, metrics);
    var bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>consumer(Addresses.RAW_FILE_CREATED, this::rawFileCreated));
    consumers.add(bus.<JsonObject>consumer(Addresses.POD_DRAINED, this::podDrained));
    consumers.add(bus.<JsonObject>consumer(Addresses.TRACKER_POD_STATUS, this::podStatus));
    consumers.add(bus.<JsonObject>consumer(Addresses.TRACKER_LIST, this::list));
    compactionTimer = vertx.setPeriodic(settings.compactionInterval().toMillis(), id -> compactionTick());
    reconcileTimer = vertx.setPeriodic(settings.reconcileInterval().toMillis(), id -> reconcile());
    // Not awaited: a large bucket must not hold up start-up, and events arriving meanwhile are kept (see PodTable).
    reconcile();
    LOG.info("tracking raw files: merge threshold {}, compaction every {} s, reconcile every {} s",
        settings.mergeThreshold(), settings.compactionInterval().toSeconds(), settings.reconcileInterval().toSeconds());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    for (long t : new long[] {compactionTimer, reconcileTimer, reconcileRetryTimer}) {
      if (t != -1) vertx.cancelTimer(t);
    }
    merges.stop();
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  private void rawFileCreated(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    Object key = body == null ? null : body.getValue("key");
    if (!(key instanceof String k)) {
      msg.fail(400, "raw file event without a string 'key'");
      return;
    }
    if (!(RawKeyParser.parse(k) instanceof RawKeyParser.Parsed parsed)) {
      LOG.debug("not tracking {}: not a raw key", k);
      msg.reply(new JsonObject().put("tracked", false));
      return;
    }
    String pod = parsed.rawKey().pod();
    boolean added = table.add(pod, k, eventTime(body.getValue("event_time")));
    (added ? metrics.trackedFromEvents : metrics.duplicates).increment();
    refreshGauges();
    msg.reply(new JsonObject().put("tracked", true));
    if (added) merges.thresholdCheck(pod);
  }

  private static Instant eventTime(Object value) {
    if (value instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        LOG.debug("event_time '{}' is not RFC 3339; using now", s);
      }
    }
    return Instant.now();
  }

  private void podDrained(Message<JsonObject> msg) {
    String pod = msg.body() == null ? null : msg.body().getString("pod");
    if (pod == null) return;
    if (table.forget(pod)) LOG.debug("pod {} drained: forgotten", pod);
    merges.forget(pod);
    refreshGauges();
  }

  private void podStatus(Message<JsonObject> msg) {
    String pod = msg.body() == null ? null : msg.body().getString("pod");
    if (pod == null) {
      msg.fail(400, "pod status request without 'pod'");
      return;
    }
    PodState s = table.get(pod);
    JsonObject reply = new JsonObject().put("pod", pod)
        .put("pending_raw_files", s == null ? 0 : s.pendingCount())
        .put("last_upload_time", s == null || s.lastUpload() == null ? null : s.lastUpload().toString())
        .put("tracked", s != null);
    msg.reply(reply);
  }

  private void list(Message<JsonObject> msg) {
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    int offset;
    int limit;
    try {
      offset = body.getInteger("offset", 0);
      limit = body.getInteger("limit", DEFAULT_PAGE);
    } catch (ClassCastException e) {
      msg.fail(400, "'offset' and 'limit' must be integers");
      return;
    }
    if (offset < 0 || limit < 1) {
      msg.fail(400, "'offset' must be >= 0 and 'limit' >= 1");
      return;
    }
    JsonArray pods = new JsonArray();
    for (PodState s : table.page(offset, Math.min(limit, MAX_PAGE))) {
      pods.add(new JsonObject().put("pod", s.pod).put("pending_raw_files", s.pendingCount())
          .put("last_upload_time", s.lastUpload() == null ? null : s.lastUpload().toString()));
    }
    msg.reply(new JsonObject().put("pods", pods).put("total", table.size()));
  }

  private void compactionTick() {
    for (PodState s : List.copyOf(table.all())) {
      if (s.pendingCount() > 0) merges.request(s.pod, MergeCause.TIMER);
    }
  }

  private void reconcile() {
    if (reconciling || stopped) return;
    reconciling = true;
    long mark = table.mark();
    long t0 = System.nanoTime();
    Reconciler.read(store, settings.metadataReadParallelism()).onComplete(ar -> {
      reconciling = false;
      if (stopped) return;
      if (ar.failed()) {
        reconcileFailed(ar.cause());
      } else {
        reconciled(ar.result(), mark, (System.nanoTime() - t0) / 1_000_000);
      }
    });
  }

  private void reconciled(RawListing listing, long mark, long millis) {
    reconcileFailures = 0;
    metrics.reconciles.increment();
    PodTable.ReconcileOutcome o = table.reconcile(listing, mark);
    metrics.trackedFromReconcile.increment(o.added());
    metrics.droppedGone.increment(o.removed());
    for (PodState s : List.copyOf(table.all())) {
      if (s.pendingCount() >= settings.mergeThreshold()) merges.request(s.pod, MergeCause.RECONCILE);
    }
    List<String> forgotten = table.forgetIdle(Instant.now().minus(settings.idleTimeout()), merges::busy);
    forgotten.forEach(merges::forget);
    refreshGauges();
    LOG.info("reconciled in {} ms: {} raw objects of {} pods listed, {} raw files newly pending, {} no longer pending,"
            + " {} pods with unreadable metadata, {} idle pods forgotten, {} raw files pending in {} pods", millis,
        listing.rawObjects(), listing.pods().size() + listing.unreadable().size(), o.added(), o.removed(),
        listing.unreadable().size(), forgotten.size(), table.pendingTotal(), table.size());
    if (listing.foreignKeys() > 0) {
      LOG.info("{} objects under {} are not raw keys and are ignored", listing.foreignKeys(),
          Keys.RAW_PREFIX);
    }
  }

  private void reconcileFailed(Throwable e) {
    metrics.reconcileFailures.increment();
    reconcileFailures++;
    long delay = reconcileBackoff.delayMillis(reconcileFailures);
    LOG.warn("reconcile failed ({} in a row); trying again in {} ms: {}", reconcileFailures, delay, e.toString());
    if (reconcileRetryTimer != -1) vertx.cancelTimer(reconcileRetryTimer);
    reconcileRetryTimer = vertx.setTimer(delay, id -> {
      reconcileRetryTimer = -1;
      reconcile();
    });
  }

  private void refreshGauges() {
    metrics.pods.set(table.size());
    metrics.pending.set(table.pendingTotal());
  }
}
