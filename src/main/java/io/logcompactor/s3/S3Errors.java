package io.logcompactor.s3;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Classifies S3 failures the service reacts to, whatever wrapper they arrive in. */
public final class S3Errors {
  private S3Errors() {}

  public static boolean isNotFound(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof NoSuchKeyException || status(c) == 404;
  }

  /** 412 from If-Match / If-None-Match, or 409 when a concurrent conditional write won the race on AWS. */
  public static boolean isPreconditionFailed(Throwable t) {
    int s = status(unwrap(t));
    return s == 412 || s == 409;
  }

  /**
   * A failure after which a write may or may not have been applied: no HTTP answer at all (a connection that broke
   * mid-request or timed out) or a server error. A 4xx answer is definite.
   */
  public static boolean isAmbiguous(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof AwsServiceException e) return e.statusCode() >= 500;
    return c instanceof SdkClientException;
  }

  public static int status(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof AwsServiceException e ? e.statusCode() : -1;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException
        || c instanceof java.io.UncheckedIOException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
