package io.logcompactor.compaction;

import io.logcompactor.s3.S3Errors;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Fetches raw objects and turns each into gzip members ready to append, on the S3 worker threads, so the costly
 * part (inflating every gzip object to prove it is intact, compressing plain ones) runs in parallel while the
 * writer appends in order. Small objects are held in memory; larger ones are validated by one streaming GET and
 * copied by a second one pinned to the same ETag, so no whole object is ever held.
 */
final class RawFetcher {
  /** A gzip member holding one newline: appended after content that ends mid-line. */
  static final byte[] NEWLINE_MEMBER = gzip(new byte[] {'\n'}, 1, false);

  /** What a raw object turned out to be. */
  sealed interface Fetched permits Gone, Empty, Corrupt, Ready, Deferred {
    /** The bytes merging it appends, or -1 when only appending it can tell (plain text, compressed on the way). */
    default long appended() {
      return 0;
    }
  }

  /** Listed but deleted since: nothing to merge. */
  record Gone() implements Fetched {}

  /** No content at all: merged without adding a byte. */
  record Empty(String etag, RawFormat format) implements Fetched {}

  /** Claims to be gzip but is not intact: never merged, never deleted. */
  record Corrupt(String etag, String reason) implements Fetched {}

  /** Gzip members to append as they are, {@code length} bytes of {@code bytes}. */
  record Ready(String etag, RawFormat format, byte[] bytes, int length) implements Fetched {
    @Override
    public long appended() {
      return length;
    }
  }

  /**
   * Too large to hold: validated; copy it with {@link #copy} when its turn comes.
   *
   * @param length the object's length as validated, or -1 when the server did not say
   */
  record Deferred(String etag, RawFormat format, boolean appendNewline, long length) implements Fetched {
    @Override
    public long appended() {
      if (format != RawFormat.GZIP || length < 0) return -1;
      return length + (appendNewline ? NEWLINE_MEMBER.length : 0);
    }
  }

  /** The object changed between validation and copy: the run must start over. */
  static final class ChangedException extends Exception {
    ChangedException(String message) {
      super(message);
    }
  }

