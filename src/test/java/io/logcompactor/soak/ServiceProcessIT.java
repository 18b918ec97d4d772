package io.logcompactor.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The process harness and the producer the soak tests stand on. */
@ExtendWith(LocalServersExtension.class)
class ServiceProcessIT {

  @Test
  @DisplayName("the jar runs as its own process from environment variables alone, is ready, comes back on the same port after SIGKILL, and exits 0 on SIGTERM")
  void killRestartTerminate(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proc");
    ServiceProcess first = ServiceProcess.start("proc", env, Map.of()).awaitReady(Duration.ofSeconds(90));
    ServiceProcess second = null;
    try {
      assertThat(first.get("/health").statusCode()).isEqualTo(200);
      first.kill();
      assertThat(first.isAlive()).isFalse();
      assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL

      second = first.restart().awaitReady(Duration.ofSeconds(90));
      assertThat(second.base()).isEqualTo(first.base());
      OptionalInt exit = second.terminate(Duration.ofSeconds(30));
      assertThat(exit).hasValue(0);
      assertThat(second.linesMatching(java.util.regex.Pattern.compile("stopping"))).isNotEmpty();
    } finally {
      first.close();
      if (second != null) second.close();
    }
  }

  @Test
  @DisplayName("the producer's objects are real Fluent Bit uploads: in the bucket, notified to SQS, and carrying exactly the lines the ledger remembers")
  void producerRecordsWhatItUploads(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("producer");
    try (LogProducer producer = new LogProducer(env, "job", 4, 3, 7)) {
      producer.uploadRound();
      producer.restartContainers();
      producer.uploadRound();
      UploadLedger ledger = producer.ledger();
      // 4 pods, pod 2 has a sidecar: 5 containers, two rounds.
      assertThat(ledger.objects()).isEqualTo(10);
      assertThat(ledger.lines()).isEqualTo(30);
      assertThat(ledger.uploads("job-0")).extracting(UploadLedger.Upload::containerId).doesNotHaveDuplicates();

      UploadLedger.Upload first = ledger.uploads("job-2").get(0);
      byte[] gz = env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key(first.rawKey())).asByteArray();
      String text = new String(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), StandardCharsets.UTF_8);
      for (String m : first.messages()) assertThat(text).contains("\"log\":\"" + m + "\"");

      int notified = 0;
      for (int i = 0; i < 5 && notified < 10; i++) {
        var got = env.sqs().receiveMessage(b -> b.queueUrl(env.queueUrl()).maxNumberOfMessages(10).waitTimeSeconds(1));
        notified += got.messages().size();
      }
      assertThat(notified).isEqualTo(10);

      BucketAudit.Report audit = BucketAudit.audit(env.s3(), env.bucket(), ledger);
      assertThat(audit.clean()).as(audit.toString()).isTrue();
      assertThat(audit.rawRemaining()).isEqualTo(10);
    }
  }
}
