package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logcompactor.layout.RawKey;
import io.logcompactor.layout.RawKeyParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DemoScriptTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2025-11-25T20:26:00Z");
  private static final Duration TICK = Duration.ofSeconds(5);

  /** Forty ticks of three jobs: long enough for every kind to run, finish and be followed by a new job. */
  private static List<List<DemoScript.Upload>> play(String runId, int ticks) {
    DemoScript script = new DemoScript(runId, 3);
    List<List<DemoScript.Upload>> rounds = new ArrayList<>();
    for (int i = 0; i < ticks; i++) rounds.add(script.tick(START.plus(TICK.multipliedBy(i)), TICK));
    return rounds;
  }

  private static RawKey parse(String key) {
    RawKeyParser.Result r = RawKeyParser.parse(key);
    assertThat(r).as(key).isInstanceOf(RawKeyParser.Parsed.class);
    return ((RawKeyParser.Parsed) r).rawKey();
  }

  private static List<JsonNode> records(byte[] gzip) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  @DisplayName("every demo object has a raw key the service accepts and gzip JSON lines naming the same pod and container")
  void objectsLookLikeFluentBits() throws IOException {
    Set<String> keys = new HashSet<>();
    for (List<DemoScript.Upload> round : play("run-a", 40)) {
      for (DemoScript.Upload u : round) {
        assertThat(keys.add(u.key())).as("key uploaded twice: " + u.key()).isTrue();
        RawKey k = parse(u.key());
        assertThat(k.pod()).isEqualTo(u.pod());
        assertThat(k.namespace()).isEqualTo("demo");
        assertThat(k.containerId()).hasSize(64);
        List<JsonNode> records = records(u.body());
        assertThat(records).hasSize(u.lines()).hasSizeBetween(3, 6);
        for (JsonNode r : records) {
          assertThat(r.path("stream").asText()).isIn("stdout", "stderr");
          assertThat(r.path("log").asText()).isNotBlank();
          assertThat(Instant.parse(r.path("time").asText())).isBeforeOrEqualTo(START.plus(TICK.multipliedBy(40)));
          assertThat(r.path("kubernetes").path("pod_name").asText()).isEqualTo(k.pod());
          assertThat(r.path("kubernetes").path("container_name").asText()).isEqualTo(k.container());
        }
      }
    }
  }

  @Test
  @DisplayName("the demo runs a job with two containers and a job whose container restarts under a new id after a crash")
  void twoContainersAndARestart() throws IOException {
    Map<String, Set<String>> containersOfPod = new HashMap<>();
    Map<String, List<String>> idsOfContainer = new HashMap<>();
    Map<String, String> lastLineOfId = new HashMap<>();
    for (List<DemoScript.Upload> round : play("run-a", 40)) {
      for (DemoScript.Upload u : round) {
        RawKey k = parse(u.key());
        containersOfPod.computeIfAbsent(k.pod(), p -> new HashSet<>()).add(k.container());
        List<String> ids = idsOfContainer.computeIfAbsent(k.pod() + "/" + k.container(), c -> new ArrayList<>());
        if (!ids.contains(k.containerId())) ids.add(k.containerId());
        List<JsonNode> records = records(u.body());
        JsonNode last = records.get(records.size() - 1);
        lastLineOfId.put(k.containerId(), last.path("stream").asText() + " " + last.path("log").asText());
      }
    }
    assertThat(containersOfPod.values()).anyMatch(c -> c.size() == 2);
    List<String> restarted = idsOfContainer.values().stream().filter(ids -> ids.size() == 2).findFirst().orElseThrow();
    assertThat(lastLineOfId.get(restarted.get(0))).startsWith("stderr panic:");
    assertThat(lastLineOfId.get(restarted.get(1))).contains("done after");
  }

  @Test
  @DisplayName("jobs finish and new ones start, never more at once than asked for")
  void jobsComeAndGo() {
    List<Set<String>> podsPerTick = play("run-a", 40).stream()
        .map(round -> round.stream().map(DemoScript.Upload::pod).collect(java.util.stream.Collectors.toSet()))
        .toList();
    assertThat(podsPerTick).allMatch(pods -> pods.size() == 3);
    Set<String> first = podsPerTick.get(0);
    Set<String> last = podsPerTick.get(podsPerTick.size() - 1);
    assertThat(last).doesNotContainAnyElementsOf(first);
    Set<String> all = new HashSet<>();
    podsPerTick.forEach(all::addAll);
    assertThat(all).hasSizeGreaterThan(6);
  }

  @Test
  @DisplayName("two runs name their pods differently, so a restarted local mode never overwrites an earlier run's objects")
  void runsDoNotCollide() {
    Set<String> a = new HashSet<>();
    play("run-a", 10).forEach(r -> r.forEach(u -> a.add(u.key())));
    Set<String> b = new HashSet<>();
    play("run-b", 10).forEach(r -> r.forEach(u -> b.add(u.key())));
    assertThat(a).doesNotContainAnyElementsOf(b);
  }
}
