package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metadata a run commits. Pure: what was read plus what the run did. */
final class MetadataUpdate {
  private MetadataUpdate() {}

  /**
   * Log files are appended; the merged raw keys become those whose delete failed plus those merged now (the next
   * clean phase deletes them); rejections are appended.
   *
   * @param newestUpload newest raw Last-Modified this run saw, or null
   */
  static JobMetadata next(String pod, JobMetadata read, CleanOutcome clean, MergeOutcome merge,
                          List<JobMetadata.RejectedRaw> badKeys, Instant now, Instant newestUpload) {
    List<JobMetadata.MergedFile> files = new ArrayList<>(read.logFiles());
    files.addAll(merge.files());

    Map<String, String> merged = new LinkedHashMap<>();
    for (String k : clean.kept()) merged.put(k, read.mergedRawEtags().get(k));
    merged.putAll(merge.merged());
    Map<String, String> etags = new LinkedHashMap<>();
    merged.forEach((k, v) -> {
      if (v != null) etags.put(k, v);
    });

    List<JobMetadata.RejectedRaw> rejected = new ArrayList<>(read.rejectedRawKeys());
    rejected.addAll(badKeys);
    rejected.addAll(merge.rejected());

    return new JobMetadata(JobMetadata.CURRENT_VERSION, pod, files, new ArrayList<>(merged.keySet()), rejected,
        now.toString(), latest(read.lastUploadTime(), newestUpload), etags);
  }

  private static String latest(String recorded, Instant seen) {
    if (seen == null) return recorded;
    if (recorded == null) return seen.toString();
    try {
      return Instant.parse(recorded).isAfter(seen) ? recorded : seen.toString();
    } catch (java.time.format.DateTimeParseException e) {
      return seen.toString();
    }
  }
}
