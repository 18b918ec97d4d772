package io.logcompactor.compaction;

/**
 * Engine tunables that are not operator configuration: memory bounds and concurrency.
 *
 * @param partSize        multipart part size (S3: 5 MiB minimum)
 * @param singlePutMax    the largest merged file written with one PUT, held in the part buffers until it is known to
 *                        fit: one request instead of five (claim, create, two parts, complete) for a file of one to
 *                        two parts (an 8.4 MB file on S3Proxy: 60-80 ms as one PUT, 120-170 ms as two parts and a
 *                        completion, besides the claim). At most two parts, so that holding them stays within the
 *                        writer's buffers; a file planned larger streams its parts from the first one on
 * @param lookAheadBytes  raw bytes fetched ahead of the writer per run; with the writer's part buffers (the one
 *                        filling and {@link MergedObjectWriter#UPLOADS_IN_FLIGHT} uploading) bounds a run's memory:
 *                        16 + 3 x 8 MiB, as 32 + 8 when one part was uploaded at a time
 * @param streamThreshold raw objects larger than this are never held in memory: validated in one streaming GET,
 *                        copied in a second one
 * @param streamLargeFiles a merged file larger than {@code singlePutMax} is one PUT whose body streams as it is written,
 *                        when its objects are the size listed (else, or when the request fails, it is written again
 *                        as parts); false: always parts. On S3Proxy a 64 MiB file cost ~0.4 s of CPU as one PUT,
 *                        ~0.9 s as eight parts and a completion; on S3 it is two requests instead of eleven
 * @param concurrentRuns  pods merged at once per instance
 * @param fetchesAhead    raw objects one run has fetched or queued and not yet written. Twice the pool's threads:
 *                        the writer consumes in order, so with only as many as threads a slow object at the head
 *                        idles the pool; and a run of thousands of small objects must not flood the shared pool's
 *                        queue ahead of everyone else's work (MergeBench compares settings; on the shared 2-core
 *                        machine its runs were too noisy to rank 32 against 64)
 */
public record CompactionSettings(int partSize, int singlePutMax, long lookAheadBytes, long streamThreshold,
                                 boolean streamLargeFiles, int concurrentRuns, int fetchesAhead) {
  public static final int MIN_PART_SIZE = 5 << 20;

  public static final CompactionSettings DEFAULTS = new CompactionSettings(8 << 20, 16 << 20, 16L << 20, 8L << 20, true,
      2, 64);

  public CompactionSettings {
    if (partSize < MIN_PART_SIZE) throw new IllegalArgumentException("partSize below the S3 minimum of 5 MiB");
    MergedObjectWriter.checkSinglePutMax(partSize, singlePutMax);
    if (lookAheadBytes < 1 || streamThreshold < 1 || concurrentRuns < 1 || fetchesAhead < 1) {
      throw new IllegalArgumentException("settings must be positive");
    }
  }

  /**
   * The defaults for an S3 pool of {@code s3Concurrency} threads (PERFORMANCE.md: ~32 is the GET floor).
   *
   * @param streamLargeFiles false on a store that refuses {@code If-Match} on PUT, where every streamed file would be
   *                         given up and sent again as parts
   */
  public static CompactionSettings forPool(int s3Concurrency, boolean streamLargeFiles) {
    return new CompactionSettings(DEFAULTS.partSize, DEFAULTS.singlePutMax, DEFAULTS.lookAheadBytes,
        DEFAULTS.streamThreshold, streamLargeFiles, DEFAULTS.concurrentRuns, 2 * s3Concurrency);
  }
}
