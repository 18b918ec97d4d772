package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventClassifierTest {
  private static final String CID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final String RAW = "kube.var.log.containers.job-1_ns_main-" + CID + "/202611252013_0.gz";
  private final EventClassifier classifier = new EventClassifier("job-logs");

  private static S3Event created(String bucket, String key) {
    return new S3Event(bucket, key, true, "ObjectCreated:Put", 1, null);
  }

  @Test
  @DisplayName("a created raw key in our bucket is CREATED")
  void created() {
    assertThat(classifier.classify(created("job-logs", RAW))).isEqualTo(EventKind.CREATED);
  }

  @Test
  @DisplayName("an event for another bucket is IGNORED_BUCKET, whatever its key")
  void otherBucket() {
    assertThat(classifier.classify(created("other-logs", RAW))).isEqualTo(EventKind.IGNORED_BUCKET);
  }

  @Test
  @DisplayName("a deletion of a raw key is IGNORED_EVENT")
  void notCreation() {
    assertThat(classifier.classify(new S3Event("job-logs", RAW, false, "ObjectRemoved:Delete", -1, null)))
        .isEqualTo(EventKind.IGNORED_EVENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "data/job-1/" + CID + "/202611252013_0.gz",
      "metadata/job-1.json",
      "cleanup/job-1",
      "kube.var.log.containers.job-1_ns_main-" + CID + "/202611252013.gz",
      "kube.var.log.containers.Job-1_ns_main-" + CID + "/202611252013_0.gz",
      "kube.var.log.containers.jöb-1_ns_main-" + CID + "/202611252013_0.gz",
      "kube.var.log.containers.job 1_ns_main-" + CID + "/202611252013_0.gz",
  })
  @DisplayName("the service's own data/, metadata/ and cleanup/ writes and malformed raw keys are IGNORED_KEY")
  void ignoredKeys(String key) {
    assertThat(classifier.classify(created("job-logs", key))).isEqualTo(EventKind.IGNORED_KEY);
    assertThat(EventClassifier.keyProblem(key)).isNotBlank();
  }
}