  /** Fetches of one raw object whose body broke off, before the merge gives up. */
  static final int ATTEMPTS = 3;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RawFetcher.class);

  private final S3Client s3;
  private final String bucket;
  private final long streamThreshold;
  private final Timer validation;

  RawFetcher(S3Client s3, String bucket, long streamThreshold, Timer validation) {
    this.s3 = s3;
    this.bucket = bucket;
    this.streamThreshold = streamThreshold;
    this.validation = validation;
  }

  /** Memory a fetch of {@code raw} holds until it is consumed, for the look-ahead budget. */
  long cost(MergePlan.Raw raw) {
    return Math.min(Math.max(raw.object().size(), 1), streamThreshold);
  }

  /**
   * Blocking; runs on an S3 worker thread. A body that breaks off is fetched again, up to {@value #ATTEMPTS} times in
   * all: the SDK retries a request that fails, not the read of a body that stops midway, and one such read would
   * otherwise fail the whole merge (a fetch has no side effect, so it can simply start over).
   */
  Fetched fetch(MergePlan.Raw raw) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return raw.object().size() <= streamThreshold ? fetchWhole(raw.key()) : validateStreaming(raw.key());
      } catch (IOException e) {
        if (attempt == ATTEMPTS) throw e;
        LOG.warn("reading raw object s3://{}/{} broke off ({}); fetching it again", bucket, raw.key(), e.toString());
      }
    }
  }

  private Fetched fetchWhole(String key) throws IOException {
    Whole whole;
    try {
      // Read inside the SDK's response handling rather than through a ResponseInputStream, which schedules (and
      // cancels) an abort timer on one shared scheduler for every GET: 2,000 small GETs on 32 threads contend for it.
      whole = s3.getObject(b -> b.bucket(bucket).key(key), (response, in) -> {
        Long length = response.contentLength();
        if (length != null && length > streamThreshold) {
          // Replaced by a larger object since the listing: not held in memory.
          in.abort();
          return new Whole(response.eTag(), null);
        }
        // Read straight into an array of the object's size: the SDK's getObjectAsBytes grows a buffer and copies
        // it, several MiB of garbage for each MiB of object.
        return new Whole(response.eTag(), length == null ? in.readAllBytes() : readExactly(in, length.intValue()));
      });
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return new Gone();
      IOException broken = readFailure(e);
      if (broken != null) throw broken;
      throw e;
    }
    if (whole.bytes() == null) return validateStreaming(key);
    String etag = whole.etag();
    byte[] bytes = whole.bytes();
    RawFormat format = RawFormat.sniff(bytes, bytes.length);
    switch (format) {
      case EMPTY:
        return new Empty(etag, format);
      case PLAIN: {
        boolean newline = bytes[bytes.length - 1] != '\n';
        byte[] gz = gzip(bytes, bytes.length, newline);
        return new Ready(etag, format, gz, gz.length);
      }
      default: {
        GzipCheck check = timed(() -> GzipCheck.of(bytes, bytes.length));
        if (!check.valid()) return new Corrupt(etag, check.reason());
        if (check.uncompressedBytes() == 0) return new Empty(etag, format);
        if (!check.endsWithoutNewline()) return new Ready(etag, format, bytes, bytes.length);
        byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + NEWLINE_MEMBER.length);
        System.arraycopy(NEWLINE_MEMBER, 0, withNewline, bytes.length, NEWLINE_MEMBER.length);
        return new Ready(etag, format, withNewline, withNewline.length);
      }
    }
  }

  /**
   * The failure of the body's read inside {@link #fetchWhole}'s transformer (which the SDK wraps, not retrying it),
   * so that the caller fetches the object again as it does for a stream that broke off; null for any other failure.
   */
  private static IOException readFailure(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NonRetryableException && t.getCause() instanceof IOException io) return io;
    }
    return null;
  }

  /** A small object's ETag and bytes; no bytes when it turned out too large to hold. */
  private record Whole(String etag, byte[] bytes) {}

  private static byte[] readExactly(InputStream in, int length) throws IOException {
    byte[] bytes = new byte[length];
    int n = in.readNBytes(bytes, 0, length);
    if (n != length || in.read() >= 0) {
      throw new IOException("GET returned " + (n != length ? n : "more than") + " bytes where its Content-Length said "
          + length);
    }
    return bytes;
  }

  private Fetched validateStreaming(String key) throws IOException {
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return new Gone();
      throw e;
    }
    try (in) {
      String etag = in.response().eTag();
      long length = in.response().contentLength() == null ? -1 : in.response().contentLength();
      byte[] head = in.readNBytes(2);
      RawFormat format = RawFormat.sniff(head, head.length);
      if (format == RawFormat.EMPTY) return new Empty(etag, format);
      if (format == RawFormat.PLAIN) {
        // Plain text needs no validation; whether it ends in a newline is seen while copying.
        in.abort();
        return new Deferred(etag, format, false, length);
      }
      long start = System.nanoTime();
      GzipCheck check = GzipCheck.validate(new SequenceInputStream(new java.io.ByteArrayInputStream(head), in));
      validation.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      if (!check.valid()) return new Corrupt(etag, check.reason());
      if (check.uncompressedBytes() == 0) return new Empty(etag, format);
      return new Deferred(etag, format, check.endsWithoutNewline(), length);
    }
  }

  /**
   * Appends a deferred object to {@code out}, reading it again pinned to the ETag it was validated with.
   *
   * @return false when the object is gone (nothing was appended)
   */
  boolean copy(String key, Deferred d, OutputStream out) throws IOException, ChangedException {
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(b -> b.bucket(bucket).key(key).ifMatch(d.etag()));
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return false;
      if (S3Errors.isPreconditionFailed(e)) throw new ChangedException("raw object " + key + " changed while merging");
      throw e;
    }
    try (in) {
      byte[] buf = new byte[64 * 1024];
      if (d.format() == RawFormat.GZIP) {
        in.transferTo(out);
        if (d.appendNewline()) out.write(NEWLINE_MEMBER);
        return true;
      }
      GZIPOutputStream gz = new GZIPOutputStream(new FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() {
          // the writer outlives this object
        }
      }, buf.length);
      int last = -1;
      int n;
      while ((n = in.read(buf)) > 0) {
        gz.write(buf, 0, n);
        last = buf[n - 1] & 0xff;
      }
      if (last >= 0 && last != '\n') gz.write('\n');
      gz.close();
      return true;
    }
  }

  private GzipCheck timed(java.util.function.Supplier<GzipCheck> check) {
    long start = System.nanoTime();
    try {
      return check.get();
    } finally {
      validation.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** One gzip member of {@code plain} (plus a final newline if asked), at Fluent Bit's level 6. */
  static byte[] gzip(byte[] plain, int length, boolean addNewline) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 4));
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(plain, 0, length);
        if (addNewline) gz.write('\n');
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
