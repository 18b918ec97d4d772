package io.logcompactor.compaction;

import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.PodLines;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads Fluent Bit-style raw objects for one pod and remembers every line it wrote, per container in upload order
 * ((minute, index) order), so tests can compare what compaction produced with what was uploaded.
 */
final class TestPod {
  enum Format { GZIP, PLAIN, EMPTY }

  private final S3Client s3;
  private final String bucket;
  final String pod;
  private final String namespace;
  /** per container id: raw key -> its decompressed content, kept in key order within the container */
  private final Map<String, TreeMap<String, byte[]>> content = new LinkedHashMap<>();
  private final List<String> lines = new ArrayList<>();
  private final Random random = new Random(42);

  TestPod(S3Client s3, String bucket, String pod) {
    this.s3 = s3;
    this.bucket = bucket;
    this.pod = pod;
    this.namespace = "jobs";
  }

  FluentBitLogs.Container container(String name, String seed) {
    return FluentBitLogs.Container.of(pod, namespace, name, pod + "/" + name + "/" + seed);
  }

  /** Uploads {@code n} unique lines as one raw object. @return its key */
  String put(FluentBitLogs.Container c, String minute, long index, Format format, int n) {
    List<String> ls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ls.add(c.record(Instant.parse("2026-11-25T20:00:00Z"), "stdout",
          pod + " " + c.name() + " " + c.id().substring(0, 6) + " " + minute + "_" + index + " line " + i));
    }
    return put(c, minute, index, format, ls);
  }

  /** Uploads lines of about {@code bytes} of random, barely compressible text, to make large objects. */
  String putLarge(FluentBitLogs.Container c, String minute, long index, Format format, int bytes) {
    List<String> ls = new ArrayList<>();
    int size = 0;
    byte[] noise = new byte[3000];
    for (int i = 0; size < bytes; i++) {
      random.nextBytes(noise);
      String l = c.record(Instant.parse("2026-11-25T20:00:00Z"), "stdout",
          pod + " " + c.id().substring(0, 6) + " " + minute + "_" + index + " line " + i + " "
              + Base64.getEncoder().encodeToString(noise));
      ls.add(l);
      size += l.length() + 1;
    }
    return put(c, minute, index, format, ls);
  }

  String put(FluentBitLogs.Container c, String minute, long index, Format format, List<String> ls) {
    String key = c.rawKey(minute, index);
    byte[] plain = format == Format.EMPTY ? new byte[0] : FluentBitLogs.plainLines(ls);
    byte[] body = format == Format.GZIP ? FluentBitLogs.gzip(plain) : plain;
    putBytes(key, body);
    content.computeIfAbsent(c.id(), k -> new TreeMap<>(TestPod::byMinuteAndIndex)).put(key, plain);
    if (format != Format.EMPTY) lines.addAll(ls);
    return key;
  }

  /** Stores bytes under a key without recording any expected line (corrupt objects). */
  void putBytes(String key, byte[] body) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
  }

  /** Forgets a raw object's expected content (after overwriting it with something else on purpose). */
  void forget(String containerId, String key) {
    byte[] old = content.get(containerId).remove(key);
    if (old != null) lines.removeAll(PodLines.split(new String(old, StandardCharsets.UTF_8)));
  }

  /** Every line uploaded and not forgotten. */
  List<String> expectedLines() {
    return List.copyOf(lines);
  }

  /** The concatenation of a container's raw contents in (minute, index) order. */
  String expectedContent(String containerId) {
    StringBuilder sb = new StringBuilder();
    for (byte[] b : content.getOrDefault(containerId, new TreeMap<>()).values()) {
      sb.append(new String(b, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  PodLines read() {
    return PodLines.read(s3, bucket, pod);
  }

  private static int byMinuteAndIndex(String a, String b) {
    String fa = a.substring(a.lastIndexOf('/') + 1);
    String fb = b.substring(b.lastIndexOf('/') + 1);
    int c = fa.substring(0, 12).compareTo(fb.substring(0, 12));
    if (c != 0) return c;
    return Long.compare(index(fa), index(fb));
  }

  private static long index(String file) {
    String rest = file.substring(12).replace("_", "").replace(".gz", "");
    return Long.parseLong(rest);
  }
}
