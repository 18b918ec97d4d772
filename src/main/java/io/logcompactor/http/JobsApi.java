package io.logcompactor.http;

import io.logcompactor.bus.Addresses;
import io.logcompactor.layout.Names;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/jobs...}: the job log, a job's status and the tracked jobs. Everything goes through the event bus:
 * the reader for S3, the tracker for what it knows; a tracker that does not answer degrades the answer, it does not
 * fail it.
 */
final class JobsApi {
  private static final Logger LOG = LoggerFactory.getLogger(JobsApi.class);
  static final String BASE = "/api/v1/jobs";
  private static final int MAX_LIMIT = 1000;
  private static final DeliveryOptions TRACKER = new DeliveryOptions().setSendTimeout(5_000);
  private static final DeliveryOptions OPEN = new DeliveryOptions().setSendTimeout(120_000);

  private final EventBus bus;
  private final HttpMetrics metrics;

  JobsApi(EventBus bus, HttpMetrics metrics) {
    this.bus = bus;
    this.metrics = metrics;
  }

  void mount(Router router) {
    router.get(BASE).handler(this::list);
    router.get(BASE + "/:pod").handler(this::status);
    router.get(BASE + "/:pod/log").handler(this::log);
  }

  private void log(RoutingContext ctx) {
    String pod = ctx.pathParam("pod");
    JsonObject request;
    try {
      request = LogQuery.toReadRequest(pod, ctx.queryParams(), Instant.now());
    } catch (LogQuery.BadParameter e) {
      badRequest(ctx, e.getMessage());
      return;
    }
    HttpServerResponse response = ctx.response();
    bus.<JsonObject>request(Addresses.READ_OPEN, request, OPEN).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause(), pod);
        return;
      }
      String id = ar.result().body().getString("stream_id");
      boolean jsonl = "jsonl".equals(request.getString("format"));
      response.setChunked(true)
          .putHeader("content-type", jsonl ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8")
          .putHeader("cache-control", "no-store")
          .putHeader("x-content-type-options", "nosniff");
      new LogStreamPump(bus, response, id, pod, metrics).start();
    });
  }

  private void status(RoutingContext ctx) {
    String pod = ctx.pathParam("pod");
    String problem = Names.podNameProblem(pod);
    if (problem != null) {
      badRequest(ctx, "pod name: " + problem);
      return;
    }
    if (!ctx.queryParams().isEmpty()) {
      badRequest(ctx, "this endpoint takes no parameters");
      return;
    }
    JsonObject q = new JsonObject().put("pod", pod);
    Future<Message<JsonObject>> s3 = bus.request(Addresses.READ_JOB_STATUS, q);
    Future<Optional<JsonObject>> tracker = bus.<JsonObject>request(Addresses.TRACKER_POD_STATUS, q, TRACKER)
        .map(m -> Optional.of(m.body()))
        .recover(e -> {
          LOG.debug("tracker did not answer for pod {}: {}", pod, e.toString());
          return Future.succeededFuture(Optional.empty());
        });
    Future.join(s3, tracker).onComplete(ignored -> {
      Optional<JsonObject> t = tracker.result();
      boolean tracked = t.map(j -> j.getBoolean("tracked", false)).orElse(false);
      JsonObject status;
      if (s3.succeeded()) {
        status = s3.result().body().copy();
      } else if (ApiErrors.statusOf(s3.cause()) == 404 && tracked) {
        status = new JsonObject().put("pod", pod);
      } else {
        error(ctx, s3.cause(), pod);
        return;
      }
      status.put("tracker_available", t.isPresent());
      if (t.isPresent()) {
        status.put("tracked", tracked);
        status.put("pending_raw_files", t.get().getValue("pending_raw_files"));
        Object lastUpload = t.get().getValue("last_upload_time");
        if (lastUpload != null) status.put("last_upload_time", lastUpload);
      } else {
        // Without the tracker, what S3 shows is the best estimate of the pending work.
        status.put("pending_raw_files", status.getValue("unmerged_raw_files"));
      }
      ctx.response().putHeader("content-type", "application/json").end(status.encode());
    });
  }

  private void list(RoutingContext ctx) {
    int offset;
    int limit;
    try {
      for (String name : ctx.queryParams().names()) {
        if (!name.equals("offset") && !name.equals("limit")) {
          throw new LogQuery.BadParameter("unknown parameter '" + name + "'; known: offset, limit");
        }
      }
      offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      limit = intParam(ctx, "limit", 100, 1, MAX_LIMIT);
    } catch (LogQuery.BadParameter e) {
      badRequest(ctx, e.getMessage());
      return;
    }
    JsonObject q = new JsonObject().put("offset", offset).put("limit", limit);
    bus.<JsonObject>request(Addresses.TRACKER_LIST, q, TRACKER).onComplete(ar -> {
      JsonObject page;
      if (ar.succeeded()) {
        page = ar.result().body().copy().put("tracker_available", true);
      } else if (ApiErrors.isUnavailable(ar.cause())) {
        LOG.warn("tracker did not answer a job list: {}", ar.cause().getMessage());
        page = new JsonObject().put("pods", new io.vertx.core.json.JsonArray()).put("total", 0)
            .put("tracker_available", false);
      } else {
        error(ctx, ar.cause(), null);
        return;
      }
      page.put("offset", offset).put("limit", limit);
      ctx.response().putHeader("content-type", "application/json").end(page.encode());
    });
  }

  private static int intParam(RoutingContext ctx, String name, int def, int min, int max)
      throws LogQuery.BadParameter {
    if (ctx.queryParams().getAll(name).size() > 1) {
      throw new LogQuery.BadParameter("parameter '" + name + "' given more than once");
    }
    String v = ctx.queryParams().get(name);
    if (v == null) return def;
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new LogQuery.BadParameter(name + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
  }

  private void badRequest(RoutingContext ctx, String message) {
    metrics.rejected(400, "bad_parameter");
    LOG.info("400 for {}: {}", ctx.request().path(), message);
    ApiErrors.send(ctx, 400, message);
  }

  private void error(RoutingContext ctx, Throwable e, String pod) {
    int status = ApiErrors.statusOf(e);
    String message = status == 503 && ApiErrors.isUnavailable(e) ? "the reader is not available" : e.getMessage();
    if (status == 400) metrics.rejected(400, "bad_parameter");
    if (status >= 500) LOG.error("{} for pod {}: {}", status, pod, e.toString());
    ApiErrors.send(ctx, status, message);
  }
}
