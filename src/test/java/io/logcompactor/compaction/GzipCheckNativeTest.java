package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.gzip.GzipSamples;
import io.logcompactor.gzip.NativeGzip;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * libdeflate may only confirm what the zlib check accepts, with the same figures: on anything else it must step
 * aside so zlib gives the verdict.
 */
class GzipCheckNativeTest {
  /** Log-like text, sometimes without its last newline, sometimes empty. */
  private static byte[] text(SplittableRandom rnd, int maxBytes) {
    byte[] text = GzipSamples.logText(rnd, maxBytes);
    return rnd.nextInt(4) == 0 && text.length > 0 ? Arrays.copyOf(text, text.length - 1) : text;
  }

  private static byte[] object(SplittableRandom rnd, int maxBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int members = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0);
    for (int i = 0; i < members; i++) out.writeBytes(GzipSamples.member(text(rnd, maxBytes), rnd.nextInt(10)));
    return out.toByteArray();
  }

  private static byte[] damage(byte[] bytes, SplittableRandom rnd) {
    byte[] b = bytes.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
      case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 2 -> b = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(20)); // zero padding
      case 3 -> {
        byte[] tail = new byte[1 + rnd.nextInt(30)];
        rnd.nextBytes(tail);
        b = Arrays.copyOf(b, b.length + tail.length);
        System.arraycopy(tail, 0, b, bytes.length, tail.length);
      }
      case 4 -> b[3] |= (byte) (0x20 << rnd.nextInt(3)); // a reserved header flag
      default -> {
        for (int i = 0; i < 1 + rnd.nextInt(8); i++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
    }
    return b;
  }

  @Test
  @DisplayName("valid objects of one or several members: libdeflate confirms each with zlib's exact figures")
  void validObjectsAgree() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] b = object(rnd, i % 100 == 0 ? 300_000 : 3_000);
      GzipCheck zlib = GzipCheck.zlib(b, b.length);
      assertThat(zlib.valid()).isTrue();
      assertThat(GzipCheck.confirmedNatively(b, b.length)).as("object %d", i).isEqualTo(zlib);
    }
  }

  @Test
  @DisplayName("20,000 damaged objects: libdeflate never confirms one zlib rejects, nor differs on one it accepts")
  void damagedObjectsNeverConfirmedWrongly() {
    SplittableRandom rnd = new SplittableRandom(11);
    int rejected = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] b = damage(object(rnd, 2_000), rnd);
      GzipCheck zlib = GzipCheck.zlib(b, b.length);
      GzipCheck confirmed = GzipCheck.confirmedNatively(b, b.length);
      if (!zlib.valid()) {
        rejected++;
        assertThat(confirmed).as("object %d, rejected by zlib: %s", i, zlib.reason()).isNull();
        assertThat(GzipCheck.of(b, b.length)).isEqualTo(zlib);
      } else if (confirmed != null) {
        assertThat(confirmed).as("object %d", i).isEqualTo(zlib);
      }
    }
    assertThat(rejected).as("damage that zlib rejects").isGreaterThan(15_000);
  }

  @Test
  @DisplayName("a member larger than the output buffer first sized for it is still confirmed whole")
  void outputBufferGrows() {
    SplittableRandom rnd = new SplittableRandom(3);
    byte[] big = new byte[6 << 20];
    for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + rnd.nextInt(26));
    big[big.length - 1] = '\n';
    // A large first member and a tiny last one: the trailer's hint is the tiny one's size.
    byte[] last = GzipSamples.member("x\n".getBytes(StandardCharsets.UTF_8), 6);
    byte[] b = concatenate(GzipSamples.member(big, 1), last);
    GzipCheck confirmed = GzipCheck.confirmedNatively(b, b.length);
    assertThat(confirmed).isEqualTo(GzipCheck.zlib(b, b.length));
    assertThat(confirmed.uncompressedBytes()).isEqualTo(big.length + 2);
    assertThat(confirmed.members()).isEqualTo(2);
  }

  @Test
  @DisplayName("a member inflating past libdeflate's limit is left to zlib, which accepts it")
  void hugeMemberGoesToZlib() {
    byte[] zeros = new byte[(int) NativeGzip.MAX_OUTPUT + 1];
    byte[] b = GzipSamples.member(zeros, Deflater.BEST_COMPRESSION);
    assertThat(GzipCheck.confirmedNatively(b, b.length)).isNull();
    GzipCheck check = GzipCheck.of(b, b.length);
    assertThat(check.valid()).isTrue();
    assertThat(check.uncompressedBytes()).isEqualTo(zeros.length);
  }

  private static byte[] concatenate(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
