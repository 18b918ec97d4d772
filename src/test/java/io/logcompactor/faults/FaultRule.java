package io.logcompactor.faults;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * When to inject a {@link Fault}: on requests that match (method, request-target pattern, SQS action), either with
 * a probability or on every Nth match, at most {@code limit} times. Immutable; build with {@link #of(Fault)}.
 *
 * @param method      HTTP method to match, or null for any
 * @param target      regex found (not matched whole) in the raw request target, e.g. {@code "\\?delete"}, or null
 * @param action      AWS JSON action ({@code X-Amz-Target} suffix, e.g. {@code ReceiveMessage}), or null for any
 * @param probability chance of injecting on a matching request, used when {@code everyNth} is 0
 * @param everyNth    inject on the Nth, 2Nth, ... matching request; 0 to use {@code probability}
 * @param limit       most injections this rule makes; {@code Long.MAX_VALUE} for no limit
 * @param latency     delay of a {@link Fault#LATENCY} injection
 */
public record FaultRule(Fault fault, String method, Pattern target, String action, double probability, long everyNth,
                        long limit, Duration latency) {

  public FaultRule {
    Objects.requireNonNull(fault, "fault");
    if (probability < 0 || probability > 1) throw new IllegalArgumentException("probability " + probability);
    if (everyNth < 0 || limit < 0) throw new IllegalArgumentException("everyNth and limit must be >= 0");
    latency = latency == null ? Duration.ofMillis(500) : latency;
  }

  /** A rule that injects {@code fault} on every request, until narrowed down with the other methods. */
  public static FaultRule of(Fault fault) {
    return new FaultRule(fault, null, null, null, 1.0, 0, Long.MAX_VALUE, null);
  }

  public FaultRule method(String m) {
    return new FaultRule(fault, m, target, action, probability, everyNth, limit, latency);
  }

  public FaultRule target(String regex) {
    return new FaultRule(fault, method, Pattern.compile(regex), action, probability, everyNth, limit, latency);
  }

  public FaultRule action(String a) {
    return new FaultRule(fault, method, target, a, probability, everyNth, limit, latency);
  }

  public FaultRule probability(double p) {
    return new FaultRule(fault, method, target, action, p, 0, limit, latency);
  }

  public FaultRule everyNth(long n) {
    if (n < 1) throw new IllegalArgumentException("everyNth must be >= 1");
    return new FaultRule(fault, method, target, action, probability, n, limit, latency);
  }

  public FaultRule limit(long n) {
    return new FaultRule(fault, method, target, action, probability, everyNth, n, latency);
  }

  public FaultRule latency(Duration d) {
    return new FaultRule(fault, method, target, action, probability, everyNth, limit, d);
  }

  boolean matches(HttpHead request) {
    if (method != null && !method.equalsIgnoreCase(request.method())) return false;
    if (target != null && !target.matcher(request.target()).find()) return false;
    if (action != null) {
      String amzTarget = request.header("x-amz-target");
      if (amzTarget == null || !amzTarget.endsWith("." + action)) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return fault + "[" + (method == null ? "*" : method) + " " + (target == null ? "*" : target.pattern())
        + (action == null ? "" : " action=" + action) + (everyNth > 0 ? " every " + everyNth : " p=" + probability)
        + (limit == Long.MAX_VALUE ? "" : " limit " + limit) + "]";
  }
}
