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
 * Copies one read stream to one HTTP response, pulling the next chunk only while fewer than {@value #MAX_UNWRITTEN}
 * chunks wait to be written to the socket: the client's speed is the speed of the S3 reads, and a slow client costs
 * the service a couple of chunks in the connection besides the reader's read-ahead. A client that goes
 * away closes the read stream.
 */
final class LogStreamPump {
  private static final Logger LOG = LoggerFactory.getLogger(LogStreamPump.class);
  /**
   * Chunks (of up to 256 KiB) a response holds before it has written them to the socket. Not the connection's write
   * queue: that reports "full" only at 16 queued writes, 4 MiB per slow client. Two keep the next chunk's request
   * under way while one is written.
   */
  static final int MAX_UNWRITTEN = 2;

  private final EventBus bus;
  private final HttpServerResponse response;
  private final String streamId;
  private final String pod;
  private final Counter bytesServed;
  private final HttpMetrics metrics;
  private boolean done;
  private boolean requesting;
  /** Chunks handed to the response and not yet in the socket. */
  private int unwritten;

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
    // One request at a time (the reader refuses a second), and none while the connection holds its fill of chunks:
    // a write's completion pulls again.
    if (done || requesting || unwritten >= MAX_UNWRITTEN) return;
    requesting = true;
    bus.<LogChunk>request(Addresses.READ_NEXT, new JsonObject().put("stream_id", streamId)).onComplete(ar -> {
      requesting = false;
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
      if (chunk.end()) {
        done = true;
        metrics.streamEnded("completed");
        write(chunk.bytes());
        response.end();
        return;
      }
      write(chunk.bytes());
      pull();
    });
  }

  /** Hands a chunk to the response; an empty one (the reader's "still working") is nothing to write. */
  private void write(byte[] bytes) {
    if (bytes.length == 0) return;
    bytesServed.increment(bytes.length);
    unwritten++;
    // Wrapped, not copied (Buffer.buffer(byte[]) copies): the array is this response's alone from now on.
    response.write(BufferInternal.buffer(Unpooled.wrappedBuffer(bytes))).onComplete(w -> {
      unwritten--;
      if (w.succeeded()) pull();
      else clientGone();
    });
  }

  private void clientGone() {
    if (done) return;
    done = true;
    metrics.streamEnded("client_closed");
    bus.send(Addresses.READ_CLOSE, new JsonObject().put("stream_id", streamId));
  }
}
