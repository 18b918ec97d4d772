package io.logcompactor.local;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every log line of one pod as a reader would see it right now: the merged files the metadata lists, read source by
 * source (each raw object's byte range must be a gzip stream on its own), plus the raw objects the metadata does not
 * list as merged. The check behind "no line is ever lost or duplicated":
 * {@link #assertEveryLineExactlyOnce(Collection)}. Lines must be unique in the test's data for the check to mean
 * anything.
 *
 * <p>Reading is not atomic with a running compaction: call it when the pod's runs are over.
 */
public final class PodLines {
  /** One line, and where it was found: {@code data-key#raw-key} for merged content, the raw key otherwise. */
  public record Line(String text, String containerId, String where) {}

  private final String pod;
  private final JobMetadata metadata;
  private final List<Line> lines;
  private final List<String> problems;
  private final List<String> unmergedRawKeys;

  private PodLines(String pod, JobMetadata metadata, List<Line> lines, List<String> problems,
                   List<String> unmergedRawKeys) {
    this.pod = pod;
    this.metadata = metadata;
    this.lines = lines;
    this.problems = problems;
    this.unmergedRawKeys = unmergedRawKeys;
  }

  /** Reads the pod's metadata, merged files and unmerged raw objects from the bucket. */
  public static PodLines read(S3Client s3, String bucket, String pod) {
    JobMetadata metadata;
    try {
      byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(Keys.metadataKey(pod))).asByteArray();
      metadata = MetadataCodec.parse(pod, json);
    } catch (NoSuchKeyException e) {
      metadata = JobMetadata.empty(pod);
    } catch (MetadataCodec.UnreadableMetadataException e) {
      throw new AssertionError("metadata of pod " + pod + " is unreadable", e);
    }
    List<Line> lines = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (JobMetadata.MergedFile f : metadata.logFiles()) {
      byte[] data;
      try {
        data = s3.getObjectAsBytes(b -> b.bucket(bucket).key(f.key())).asByteArray();
      } catch (NoSuchKeyException e) {
        problems.add("merged file " + f.key() + " is listed in the metadata but missing");
        continue;
      }
      String file = "merged file " + f.key();
      if (data.length != f.size()) problems.add(file + " has " + data.length + " bytes, metadata says " + f.size());
      if (f.rawFiles() != f.sources().size()) problems.add(file + ": raw_files != number of sources");
      long expectedOffset = 0;
      for (JobMetadata.Source src : f.sources()) {
        if (src.offset() != expectedOffset) {
          problems.add(file + ": source " + src.key() + " starts at " + src.offset() + ", expected " + expectedOffset);
        }
        expectedOffset = src.offset() + src.length();
        if (src.length() <= 0 || src.offset() + src.length() > data.length) {
          problems.add(file + ": source " + src.key() + " range is outside the file");
          continue;
        }
        try {
          for (String l : split(gunzip(data, (int) src.offset(), (int) src.length()))) {
            lines.add(new Line(l, f.containerId(), f.key() + "#" + src.key()));
          }
        } catch (IOException e) {
          problems.add(file + ": source " + src.key() + " is not a gzip stream on its own: " + e);
        }
      }
      if (expectedOffset != data.length) {
        problems.add(file + ": sources cover " + expectedOffset + " of " + data.length + " bytes");
      }
    }

    Set<String> merged = new HashSet<>(metadata.mergedRawKeys());
    Set<String> rejected = new HashSet<>();
    metadata.rejectedRawKeys().forEach(r -> rejected.add(r.key()));
    List<String> unmerged = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(Keys.rawPodPrefix(pod))).contents()) {
      if (merged.contains(o.key())) continue;
      unmerged.add(o.key());
      ResponseBytes<GetObjectResponse> r;
      try {
        r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key()));
      } catch (NoSuchKeyException e) {
        continue;
      }
      byte[] bytes = r.asByteArray();
      String cid = containerId(o.key());
      try {
        for (String l : split(decode(bytes))) lines.add(new Line(l, cid, o.key()));
      } catch (IOException e) {
        if (!rejected.contains(o.key())) {
          problems.add("unmerged raw object " + o.key() + " is unreadable and not listed as rejected: " + e);
        }
      }
    }
    return new PodLines(pod, metadata, lines, problems, unmerged);
  }

  /** Fails unless every expected line is there exactly once, nothing else is, and the merged files are sound. */
  public void assertEveryLineExactlyOnce(Collection<String> expected) {
    Map<String, Integer> counts = counts();
    List<String> missing = new ArrayList<>();
    List<String> duplicated = new ArrayList<>();
    Set<String> expectedSet = new HashSet<>();
    for (String e : expected) {
      if (!expectedSet.add(e)) throw new IllegalArgumentException("expected lines must be unique: " + e);
      int n = counts.getOrDefault(e, 0);
      if (n == 0) missing.add(e);
      if (n > 1) duplicated.add(e + " (x" + n + ", in " + where(e) + ")");
    }
    List<String> unexpected = counts.keySet().stream().filter(l -> !expectedSet.contains(l)).toList();
    if (missing.isEmpty() && duplicated.isEmpty() && unexpected.isEmpty() && problems.isEmpty()) return;
    StringBuilder sb = new StringBuilder("pod " + pod + ": lines are not all there exactly once\n");
    append(sb, "missing", missing);
    append(sb, "duplicated", duplicated);
    append(sb, "unexpected", unexpected);
    append(sb, "merged files unsound", problems);
    throw new AssertionError(sb.toString());
  }

  /** Each line's number of occurrences. */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Line l : lines) counts.merge(l.text(), 1, Integer::sum);
    return counts;
  }

  /** All lines in reading order: merged files in metadata order, then unmerged raw objects in key order. */
  public List<Line> lines() {
    return List.copyOf(lines);
  }

  /** Lines of one container, in reading order. */
  public List<String> linesOf(String containerId) {
    return lines.stream().filter(l -> l.containerId().equals(containerId)).map(Line::text).toList();
  }

  /** The metadata as read (empty when there is none). */
  public JobMetadata metadata() {
    return metadata;
  }

  /** Raw keys present and not listed as merged. */
  public List<String> unmergedRawKeys() {
    return List.copyOf(unmergedRawKeys);
  }

  /** Inconsistencies found in the merged files (missing, wrong size, sources not tiling the file...). */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  private String where(String text) {
    return lines.stream().filter(l -> l.text().equals(text)).map(Line::where).toList().toString();
  }

  private static void append(StringBuilder sb, String title, List<String> items) {
    if (items.isEmpty()) return;
    sb.append("  ").append(title).append(" (").append(items.size()).append("):\n");
    items.stream().limit(20).forEach(i -> sb.append("    ").append(i).append('\n'));
    if (items.size() > 20) sb.append("    ...\n");
  }

  /** Gzip (any number of members) or plain text, as the reader serves a raw object. */
  public static String decode(byte[] bytes) throws IOException {
    if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      return gunzip(bytes, 0, bytes.length);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public static String gunzip(byte[] bytes, int offset, int length) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes, offset, length))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Lines of a text; a last line without its newline still counts. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(start, i));
        start = i + 1;
      }
    }
    if (start < text.length()) out.add(text.substring(start));
    return out;
  }

  private static String containerId(String rawKey) {
    int slash = rawKey.indexOf('/');
    int dash = rawKey.lastIndexOf('-', slash);
    String cid = rawKey.substring(dash + 1, slash);
    return cid.endsWith(".log") ? cid.substring(0, cid.length() - 4) : cid;
  }
}
