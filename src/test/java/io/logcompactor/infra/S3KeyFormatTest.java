package io.logcompactor.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class S3KeyFormatTest {
  private static final String TAG =
      "kube.var.log.containers.job-1-abcde_platform-jobs_main-0123456789abcdef.log";

  @Test
  @DisplayName("tag parts, the whole tag, the index and a UTC minute are expanded as Fluent Bit documents")
  void expandsLikeFluentBit() {
    // The example of Fluent Bit's s3 output documentation (its random $UUID replaced by a fixed one).
    assertThat(S3KeyFormat.storedKey("/$TAG[2]/$TAG[0]/%Y/%m/%d/%H/%M/%S/$UUID.gz", "my_app_name-logs.prod", ".-",
        Instant.parse("2020-01-01T00:00:00Z"), 0, false))
        .isEqualTo("prod/my_app_name/2020/01/01/00/00/00/Ab3dE6gH.gz");
    assertThat(S3KeyFormat.storedKey("/$TAG/%Y%m%d%H%M_$INDEX.gz", TAG, ".", Instant.parse("2026-11-25T20:13:59Z"),
        42, false))
        .isEqualTo(TAG + "/202611252013_42.gz");
  }

  @Test
  @DisplayName("without $INDEX or $UUID a random suffix follows the extension, as PutObject uploads get")
  void appendsRandomSuffix() {
    assertThat(S3KeyFormat.storedKey("/$TAG/%Y%m%d%H%M.gz", TAG, ".", Instant.EPOCH, 0, false))
        .startsWith(TAG + "/197001010000.gz-object");
    assertThat(S3KeyFormat.storedKey("/$TAG/%Y%m%d%H%M.gz", TAG, ".", Instant.EPOCH, 0, true))
        .isEqualTo(TAG + "/197001010000.gz");
  }

  @Test
  @DisplayName("a format without the leading slash is refused, as Fluent Bit refuses to start with it")
  void refusesMissingSlash() {
    assertThatThrownBy(() -> S3KeyFormat.storedKey("$TAG/x.gz", TAG, ".", Instant.EPOCH, 0, false))
        .hasMessageContaining("does not start with '/'");
  }
}
