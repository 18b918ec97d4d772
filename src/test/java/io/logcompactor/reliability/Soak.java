package io.logcompactor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.local.LocalServers;
import io.logcompactor.soak.BucketAudit;
import io.logcompactor.soak.LineCheck;
import io.logcompactor.soak.ReadApi;
import io.logcompactor.soak.ServiceProcess;
import io.logcompactor.soak.UploadLedger;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** What the reliability tests share: fast settings, the kill-moment patterns, and the final convergence check. */
final class Soak {
  /** Kills in the CI-sized crash-restart soak; {@code make soak} raises it (-Dsoak.kills=200). */
  static final int KILLS = Integer.getInteger("soak.kills", 20);

  /** Log lines of the compaction and cleanup engines: a kill right after one lands in the middle of their work. */
  static final Pattern ENGINE_LINE = Pattern.compile("\\.(compaction|cleanup)\\.|\\.c\\.(Compaction|Cleanup)");

  private Soak() {}

  /**
   * Everything happens often: low merge threshold, second-scale timers and idle timeout, 1 s SQS waits. The orphan
   * safety age stays well above a merge under load: the engine refuses to commit a run longer than half of it.
   */
  static Map<String, String> fastSettings(Map<String, String> more) {
    Map<String, String> m = new HashMap<>();
    m.put(CompactorConfig.MERGE_THRESHOLD, "3");
    m.put(CompactorConfig.COMPACTION_INTERVAL, "2s");
    m.put(CompactorConfig.CLEANUP_INTERVAL, "1s");
    m.put(CompactorConfig.IDLE_TIMEOUT, "3s");
    m.put(CompactorConfig.RECONCILE_INTERVAL, "5s");
    m.put(CompactorConfig.SQS_WAIT_TIME, "1s");
    m.put(CompactorConfig.SQS_VISIBILITY_TIMEOUT, "10s");
    m.put(CompactorConfig.SQS_POLLERS, "2");
    m.put(CompactorConfig.S3_CONCURRENCY, "8");
    m.put(CompactorConfig.ORPHAN_SAFETY_AGE, "30s");
    m.put(CompactorConfig.SHUTDOWN_TIMEOUT, "10s");
    m.putAll(more);
    return m;
  }

  /**
   * Waits until every uploaded raw object has been merged and deleted and no pod waits for cleanup: the state an
   * idle cluster reaches. Fails with the bucket audit when it does not come.
   */
  static void awaitConverged(LocalServers.Environment env, UploadLedger ledger, Duration atMost) {
    try {
      // No audit while it converges: a listing and a metadata read taken a moment apart can disagree with a clean
      // running in between. Once converged nothing moves, and the final audit is exact.
      await("every raw file merged and cleaned").atMost(atMost).pollInterval(Duration.ofSeconds(1))
          .until(() -> BucketAudit.rawKeysLeft(env.s3(), env.bucket(), ledger).isEmpty()
              && BucketAudit.cleanupMarkers(env.s3(), env.bucket()).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> raw = BucketAudit.rawKeysLeft(env.s3(), env.bucket(), ledger);
      throw new AssertionError("not converged after " + atMost + ": " + raw.size() + " raw files left (e.g. "
          + raw.subList(0, Math.min(5, raw.size())) + "), cleanup markers "
          + BucketAudit.cleanupMarkers(env.s3(), env.bucket()) + "; "
          + BucketAudit.audit(env.s3(), env.bucket(), ledger) + BucketAudit.leftovers(env.s3(), env.bucket(), ledger), e);
    }
  }

  /** Reads every job through the API and audits the bucket; asserts exactly once and a consistent bucket. */
  static LineCheck checkEverything(URI service, LocalServers.Environment env, UploadLedger ledger) throws Exception {
    LineCheck lines = ReadApi.checkAll(service, ledger);
    BucketAudit.Report audit = BucketAudit.audit(env.s3(), env.bucket(), ledger);
    assertThat(audit.problems()).as(audit.toString()).isEmpty();
    assertThat(lines.examples()).as("lines lost, duplicated or reordered: " + lines).isEmpty();
    assertThat(lines.exactlyOnce()).as(lines.toString()).isTrue();
    assertThat(lines.expected()).isEqualTo(ledger.lines());
    return lines;
  }

  /** A read of a few jobs in the middle of the soak: nothing uploaded before it is missing, nothing is served twice. */
  static LineCheck midSoakRead(ServiceProcess service, UploadLedger ledger, List<String> pods) throws Exception {
    LineCheck total = LineCheck.none();
    for (String pod : pods) {
      List<String> before = ledger.messages(pod);
      List<String> served = ReadApi.jobLog(service.base(), pod);
      List<String> after = ledger.messages(pod);
      total = total.plus(LineCheck.during(before, after, served, LineCheck::producerContainer));
    }
    assertThat(total.exactlyOnce()).as("read during the soak: " + total).isTrue();
    return total;
  }
}
