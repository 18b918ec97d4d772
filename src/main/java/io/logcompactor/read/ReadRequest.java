package io.logcompactor.read;

import io.logcompactor.layout.Names;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What to read: the body of a {@link io.logcompactor.bus.Addresses#READ_OPEN} message. Times are absolute (the HTTP
 * layer resolves relative ones when the request arrives).
 *
 * @param pod        the job's pod (DNS-1123 subdomain)
 * @param container  only this container's lines, or null for all
 * @param since      only lines logged at or after, or null
 * @param until      only lines logged before, or null
 * @param timestamps prefix each text line with its RFC 3339 time
 * @param stream     {@code stdout}, {@code stderr}, or null for both
 * @param tail       only the last N lines (before following), or -1 for all
 * @param follow     keep streaming new uploads until the client goes away or the job is idle
 * @param jsonl      serve the original records instead of the messages
 */
public record ReadRequest(String pod, String container, Instant since, Instant until, boolean timestamps,
                          String stream, int tail, boolean follow, boolean jsonl) {
  public static final int MAX_TAIL = 100_000;

  public ReadRequest {
    String problem = Names.podNameProblem(pod);
    if (problem != null) throw new IllegalArgumentException("pod: " + problem);
    if (container != null && Names.labelProblem(container) != null) {
      throw new IllegalArgumentException("container: " + Names.labelProblem(container));
    }
    if (stream != null && !stream.equals("stdout") && !stream.equals("stderr")) {
      throw new IllegalArgumentException("stream must be stdout or stderr");
    }
    if (tail < -1 || tail > MAX_TAIL) throw new IllegalArgumentException("tail must be from 0 to " + MAX_TAIL);
    if (since != null && until != null && !since.isBefore(until)) {
      throw new IllegalArgumentException("since must be before until");
    }
  }

  public static ReadRequest all(String pod) {
    return new ReadRequest(pod, null, null, null, false, null, -1, false, false);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("pod", pod).put("timestamps", timestamps).put("tail", tail)
        .put("follow", follow).put("format", jsonl ? "jsonl" : "text");
    if (container != null) j.put("container", container);
    if (since != null) j.put("since", since.toString());
    if (until != null) j.put("until", until.toString());
    if (stream != null) j.put("stream", stream);
    return j;
  }

  /** @throws IllegalArgumentException naming the field that is wrong */
  public static ReadRequest fromJson(JsonObject j) {
    String format = j.getString("format", "text");
    if (!format.equals("text") && !format.equals("jsonl")) throw new IllegalArgumentException("format must be text or jsonl");
    return new ReadRequest(j.getString("pod"), j.getString("container"), instant(j, "since"), instant(j, "until"),
        j.getBoolean("timestamps", false), j.getString("stream"), j.getInteger("tail", -1),
        j.getBoolean("follow", false), format.equals("jsonl"));
  }

  private static Instant instant(JsonObject j, String field) {
    String v = j.getString(field);
    if (v == null) return null;
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " is not an RFC 3339 UTC time: " + v);
    }
  }

  /** Whether a line with these fields belongs in the output. Lines with no known time pass time filters. */
  public boolean accepts(String lineStream, Instant time) {
    if (stream != null && !stream.equals(lineStream)) return false;
    if (time != null) {
      if (since != null && time.isBefore(since)) return false;
      if (until != null && !time.isBefore(until)) return false;
    }
    return true;
  }
}
