package io.logcompactor.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {
  private static S3Exception status(int code) {
    return (S3Exception) S3Exception.builder().statusCode(code).message("status " + code).build();
  }

  @Test
  @DisplayName("412 and 409 are precondition failures, whatever wrapper they come in; other statuses are not")
  void preconditionFailed() {
    assertThat(S3Errors.isPreconditionFailed(status(412))).isTrue();
    assertThat(S3Errors.isPreconditionFailed(status(409))).isTrue();
    assertThat(S3Errors.isPreconditionFailed(new CompletionException(status(412)))).isTrue();
    assertThat(S3Errors.isPreconditionFailed(status(404))).isFalse();
    assertThat(S3Errors.isPreconditionFailed(status(500))).isFalse();
    assertThat(S3Errors.isPreconditionFailed(SdkClientException.create("reset"))).isFalse();
  }

  @Test
  @DisplayName("a write may have landed after no answer or a 5xx; a 4xx answer is definite")
  void ambiguous() {
    assertThat(S3Errors.isAmbiguous(SdkClientException.create("Error writing request body to server",
        new IOException("broken pipe")))).isTrue();
    assertThat(S3Errors.isAmbiguous(status(500))).isTrue();
    assertThat(S3Errors.isAmbiguous(status(503))).isTrue();
    assertThat(S3Errors.isAmbiguous(new CompletionException(status(503)))).isTrue();
    assertThat(S3Errors.isAmbiguous(status(403))).isFalse();
    assertThat(S3Errors.isAmbiguous(status(412))).isFalse();
    assertThat(S3Errors.isAmbiguous(new UncheckedIOException(new IOException("not an SDK failure")))).isFalse();
  }

  @Test
  @DisplayName("404 and NoSuchKey are not-found")
  void notFound() {
    assertThat(S3Errors.isNotFound(NoSuchKeyException.builder().message("gone").build())).isTrue();
    assertThat(S3Errors.isNotFound(status(404))).isTrue();
    assertThat(S3Errors.isNotFound(status(403))).isFalse();
  }
}
