package io.logcompactor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CompactorConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("COMPACTOR_S3_BUCKET", "job-logs");
    env.put("COMPACTOR_SQS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/job-logs-events");
    return env;
  }

  @Test
  @DisplayName("the two required variables are enough; everything else has the documented default")
  void defaults() {
    CompactorConfig c = CompactorConfig.fromEnv(minimal());
    assertThat(c.bucket()).isEqualTo("job-logs");
    assertThat(c.mergeThreshold()).isEqualTo(60);
    assertThat(c.compactionInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.cleanupInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.sqsPollers()).isEqualTo(2);
    assertThat(c.mergedMaxBytes()).isEqualTo(64L << 20);
    assertThat(c.apiToken()).isEmpty();
    assertThat(c.s3Endpoint()).isEmpty();
    assertThat(c.s3PathStyle()).isFalse();
    assertThat(c.streamLargeFiles()).isTrue();
  }

  @Test
  @DisplayName("streaming large merged files can be turned off, for stores that refuse If-Match on PUT")
  void streamLargeFiles() {
    Map<String, String> env = minimal();
    env.put("COMPACTOR_STREAM_LARGE_FILES", "false");
    CompactorConfig c = CompactorConfig.fromEnv(env);
    assertThat(c.streamLargeFiles()).isFalse();
    assertThat(c.toString()).contains("streamLargeFiles=false");
    env.put("COMPACTOR_STREAM_LARGE_FILES", "sometimes");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("COMPACTOR_STREAM_LARGE_FILES").hasMessageContaining("true or false");
  }

  @Test
  @DisplayName("a missing bucket is reported by its variable name")
  void missingBucket() {
    Map<String, String> env = minimal();
    env.remove("COMPACTOR_S3_BUCKET");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class).hasMessageContaining("COMPACTOR_S3_BUCKET");
  }

  @Test
  @DisplayName("a bad duration names the variable and the accepted forms")
  void badDuration() {
    Map<String, String> env = minimal();
    env.put("COMPACTOR_COMPACTION_INTERVAL", "soon");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("COMPACTOR_COMPACTION_INTERVAL")
        .hasMessageContaining("PT1H");
  }

  @Test
  @DisplayName("durations accept 90s, 5m, 1h and ISO-8601")
  void durations() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> Durations.parse("1 hour")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("-5m")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("numbers, booleans, sizes and URLs are validated with the variable named")
  void otherValues() {
    Map<String, String> env = minimal();
    env.put("COMPACTOR_MERGE_THRESHOLD", "0");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env)).hasMessageContaining("COMPACTOR_MERGE_THRESHOLD");
    env.put("COMPACTOR_MERGE_THRESHOLD", "10");
    env.put("COMPACTOR_S3_PATH_STYLE", "maybe");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env)).hasMessageContaining("COMPACTOR_S3_PATH_STYLE");
    env.put("COMPACTOR_S3_PATH_STYLE", "true");
    env.put("COMPACTOR_S3_ENDPOINT", "not a url");
    assertThatThrownBy(() -> CompactorConfig.fromEnv(env)).hasMessageContaining("COMPACTOR_S3_ENDPOINT");
    env.put("COMPACTOR_S3_ENDPOINT", "http://localhost:9000");
    env.put("COMPACTOR_MERGED_MAX_BYTES", "8MiB");
    CompactorConfig c = CompactorConfig.fromEnv(env);
    assertThat(c.mergedMaxBytes()).isEqualTo(8L << 20);
    assertThat(c.s3PathStyle()).isTrue();
    assertThat(c.effectiveRegion()).contains("us-east-1");
  }

  @Test
  @DisplayName("the API token never appears in the rendered configuration")
  void tokenNotLogged() {
    Map<String, String> env = minimal();
    env.put("COMPACTOR_API_TOKEN", "s3cr3t-token");
    assertThat(CompactorConfig.fromEnv(env).toString()).doesNotContain("s3cr3t-token").contains("apiToken=set");
  }
}
