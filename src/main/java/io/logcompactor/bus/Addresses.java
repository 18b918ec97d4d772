package io.logcompactor.bus;

/**
 * Every event-bus address, in one place. Messages are {@link io.vertx.core.json.JsonObject}s (or
 * {@link io.vertx.core.buffer.Buffer}s for log chunks); the fields of each are documented here so that sender and
 * consumer agree without sharing classes across packages.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * events -> tracking, request/reply. A raw file was created. {@code {"key", "size", "event_time"}}; reply
   * {@code {"tracked": boolean}} once recorded, and only then may the SQS message be deleted.
   */
  public static final String RAW_FILE_CREATED = "compactor.raw.created";

  /**
   * tracking/cleanup -> compaction, request/reply. {@code {"pod", "cause": threshold|timer|reconcile|cleanup}};
   * reply {@code {"pod", "status": merged|nothing|busy|refused, "merged_raw_files": n, "log_files_written": n}}
   * once the run (clean, merge, commit) is over. A success means every raw file of the pod that existed when the
   * request was sent is now merged, rejected or gone, so the requester may drop what it had pending then. "busy":
   * another instance committed first; "refused": the pod's metadata is unreadable or from a newer version. A failure
   * replies with a ReplyException and nothing may be dropped.
   *
   * <p>Only "merged" and "nothing" are that success: after "busy" (the winner may have listed the bucket before
   * some of the requester's files arrived) or "refused", keep what is pending. The reply also carries
   * {@code "deleted_raw_keys"} (merged raw files the clean phase deleted),
   * {@code "rejected_raw_files"} (newly listed in rejected_raw_keys), {@code "orphans_deleted"} and
   * {@code "pending_merged_keys"} (raw keys the metadata now lists as merged, deleted by the next run). Runs of one
   * pod are serialised per instance; a request that arrives during a run is answered by the next run, which starts
   * after it, and requests waiting together share that run. A run can take minutes for a large pod: send with a
   * {@code DeliveryOptions.setSendTimeout} well above the default 30 s.
   */
  public static final String MERGE_POD = "compactor.compaction.merge";

  /**
   * cleanup -> compaction, request/reply. Final clean of an idle pod: {@code {"pod", "idle_timeout_ms"}}; reply
   * {@code {"pod", "deleted_raw_keys": n}} plus {@code "status"}: "drained" (no upload for idle_timeout_ms, the rest
   * merged, every merged raw key deleted, {@code cleanup/{pod}} removed), "active" (an upload within the idle
   * timeout, or merged keys left: stays queued), "busy" or "refused" as for {@link #MERGE_POD}; and the counts of
   * {@link #MERGE_POD}'s reply summed over the runs the drain made.
   */
  public static final String CLEAN_POD = "compactor.compaction.clean";

  /** cleanup -> tracking, publish. The pod was drained from the cleanup queue: forget it. {@code {"pod"}}. */
  public static final String POD_DRAINED = "compactor.tracking.drained";

  /**
   * http -> tracking, request/reply. {@code {"pod"}} -> {@code {"pod", "pending_raw_files", "last_upload_time",
   * "tracked": boolean}}.
   */
  public static final String TRACKER_POD_STATUS = "compactor.tracking.pod-status";

  /**
   * http -> tracking, request/reply. {@code {"offset", "limit"}} -> {@code {"pods": [{"pod", "pending_raw_files",
   * "last_upload_time"}], "total"}} in pod-name order.
   */
  public static final String TRACKER_LIST = "compactor.tracking.list";

  /** http -> read, request/reply. {@code {"pod"}} -> metadata summary, or failure 404 for an unknown job. */
  public static final String READ_JOB_STATUS = "compactor.read.job-status";

  /** http -> read, request/reply. Opens a log stream: the read request; reply {@code {"stream_id"}}. */
  public static final String READ_OPEN = "compactor.read.open";

  /**
   * http -> read, request/reply. {@code {"stream_id"}} -> the next chunk of output as a Buffer, with header
   * {@code end=true} on the last (empty) one. One request in flight per stream: the HTTP response's back-pressure
   * is the read's back-pressure.
   */
  public static final String READ_NEXT = "compactor.read.next";

  /** http -> read, send. {@code {"stream_id"}}: the client went away; stop reading S3. */
  public static final String READ_CLOSE = "compactor.read.close";
}
