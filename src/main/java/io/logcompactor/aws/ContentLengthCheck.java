package io.logcompactor.aws;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * Turns a response body that ends before its Content-Length into an IOException. Java 17's HttpURLConnection, under
 * the url-connection client, reports such a body as a clean EOF (JDK-8335135, fixed only in later JDKs): a GET cut by
 * the network would otherwise hand a merge half a raw object and no error. An IOException is what the SDK retries
 * for whole-body reads, and what a streaming reader must treat as "read it again".
 */
public final class ContentLengthCheck implements ExecutionInterceptor {

  @Override
  public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                         ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    if (body.isEmpty() || context.httpRequest().method() == SdkHttpMethod.HEAD) return body;
    Optional<String> length = context.httpResponse().firstMatchingHeader("Content-Length");
    if (length.isEmpty()) return body;
    long expected;
    try {
      expected = Long.parseLong(length.get().trim());
    } catch (NumberFormatException e) {
      return body;
    }
    return Optional.of(new Checked(body.get(), expected));
  }

  /** Counts what is read; EOF before {@code expected} bytes is an error, not an end. */
  static final class Checked extends FilterInputStream {
    private final long expected;
    private long read;
    private long mark;

    Checked(InputStream in, long expected) {
      super(in);
      this.expected = expected;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        checkComplete();
      } else {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n < 0) {
        if (len > 0) checkComplete();
      } else {
        read += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      read += s;
      return s;
    }

    @Override
    public synchronized void mark(int limit) {
      super.mark(limit);
      mark = read;
    }

    @Override
    public synchronized void reset() throws IOException {
      super.reset();
      read = mark;
    }

    private void checkComplete() throws EOFException {
      if (read < expected) {
        throw new EOFException("response body ended after " + read + " of " + expected + " bytes (Content-Length)");
      }
    }
  }
}
