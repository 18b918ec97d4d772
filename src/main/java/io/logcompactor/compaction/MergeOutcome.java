package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the merge phase produced; filled in as outputs are written. */
public final class MergeOutcome {
  private final List<JobMetadata.MergedFile> files = new ArrayList<>();
  private final Map<String, String> dataEtags = new LinkedHashMap<>();
  private final Map<String, String> merged = new LinkedHashMap<>();
  private final List<JobMetadata.RejectedRaw> rejected = new ArrayList<>();
  private final List<String> gone = new ArrayList<>();
  private long bytesWritten;

  void addFile(JobMetadata.MergedFile file, String etag) {
    files.add(file);
    dataEtags.put(file.key(), etag);
    bytesWritten += file.size();
  }

  void merged(String rawKey, String etag) {
    merged.put(rawKey, etag);
  }

  void rejected(JobMetadata.RejectedRaw r) {
    rejected.add(r);
  }

  void gone(String rawKey) {
    gone.add(rawKey);
  }

  /** Merged files written, in order. */
  public List<JobMetadata.MergedFile> files() {
    return List.copyOf(files);
  }

  /** The ETag of each merged file written: deleted only while still ours. */
  public Map<String, String> dataEtags() {
    return java.util.Collections.unmodifiableMap(dataEtags);
  }

  /** Raw keys merged (including empty ones), in merge order, with the ETag of the content merged. */
  public Map<String, String> merged() {
    return java.util.Collections.unmodifiableMap(merged);
  }

  public List<JobMetadata.RejectedRaw> rejected() {
    return List.copyOf(rejected);
  }

  /** Raw keys listed but missing when fetched: nothing to merge. */
  public List<String> gone() {
    return List.copyOf(gone);
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public boolean isEmpty() {
    return files.isEmpty() && merged.isEmpty() && rejected.isEmpty();
  }
}
