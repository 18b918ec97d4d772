package io.logcompactor.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Builds objects the way Fluent Bit's s3 output writes them: gzip of JSON lines at a per-container key. */
public final class FluentBitLogs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

  private FluentBitLogs() {}

  /** A container of a pod, as Fluent Bit's tag names it. */
  public record Container(String pod, String namespace, String name, String id) {
    public static Container of(String pod, String namespace, String name, String seed) {
      return new Container(pod, namespace, name, containerId(seed));
    }

    public String rawKey(String minute, long index) {
      return rawKey(minute, index, "_");
    }

    /** @param separator {@code _} or {@code __}, both of which real Fluent Bit configurations write */
    public String rawKey(String minute, long index, String separator) {
      return "kube.var.log.containers." + pod + "_" + namespace + "_" + name + "-" + id + "/" + minute + separator
          + index + ".gz";
    }

    public String rawKey(Instant t, long index) {
      return rawKey(MINUTE.format(t), index);
    }

    /** One Fluent Bit record as a JSON line (no newline). */
    public String record(Instant t, String stream, String message) {
      ObjectNode n = JSON.createObjectNode();
      n.put("date", t.getEpochSecond() + t.getNano() / 1e9);
      n.put("time", t.toString());
      n.put("stream", stream);
      n.put("logtag", "F");
      n.put("log", message);
      n.putObject("kubernetes").put("pod_name", pod).put("namespace_name", namespace).put("container_name", name)
          .put("container_hash", "sha256:" + id);
      return n.toString();
    }
  }

  /** A 64-hex container id, derived from {@code seed} so tests are reproducible. */
  public static String containerId(String seed) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String minute(Instant t) {
    return MINUTE.format(t);
  }

  /** JSON lines, each ending in a newline, as one gzip member. */
  public static byte[] gzipLines(List<String> lines) {
    return gzip(plainLines(lines));
  }

  public static byte[] plainLines(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) sb.append(l).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
