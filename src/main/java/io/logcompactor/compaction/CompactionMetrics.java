package io.logcompactor.compaction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;

/** The compaction engine's meters, {@code compactor.compaction.*}; tag values come from small fixed sets. */
public final class CompactionMetrics {
  static final Set<String> CAUSES = Set.of("threshold", "timer", "reconcile", "cleanup", "manual");

  private final MeterRegistry registry;
  final Counter rawDeleted;
  final Counter rawChanged;
  final Counter rawGone;
  final Counter rawFetchedEarly;
  final Counter rawRejectedCorrupt;
  final Counter rawRejectedBadKey;
  final Counter bytesWritten;
  final Counter orphansDeleted;
  final Counter uploadsAborted;
  final Counter streamsGivenUp;
  final Counter metadataRefused;
  final Counter commitsLost;
  final Counter commitsRetried;
  final Counter deleteFailures;
  final Counter invalidRequests;
  final Timer validation;

  public CompactionMetrics(MeterRegistry registry) {
    this.registry = registry;
    rawDeleted = Counter.builder("compactor.compaction.raw.deleted")
        .description("raw objects deleted by the clean phase after their merge was committed").register(registry);
    rawChanged = Counter.builder("compactor.compaction.raw.changed")
        .description("merged raw keys found re-uploaded with new content: kept and merged again").register(registry);
    rawGone = Counter.builder("compactor.compaction.raw.gone")
        .description("raw objects listed but missing when fetched").register(registry);
    rawFetchedEarly = Counter.builder("compactor.compaction.raw.fetched_early")
        .description("raw objects merged whose fetch started while the listing was still paging").register(registry);
    rawRejectedCorrupt = rejected("corrupt_gzip");
    rawRejectedBadKey = rejected("bad_key");
    bytesWritten = Counter.builder("compactor.compaction.bytes.written").baseUnit("bytes")
        .description("bytes of merged files written").register(registry);
    orphansDeleted = Counter.builder("compactor.compaction.orphans.deleted")
        .description("unreferenced data objects older than the safety age deleted").register(registry);
    uploadsAborted = Counter.builder("compactor.compaction.uploads.aborted")
        .description("stale multipart uploads of crashed runs aborted").register(registry);
    streamsGivenUp = Counter.builder("compactor.compaction.streams.given_up")
        .description("merged files planned as one streamed PUT and written as parts instead (an object not the size "
            + "listed, a failed or stalled request)").register(registry);
    metadataRefused = Counter.builder("compactor.compaction.metadata.refused")
        .description("runs refused because the pod's metadata is unreadable or newer than this build")
        .register(registry);
    commitsLost = Counter.builder("compactor.compaction.commits.lost")
        .description("commits lost to another instance (If-Match failed); the run's outputs were removed")
        .register(registry);
    commitsRetried = Counter.builder("compactor.compaction.commits.retried")
        .description("metadata commits tried again after a failure without an answer left the metadata unchanged")
        .register(registry);
    deleteFailures = Counter.builder("compactor.compaction.delete.failures")
        .description("objects S3 would not delete; retried by a later run").register(registry);
    invalidRequests = Counter.builder("compactor.compaction.requests.invalid")
        .description("merge or clean requests without a valid pod name").register(registry);
    validation = Timer.builder("compactor.compaction.gzip.validation")
        .description("time spent inflating raw gzip objects to prove them intact").register(registry);
  }

  private Counter rejected(String reason) {
    return Counter.builder("compactor.compaction.raw.rejected").tag("reason", reason)
        .description("raw objects left unmerged and listed in rejected_raw_keys").register(registry);
  }

  void merged(RawFormat format) {
    Counter.builder("compactor.compaction.raw.merged").tag("format", format.name().toLowerCase(java.util.Locale.ROOT))
        .description("raw objects merged").register(registry).increment();
  }

  void fileWritten(MergedObjectWriter.Upload upload) {
    Counter.builder("compactor.compaction.files.written")
        .tag("upload", upload.name().toLowerCase(java.util.Locale.ROOT))
        .description("merged files written").register(registry).increment();
  }

  void run(String kind, String cause, String status, Duration took) {
    String c = CAUSES.contains(cause) ? cause : "other";
    Timer.builder("compactor.compaction.runs").tag("kind", kind).tag("cause", c).tag("status", status)
        .description("compaction runs by outcome").register(registry).record(took);
  }
}
