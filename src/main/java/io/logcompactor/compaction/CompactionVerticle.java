package io.logcompactor.compaction;

import io.logcompactor.bus.Addresses;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.layout.Names;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#MERGE_POD} and {@link Addresses#CLEAN_POD}. Runs execute on the named worker pool
 * {@value #POOL} (blocking S3 calls, never on the event loop), one per pod at a time ({@link PodQueue}); raw
 * objects are fetched on the shared S3 pool.
 */
public final class CompactionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CompactionVerticle.class);
  public static final String POOL = "compaction-runs";

  private final S3Store store;
  private final long mergedMaxBytes;
  private final Duration orphanSafetyAge;
  private final Duration shutdownTimeout;
  private final CompactionSettings settings;
  private final Clock clock;
  private final Failpoints failpoints;
  private final CompactionMetrics metrics;
  private final PodQueue queue = new PodQueue();
  private WorkerExecutor pool;
  private PodCompactor compactor;
  private PodDrainer drainer;

  public CompactionVerticle(S3Store store, CompactorConfig config, MeterRegistry registry) {
    this(store, config.mergedMaxBytes(), config.orphanSafetyAge(), config.shutdownTimeout(),
        CompactionSettings.forPool(config.s3Concurrency(), config.streamLargeFiles()), Clock.systemUTC(),
        Failpoints.NONE, registry);
  }

  public CompactionVerticle(S3Store store, long mergedMaxBytes, Duration orphanSafetyAge, Duration shutdownTimeout,
                            CompactionSettings settings, Clock clock, Failpoints failpoints, MeterRegistry registry) {
    this.store = store;
    this.mergedMaxBytes = mergedMaxBytes;
    this.orphanSafetyAge = orphanSafetyAge;
    this.shutdownTimeout = shutdownTimeout;
    this.settings = settings;
    this.clock = clock;
    this.failpoints = failpoints;
    this.metrics = new CompactionMetrics(registry);
  }

  @Override
  public Future<?> start() {
    pool = vertx.createSharedWorkerExecutor(POOL, settings.concurrentRuns(), 30, TimeUnit.MINUTES);
    compactor = new PodCompactor(store, mergedMaxBytes, orphanSafetyAge, settings, clock, failpoints, metrics);
    drainer = compactor.drainer();
    MessageConsumer<JsonObject> merge = vertx.eventBus().consumer(Addresses.MERGE_POD, this::onMerge);
    MessageConsumer<JsonObject> clean = vertx.eventBus().consumer(Addresses.CLEAN_POD, this::onClean);
    return Future.all(merge.completion(), clean.completion());
  }

  @Override
  public Future<?> stop() {
    // In-flight runs get the shutdown timeout; one cut short is a crash, from which the next run converges.
    return queue.idle()
        .timeout(Math.max(1, shutdownTimeout.toMillis()), TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("stopping with {} pods' compaction runs unfinished: {}", queue.pods(), e.toString());
          return Future.succeededFuture();
        })
        .eventually(() -> pool.close());
  }

  private void onMerge(Message<JsonObject> msg) {
    String pod = pod(msg);
    if (pod == null) return;
    String cause = msg.body().getString("cause", "manual");
    reply(msg, "merge", cause, queue.submit(pod, "merge", () -> run(() -> compactor.compact(pod))));
  }

  private void onClean(Message<JsonObject> msg) {
    String pod = pod(msg);
    if (pod == null) return;
    Long idleMs = msg.body().getLong("idle_timeout_ms");
    if (idleMs == null || idleMs < 0) {
      metrics.invalidRequests.increment();
      msg.fail(400, "clean request for pod " + pod + " needs a non-negative 'idle_timeout_ms'");
      return;
    }
    Duration idle = Duration.ofMillis(idleMs);
    reply(msg, "drain", "cleanup", queue.submit(pod, "drain", () -> run(() -> drainer.drain(pod, idle))));
  }

  private Future<RunResult> run(Callable<RunResult> work) {
    return pool.executeBlocking(work, false);
  }

  private void reply(Message<JsonObject> msg, String kind, String cause, Future<RunResult> result) {
    long start = System.nanoTime();
    result.onComplete(ar -> {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (ar.succeeded()) {
        metrics.run(kind, cause, ar.result().status().wire(), took);
        msg.reply(ar.result().toJson());
      } else {
        metrics.run(kind, cause, "failed", took);
        String pod = msg.body().getString("pod");
        LOG.error("{} of pod {} failed; nothing may be dropped, a later run retries", kind, pod, ar.cause());
        msg.fail(500, kind + " of pod " + pod + " failed: " + ar.cause());
      }
    });
  }

  private String pod(Message<JsonObject> msg) {
    Object value = msg.body() == null ? null : msg.body().getValue("pod");
    String pod = value instanceof String s ? s : null;
    String problem = Names.podNameProblem(pod);
    if (problem != null) {
      metrics.invalidRequests.increment();
      LOG.error("rejecting request on {}: pod name {}", msg.address(), problem);
      msg.fail(400, "pod name: " + problem);
      return null;
    }
    return pod;
  }
}
