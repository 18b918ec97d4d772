package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.faults.Fault;
import io.logcompactor.faults.FaultProxy;
import io.logcompactor.faults.FaultRule;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.soak.Figures;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.LogProducer;
import io.logcompactor.soak.ServiceProcess;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM while a merge is in flight. A fault proxy holds the merge's writes to {@code data/} so the signal is sure to
 * land inside the merge: once when the held write fits in the grace period, once when it does not.
 */
@ExtendWith(LocalServersExtension.class)
class GracefulShutdownIT {
  private static final int PODS = 4;
  private static final Duration GRACE = Duration.ofSeconds(6);

  @ParameterizedTest(name = "data/ writes held {0} ms, grace period 6 s")
  @CsvSource({"2000", "20000"})
  @DisplayName("SIGTERM during a merge: the process exits 0 within the grace period, and after a restart the state converges with every line exactly once")
  void sigtermDuringMerge(long heldMillis, LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("sigterm", 10, 5, k -> true);
    try (FaultProxy s3 = FaultProxy.start("s3-sigterm", servers.s3Endpoint());
         LogProducer producer = new LogProducer(env, "term-job", PODS, 4, heldMillis)) {
      Map<String, String> settings = Soak.fastSettings(Map.of(
          CompactorConfig.S3_ENDPOINT, s3.endpoint().toString(),
          CompactorConfig.SHUTDOWN_TIMEOUT, GRACE.toSeconds() + "s"));
      ServiceProcess service = ServiceProcess.start("sigterm-" + heldMillis, env, settings)
          .awaitReady(Duration.ofSeconds(90));
      try {
        s3.rules(FaultRule.of(Fault.LATENCY).method("PUT").target("/data/").latency(Duration.ofMillis(heldMillis)));
        for (int i = 0; i < 3; i++) producer.uploadRound();
        await("a merge writing to data/").atMost(Duration.ofSeconds(60)).until(() -> s3.injected(Fault.LATENCY) > 0);

        long start = System.nanoTime();
        OptionalInt exit = service.terminate(GRACE.plusSeconds(15));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(exit).as("exit code after SIGTERM (empty: had to be killed)").hasValue(0);
        // Main gives in-flight work the shutdown timeout, plus 5 s to close the clients.
        assertThat(took).isLessThan(GRACE.plusSeconds(6));
        assertThat(service.linesMatching(Pattern.compile("stopping"))).isNotEmpty();

        s3.heal();
        for (int i = 0; i < 2; i++) producer.uploadRound();
        service = service.restart().awaitReady(Duration.ofSeconds(90));
        Soak.awaitConverged(env, producer.ledger(), Duration.ofMinutes(2));
        LineCheck lines = Soak.checkEverything(service.base(), env, producer.ledger());
        Figures.record("SIGTERM during a merge held " + heldMillis + " ms", 0, s3.injectedTotal(), 0, lines);
        assertThat(service.terminate(Duration.ofSeconds(30))).hasValue(0);
      } finally {
        service.close();
      }
    }
  }
}
