package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.faults.Fault;
import io.logcompactor.faults.FaultProxy;
import io.logcompactor.faults.FaultRule;
import io.logcompactor.layout.Keys;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.soak.Figures;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.LogProducer;
import io.logcompactor.soak.ServiceProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service as a process behind fault proxies for S3 and SQS. Under each kind of fault it keeps running, retries
 * with backoff, commits merges anyway, deletes nothing it did not merge, and once the network heals every line is
 * served exactly once.
 */
@ExtendWith(LocalServersExtension.class)
class FaultInjectionIT {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectionIT.class);
  private static final int PODS = 6;

  /** S3 rules: every operation is exposed (GETs of raw files, PUTs of merged files and metadata, deletes, lists). */
  private static FaultRule[] s3Rules(Fault fault) {
    return switch (fault) {
      case SLOW_DOWN, INTERNAL_ERROR -> new FaultRule[] {FaultRule.of(fault).probability(0.25)};
      case RESET_MID_BODY -> new FaultRule[] {FaultRule.of(fault).probability(0.15)};
      case TRUNCATED -> new FaultRule[] {FaultRule.of(fault).method("GET").probability(0.25)};
      case LATENCY -> new FaultRule[] {FaultRule.of(fault).probability(0.3).latency(Duration.ofMillis(400))};
    };
  }

  private static FaultRule[] sqsRules(Fault fault) {
    return switch (fault) {
      case SLOW_DOWN, INTERNAL_ERROR -> new FaultRule[] {FaultRule.of(fault).probability(0.2)};
      case RESET_MID_BODY -> new FaultRule[] {FaultRule.of(fault).action("DeleteMessageBatch").probability(0.3),
          FaultRule.of(fault).action("ReceiveMessage").probability(0.05)};
      case TRUNCATED -> new FaultRule[] {FaultRule.of(fault).action("ReceiveMessage").probability(0.1)};
      case LATENCY -> new FaultRule[] {FaultRule.of(fault).probability(0.2).latency(Duration.ofMillis(300))};
    };
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Fault.class)
  @DisplayName("under injected faults of one kind the service never crashes, keeps merging, backs off, deletes nothing unmerged, and serves every line exactly once after the network heals")
  void survivesFault(Fault fault, LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("faults-" + fault.name().toLowerCase().replace('_', '-'),
        10, 5, k -> true);
    try (FaultProxy s3 = FaultProxy.start("s3-" + fault, servers.s3Endpoint());
         FaultProxy sqs = FaultProxy.start("sqs-" + fault, servers.sqsEndpoint());
         LogProducer producer = new LogProducer(env, "fault-job", PODS, 4, fault.ordinal())) {
      ServiceProcess service = ServiceProcess.start("faults-" + fault, env, Soak.fastSettings(Map.of(
          CompactorConfig.S3_ENDPOINT, s3.endpoint().toString(),
          CompactorConfig.SQS_ENDPOINT, sqs.endpoint().toString())));
      try {
        service.awaitReady(Duration.ofSeconds(90));
        // One HTTP error and one I/O error: the pollers' error path is the same for the other kinds.
        if (fault == Fault.SLOW_DOWN || fault == Fault.RESET_MID_BODY) assertReceiveBacksOff(sqs, fault);
        s3.rules(s3Rules(fault));
        sqs.rules(sqsRules(fault));
        long start = System.nanoTime();
        producer.startBackground(Duration.ofMillis(300), 12);
        // Under faults, merges must still get committed: progress, not just survival.
        await("merges committed while faults are injected").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> producer.finished() && committedPods(env, producer) >= PODS / 2);
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("{}: {} s under faults, S3 {} requests, SQS {} requests; injected S3 {} SQS {}", fault,
            String.format("%.1f", seconds), s3.requests(), sqs.requests(), s3.injectedByKind(), sqs.injectedByKind());
        assertThat(service.isAlive()).as("the service process is still the one started").isTrue();
        assertThat(s3.injected(fault)).isPositive();

        s3.heal();
        sqs.heal();
        Soak.awaitConverged(env, producer.ledger(), Duration.ofMinutes(2));
        LineCheck lines = Soak.checkEverything(service.base(), env, producer.ledger());
        assertThat(service.isAlive()).isTrue();
        Figures.record("fault injection " + fault, 0, s3.injectedTotal() + sqs.injectedTotal(), 0, lines);
        assertThat(service.terminate(Duration.ofSeconds(30))).hasValue(0);
      } finally {
        service.close();
      }
    }
  }

  /**
   * Every ReceiveMessage fails: the pollers must back off (0.5 s doubling, on top of the SDK's three attempts), not
   * spin. The first 12 failed attempts come in a burst either way; the next 12 take two backing-off pollers about
   * 3 s (4 a second), and about 0.6 s (20 a second) with the SDK's own retry delays alone.
   */
  private static void assertReceiveBacksOff(FaultProxy sqs, Fault fault) {
    long before = sqs.injected(fault);
    sqs.rules(FaultRule.of(fault).action("ReceiveMessage"));
    await("12 failed receives").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
        .until(() -> sqs.injected(fault) - before >= 12);
    long start = System.nanoTime();
    await("24 failed receives").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
        .until(() -> sqs.injected(fault) - before >= 24);
    double rate = 12 / ((System.nanoTime() - start) / 1e9);
    LOG.info("{}: failed ReceiveMessage attempts per second once every receive fails (13th to 24th): {}", fault,
        String.format("%.1f", rate));
    assertThat(rate).as("failed ReceiveMessage attempts per second").isLessThan(8);
    sqs.heal();
  }

  private static long committedPods(LocalServers.Environment env, LogProducer producer) {
    return producer.podNames().stream().filter(pod -> {
      try {
        env.s3().headObject(b -> b.bucket(env.bucket()).key(Keys.metadataKey(pod)));
        return true;
      } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
        return false;
      } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
        if (e.statusCode() == 404) return false;
        throw e;
      }
    }).count();
  }
}
