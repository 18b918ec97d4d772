package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.RawKey;
import io.logcompactor.layout.RawKeyParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Decides what a run merges. Pure: the listing and the metadata in, a plan out. */
public final class MergePlanner {
  private MergePlanner() {}

  /**
   * @param pod      the pod; keys of other pods are ignored even if a listing contained them
   * @param listing  the raw objects under {@link Keys#rawPodPrefix(String)}
   * @param skip     keys already merged (not yet deleted) or rejected
   * @param maxBytes cap of one merged file; a single larger raw object gets a file of its own
   * @param now      time recorded on newly rejected keys
   */
  public static MergePlan plan(String pod, List<ListedObject> listing, Set<String> skip, long maxBytes, Instant now) {
    String prefix = Keys.rawPodPrefix(pod);
    Map<String, List<MergePlan.Raw>> byContainer = new TreeMap<>();
    List<JobMetadata.RejectedRaw> bad = new ArrayList<>();
    Instant newest = null;
    for (ListedObject o : listing) {
      if (!o.key().startsWith(prefix)) continue;
      if (o.lastModified() != null && (newest == null || o.lastModified().isAfter(newest))) newest = o.lastModified();
      MergePlan.Raw raw = mergeable(pod, o, skip);
      if (raw != null) {
        byContainer.computeIfAbsent(raw.rawKey().containerId(), c -> new ArrayList<>()).add(raw);
      } else if (!skip.contains(o.key()) && RawKeyParser.parse(o.key()) instanceof RawKeyParser.Rejected rej) {
        bad.add(new JobMetadata.RejectedRaw(o.key(), "not a raw log key: " + rej.reason(), now.toString()));
      }
    }
    List<MergePlan.Output> outputs = new ArrayList<>();
    for (List<MergePlan.Raw> raws : byContainer.values()) {
      raws.sort(Comparator.comparing(MergePlan.Raw::rawKey, RawKey.ORDER));
      outputs.addAll(cut(raws, maxBytes));
    }
    return new MergePlan(outputs, bad, newest);
  }

  /**
   * The raw object {@link #plan} merges for {@code o}, as far as that one entry tells (not which file it goes to), or
   * null when it merges none: another pod's key, a skipped one or one that is not a raw key.
   */
  static MergePlan.Raw mergeable(String pod, ListedObject o, Set<String> skip) {
    if (!o.key().startsWith(Keys.rawPodPrefix(pod)) || skip.contains(o.key())) return null;
    return RawKeyParser.parse(o.key()) instanceof RawKeyParser.Parsed p && p.rawKey().pod().equals(pod)
        ? new MergePlan.Raw(p.rawKey(), o) : null;
  }

  /** Consecutive runs of raw objects whose listed sizes add up to at most {@code maxBytes}. */
  static List<MergePlan.Output> cut(List<MergePlan.Raw> ordered, long maxBytes) {
    List<MergePlan.Output> out = new ArrayList<>();
    List<MergePlan.Raw> current = new ArrayList<>();
    long bytes = 0;
    for (MergePlan.Raw r : ordered) {
      long size = Math.max(0, r.object().size());
      if (!current.isEmpty() && bytes + size > maxBytes) {
        out.add(output(current));
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(r);
      bytes += size;
    }
    if (!current.isEmpty()) out.add(output(current));
    return out;
  }

  private static MergePlan.Output output(List<MergePlan.Raw> raws) {
    // The newest container name/namespace win: a restart keeps both, and the id already separates restarts.
    RawKey last = raws.get(raws.size() - 1).rawKey();
    return new MergePlan.Output(last.containerId(), last.container(), last.namespace(), raws);
  }
}
