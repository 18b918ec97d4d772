package io.logcompactor.layout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawKeyParserTest {
  private static final String CID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  private static RawKey parsed(String key) {
    RawKeyParser.Result r = RawKeyParser.parse(key);
    assertThat(r).isInstanceOf(RawKeyParser.Parsed.class);
    return ((RawKeyParser.Parsed) r).rawKey();
  }

  @Test
  @DisplayName("a Fluent Bit key yields pod, namespace, container, container id, minute and index")
  void parsesFluentBitKey() {
    RawKey k = parsed("kube.var.log.containers.job-3f2a.v1_platform-jobs_job-3f2a-" + CID + "/202611252013_7.gz");
    assertThat(k.pod()).isEqualTo("job-3f2a.v1");
    assertThat(k.namespace()).isEqualTo("platform-jobs");
    assertThat(k.container()).isEqualTo("job-3f2a");
    assertThat(k.containerId()).isEqualTo(CID);
    assertThat(k.minute()).isEqualTo("202611252013");
    assertThat(k.index()).isEqualTo(7);
  }

  @Test
  @DisplayName("a double underscore before the index and a .log tag suffix are both accepted")
  void acceptsVariants() {
    assertThat(parsed("kube.var.log.containers.p_ns_c-" + CID + "/202611252013__3.gz").index()).isEqualTo(3);
    assertThat(parsed("kube.var.log.containers.p_ns_c-" + CID + ".log/202611252013_3.gz").containerId()).isEqualTo(CID);
  }

  @Test
  @DisplayName("order within a container is (minute, index), numerically")
  void ordersByMinuteThenIndex() {
    RawKey a = parsed("kube.var.log.containers.p_ns_c-" + CID + "/202611252013_10.gz");
    RawKey b = parsed("kube.var.log.containers.p_ns_c-" + CID + "/202611252013_9.gz");
    RawKey c = parsed("kube.var.log.containers.p_ns_c-" + CID + "/202611252012_99.gz");
    assertThat(java.util.stream.Stream.of(a, b, c).sorted().toList()).containsExactly(c, b, a);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "data/job-1/abc/202611252013_0.gz",
      "metadata/job-1.json",
      "cleanup/job-1",
      "kube.var.log.containers.job-1_ns_c-abc/202611252013.gz",
      "kube.var.log.containers.Job-1_ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.job_1_ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.job-1_ns_c-xyz/202611252013_0.gz",
      "kube.var.log.containers.job-1_ns_c-abc/202613252013_0.gz",
      "kube.var.log.containers.job-1_ns_c-abc/202611252013_0.log",
      "kube.var.log.containers.job-1_ns_c-abc/../202611252013_0.gz",
      "kube.var.log.containers.../ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.jöb-1_ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.job%2D1_ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.job 1_ns_c-abc/202611252013_0.gz",
      "kube.var.log.containers.job-1_ns_-abc/202611252013_0.gz",
      "",
  })
  @DisplayName("keys outside the format are rejected with a reason")
  void rejects(String key) {
    RawKeyParser.Result r = RawKeyParser.parse(key);
    assertThat(r).isInstanceOf(RawKeyParser.Rejected.class);
    assertThat(((RawKeyParser.Rejected) r).reason()).isNotBlank();
  }

  @Test
  @DisplayName("a key over 1,024 bytes is rejected")
  void rejectsLongKey() {
    String key = "kube.var.log.containers." + "a".repeat(1100) + "_ns_c-abc/202611252013_0.gz";
    assertThat(RawKeyParser.parse(key)).isInstanceOf(RawKeyParser.Rejected.class);
  }

  @Test
  @DisplayName("the pod prefix of job-1 does not select job-10")
  void podPrefixIsExact() {
    String prefix = Keys.rawPodPrefix("job-1");
    assertThat("kube.var.log.containers.job-10_ns_c-" + CID + "/202611252013_0.gz").doesNotStartWith(prefix);
    assertThat("kube.var.log.containers.job-1_ns_c-" + CID + "/202611252013_0.gz").startsWith(prefix);
    assertThat(Keys.dataPodPrefix("job-1")).isEqualTo("data/job-1/");
    assertThat(Keys.metadataKey("job-1")).isEqualTo("metadata/job-1.json");
    assertThat(Keys.cleanupKey("job-1")).isEqualTo("cleanup/job-1");
    assertThat(Keys.podOfCleanupKey("cleanup/job-1")).isEqualTo("job-1");
    assertThat(Keys.podOfCleanupKey("cleanup/../x")).isNull();
  }
}
