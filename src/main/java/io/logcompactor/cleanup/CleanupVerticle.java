package io.logcompactor.cleanup;

import io.logcompactor.bus.Addresses;
import io.logcompactor.layout.Keys;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Drains the cleanup queue: every interval, lists {@code cleanup/} and asks compaction
 * ({@link Addresses#CLEAN_POD}) to give each pod its final cleanup once it has been idle for the idle timeout.
 * Idleness is judged from S3 (the newest raw object and the metadata's last upload time), not from any tracker's
 * memory, because with several replicas no single tracker sees every upload. A drained pod is announced on
 * {@link Addresses#POD_DRAINED}; active pods stay queued.
 */
public final class CleanupVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CleanupVerticle.class);
  private static final Set<String> OUTCOMES = Set.of("drained", "active", "busy", "refused");

  /** How long one pod's drain may take before this verticle stops waiting for it (the drain goes on). */
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(30);

  private final S3Store store;
  private final Duration interval;
  private final Duration idleTimeout;
  private final Duration shutdownTimeout;
  private final MeterRegistry registry;
  private final Counter invalidMarkers;
  private final Counter failedTicks;
  private long timer = -1;
  private boolean running;
  private boolean stopping;
  private Future<Void> current = Future.succeededFuture();

  public CleanupVerticle(S3Store store, Duration interval, Duration idleTimeout, Duration shutdownTimeout,
                         MeterRegistry registry) {
    this.store = store;
    this.interval = interval;
    this.idleTimeout = idleTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.registry = registry;
    this.invalidMarkers = Counter.builder("compactor.cleanup.markers.invalid")
        .description("keys under cleanup/ that do not name a pod; left alone").register(registry);
    this.failedTicks = Counter.builder("compactor.cleanup.ticks.failed")
        .description("cleanup passes that could not list the queue").register(registry);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    // The pod being drained finishes within the shutdown timeout or is cut short like a crash; no new pod starts.
    return current.timeout(Math.max(1, shutdownTimeout.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture());
  }

  /** One pass over the queue; a pass still running when the timer fires again is not doubled. */
  Future<Void> tick() {
    if (running) return current;
    running = true;
    current = store.list(Keys.CLEANUP_PREFIX)
        .compose(this::drainAll)
        .recover(e -> {
          LOG.warn("cleanup pass failed: {}", e.toString());
          failedTicks.increment();
          return Future.succeededFuture();
        })
        .andThen(ar -> running = false);
    return current;
  }

  private Future<Void> drainAll(List<S3Object> markers) {
    List<String> pods = new ArrayList<>();
    for (S3Object o : markers) {
      String pod = Keys.podOfCleanupKey(o.key());
      if (pod == null) {
        LOG.error("cleanup marker s3://{}/{} does not name a pod; ignoring it", store.bucket(), o.key());
        invalidMarkers.increment();
      } else {
        pods.add(pod);
      }
    }
    // One pod at a time: a pass is background work and must not crowd out merges.
    Future<Void> chain = Future.succeededFuture();
    for (String pod : pods) chain = chain.compose(v -> stopping ? Future.succeededFuture() : drain(pod));
    return chain;
  }

  private Future<Void> drain(String pod) {
    JsonObject request = new JsonObject().put("pod", pod).put("idle_timeout_ms", idleTimeout.toMillis());
    return vertx.eventBus().<JsonObject>request(Addresses.CLEAN_POD, request,
            new DeliveryOptions().setSendTimeout(DRAIN_TIMEOUT.toMillis()))
        .map(reply -> {
          String status = reply.body().getString("status", "unknown");
          count(OUTCOMES.contains(status) ? status : "unknown");
          if ("drained".equals(status)) {
            vertx.eventBus().publish(Addresses.POD_DRAINED, new JsonObject().put("pod", pod));
          }
          return (Void) null;
        })
        .recover(e -> {
          count("failed");
          LOG.warn("final cleanup of pod {} failed ({}); it stays queued", pod,
              e instanceof ReplyException r ? r.getMessage() : e.toString());
          return Future.succeededFuture();
        });
  }

  private void count(String outcome) {
    Counter.builder("compactor.cleanup.pods").tag("outcome", outcome)
        .description("pods looked at by the cleanup pass, by outcome").register(registry).increment();
  }
}
