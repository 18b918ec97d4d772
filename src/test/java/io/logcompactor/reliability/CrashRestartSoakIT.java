package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.soak.Figures;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.LogProducer;
import io.logcompactor.soak.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The service as a process, SIGKILLed again and again while 20 pods upload. */
@ExtendWith(LocalServersExtension.class)
class CrashRestartSoakIT {
  private static final Logger LOG = LoggerFactory.getLogger(CrashRestartSoakIT.class);
  private static final int PODS = 20;

  @Test
  @DisplayName("20 pods upload while the service is SIGKILLed at random moments (right after merge, clean and drain log lines, or after random uploads) and restarted, 20 times: once it converges every line is served exactly once and no raw file was deleted unmerged")
  void crashRestartSoak(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("soak", 10, 5, k -> true);
    Random random = new Random(20261126L);
    int kills = 0;
    LineCheck midReads = LineCheck.none();
    ServiceProcess service = ServiceProcess.start("soak", env, Soak.fastSettings(Map.of()));
    try (LogProducer producer = new LogProducer(env, "soak-job", PODS, 4, 1L)) {
      producer.startBackground(Duration.ofMillis(700), Soak.KILLS * 8);
      while (kills < Soak.KILLS) {
        service.awaitReady(Duration.ofSeconds(90));
        if (kills % 5 == 4) {
          List<String> pods = producer.podNames();
          midReads = midReads.plus(Soak.midSoakRead(service, producer.ledger(),
              List.of(pods.get(random.nextInt(PODS)), pods.get(random.nextInt(PODS)))));
        }
        awaitKillMoment(service, producer, random, kills);
        service.kill();
        kills++;
        service = service.restart();
      }
      producer.stop();
      LOG.info("soak: {} kills done, {} objects and {} lines uploaded; waiting for convergence", kills,
          producer.ledger().objects(), producer.ledger().lines());
      service.awaitReady(Duration.ofSeconds(90));
      Soak.awaitConverged(env, producer.ledger(), Duration.ofMinutes(3));
      LineCheck lines = Soak.checkEverything(service.base(), env, producer.ledger());
      Figures.record("crash-restart soak (" + PODS + " pods, " + midReads.expected() + " lines also read mid-soak)",
          kills, 0, 0, lines);
      assertThat(service.terminate(Duration.ofSeconds(30))).hasValue(0);
    } finally {
      service.close();
    }
  }

  /**
   * Waits for a moment to kill at: one of the engines' next log lines (so the kill lands inside a merge, a clean or a
   * drain), or the producer's next round or two (anywhere), taking turns. Falls back to "now" after 15 s.
   */
  private static void awaitKillMoment(ServiceProcess service, LogProducer producer, Random random, int kill) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    if (kill % 2 == 0) {
      AtomicLong engineLines = service.watch(Soak.ENGINE_LINE);
      long wanted = 1 + random.nextInt(3);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
          .until(() -> engineLines.get() >= wanted || System.nanoTime() > deadline);
    } else {
      int target = producer.rounds() + 1 + random.nextInt(2);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> producer.rounds() >= target || System.nanoTime() > deadline);
    }
  }
}
