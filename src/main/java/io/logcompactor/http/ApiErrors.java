package io.logcompactor.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every API error is a small JSON object with the HTTP status and a message a person can act on. */
final class ApiErrors {
  private ApiErrors() {}

  static void send(RoutingContext ctx, int status, String message) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx.response(), status, message);
  }

  /** For a response with no route behind it, such as a request the HTTP codec refused. */
  static void send(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", status).put("error", message).encode());
  }

  /** The HTTP status for a failed event-bus request: the consumer's code when it gave one. */
  static int statusOf(Throwable e) {
    if (e instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.NO_HANDLERS) return 503;
      if (r.failureType() == ReplyFailure.TIMEOUT) return 504;
      int code = r.failureCode();
      if (code >= 400 && code < 600) return code;
    }
    return 500;
  }

  static boolean isUnavailable(Throwable e) {
    return e instanceof ReplyException r
        && (r.failureType() == ReplyFailure.NO_HANDLERS || r.failureType() == ReplyFailure.TIMEOUT);
  }
}
