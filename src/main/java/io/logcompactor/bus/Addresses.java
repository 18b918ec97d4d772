package io.logcompactor.bus;

/**
 * Every event-bus address, in one place. Messages are {@link io.vertx.core.json.JsonObject}s (or {@link LogChunk}s
 * for log chunks); the fields of each are documented here so that sender and
 * consumer agree without sharing classes across packages.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * events -> tracking, request/reply. A raw file was created. {@code {"key", "size", "event_time"}}; reply
   * {@code {"tracked": boolean}} once recorded, and only then may the SQS message be deleted. {@code key} is the
   * decoded S3 key; {@code size} is -1 and {@code event_time} (RFC 3339) null when the event did not carry them.
   * {@code "tracked": false}: not a raw key, deliberately ignored. A request without a key fails with code 400.
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
   * "tracked": boolean}}. An unknown pod is {@code "tracked": false} with 0 pending and a null time; no pod fails 400.
   */
  public static final String TRACKER_POD_STATUS = "compactor.tracking.pod-status";

  /**
   * http -> tracking, request/reply. {@code {"offset", "limit"}} -> {@code {"pods": [{"pod", "pending_raw_files",
   * "last_upload_time"}], "total"}} in pod-name order. {@code offset} defaults to 0, {@code limit} to 100 (at most
   * 1000); a negative offset, a limit below 1 or non-integers fail with code 400.
   */
  public static final String TRACKER_LIST = "compactor.tracking.list";

  /**
   * http -> read, request/reply. {@code {"pod"}} -> the job as S3 shows it: {@code {"pod", "merged": {"log_files",
   * "raw_files", "bytes", "containers": [{"container", "container_id", "log_files", "raw_files", "bytes",
   * "first_raw_minute", "last_raw_minute"}]}, "merged_raw_files_not_cleaned", "rejected_raw_files",
   * "last_compaction_time", "last_upload_time", "unmerged_raw_files", "in_cleanup_queue", "metadata_error"?}}.
   * Failures: 404 unknown job (no metadata, no raw object), 400 bad pod name, 500 S3 failure.
   */
  public static final String READ_JOB_STATUS = "compactor.read.job-status";

  /**
   * http -> read, request/reply. Opens a log stream. Request {@code {"pod", "container"?, "since"?, "until"?
   * (RFC 3339 UTC instants, already resolved from relative values), "timestamps": bool, "stream"?: stdout|stderr,
   * "tail": n or -1 for all, "follow": bool, "format": text|jsonl}}; reply {@code {"stream_id"}} once the read is
   * planned. Failures: 400 malformed request, 404 unknown job, 503 metadata unreadable (corrupt or newer version),
   * 500 S3 failure.
   */
  public static final String READ_OPEN = "compactor.read.open";

  /**
   * http -> read, request/reply. {@code {"stream_id"}} -> the next chunk of output (at most 256 KiB) as a
   * {@link LogChunk}, {@code end} on the last one. An empty chunk without {@code end} means "nothing yet, ask again"
   * (following a job, or a long stretch of filtered-out lines); it comes within a few seconds, so requests do not time
   * out. One request in flight per stream (a second one fails 409): the HTTP response's back-pressure is the read's
   * back-pressure. Failures: 404 unknown or expired stream (streams not asked for within a minute are closed), 500
   * read failed mid-way (the output so far is incomplete: the HTTP side must not end the response cleanly).
   */
  public static final String READ_NEXT = "compactor.read.next";

  /** http -> read, send. {@code {"stream_id"}}: the client went away; stop reading S3. */
  public static final String READ_CLOSE = "compactor.read.close";
}
