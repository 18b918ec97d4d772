package io.logcompactor.http;

import io.logcompactor.bus.Addresses;
import io.logcompactor.bus.LogChunk;
import io.netty.buffer.Unpooled;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one read stream to one HTTP response, pulling the next chunk only when the previous one has been handed to
 * the connection and its write queue has room: the client's speed is the speed of the S3 reads. A client that goes
 * away closes the read stream.
 */
final class LogStreamPump {
  private static final Logger LOG = LoggerFactory.getLogger(LogStreamPump.class);

  private final EventBus bus;
  private final HttpServerResponse response;
  private final String streamId;
  private final String pod;
  private final Counter bytesServed;
  private final HttpMetrics metrics;
  private boolean done;

  LogStreamPump(EventBus bus, HttpServerResponse response, String streamId, String pod, HttpMetrics metrics) {
    this.bus = bus;
    this.response = response;
    this.streamId = streamId;
    this.pod = pod;
    this.metrics = metrics;
    this.bytesServed = metrics.bytesServed;
  }

  void start() {
    response.closeHandler(v -> clientGone());
    response.exceptionHandler(e -> clientGone());
    if (response.closed()) {
      clientGone();
      return;
    }
    pull();
  }

  private void pull() {
    if (done) return;
    if (response.writeQueueFull()) {
      response.drainHandler(v -> pull());
      return;
    }
    bus.<LogChunk>request(Addresses.READ_NEXT, new JsonObject().put("stream_id", streamId)).onComplete(ar -> {
      if (done) return;
      if (ar.failed()) {
        done = true;
        LOG.error("pod {}: log stream {} failed mid-way: {}; dropping the connection so the client sees an incomplete "
            + "response", pod, streamId, ar.cause().getMessage());
        metrics.streamEnded("failed");
        bus.send(Addresses.READ_CLOSE, new JsonObject().put("stream_id", streamId));
        response.reset();
        return;
      }
      LogChunk chunk = ar.result().body();
      if (chunk.bytes().length > 0) {
        // Wrapped, not copied (Buffer.buffer(byte[]) copies): the array is this response's alone from now on.
        response.write(BufferInternal.buffer(Unpooled.wrappedBuffer(chunk.bytes())));
        bytesServed.increment(chunk.bytes().length);
      }
      if (chunk.end()) {
        done = true;
        metrics.streamEnded("completed");
        response.end();
        return;
      }
      pull();
    });
  }

  private void clientGone() {
    if (done) return;
    done = true;
    metrics.streamEnded("client_closed");
    bus.send(Addresses.READ_CLOSE, new JsonObject().put("stream_id", streamId));
  }
}
