package io.logcompactor.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MetadataCodecTest {
  @Test
  @DisplayName("metadata round-trips with the documented snake_case field names")
  void roundTrip() throws Exception {
    JobMetadata m = new JobMetadata(1, "job-1",
        List.of(new JobMetadata.MergedFile("data/job-1/abc/202611252013_0.gz", "abc", "main", "ns", 2, 100,
            "202611252013", "202611252014",
            List.of(new JobMetadata.Source("k1", 0, 40), new JobMetadata.Source("k2", 40, 60)), "2026-11-25T20:15:00Z")),
        List.of("k1", "k2"), List.of(new JobMetadata.RejectedRaw("k3", "corrupt gzip", "2026-11-25T20:15:00Z")),
        "2026-11-25T20:15:00Z", "2026-11-25T20:14:59Z");
    String json = new String(MetadataCodec.write(m), StandardCharsets.UTF_8);
    assertThat(json).contains("\"log_files\"", "\"merged_raw_keys\"", "\"rejected_raw_keys\"", "\"container_id\"",
        "\"raw_files\"", "\"last_compaction_time\"", "\"last_upload_time\"", "\"first_raw_minute\"");
    assertThat(MetadataCodec.parse("job-1", json.getBytes(StandardCharsets.UTF_8))).isEqualTo(m);
  }

  @Test
  @DisplayName("corrupt metadata, metadata of a newer version, or of another pod is refused")
  void refuses() {
    assertThatThrownBy(() -> MetadataCodec.parse("p", "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MetadataCodec.UnreadableMetadataException.class);
    assertThatThrownBy(() -> MetadataCodec.parse("p", "{\"version\":2,\"pod\":\"p\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MetadataCodec.UnreadableMetadataException.class).hasMessageContaining("newer");
    assertThatThrownBy(() -> MetadataCodec.parse("p", "{\"pod\":\"p\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MetadataCodec.UnreadableMetadataException.class);
    assertThatThrownBy(() -> MetadataCodec.parse("p", "{\"version\":1,\"pod\":\"q\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MetadataCodec.UnreadableMetadataException.class);
  }
}
