package io.logcompactor.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The API's own counters ({@code compactor.http.*}); request counts and latencies come from Vert.x micrometer. */
final class HttpMetrics {
  private final MeterRegistry registry;
  final Counter bytesServed;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.bytesServed = Counter.builder("compactor.http.log.bytes").description("log bytes written to HTTP clients")
        .register(registry);
  }

  void rejected(int status, String reason) {
    Counter.builder("compactor.http.bad_requests").tag("status", Integer.toString(status)).tag("reason", reason)
        .description("requests refused: malformed (400), unauthenticated (401), request line (414) or headers (431) "
            + "too long").register(registry).increment();
  }

  void streamEnded(String outcome) {
    Counter.builder("compactor.http.log.streams").tag("outcome", outcome)
        .description("log responses by how they ended: completed, client_closed, failed").register(registry)
        .increment();
  }
}
