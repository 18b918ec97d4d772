package io.logcompactor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogQueryTest {
  private static final Instant NOW = Instant.parse("2026-11-25T20:00:00Z");

  private static JsonObject parse(String pod, String... kv) throws LogQuery.BadParameter {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) m.add(kv[i], kv[i + 1]);
    return LogQuery.toReadRequest(pod, m, NOW);
  }

  @Test
  @DisplayName("no parameters read everything as text; every parameter lands in the read request")
  void wellFormed() throws Exception {
    assertThat(parse("job-1")).isEqualTo(new JsonObject().put("pod", "job-1").put("timestamps", false)
        .put("follow", false).put("tail", -1).put("format", "text"));
    JsonObject r = parse("job-1.v2", "container", "main", "since", "10m", "until", "2026-11-25T21:00:00+01:00",
        "timestamps", "true", "stream", "stderr", "tail", "50", "follow", "true", "format", "jsonl");
    assertThat(r.getString("since")).isEqualTo("2026-11-25T19:50:00Z");
    assertThat(r.getString("until")).isEqualTo("2026-11-25T20:00:00Z");
    assertThat(r.getString("container")).isEqualTo("main");
    assertThat(r.getString("stream")).isEqualTo("stderr");
    assertThat(r.getInteger("tail")).isEqualTo(50);
    assertThat(r.getBoolean("follow")).isTrue();
    assertThat(r.getString("format")).isEqualTo("jsonl");
    assertThat(parse("job-1", "stream", "all").containsKey("stream")).isFalse();
  }

  @Test
  @DisplayName("malformed values, unknown or repeated parameters and bad pod names are refused with a reason")
  void malformed() {
    assertThatThrownBy(() -> parse("job-1", "tail", "1e3")).hasMessageContaining("tail");
    assertThatThrownBy(() -> parse("job-1", "since", "2026-11-25")).hasMessageContaining("since");
    assertThatThrownBy(() -> parse("job-1", "since", "5m", "until", "10m")).hasMessageContaining("before");
    assertThatThrownBy(() -> parse("job-1", "follow", "1")).hasMessageContaining("follow");
    assertThatThrownBy(() -> parse("job-1", "colour", "red")).hasMessageContaining("unknown parameter 'colour'");
    assertThatThrownBy(() -> parse("job-1", "tail", "1", "tail", "2")).hasMessageContaining("more than once");
    assertThatThrownBy(() -> parse("job-1", "container", "a/b")).hasMessageContaining("container");
    assertThatThrownBy(() -> parse("../x")).hasMessageContaining("pod name");
    assertThatThrownBy(() -> parse("JOB")).hasMessageContaining("pod name");
  }
}
