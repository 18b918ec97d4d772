package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LocalModeSettingsTest {

  @Test
  @DisplayName("without variables, local mode uses .local/s3, S3 on 9090, SQS on 9324, port 8080 and short intervals")
  void defaults() {
    LocalMode.Settings s = LocalMode.Settings.fromEnv(Map.of());
    assertThat(s.dataDir()).isEqualTo(Path.of(".local/s3"));
    assertThat(s.s3Port()).isEqualTo(9090);
    assertThat(s.sqsPort()).isEqualTo(9324);
    assertThat(s.demoInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.serviceEnv()).containsEntry(CompactorConfig.HTTP_PORT, "8080")
        .containsEntry(CompactorConfig.MERGE_THRESHOLD, "20")
        .containsEntry(CompactorConfig.COMPACTION_INTERVAL, "2m")
        .containsEntry(CompactorConfig.CLEANUP_INTERVAL, "2m")
        .containsEntry(CompactorConfig.IDLE_TIMEOUT, "5m");
  }

  @Test
  @DisplayName("COMPACTOR_* variables override local defaults, except the ones that wire the embedded S3 and SQS")
  void compactorVariablesOverride() {
    LocalMode.Settings s = LocalMode.Settings.fromEnv(Map.of(
        CompactorConfig.HTTP_PORT, "8181", CompactorConfig.MERGE_THRESHOLD, "5",
        CompactorConfig.BUCKET, "elsewhere", CompactorConfig.S3_ENDPOINT, "http://example.invalid",
        "LOCAL_S3_PORT", "19090", "LOCAL_DATA_DIR", "/tmp/x", "HOME", "/root"));
    assertThat(s.serviceEnv()).containsEntry(CompactorConfig.HTTP_PORT, "8181")
        .containsEntry(CompactorConfig.MERGE_THRESHOLD, "5")
        .doesNotContainKeys(CompactorConfig.BUCKET, CompactorConfig.S3_ENDPOINT, "HOME");
    assertThat(s.s3Port()).isEqualTo(19090);
    assertThat(s.dataDir()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  @DisplayName("a malformed local variable is refused with a message naming it")
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> LocalMode.Settings.fromEnv(Map.of("LOCAL_SQS_PORT", "nine")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("LOCAL_SQS_PORT");
    assertThatThrownBy(() -> LocalMode.Settings.fromEnv(Map.of("LOCAL_DEMO_INTERVAL", "often")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("LOCAL_DEMO_INTERVAL");
  }
}
