package io.logcompactor.compaction;

/**
 * Hook called after each durable step of a run, so tests can stop a run exactly there, as a crash would, and prove
 * that the next run converges. Production uses {@link #NONE}. A test simulates a crash by throwing an
 * {@link Error}: the engine's failure handling catches {@link Exception} only, so nothing is tidied up, exactly as
 * when the process dies.
 */
@FunctionalInterface
public interface Failpoints {
  Failpoints NONE = (step, pod) -> {};

  /** The durable steps of a run, in order. */
  enum Step {
    /** metadata read; nothing changed yet */
    METADATA_READ,
    /** raw keys the metadata listed as merged are deleted; the metadata still lists them */
    RAW_DELETED,
    /** stale orphan data objects are deleted */
    ORPHANS_DELETED,
    /**
     * one part of a multipart merged file is uploaded, or one chunk of a streamed one's body is sent (the PUT is
     * under way, its body incomplete)
     */
    PART_UPLOADED,
    /** one merged file is written (reached once per file); not yet referenced by the metadata */
    DATA_WRITTEN,
    /** the metadata is committed; the cleanup marker is written (before the commit) but not yet confirmed */
    COMMITTED,
    /** the cleanup marker is written: the run is over */
    MARKED
  }

  void reached(Step step, String pod);
}
