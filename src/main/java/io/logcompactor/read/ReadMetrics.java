package io.logcompactor.read;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The reader's counters ({@code compactor.read.*}), registered once on the service's registry. */
public final class ReadMetrics {
  private final MeterRegistry registry;
  final Counter bytesOut;
  final Counter linesUnparsed;
  final Counter linesOversized;
  final Counter replanMetadataChanged;
  final Counter replanVanished;
  final Counter segmentsMerged;
  final Counter segmentsRaw;

  public ReadMetrics(MeterRegistry registry) {
    this.registry = registry;
    bytesOut = Counter.builder("compactor.read.bytes").description("log bytes produced by read streams")
        .register(registry);
    linesUnparsed = Counter.builder("compactor.read.lines.unparsed")
        .description("lines that were not Fluent Bit JSON records and were served as they are").register(registry);
    linesOversized = Counter.builder("compactor.read.lines.oversized")
        .description("lines longer than COMPACTOR_READ_MAX_LINE_BYTES, passed through unparsed").register(registry);
    replanMetadataChanged = Counter.builder("compactor.read.replans").tag("reason", "metadata_changed")
        .description("read plans redone because a compaction committed while planning").register(registry);
    replanVanished = Counter.builder("compactor.read.replans").tag("reason", "object_vanished")
        .description("raw objects that vanished (merged and cleaned) while a read was under way, then found in a "
            + "merged object").register(registry);
    segmentsMerged = Counter.builder("compactor.read.gets").tag("source", "merged")
        .description("GETs of log content, by source").register(registry);
    segmentsRaw = Counter.builder("compactor.read.gets").tag("source", "raw")
        .description("GETs of log content, by source").register(registry);
  }

  public void streamOpened(String mode) {
    Counter.builder("compactor.read.streams").tag("mode", mode).description("log streams opened")
        .register(registry).increment();
  }

  public void error(String kind) {
    Counter.builder("compactor.read.errors").tag("kind", kind)
        .description("read problems: corrupt objects, unknown keys, failed reads").register(registry).increment();
  }
}
