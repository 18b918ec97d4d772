package io.logcompactor.compaction;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of one run, as replied on {@link io.logcompactor.bus.Addresses#MERGE_POD} and
 * {@link io.logcompactor.bus.Addresses#CLEAN_POD}.
 *
 * @param pendingMergedKeys raw keys the committed metadata still lists as merged (deleted by a later run)
 */
public record RunResult(String pod, Status status, int mergedRawFiles, int logFilesWritten, int deletedRawKeys,
                        int rejectedRawFiles, int orphansDeleted, int pendingMergedKeys) {

  /** {@code status} values on the wire. */
  public enum Status {
    /** raw files were merged or rejected, and committed */
    MERGED,
    /** nothing new to merge (the clean phase may still have deleted merged raw keys) */
    NOTHING,
    /** another instance committed first; this run's outputs are removed */
    BUSY,
    /** the metadata is unreadable or from a newer version; nothing touched */
    REFUSED,
    /** drain only: the pod is idle, everything is merged and cleaned, its cleanup marker is gone */
    DRAINED,
    /** drain only: the pod had an upload within the idle timeout; left queued */
    ACTIVE;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static RunResult of(String pod, Status status) {
    return new RunResult(pod, status, 0, 0, 0, 0, 0, 0);
  }

  RunResult withStatus(Status s) {
    return new RunResult(pod, s, mergedRawFiles, logFilesWritten, deletedRawKeys, rejectedRawFiles, orphansDeleted,
        pendingMergedKeys);
  }

  /** Adds the counts of a later run of the same pod (a drain runs more than one). */
  RunResult plus(RunResult later) {
    return new RunResult(pod, later.status, mergedRawFiles + later.mergedRawFiles,
        logFilesWritten + later.logFilesWritten, deletedRawKeys + later.deletedRawKeys,
        rejectedRawFiles + later.rejectedRawFiles, orphansDeleted + later.orphansDeleted, later.pendingMergedKeys);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("pod", pod)
        .put("status", status.wire())
        .put("merged_raw_files", mergedRawFiles)
        .put("log_files_written", logFilesWritten)
        .put("deleted_raw_keys", deletedRawKeys)
        .put("rejected_raw_files", rejectedRawFiles)
        .put("orphans_deleted", orphansDeleted)
        .put("pending_merged_keys", pendingMergedKeys);
  }
}
