package io.logcompactor.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Counts every HTTP request the S3 client sends (retries included), by operation: what an S3 bill counts. */
public final class S3RequestCounter implements ExecutionInterceptor {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

  public S3RequestCounter() {
    this(Metrics.globalRegistry);
  }

  public S3RequestCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    counters.computeIfAbsent(op == null ? "unknown" : op,
        o -> Counter.builder("compactor.s3.requests").tag("operation", o).register(registry)).increment();
  }

  /** Requests of one operation counted so far in this client. */
  public double count(String operation) {
    Counter c = counters.get(operation);
    return c == null ? 0 : c.count();
  }
}
