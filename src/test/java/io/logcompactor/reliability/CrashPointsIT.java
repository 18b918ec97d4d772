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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL at each step of a pod's compaction, exactly: a fault proxy holds back the answer to one S3 request of that
 * step (S3 has already applied it) and the process is killed while it waits. After a restart, with no further
 * uploads for the pod, everything must converge: the random soak cannot promise to hit each of these moments.
 */
@ExtendWith(LocalServersExtension.class)
class CrashPointsIT {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPointsIT.class);

  /** A moment to crash at: the S3 request whose answer is held, and how many uploads lead the pod there. */
  private record CrashPoint(String name, String method, String target, int rounds) {}

  @Test
  @DisplayName("a SIGKILL while the clean phase deletes, while a merged file is written, right after the metadata commit, right after the cleanup mark, and during the idle drain: each pod converges after a restart with every line exactly once")
  void killAtEachStep(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("crashpoints", 10, 5, k -> true);
    List<CrashPoint> points = List.of(
        // Runs first: DeleteObjects names no pod in its URL, and no other pod is cleaning yet.
        new CrashPoint("clean phase deleting merged raw files", "POST", "\\?delete", 6),
        new CrashPoint("merge writing a data object", "PUT", "/data/cp-1/", 3),
        new CrashPoint("metadata commit applied, not acknowledged", "PUT", "/metadata/cp-2\\.json", 3),
        new CrashPoint("cleanup mark applied, not acknowledged", "PUT", "/cleanup/cp-3(\\?|$)", 3),
        new CrashPoint("idle drain removing the cleanup mark", "DELETE", "/cleanup/cp-4(\\?|$)", 3));
    int kills = 0;
    try (FaultProxy s3 = FaultProxy.start("s3-crashpoints", servers.s3Endpoint());
         LogProducer producer = new LogProducer(env, "cp", points.size(), 3, 5L)) {
      ServiceProcess service = ServiceProcess.start("crashpoints", env, Soak.fastSettings(Map.of(
          CompactorConfig.S3_ENDPOINT, s3.endpoint().toString())));
      try {
        service.awaitReady(Duration.ofSeconds(90));
        for (int i = 0; i < points.size(); i++) {
          CrashPoint point = points.get(i);
          String pod = "cp-" + i;
          long heldBefore = s3.injected(Fault.LATENCY);
          s3.rules(FaultRule.of(Fault.LATENCY).method(point.method()).target(point.target()).limit(1)
              .latency(Duration.ofMinutes(2)));
          for (int r = 0; r < point.rounds(); r++) {
            producer.uploadPod(pod);
            // The second merge (and so the clean phase) needs the first one committed.
            if (r == 2) {
              int round = r;
              await().atMost(Duration.ofSeconds(30)).until(() -> s3.injected(Fault.LATENCY) > heldBefore
                  || producer.ledger().uploads(pod).size() > round && merged(env, pod));
            }
          }
          await(point.name()).atMost(Duration.ofSeconds(60)).until(() -> s3.injected(Fault.LATENCY) > heldBefore);
          service.kill();
          kills++;
          s3.heal();
          LOG.info("killed during: {}", point.name());
          service = service.restart().awaitReady(Duration.ofSeconds(90));
        }
        Soak.awaitConverged(env, producer.ledger(), Duration.ofMinutes(2));
        LineCheck lines = Soak.checkEverything(service.base(), env, producer.ledger());
        Figures.record("kills at each compaction step", kills, s3.injectedTotal(), 0, lines);
        assertThat(service.terminate(Duration.ofSeconds(30))).hasValue(0);
      } finally {
        service.close();
      }
    }
  }

  private static boolean merged(LocalServers.Environment env, String pod) {
    try {
      env.s3().headObject(b -> b.bucket(env.bucket()).key(io.logcompactor.layout.Keys.metadataKey(pod)));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      return false;
    }
  }
}
