package io.logcompactor.read;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.RawKey;
import io.logcompactor.layout.RawKeyParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Turns one consistent view of a job (its metadata and the raw keys listed under it) into the reads that yield each
 * raw object's lines exactly once: per container in start order, each in (minute, index) order. Pure: no I/O.
 */
public final class ReadPlanner {
  private ReadPlanner() {}

  /** The reads, and whether the job exists at all (metadata or at least one raw object). */
  public record Plan(List<ReadUnit> units, boolean jobExists) {}

  /** One raw object's content, wherever it lives now. */
  private record Segment(String rawKey, String minute, long index, String containerId, String container,
                         String objectKey, long offset, long length, long objectSize, boolean merged) {}

  private static final Comparator<Segment> ORDER = Comparator.comparing(Segment::minute)
      .thenComparingLong(Segment::index).thenComparing(Segment::rawKey);

  /**
   * @param metadata   the job's metadata, or null when it has none yet
   * @param rawKeys    the keys listed under the pod's raw prefix
   * @param done       raw keys already read (follow mode): left out
   * @param container  only this container name, or null
   * @param badKey     told about listed keys that are not raw keys of this pod (key, reason)
   */
  public static Plan plan(String pod, JobMetadata metadata, List<String> rawKeys, Set<String> done, String container,
                          BiConsumer<String, String> badKey) {
    List<Segment> segments = new ArrayList<>();
    Set<String> inMerged = new HashSet<>();
    if (metadata != null) {
      inMerged.addAll(metadata.mergedRawKeys());
      Set<String> sourced = new HashSet<>();
      for (JobMetadata.MergedFile f : metadata.logFiles()) {
        addMerged(f, segments, inMerged, sourced);
      }
    }
    for (String key : rawKeys) {
      if (inMerged.contains(key)) continue;
      RawKeyParser.Result r = RawKeyParser.parse(key);
      if (r instanceof RawKeyParser.Rejected rej) {
        badKey.accept(key, rej.reason());
        continue;
      }
      RawKey k = ((RawKeyParser.Parsed) r).rawKey();
      if (!k.pod().equals(pod)) {
        badKey.accept(key, "belongs to pod " + k.pod());
        continue;
      }
      segments.add(new Segment(key, k.minute(), k.index(), k.containerId(), k.container(), key, 0, -1, -1, false));
    }
    boolean exists = metadata != null || !segments.isEmpty();

    Map<String, List<Segment>> byContainer = new LinkedHashMap<>();
    for (Segment s : segments) {
      if (done.contains(s.rawKey())) continue;
      if (container != null && !container.equals(s.container())) continue;
      byContainer.computeIfAbsent(s.containerId(), c -> new ArrayList<>()).add(s);
    }
    List<List<Segment>> containers = new ArrayList<>(byContainer.values());
    for (List<Segment> c : containers) c.sort(ORDER);
    containers.sort(Comparator.comparing((List<Segment> c) -> c.get(0), ORDER));

    List<ReadUnit> units = new ArrayList<>();
    for (List<Segment> c : containers) coalesce(c, units);
    return new Plan(units, exists);
  }

  private static void addMerged(JobMetadata.MergedFile f, List<Segment> segments, Set<String> inMerged,
                                Set<String> sourced) {
    String firstMinute = f.firstRawMinute() == null ? "" : f.firstRawMinute();
    if (f.sources().isEmpty()) {
      // No byte map: the file is one segment, named by its own key.
      segments.add(new Segment(f.key(), firstMinute, 0, f.containerId(), f.container(), f.key(), 0, f.size(),
          f.size(), true));
      return;
    }
    long position = 0;
    for (JobMetadata.Source s : f.sources()) {
      // A raw key is in one merged file by contract; should two list it, serving it twice would duplicate lines.
      if (!sourced.add(s.key())) continue;
      inMerged.add(s.key());
      String minute = firstMinute;
      long index = position++;
      if (RawKeyParser.parse(s.key()) instanceof RawKeyParser.Parsed p) {
        minute = p.rawKey().minute();
        index = p.rawKey().index();
      }
      segments.add(new Segment(s.key(), minute, index, f.containerId(), f.container(), f.key(), s.offset(),
          s.length(), f.size(), true));
    }
  }

  /** Consecutive segments that sit back to back in one merged object become one read. */
  private static void coalesce(List<Segment> segments, List<ReadUnit> out) {
    int i = 0;
    while (i < segments.size()) {
      Segment first = segments.get(i);
      List<String> keys = new ArrayList<>();
      keys.add(first.rawKey());
      long end = first.offset() + first.length();
      int j = i + 1;
      if (first.merged()) {
        while (j < segments.size()) {
          Segment s = segments.get(j);
          if (!s.merged() || !s.objectKey().equals(first.objectKey()) || s.offset() != end) break;
          keys.add(s.rawKey());
          end = s.offset() + s.length();
          j++;
        }
      }
      long length = first.merged() ? end - first.offset() : -1;
      if (first.merged() && first.offset() == 0 && length == first.objectSize()) length = -1;
      out.add(new ReadUnit(keys, first.containerId(), first.container(), first.objectKey(), first.offset(), length,
          first.merged()));
      i = j;
    }
  }

  /** Where a raw key's content now lives in a merged object, or null when the metadata does not list it. */
  public static ReadUnit locate(JobMetadata metadata, String rawKey) {
    if (metadata == null) return null;
    for (JobMetadata.MergedFile f : metadata.logFiles()) {
      for (JobMetadata.Source s : f.sources()) {
        if (s.key().equals(rawKey)) {
          return new ReadUnit(List.of(rawKey), f.containerId(), f.container(), f.key(), s.offset(), s.length(), true);
        }
      }
    }
    return null;
  }
}
