package io.logcompactor.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The deployment files as they are in the repository agree with the code, and a drift in any of the places the
 * checker watches is reported with a message that names it.
 */
class InfraConsistencyTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @BeforeAll
  static void runsFromTheRepositoryRoot() {
    assertThat(ROOT.resolve("infra/k8s/base/kustomization.yaml")).isRegularFile();
  }

  @Test
  @DisplayName("every manifest, the Dockerfile, the Makefile and minikube.sh are consistent with the code")
  void repositoryIsConsistent() {
    List<String> problems = InfraChecker.check(ROOT);
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a liveness probe on another path                 | infra/k8s/base/deployment.yaml                 | path: /health                                    | path: /healthz                                        | livenessProbe requests '/healthz'
      a misspelt configuration variable                | infra/k8s/overlays/minikube/config.yaml        | COMPACTOR_MERGE_THRESHOLD                        | COMPACTOR_MERGE_TRESHOLD                              | COMPACTOR_MERGE_TRESHOLD is not a configuration variable
      the aws overlay without the queue                | infra/k8s/overlays/aws/config.yaml             | COMPACTOR_SQS_QUEUE_URL:                         | COMPACTOR_SQS_QUEUE:                                  | COMPACTOR_SQS_QUEUE_URL is required
      a malformed duration                             | infra/k8s/base/configmap.yaml                  | COMPACTOR_IDLE_TIMEOUT: "1h"                     | COMPACTOR_IDLE_TIMEOUT: "1 hour"                      | COMPACTOR_IDLE_TIMEOUT
      another container port                           | infra/k8s/base/deployment.yaml                 | containerPort: 8080                              | containerPort: 9090                                   | no containerPort 8080
      a grace period shorter than the shutdown timeout | infra/k8s/base/deployment.yaml                 | terminationGracePeriodSeconds: 90                | terminationGracePeriodSeconds: 30                     | terminationGracePeriodSeconds is 30
      a key format with the hour instead of the minute | infra/k8s/base/fluent-bit.yaml                 | /$TAG/%Y%m%d%H%M_$INDEX.gz                       | /$TAG/%Y%m%d%H_$INDEX.gz                              | which RawKeyParser rejects
      a key format without the leading slash           | infra/k8s/base/fluent-bit.yaml                 | /$TAG/%Y%m%d%H%M_$INDEX.gz                       | $TAG/%Y%m%d%H%M_$INDEX.gz                             | does not start with '/'
      a key format without the index                   | infra/k8s/base/fluent-bit.yaml                 | /$TAG/%Y%m%d%H%M_$INDEX.gz                       | /$TAG/%Y%m%d%H%M.gz                                   | which RawKeyParser rejects
      a tail input without tag expansion               | infra/k8s/base/fluent-bit.yaml                 | Tag               kube.*                         | Tag               kube                                | a Tag ending in '*'
      a Fluent Bit entry indented differently          | infra/k8s/base/fluent-bit.yaml                 | '        Rotate_Wait       30'                   | '      Rotate_Wait       30'                          | invalid indentation level
      an undefined Fluent Bit variable                 | infra/k8s/base/fluent-bit.yaml                 | ${FLB_JOBS_NAMESPACE}                            | ${FLB_JOB_NAMESPACE}                                  | ${FLB_JOB_NAMESPACE}
      Fluent Bit sending to another endpoint           | infra/k8s/overlays/minikube/fluent-bit-endpoint.yaml | value: http://localstack.log-compactor.svc.cluster.local:4566 | value: http://minio:9000      | the s3 output sends to 'http://minio:9000'
      buffered uploads on the container's filesystem   | infra/k8s/base/fluent-bit.yaml                 | store_dir              /var/fluent-bit/s3        | store_dir              /tmp/fluent-bit/s3             | is not on a writable hostPath volume
      the setup Job notifying for another prefix       | infra/k8s/fixtures/localstack-setup.yaml       | "Value": "kube.var.log.containers."              | "Value": "kube.var.log."                              | notification filter prefix
      the AWS notification for another prefix          | infra/aws/bucket-notification.json             | "Value": "kube.var.log.containers."              | "Value": "logs/"                                      | notification filter prefix
      the setup Job creating another bucket            | infra/k8s/fixtures/localstack-setup.yaml       | value: job-logs                                  | value: job-logs-2                                     | creates bucket 'job-logs-2'
      an IAM policy granting more than needed          | infra/aws/compactor-policy.json                | "s3:ListBucket"                                  | "s3:ListBucket", "s3:PutBucketPolicy"                 | grants s3:PutBucketPolicy
      a queue policy without the bucket condition      | infra/aws/queue-policy.json                    | "aws:SourceArn"                                  | "aws:SourceIp"                                        | with aws:SourceArn
      the Makefile building another image              | Makefile                                       | IMAGE ?= log-compactor:dev                       | IMAGE ?= compactor:dev                                | Makefile IMAGE
      an image without a non-root user                 | Dockerfile                                     | USER 10001:10001                                 | USER root                                             | numeric non-root uid
      a shell-form entrypoint                          | Dockerfile                                     | 'ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0"' | 'ENTRYPOINT java -XX:MaxRAMPercentage=75.0 ["x"'     | exec form
      an entrypoint without native access              | Dockerfile                                     | '"--enable-native-access=ALL-UNNAMED", '          | ''                                                    | does not pass --enable-native-access=ALL-UNNAMED
      a runtime image without libdeflate               | Dockerfile                                     | 'install -y --no-install-recommends libdeflate0'  | 'install -y --no-install-recommends zlib1g'           | does not install libdeflate0
      a demo job in a namespace Fluent Bit ignores     | infra/k8s/fixtures/demo-job.yaml               | namespace: platform-jobs                         | namespace: default                                    | its log would never reach S3
      """)
  @DisplayName("a drifted file is reported, naming what drifted")
  void driftIsReported(String drift, String file, String from, String to, String expected, @TempDir Path copy)
      throws IOException {
    copyRepository(copy);
    Path target = copy.resolve(file);
    String text = Files.readString(target);
    assertThat(text).as("%s must contain %s", file, from).contains(from);
    Files.writeString(target, text.replace(from, to));

    List<String> problems = InfraChecker.check(copy);

    assertThat(problems).as(drift).anySatisfy(p -> assertThat(p).contains(expected));
  }

  @Test
  @DisplayName("the copy the drift cases start from is itself consistent, so each reported problem is the drift's")
  void pristineCopyIsConsistent(@TempDir Path copy) throws IOException {
    copyRepository(copy);
    assertThat(InfraChecker.check(copy)).isEmpty();
  }

  private static void copyRepository(Path to) throws IOException {
    for (String f : List.of("Makefile", "Dockerfile", "minikube.sh", "pom.xml")) {
      Files.copy(ROOT.resolve(f), to.resolve(f));
    }
    try (Stream<Path> files = Files.walk(ROOT.resolve("infra"))) {
      for (Path p : files.toList()) {
        Path dest = to.resolve(ROOT.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(dest);
        else Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
