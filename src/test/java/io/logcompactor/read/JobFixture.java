package io.logcompactor.read;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.local.FluentBitLogs;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A job as Fluent Bit and the compactor leave it in a bucket, built step by step: uploads of raw objects, merges
 * (data objects + metadata commit with the merged keys pending clean) and cleans, exactly in the compactor's order of
 * operations. It remembers every line, so a test can compare the reader's output with what was uploaded.
 */
public final class JobFixture {
  /** Where the objects go. */
  public interface Bucket {
    void put(String key, byte[] bytes);

    void delete(String key);
  }

  public static Bucket s3(S3Client s3, String bucket) {
    return new Bucket() {
      @Override
      public void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
      }

      @Override
      public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
      }
    };
  }

  /** One log line as uploaded. */
  public record Line(FluentBitLogs.Container container, Instant time, String stream, String message) {
    public String json() {
      return container.record(time, stream, message);
    }

    public String text(boolean timestamps) {
      return timestamps ? DateTimeFormatter.ISO_INSTANT.format(time) + " " + message : message;
    }
  }

  private record Upload(String key, FluentBitLogs.Container container, String minute, long index, List<Line> lines) {}

  private static final Comparator<Upload> ORDER =
      Comparator.comparing(Upload::minute).thenComparingLong(Upload::index).thenComparing(Upload::key);

  private final Bucket bucket;
  private final String pod;
  private final Map<String, Upload> uploads = new LinkedHashMap<>();
  private final Map<String, byte[]> rawBytes = new LinkedHashMap<>();
  private final List<JobMetadata.MergedFile> logFiles = new ArrayList<>();
  private final Set<String> mergedNotCleaned = new LinkedHashSet<>();
  private int commits;

  public JobFixture(Bucket bucket, String pod) {
    this.bucket = bucket;
    this.pod = pod;
  }

  public String pod() {
    return pod;
  }

  public FluentBitLogs.Container container(String name, String seed) {
    return FluentBitLogs.Container.of(pod, "jobs", name, seed);
  }

  /** Uploads one gzip raw object of {@code lines} at the key of (minute of {@code at}, index). */
  public String upload(FluentBitLogs.Container c, Instant at, long index, List<Line> lines) {
    return upload(c, at, index, lines, true);
  }

  public String upload(FluentBitLogs.Container c, Instant at, long index, List<Line> lines, boolean gzip) {
    String key = c.rawKey(at, index);
    byte[] plain = FluentBitLogs.plainLines(lines.stream().map(Line::json).toList());
    byte[] bytes = gzip ? FluentBitLogs.gzip(plain) : plain;
    uploads.put(key, new Upload(key, c, FluentBitLogs.minute(at), index, List.copyOf(lines)));
    rawBytes.put(key, gzip ? bytes : FluentBitLogs.gzip(plain));
    bucket.put(key, bytes);
    return key;
  }

  /** Uploads raw bytes that are not Fluent Bit records (the test states what it expects of them). */
  public String uploadRawBytes(FluentBitLogs.Container c, Instant at, long index, byte[] bytes) {
    String key = c.rawKey(at, index);
    bucket.put(key, bytes);
    return key;
  }

  /** Lines {@code n} of one container, one second apart from {@code start}, alternating stdout and stderr. */
  public static List<Line> lines(FluentBitLogs.Container c, Instant start, String prefix, int n) {
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Line(c, start.plusSeconds(i), i % 3 == 2 ? "stderr" : "stdout", prefix + " line " + i));
    }
    return out;
  }

  public List<String> rawKeys() {
    return List.copyOf(uploads.keySet());
  }

  /**
   * Merge phase + commit: per container, writes the given raw keys' gzip members concatenated as one data object,
   * then commits metadata listing it, with the keys in {@code merged_raw_keys}. Nothing is deleted.
   */
  public void merge(Collection<String> rawKeys) {
    Map<String, List<Upload>> byContainer = new LinkedHashMap<>();
    rawKeys.stream().map(uploads::get).sorted(ORDER)
        .forEach(u -> byContainer.computeIfAbsent(u.container().id(), id -> new ArrayList<>()).add(u));
    for (List<Upload> group : byContainer.values()) {
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      List<JobMetadata.Source> sources = new ArrayList<>();
      for (Upload u : group) {
        byte[] b = rawBytes.get(u.key());
        sources.add(new JobMetadata.Source(u.key(), data.size(), b.length));
        data.writeBytes(b);
      }
      Upload first = group.get(0);
      Upload last = group.get(group.size() - 1);
      String dataKey = Keys.dataKey(pod, first.container().id(), first.minute(), first.index());
      bucket.put(dataKey, data.toByteArray());
      logFiles.add(new JobMetadata.MergedFile(dataKey, first.container().id(), first.container().name(), "jobs",
          group.size(), data.size(), first.minute(), last.minute(), sources, Instant.now().toString()));
      group.forEach(u -> mergedNotCleaned.add(u.key()));
    }
    commit();
  }

  /** Clean phase: deletes the raw keys the metadata lists as merged, then commits metadata without them. */
  public void clean() {
    for (String key : mergedNotCleaned) bucket.delete(key);
    mergedNotCleaned.clear();
    commit();
  }

  /** Clean phase up to the deletes only: a compaction that crashed before its commit. */
  public void deleteMergedWithoutCommit() {
    for (String key : mergedNotCleaned) bucket.delete(key);
  }

  private void commit() {
    commits++;
    JobMetadata m = new JobMetadata(JobMetadata.CURRENT_VERSION, pod, logFiles, List.copyOf(mergedNotCleaned),
        List.of(), Instant.ofEpochSecond(1_800_000_000L + commits).toString(), null);
    bucket.put(Keys.metadataKey(pod), MetadataCodec.write(m));
  }

  /** Every uploaded line in read order: containers in start order, each in (minute, index) order. */
  public List<Line> expectedLines() {
    Map<String, List<Upload>> byContainer = new LinkedHashMap<>();
    uploads.values().stream().sorted(ORDER)
        .forEach(u -> byContainer.computeIfAbsent(u.container().id(), id -> new ArrayList<>()).add(u));
    List<Line> out = new ArrayList<>();
    byContainer.values().forEach(g -> g.forEach(u -> out.addAll(u.lines())));
    return out;
  }

  public String expectedText(Predicate<Line> filter, boolean timestamps) {
    StringBuilder sb = new StringBuilder();
    for (Line l : expectedLines()) if (filter.test(l)) sb.append(l.text(timestamps)).append('\n');
    return sb.toString();
  }

  public String expectedText() {
    return expectedText(l -> true, false);
  }
}
