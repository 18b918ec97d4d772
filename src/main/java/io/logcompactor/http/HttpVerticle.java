package io.logcompactor.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the service: liveness, readiness, metrics and the read API. It reaches the rest of the service
 * only through the event bus (and the health checks it is handed), never through S3 directly.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  public static final String HEALTH = "/health";
  public static final String READY = "/ready";
  public static final String METRICS = "/metrics";

  private final int port;
  private final HealthChecks readiness;
  private final PrometheusMeterRegistry registry;
  private final Optional<String> apiToken;
  private HttpServer server;

  public HttpVerticle(int port, HealthChecks readiness, PrometheusMeterRegistry registry) {
    this(port, readiness, registry, Optional.empty());
  }

  /** @param apiToken when present, {@code /api/*} requires {@code Authorization: Bearer <token>} */
  public HttpVerticle(int port, HealthChecks readiness, PrometheusMeterRegistry registry, Optional<String> apiToken) {
    this.port = port;
    this.readiness = readiness;
    this.registry = registry;
    this.apiToken = apiToken;
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
    // Probes and metrics stay open (kubelet, Prometheus); the log API carries job output and may need a token.
    HttpMetrics metrics = new HttpMetrics(registry);
    apiToken.ifPresent(token -> router.route("/api/*")
        .handler(new BearerAuth(token, why -> metrics.rejected(401, why + "_token"))));
    new JobsApi(vertx.eventBus(), metrics).mount(router);
    router.route("/api/*").handler(ctx -> ApiErrors.send(ctx, 404, "no such endpoint: " + ctx.request().path()));
    router.route("/api/*").failureHandler(ctx -> {
      int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
      if (status >= 500) LOG.error("API request {} failed", ctx.request().path(), ctx.failure());
      ApiErrors.send(ctx, status, status >= 500 ? "internal error" : "bad request");
    });
    return vertx.createHttpServer()
        .requestHandler(router)
        .invalidRequestHandler(request -> invalidRequest(request, metrics))
        .listen(port)
        .onSuccess(s -> server = s);
  }

  /**
   * A request the HTTP codec refused before any route (request line over 4 KiB, headers over 8 KiB, not HTTP):
   * answered like every API error, as JSON, counted, and the connection closed, since its framing is not trusted.
   */
  private static void invalidRequest(HttpServerRequest request, HttpMetrics metrics) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String reason;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      reason = "request_line_too_long";
      message = "request line longer than 4096 bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      reason = "headers_too_large";
      message = "request headers larger than 8192 bytes";
    } else {
      status = 400;
      reason = "malformed_http";
      message = "malformed HTTP request";
    }
    LOG.warn("refused a request from {}: {} ({})", request.remoteAddress(), message,
        cause == null ? "no cause" : cause.getMessage());
    metrics.rejected(status, reason);
    ApiErrors.send(request.response().putHeader("connection", "close"), status, message);
  }

  /** The bound port (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
