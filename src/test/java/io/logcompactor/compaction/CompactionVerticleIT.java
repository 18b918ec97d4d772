package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.logcompactor.Service;
import io.logcompactor.bus.Addresses;
import io.logcompactor.compaction.TestPod.Format;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(LocalServersExtension.class)
class CompactionVerticleIT {
  private static Future<JsonObject> request(Service s, String address, JsonObject body) {
    return s.vertx().eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(60_000))
        .map(m -> m.body());
  }

  private static JsonObject merge(Service s, String pod) throws Exception {
    return request(s, Addresses.MERGE_POD, new JsonObject().put("pod", pod).put("cause", "threshold"))
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("MERGE_POD replies with the run's counts; simultaneous requests for one pod never race each other; "
      + "requests without a valid pod fail with 400")
  void serves(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("verticle", 30, 5, key -> false);
    Service service = Service.start(env.config(Map.of()));
    try {
      TestPod pod = new TestPod(env.s3(), env.bucket(), "job-bus");
      FluentBitLogs.Container app = pod.container("app", "1");
      for (int i = 0; i < 10; i++) pod.put(app, "202611252000", i, Format.GZIP, 2);

      JsonObject first = merge(service, "job-bus");
      assertThat(first.getString("pod")).isEqualTo("job-bus");
      assertThat(first.getString("status")).isEqualTo("merged");
      assertThat(first.getInteger("merged_raw_files")).isEqualTo(10);
      assertThat(first.getInteger("log_files_written")).isEqualTo(1);
      assertThat(first.getInteger("pending_merged_keys")).isEqualTo(10);

      for (int i = 10; i < 15; i++) pod.put(app, "202611252001", i, Format.GZIP, 2);
      List<Future<JsonObject>> burst = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        burst.add(request(service, Addresses.MERGE_POD, new JsonObject().put("pod", "job-bus").put("cause", "timer")));
      }
      Future.all(burst).await(60, TimeUnit.SECONDS);
      assertThat(burst).extracting(f -> f.result().getString("status")).doesNotContain("busy")
          .containsAnyOf("merged");
      int merged = burst.stream().map(Future::result).filter(r -> r.getString("status").equals("merged"))
          .mapToInt(r -> r.getInteger("merged_raw_files")).distinct().sum();
      assertThat(merged).isEqualTo(5);
      assertThat(service.registry().find("compactor.compaction.commits.lost").counter().count()).isZero();
      pod.read().assertEveryLineExactlyOnce(pod.expectedLines());

      for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("pod", "Not_A_Pod"),
          new JsonObject().put("pod", 42))) {
        assertThatThrownBy(() -> request(service, Addresses.MERGE_POD, bad).await(10, TimeUnit.SECONDS))
            .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
      }
      assertThatThrownBy(() -> request(service, Addresses.CLEAN_POD, new JsonObject().put("pod", "job-bus"))
          .await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
      assertThat(service.registry().find("compactor.compaction.requests.invalid").counter().count()).isEqualTo(4);

      JsonObject active = request(service, Addresses.CLEAN_POD, new JsonObject().put("pod", "job-bus")
          .put("idle_timeout_ms", 3_600_000L)).await(60, TimeUnit.SECONDS);
      assertThat(active.getString("status")).isEqualTo("active");
      JsonObject drained = request(service, Addresses.CLEAN_POD, new JsonObject().put("pod", "job-bus")
          .put("idle_timeout_ms", 0L)).await(60, TimeUnit.SECONDS);
      assertThat(drained.getString("status")).isEqualTo("drained");
      assertThat(drained.getInteger("deleted_raw_keys")).isNotNull();
      assertThat(env.s3().listObjectsV2(b -> b.bucket(env.bucket()).prefix(io.logcompactor.layout.Keys.RAW_PREFIX))
          .contents()).isEmpty();
      assertThat(env.s3().listObjectsV2(b -> b.bucket(env.bucket()).prefix(io.logcompactor.layout.Keys.CLEANUP_PREFIX))
          .contents()).isEmpty();
      assertThat(service.registry().find("compactor.compaction.runs").tag("status", "drained").timer().count())
          .isEqualTo(1);
    } finally {
      service.stop().await(60, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "COMPACTOR_STREAM_LARGE_FILES={0}: {1}")
  @CsvSource({"true, streamed", "false, multipart"})
  @DisplayName("COMPACTOR_STREAM_LARGE_FILES decides how a merged file over 16 MiB is uploaded")
  void largeFileUpload(String setting, String upload, LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("large-" + setting, 30, 5, key -> false);
    Service service = Service.start(env.config(Map.of("COMPACTOR_STREAM_LARGE_FILES", setting)));
    try {
      TestPod pod = new TestPod(env.s3(), env.bucket(), "job-large");
      FluentBitLogs.Container big = pod.container("big", "1");
      for (int i = 0; i < 6; i++) pod.putLarge(big, "202611252000", i, Format.GZIP, 4_500_000);

      JsonObject reply = merge(service, "job-large");
      assertThat(reply.getString("status")).isEqualTo("merged");
      assertThat(reply.getInteger("log_files_written")).isEqualTo(1);
      var written = service.registry().find("compactor.compaction.files.written").counters();
      assertThat(written).filteredOn(c -> c.count() > 0).singleElement()
          .satisfies(c -> assertThat(c.getId().getTag("upload")).isEqualTo(upload))
          .satisfies(c -> assertThat(c.count()).isEqualTo(1));
      io.logcompactor.local.PodLines lines = pod.read();
      assertThat(lines.metadata().logFiles()).singleElement()
          .satisfies(f -> assertThat(f.size()).isGreaterThan(16L << 20));
      lines.assertEveryLineExactlyOnce(pod.expectedLines());
    } finally {
      service.stop().await(30, TimeUnit.SECONDS);
    }
  }
}
