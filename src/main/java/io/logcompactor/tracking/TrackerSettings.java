package io.logcompactor.tracking;

import io.logcompactor.config.CompactorConfig;
import java.time.Duration;

/**
 * What the tracker needs to know, taken from {@link CompactorConfig}; a record of its own so tests can shorten the
 * retry delays.
 *
 * @param mergeThreshold          pending raw files of one pod that trigger a merge request
 * @param compactionInterval      period of the timer that asks for a merge of every pod with pending raw files
 * @param reconcileInterval       period of the bucket listing that catches lost events
 * @param idleTimeout             a pod with nothing pending and no upload for this long is forgotten by reconcile
 * @param mergeTimeout            how long a merge request may take before it counts as failed
 * @param retryMin                first delay before asking again after a failed merge request
 * @param retryMax                cap of the doubling retry delay
 * @param metadataReadParallelism metadata objects read at once during reconcile
 */
public record TrackerSettings(
    int mergeThreshold,
    Duration compactionInterval,
    Duration reconcileInterval,
    Duration idleTimeout,
    Duration mergeTimeout,
    Duration retryMin,
    Duration retryMax,
    int metadataReadParallelism) {

  public static TrackerSettings from(CompactorConfig c) {
    // A merge of a large pod streams many MiB through S3: generous, but a lost reply must not block the pod forever.
    return new TrackerSettings(c.mergeThreshold(), c.compactionInterval(), c.reconcileInterval(), c.idleTimeout(),
        Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofMinutes(5), 8);
  }

  public TrackerSettings withRetry(Duration min, Duration max) {
    return new TrackerSettings(mergeThreshold, compactionInterval, reconcileInterval, idleTimeout, mergeTimeout, min,
        max, metadataReadParallelism);
  }

  public TrackerSettings withMergeTimeout(Duration d) {
    return new TrackerSettings(mergeThreshold, compactionInterval, reconcileInterval, idleTimeout, d, retryMin,
        retryMax, metadataReadParallelism);
  }
}
