package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.MetadataCodec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MetadataUpdateTest {
  private static final Instant NOW = Instant.parse("2026-11-25T21:00:00Z");

  private static JobMetadata.MergedFile file(String key) {
    return new JobMetadata.MergedFile(key, "aa", "app", "ns", 1, 10, "202611252000", "202611252000",
        List.of(new JobMetadata.Source("raw-" + key, 0, 10)), NOW.toString());
  }

  @Test
  @DisplayName("a commit appends log files and rejections, and lists as merged exactly the undeleted old keys plus the new ones")
  void nextMetadata() throws Exception {
    JobMetadata read = new JobMetadata(1, "job-1", List.of(file("f0")), List.of("k1", "k2", "k3"),
        List.of(new JobMetadata.RejectedRaw("bad0", "corrupt gzip: x", "t")), "2026-11-25T20:00:00Z",
        "2026-11-25T20:30:00Z", Map.of("k1", "\"1\"", "k2", "\"2\"", "k3", "\"3\""));
    CleanOutcome clean = new CleanOutcome(List.of("k1"), List.of("k3"), List.of("k2"));
    MergeOutcome merge = new MergeOutcome();
    merge.addFile(file("f1"), "\"d1\"");
    merge.merged("k3", "\"3b\"");
    merge.merged("k4", "\"4\"");
    merge.rejected(new JobMetadata.RejectedRaw("bad1", "corrupt gzip: y", NOW.toString()));

    JobMetadata next = MetadataUpdate.next("job-1", read, clean, merge,
        List.of(new JobMetadata.RejectedRaw("odd", "not a raw log key: z", NOW.toString())), NOW,
        Instant.parse("2026-11-25T20:45:00Z"));

    assertThat(next.logFiles()).extracting(JobMetadata.MergedFile::key).containsExactly("f0", "f1");
    assertThat(next.mergedRawKeys()).containsExactly("k2", "k3", "k4");
    assertThat(next.mergedRawEtags()).containsExactlyInAnyOrderEntriesOf(Map.of("k2", "\"2\"", "k3", "\"3b\"", "k4", "\"4\""));
    assertThat(next.rejectedRawKeys()).extracting(JobMetadata.RejectedRaw::key).containsExactly("bad0", "odd", "bad1");
    assertThat(next.lastCompactionTime()).isEqualTo(NOW.toString());
    assertThat(next.lastUploadTime()).isEqualTo("2026-11-25T20:45:00Z");
    assertThat(next.version()).isEqualTo(JobMetadata.CURRENT_VERSION);
    assertThat(MetadataCodec.parse("job-1", MetadataCodec.write(next))).isEqualTo(next);
  }

  @Test
  @DisplayName("the last upload time never moves backwards, and survives a run that saw no raw objects")
  void lastUploadTime() {
    JobMetadata read = new JobMetadata(1, "job-1", List.of(), List.of(), List.of(), null, "2026-11-25T20:30:00Z");
    MergeOutcome nothing = new MergeOutcome();
    assertThat(MetadataUpdate.next("job-1", read, CleanOutcome.NOTHING, nothing, List.of(), NOW,
        Instant.parse("2026-11-25T20:00:00Z")).lastUploadTime()).isEqualTo("2026-11-25T20:30:00Z");
    assertThat(MetadataUpdate.next("job-1", read, CleanOutcome.NOTHING, nothing, List.of(), NOW, null)
        .lastUploadTime()).isEqualTo("2026-11-25T20:30:00Z");
    assertThat(MetadataUpdate.next("job-1", JobMetadata.empty("job-1"), CleanOutcome.NOTHING, nothing, List.of(), NOW,
        null).lastUploadTime()).isNull();
  }

  @Test
  @DisplayName("metadata written before ETags were recorded still reads, with no ETags")
  void readsFirstSchema() throws Exception {
    String json = "{\"version\":1,\"pod\":\"job-1\",\"log_files\":[],\"merged_raw_keys\":[\"k\"],\"rejected_raw_keys\":[]}";
    JobMetadata m = MetadataCodec.parse("job-1", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(m.mergedRawKeys()).containsExactly("k");
    assertThat(m.mergedRawEtags()).isEmpty();
    assertThat(new String(MetadataCodec.write(m), java.nio.charset.StandardCharsets.UTF_8)).contains("\"merged_raw_etags\"");
  }
}
