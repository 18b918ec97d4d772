package io.logcompactor.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The HTTP face of the service: liveness, readiness, metrics and the read API. It reaches the rest of the service
 * only through the event bus (and the health checks it is handed), never through S3 directly.
 */
public final class HttpVerticle extends VerticleBase {
  public static final String HEALTH = "/health";
  public static final String READY = "/ready";
  public static final String METRICS = "/metrics";

  private final int port;
  private final HealthChecks readiness;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  public HttpVerticle(int port, HealthChecks readiness, PrometheusMeterRegistry registry) {
    this.port = port;
    this.readiness = readiness;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // Liveness: the event loop answers. Deliberately no dependency checks, so an S3 outage does not restart pods.
    HealthChecks liveness = HealthChecks.create(vertx)
        .register("event-loop", promise -> promise.complete(io.vertx.ext.healthchecks.Status.OK()));
    router.get(HEALTH).handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get(READY).handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get(METRICS).handler(PrometheusScrapingHandler.create(registry));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(port)
        .onSuccess(s -> server = s);
  }

  /** The bound port (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
