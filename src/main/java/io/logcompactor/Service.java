package io.logcompactor;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.bus.LogChunk;
import io.logcompactor.cleanup.CleanupVerticle;
import io.logcompactor.compaction.CompactionVerticle;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.events.EventsSettings;
import io.logcompactor.events.EventsVerticle;
import io.logcompactor.http.HttpVerticle;
import io.logcompactor.read.ReadMetrics;
import io.logcompactor.read.ReadVerticle;
import io.logcompactor.read.S3JobStore;
import io.logcompactor.s3.S3RequestCounter;
import io.logcompactor.s3.S3Store;
import io.logcompactor.tracking.TrackerSettings;
import io.logcompactor.tracking.TrackerVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One running instance of the service: a Vert.x instance, the SDK clients and the verticles. {@link Main} runs one;
 * tests and local mode run one or several in-process.
 */
public final class Service {
  private static final Logger LOG = LoggerFactory.getLogger(Service.class);

  private final CompactorConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final S3Client s3Client;
  private final SqsClient sqsClient;
  private final S3RequestCounter s3Requests;
  private final S3Store store;
  private final List<String> deployments = new ArrayList<>();
  private final EnumSet<Component> components;

  /** The parts of the service besides its HTTP face, each a verticle with its own responsibility. */
  public enum Component { COMPACTION, CLEANUP, READ, TRACKING, EVENTS }
  private HttpVerticle http;
  private ReadVerticle reader;

  private Service(CompactorConfig config, Set<Component> components) {
    this.config = config;
    this.components = EnumSet.copyOf(components);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    this.s3Requests = new S3RequestCounter(registry);
    this.s3Client = AwsClients.s3(config, s3Requests);
    this.sqsClient = AwsClients.sqs(config);
    this.store = new S3Store(vertx, s3Client, config.bucket(), config.s3Concurrency());
  }

  /**
   * Builds the clients, warms them (the first SDK call loads classes for seconds: never on an event loop), deploys
   * every verticle. Blocks the calling thread until the service is up or failed.
   */
  public static Service start(CompactorConfig config) throws Exception {
    return start(config, EnumSet.allOf(Component.class));
  }

  /**
   * Starts with only some components: the HTTP verticle always runs, the others only when listed. Tests use it to put
   * a stand-in on an address a real component would otherwise share (the event bus round-robins between consumers).
   */
  public static Service start(CompactorConfig config, Set<Component> components) throws Exception {
    Service s = new Service(config, components);
    try {
      s.warmUp();
      s.deployAll().await(2, TimeUnit.MINUTES);
      LOG.info("log-compactor started: {}, HTTP on port {}", config, s.httpPort());
      return s;
    } catch (Exception e) {
      s.stop().await(1, TimeUnit.MINUTES);
      throw e;
    }
  }

  private void warmUp() {
    try {
      s3Client.headBucket(b -> b.bucket(config.bucket()));
    } catch (RuntimeException e) {
      // Not fatal: readiness reports it, and S3 may come up after us.
      LOG.warn("bucket {} not reachable at start: {}", config.bucket(), e.toString());
    }
  }

  private Future<Void> deployAll() {
    LogChunk.register(vertx.eventBus());
    HealthChecks readiness = HealthChecks.create(vertx)
        .register("s3", 5_000, p -> store.ping()
            .onSuccess(v -> p.complete(Status.OK()))
            .onFailure(e -> p.complete(Status.KO(new io.vertx.core.json.JsonObject().put("error", e.toString())))))
        .register("sqs", 5_000, p -> vertx.executeBlocking(() -> sqsClient.getQueueAttributes(
                b -> b.queueUrl(config.sqsQueueUrl()).attributeNamesWithStrings("QueueArn")), false)
            .onSuccess(v -> p.complete(Status.OK()))
            .onFailure(e -> p.complete(Status.KO(new io.vertx.core.json.JsonObject().put("error", e.toString())))));
    http = new HttpVerticle(config.httpPort(), readiness, registry, config.apiToken());
    // Read path (issue 5): the combined job log reader behind READ_* on the event bus.
    reader = new ReadVerticle(new S3JobStore(store), new ReadMetrics(registry), new ReadVerticle.Settings(
        config.readMaxLineBytes(), config.idleTimeout(), Duration.ofSeconds(1), Duration.ofSeconds(60),
        Math.max(4, config.s3Concurrency() / 2)));
    return deployCompaction()
        .compose(v -> components.contains(Component.READ) ? deploy(reader, false) : Future.<String>succeededFuture())
        .compose(id -> deploy(http, false))
        .compose(v -> deployIngestion()).mapEmpty();
  }

  /** Compaction (MERGE_POD, CLEAN_POD) first, then the cleanup pass that calls it; undeployed in reverse. */
  private Future<String> deployCompaction() {
    Future<String> compaction = components.contains(Component.COMPACTION)
        ? deploy(new CompactionVerticle(store, config, registry), false)
        : Future.succeededFuture();
    return compaction.compose(id -> components.contains(Component.CLEANUP)
        ? deploy(new CleanupVerticle(store, config.cleanupInterval(), config.idleTimeout(), config.shutdownTimeout(),
            registry), false)
        : Future.succeededFuture());
  }

  /**
   * Event ingestion: the tracker first, so that the SQS consumer always has someone to tell; undeployed in reverse
   * order, so in-flight events still reach the tracker while the consumer stops.
   */
  private Future<String> deployIngestion() {
    Future<String> tracking = components.contains(Component.TRACKING)
        ? deploy(new TrackerVerticle(TrackerSettings.from(config), store, registry), false)
        : Future.succeededFuture();
    return tracking.compose(v -> components.contains(Component.EVENTS)
        ? deploy(new EventsVerticle(EventsSettings.from(config), sqsClient, registry), false)
        : Future.succeededFuture());
  }

  private Future<String> deploy(io.vertx.core.Deployable verticle, boolean worker) {
    DeploymentOptions options = new DeploymentOptions();
    if (worker) options.setThreadingModel(ThreadingModel.WORKER);
    return vertx.deployVerticle(verticle, options).onSuccess(deployments::add);
  }

  /** Stops receiving, lets in-flight work finish within the shutdown timeout, closes everything. */
  public Future<Void> stop() {
    List<String> reverse = new ArrayList<>(deployments);
    java.util.Collections.reverse(reverse);
    Future<Void> chain = Future.succeededFuture();
    for (String id : reverse) {
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> {
        LOG.warn("undeploying {} failed: {}", id, e.toString());
        return Future.succeededFuture();
      }));
    }
    return chain.eventually(() -> vertx.close()).onComplete(ar -> {
      s3Client.close();
      sqsClient.close();
    });
  }

  public CompactorConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public S3RequestCounter s3Requests() {
    return s3Requests;
  }

  /** The read verticle (tests check that abandoned streams are closed). */
  public ReadVerticle reader() {
    return reader;
  }

  public int httpPort() {
    return http.actualPort();
  }
}
