package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.logcompactor.local.FluentBitLogs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MultiMemberGzipInputStreamTest {

  /** Hands out a few bytes at a time and always claims nothing is available, as a network stream may. */
  private static InputStream trickle(byte[] bytes, long seed) {
    Random random = new Random(seed);
    return new InputStream() {
      private int pos;

      @Override
      public int read() {
        return pos < bytes.length ? bytes[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= bytes.length) return -1;
        int n = Math.min(Math.min(len, 1 + random.nextInt(37)), bytes.length - pos);
        System.arraycopy(bytes, pos, b, off, n);
        pos += n;
        return n;
      }

      @Override
      public int available() {
        return 0;
      }
    };
  }

  private static byte[] decode(InputStream in, boolean allowPlain) throws IOException {
    try (MultiMemberGzipInputStream gz = new MultiMemberGzipInputStream(in, allowPlain, 512)) {
      return gz.readAllBytes();
    }
  }

  @Test
  @DisplayName("every one of 1,000 concatenated gzip members is decoded, though the stream never reports available bytes")
  void decodesAllMembers() throws IOException {
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      String text = "{\"log\":\"member " + i + "\"}\n".repeat(1 + i % 5);
      expected.append(text);
      concatenated.writeBytes(FluentBitLogs.gzip(text.getBytes(StandardCharsets.UTF_8)));
    }
    byte[] out = decode(trickle(concatenated.toByteArray(), 1), false);
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
  }

  @Test
  @DisplayName("an empty member between others and a member with name and extra fields are decoded")
  void headerFlagsAndEmptyMembers() throws IOException {
    byte[] named = FluentBitLogs.gzip("named\n".getBytes(StandardCharsets.UTF_8));
    // Rewrite the header with FEXTRA + FNAME + FCOMMENT set: 2-byte XLEN "ab", name "x\0", comment "c\0".
    ByteArrayOutputStream withFlags = new ByteArrayOutputStream();
    withFlags.write(named, 0, 3);
    withFlags.write(4 | 8 | 16);
    withFlags.write(named, 4, 6);
    withFlags.writeBytes(new byte[] {2, 0, 'a', 'b', 'x', 0, 'c', 0});
    withFlags.write(named, 10, named.length - 10);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(FluentBitLogs.gzip("one\n".getBytes(StandardCharsets.UTF_8)));
    all.writeBytes(FluentBitLogs.gzip(new byte[0]));
    all.writeBytes(withFlags.toByteArray());
    assertThat(new String(decode(trickle(all.toByteArray(), 2), false), StandardCharsets.UTF_8))
        .isEqualTo("one\nnamed\n");
  }

  @Test
  @DisplayName("plain JSON lines pass through unchanged when plain input is allowed, and are refused otherwise")
  void plainInput() throws IOException {
    byte[] plain = "{\"log\":\"plain\"}\n".getBytes(StandardCharsets.UTF_8);
    assertThat(decode(trickle(plain, 3), true)).isEqualTo(plain);
    assertThat(decode(new ByteArrayInputStream(new byte[] {0x1f}), true)).containsExactly(0x1f);
    assertThatThrownBy(() -> decode(new ByteArrayInputStream(plain), false)).isInstanceOf(CorruptDataException.class);
  }

  @Test
  @DisplayName("a CRC mismatch, a truncated member and garbage after a member are reported as corrupt data")
  void corruption() {
    byte[] good = FluentBitLogs.gzip("some text that is long enough\n".repeat(20).getBytes(StandardCharsets.UTF_8));
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 6] ^= 0x55;
    byte[] truncated = Arrays.copyOf(good, good.length - 5);
    byte[] garbage = Arrays.copyOf(good, good.length + 3);
    garbage[good.length] = 'x';
    for (byte[] bad : new byte[][] {badCrc, truncated, garbage}) {
      assertThatThrownBy(() -> decode(trickle(bad, 4), true)).isInstanceOf(CorruptDataException.class);
    }
  }
}
