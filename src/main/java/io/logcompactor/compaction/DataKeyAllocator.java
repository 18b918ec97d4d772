package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names merged files {@code data/{pod}/{cid}/{minute}_{seq}.gz}: per container, the sequence continues after the
 * highest one the metadata lists, and keys that already exist (left by a crashed or a concurrent run) are skipped.
 * Existence is only a hint: the write itself is conditional, and a lost race asks for the next name.
 */
final class DataKeyAllocator {
  private static final Pattern SEQUENCE = Pattern.compile(".*/\\d{12}_(\\d{1,18})\\.gz");

  private final String pod;
  private final Set<String> existing;
  private final Map<String, Long> next = new HashMap<>();

  DataKeyAllocator(String pod, JobMetadata metadata, Iterable<String> existingDataKeys) {
    this.pod = pod;
    this.existing = new HashSet<>();
    existingDataKeys.forEach(existing::add);
    for (JobMetadata.MergedFile f : metadata.logFiles()) {
      long seq = sequenceOf(f.key());
      if (seq >= 0) next.merge(f.containerId(), seq + 1, Math::max);
    }
  }

  /** The next unused key for {@code containerId}, starting at {@code minute}. */
  String next(String containerId, String minute) {
    while (true) {
      long seq = next.getOrDefault(containerId, 0L);
      next.put(containerId, seq + 1);
      String key = Keys.dataKey(pod, containerId, minute, seq);
      if (existing.add(key)) return key;
    }
  }

  /** @return the sequence number of a merged file's key, or -1 when it does not have the documented form */
  static long sequenceOf(String dataKey) {
    Matcher m = SEQUENCE.matcher(dataKey == null ? "" : dataKey);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
