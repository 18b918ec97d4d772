package io.logcompactor.compaction;

/**
 * Engine tunables that are not operator configuration: memory bounds and concurrency.
 *
 * @param partSize        multipart part size, and the largest merged file written with one PUT (S3: 5 MiB minimum)
 * @param lookAheadBytes  raw bytes fetched ahead of the writer per run; bounds a run's memory
 * @param streamThreshold raw objects larger than this are never held in memory: validated in one streaming GET,
 *                        copied in a second one
 * @param concurrentRuns  pods merged at once per instance
 * @param fetchParallelism raw objects one run fetches at once; also caps the fetches it queues on the shared S3
 *                        pool, so a run of thousands of small objects never queues ahead of everyone else's work
 */
public record CompactionSettings(int partSize, long lookAheadBytes, long streamThreshold, int concurrentRuns,
                                 int fetchParallelism) {
  public static final int MIN_PART_SIZE = 5 << 20;

  public static final CompactionSettings DEFAULTS = new CompactionSettings(8 << 20, 32L << 20, 8L << 20, 2, 32);

  public CompactionSettings {
    if (partSize < MIN_PART_SIZE) throw new IllegalArgumentException("partSize below the S3 minimum of 5 MiB");
    if (lookAheadBytes < 1 || streamThreshold < 1 || concurrentRuns < 1 || fetchParallelism < 1) {
      throw new IllegalArgumentException("settings must be positive");
    }
  }

  /** The defaults, fetching with as many threads as the S3 pool has (PERFORMANCE.md: ~32 is the GET floor). */
  public static CompactionSettings forPool(int s3Concurrency) {
    return new CompactionSettings(DEFAULTS.partSize, DEFAULTS.lookAheadBytes, DEFAULTS.streamThreshold,
        DEFAULTS.concurrentRuns, s3Concurrency);
  }
}
