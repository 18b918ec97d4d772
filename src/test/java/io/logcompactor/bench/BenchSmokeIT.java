package io.logcompactor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark harness itself, at a tiny size: `make bench` must not be the first place it breaks. */
class BenchSmokeIT {
  @Test
  @DisplayName("a quick bench run measures every case against its floor and writes results.json")
  void quickRun(@TempDir Path out) throws Exception {
    List<Bench.Result> results = Bench.run(Bench.Plan.quick(out));

    assertThat(results).extracting(Bench.Result::name)
        .containsExactly("merge-small", "requests", "merge-large", "ingest", "read");
    for (Bench.Result r : results) {
      assertThat(r.ours().median()).as(r.name()).isPositive();
      assertThat(r.floor().median()).as(r.name()).isPositive();
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("results")).hasSize(5);
    assertThat(json.get("results").get(0).get("ratio").asDouble()).isPositive();
  }
}
