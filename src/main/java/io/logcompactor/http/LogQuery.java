package io.logcompactor.http;

import io.logcompactor.config.Durations;
import io.logcompactor.layout.Names;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The query of {@code GET /api/v1/jobs/{pod}/log}, validated and turned into a
 * {@link io.logcompactor.bus.Addresses#READ_OPEN} request. Relative times ({@code since=10m}) are resolved against
 * the moment the request arrived.
 */
final class LogQuery {
  static final int MAX_TAIL = 100_000;
  private static final Set<String> KNOWN =
      Set.of("container", "since", "until", "timestamps", "stream", "tail", "follow", "format");

  /** A parameter that is not acceptable; the message names it. */
  static final class BadParameter extends Exception {
    BadParameter(String message) {
      super(message);
    }
  }

  private LogQuery() {}

  static JsonObject toReadRequest(String pod, MultiMap params, Instant now) throws BadParameter {
    String podProblem = Names.podNameProblem(pod);
    if (podProblem != null) throw new BadParameter("pod name: " + podProblem);
    for (String name : params.names()) {
      if (!KNOWN.contains(name)) throw new BadParameter("unknown parameter '" + name + "'; known: " + KNOWN);
      if (params.getAll(name).size() > 1) throw new BadParameter("parameter '" + name + "' given more than once");
    }
    JsonObject r = new JsonObject().put("pod", pod);
    String container = params.get("container");
    if (container != null) {
      String problem = Names.labelProblem(container);
      if (problem != null) throw new BadParameter("container: " + problem);
      r.put("container", container);
    }
    Instant since = time(params, "since", now);
    Instant until = time(params, "until", now);
    if (since != null && until != null && !since.isBefore(until)) {
      throw new BadParameter("since (" + since + ") must be before until (" + until + ")");
    }
    if (since != null) r.put("since", since.toString());
    if (until != null) r.put("until", until.toString());
    r.put("timestamps", bool(params, "timestamps"));
    r.put("follow", bool(params, "follow"));
    String stream = params.get("stream");
    if (stream != null && !stream.equals("all")) {
      if (!stream.equals("stdout") && !stream.equals("stderr")) {
        throw new BadParameter("stream must be stdout, stderr or all, not '" + stream + "'");
      }
      r.put("stream", stream);
    }
    r.put("tail", tail(params.get("tail")));
    String format = params.get("format");
    if (format != null && !format.equals("text") && !format.equals("jsonl")) {
      throw new BadParameter("format must be text or jsonl, not '" + format + "'");
    }
    r.put("format", format == null ? "text" : format);
    return r;
  }

  private static Instant time(MultiMap params, String name, Instant now) throws BadParameter {
    String v = params.get(name);
    if (v == null) return null;
    if (!v.isEmpty() && Character.isDigit(v.charAt(0)) && v.indexOf('T') < 0 && v.indexOf('-') < 0) {
      try {
        return now.minus(Durations.parse(v));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new BadParameter(name + "='" + v + "' is neither an RFC 3339 time nor a relative duration like 10m");
      }
    }
    try {
      return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new BadParameter(name + "='" + v + "' is neither an RFC 3339 time (2026-11-25T20:14:05Z) nor a "
          + "relative duration like 10m");
    }
  }

  private static boolean bool(MultiMap params, String name) throws BadParameter {
    String v = params.get(name);
    if (v == null) return false;
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new BadParameter(name + " must be true or false, not '" + v + "'");
    };
  }

  private static int tail(String v) throws BadParameter {
    if (v == null) return -1;
    try {
      int n = Integer.parseInt(v);
      if (n == -1 || (n >= 0 && n <= MAX_TAIL)) return n;
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new BadParameter("tail must be a whole number from 0 to " + MAX_TAIL + " (or -1 for all), not '" + v + "'");
  }
}
