package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.soak.Figures;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.LogProducer;
import io.logcompactor.soak.ReadApi;
import io.logcompactor.soak.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Three service processes sharing one bucket and one queue, as a Deployment with three replicas runs. */
@ExtendWith(LocalServersExtension.class)
class ReplicasIT {
  private static final int PODS = 10;
  private static final int REPLICAS = 3;
  private static final int KILLS = Math.max(6, Soak.KILLS / 3);

  @Test
  @DisplayName("three replicas on one bucket and queue, SIGKILLed in turn while 10 pods upload: every line is served exactly once by any replica, and no raw file is a source of two merged files")
  void threeReplicasWithKills(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("replicas", 10, 5, k -> true);
    // Another replica's merge in flight must never look like a crashed merge's orphan.
    Map<String, String> settings = Soak.fastSettings(Map.of(CompactorConfig.ORPHAN_SAFETY_AGE, "10m"));
    List<ServiceProcess> replicas = new ArrayList<>();
    Random random = new Random(33);
    int kills = 0;
    try (LogProducer producer = new LogProducer(env, "replica-job", PODS, 4, 3L)) {
      for (int i = 0; i < REPLICAS; i++) replicas.add(ServiceProcess.start("replica-" + i, env, settings));
      for (ServiceProcess r : replicas) r.awaitReady(Duration.ofSeconds(120));
      producer.startBackground(Duration.ofMillis(700), KILLS * 10);
      while (kills < KILLS) {
        int victim = kills % REPLICAS;
        ServiceProcess r = replicas.get(victim);
        AtomicLong engineLines = r.watch(Soak.ENGINE_LINE);
        long wanted = 1 + random.nextInt(3);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
            .until(() -> engineLines.get() >= wanted || System.nanoTime() > deadline);
        r.kill();
        kills++;
        replicas.set(victim, r.restart().awaitReady(Duration.ofSeconds(120)));
      }
      producer.stop();
      for (ServiceProcess r : replicas) r.awaitReady(Duration.ofSeconds(120));
      Soak.awaitConverged(env, producer.ledger(), Duration.ofMinutes(3));
      LineCheck lines = Soak.checkEverything(replicas.get(0).base(), env, producer.ledger());
      // Any replica serves the same log.
      String pod = producer.podNames().get(PODS - 1);
      assertThat(ReadApi.jobLog(replicas.get(1).base(), pod)).isEqualTo(ReadApi.jobLog(replicas.get(2).base(), pod));
      Figures.record("3 replicas (" + PODS + " pods)", kills, 0, 0, lines);
      for (ServiceProcess r : replicas) assertThat(r.terminate(Duration.ofSeconds(30))).hasValue(0);
    } finally {
      replicas.forEach(ServiceProcess::close);
    }
  }
}
