package io.logcompactor.gzip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** gzip members of log-like text for the tests that compare libdeflate with zlib. */
public final class GzipSamples {
  private GzipSamples() {}

  /** One gzip member of {@code text} at compression {@code level}. */
  public static byte[] member(byte[] text, int level) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(level);
      }
    }) {
      gz.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Fluent Bit-like records, up to {@code maxBytes} (at random, possibly none), each ending in a newline. */
  public static byte[] logText(SplittableRandom rnd, int maxBytes) {
    StringBuilder sb = new StringBuilder();
    int target = rnd.nextInt(maxBytes + 1);
    while (sb.length() < target) {
      sb.append("{\"log\":\"request id=").append(Long.toHexString(rnd.nextLong())).append(" took ")
          .append(rnd.nextInt(5000)).append(" ms\",\"stream\":\"stdout\"}\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
