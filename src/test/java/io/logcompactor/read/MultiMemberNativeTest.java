package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.gzip.GzipSamples;
import io.logcompactor.gzip.NativeGzip;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Decoding with libdeflate gives the bytes and the errors that zlib alone gives. */
class MultiMemberNativeTest {

  /** A merged file: members of mixed sizes, some far larger than the native buffer. */
  private static byte[] merged(SplittableRandom rnd, int members, int maxBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < members; i++) {
      out.writeBytes(GzipSamples.member(GzipSamples.logText(rnd, maxBytes), 1 + rnd.nextInt(9)));
    }
    return out.toByteArray();
  }

  /** Hands out chunks of random size, as a network stream does. */
  private static InputStream chunked(byte[] bytes, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + rnd.nextInt(100_000)));
      }
    };
  }

  /** Counts the members libdeflate inflated. */
  private static NativeGzip.Decoder counting(AtomicInteger inflated) {
    NativeGzip.Decoder d = NativeGzip.newDecoder();
    assertThat(d).as("libdeflate (the pom's native.jvm.flags and libdeflate0)").isNotNull();
    return new NativeGzip.Decoder() {
      @Override
      public void load(byte[] bytes, int offset, int length) {
        d.load(bytes, offset, length);
      }

      @Override
      public NativeGzip.Outcome member(long offset, long sizeHint) {
        NativeGzip.Outcome o = d.member(offset, sizeHint);
        if (o == NativeGzip.Outcome.INFLATED) inflated.incrementAndGet();
        return o;
      }

      @Override
      public long consumed() {
        return d.consumed();
      }

      @Override
      public long produced() {
        return d.produced();
      }

      @Override
      public int byteAt(long index) {
        return d.byteAt(index);
      }

      @Override
      public void copyOut(long from, byte[] dst, int offset, int length) {
        d.copyOut(from, dst, offset, length);
      }

      @Override
      public void close() {
        d.close();
      }
    };
  }

  /** @return the decoded bytes, or the error's class and message */
  private static Object decode(InputStream in, NativeGzip.Decoder decoder) {
    int buffer = decoder != null ? MultiMemberGzipInputStream.NATIVE_BUFFER : 64 * 1024;
    try (MultiMemberGzipInputStream gz = new MultiMemberGzipInputStream(in, true, buffer, decoder)) {
      return ByteBuffer.of(gz.readAllBytes());
    } catch (IOException e) {
      // Where the error was noticed depends on how much was buffered, which differs: not compared.
      return e.getClass().getSimpleName() + ": " + e.getMessage().replaceAll(", near compressed byte \\d+", "");
    }
  }

  /** Arrays compared by content in assertions. */
  private record ByteBuffer(byte[] bytes) {
    static ByteBuffer of(byte[] b) {
      return new ByteBuffer(b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByteBuffer other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return bytes.length + " bytes";
    }
  }

  @Test
  @DisplayName("merged files of small and large members decode to zlib's bytes, the small ones by libdeflate")
  void sameBytesAsZlib() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < 30; i++) {
      // Every fifth file has members of up to 4.5 MB of text, some more than the 1 MiB buffer compressed.
      boolean large = i % 5 == 0;
      byte[] file = large ? merged(rnd, 1 + rnd.nextInt(4), 4_500_000) : merged(rnd, 1 + rnd.nextInt(60), 50_000);
      AtomicInteger inflated = new AtomicInteger();
      Object expected = decode(chunked(file, i), null);
      assertThat(expected).isInstanceOf(ByteBuffer.class);
      assertThat(decode(chunked(file, i), counting(inflated))).as("file %d", i).isEqualTo(expected);
      if (!large) assertThat(inflated.get()).as("members inflated by libdeflate, file %d", i).isPositive();
    }
  }

  @Test
  @DisplayName("2,000 damaged merged files: with libdeflate the same bytes, or the same error, as with zlib alone")
  void sameErrorsAsZlib() {
    SplittableRandom rnd = new SplittableRandom(9);
    int failed = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] file = merged(rnd, 1 + rnd.nextInt(6), 20_000);
      switch (rnd.nextInt(4)) {
        case 0 -> file[rnd.nextInt(file.length)] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> file = Arrays.copyOf(file, rnd.nextInt(file.length));
        case 2 -> file = Arrays.copyOf(file, file.length + 1 + rnd.nextInt(20));
        default -> {
          for (int k = 0; k < 4; k++) file[rnd.nextInt(file.length)] = (byte) rnd.nextInt(256);
        }
      }
      Object expected = decode(chunked(file, i), null);
      if (!(expected instanceof ByteBuffer)) failed++;
      assertThat(decode(chunked(file, i), counting(new AtomicInteger()))).as("file %d", i).isEqualTo(expected);
    }
    assertThat(failed).as("damaged files zlib rejects").isGreaterThan(1_500);
  }

  @Test
  @DisplayName("plain text and an empty stream pass as with zlib alone")
  void plainAndEmpty() {
    byte[] plain = "{\"log\":\"not compressed\"}\n".getBytes(StandardCharsets.UTF_8);
    assertThat(decode(new ByteArrayInputStream(plain), counting(new AtomicInteger())))
        .isEqualTo(ByteBuffer.of(plain));
    assertThat(decode(new ByteArrayInputStream(new byte[0]), counting(new AtomicInteger())))
        .isEqualTo(ByteBuffer.of(new byte[0]));
  }

  @Test
  @DisplayName("the largest burst is the largest member libdeflate inflated in one call; zlib's output has none")
  void largestBurst() throws IOException {
    SplittableRandom rnd = new SplittableRandom(11);
    byte[][] texts = {GzipSamples.logText(rnd, 30_000), GzipSamples.logText(rnd, 900_000),
        GzipSamples.logText(rnd, 200_000)};
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (byte[] t : texts) file.writeBytes(GzipSamples.member(t, 6));
    int largest = Arrays.stream(texts).mapToInt(t -> t.length).max().orElseThrow();
    try (MultiMemberGzipInputStream gz = new MultiMemberGzipInputStream(chunked(file.toByteArray(), 3), false,
        MultiMemberGzipInputStream.NATIVE_BUFFER, counting(new AtomicInteger()))) {
      assertThat(gz.largestBurst()).isZero();
      gz.readAllBytes();
      assertThat(gz.largestBurst()).isEqualTo(largest);
    }
    try (MultiMemberGzipInputStream gz = new MultiMemberGzipInputStream(chunked(file.toByteArray(), 3), false,
        64 * 1024)) {
      gz.readAllBytes();
      assertThat(gz.largestBurst()).isZero();
    }
  }
}
