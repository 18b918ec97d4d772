package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.FluentBitLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GzipCheckTest {
  private static byte[] gz(String text) {
    return FluentBitLogs.gzip(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static GzipCheck check(byte[] b) {
    return GzipCheck.of(b, b.length);
  }

  @Test
  @DisplayName("a single member and several concatenated members are valid, with their inflated length")
  void validMembers() {
    GzipCheck one = check(gz("a\nb\n"));
    assertThat(one.valid()).isTrue();
    assertThat(one.members()).isEqualTo(1);
    assertThat(one.uncompressedBytes()).isEqualTo(4);
    assertThat(one.endsWithoutNewline()).isFalse();

    GzipCheck three = check(concat(gz("a\n"), gz("bb\n"), gz("ccc")));
    assertThat(three.valid()).isTrue();
    assertThat(three.members()).isEqualTo(3);
    assertThat(three.uncompressedBytes()).isEqualTo(8);
    assertThat(three.endsWithoutNewline()).isTrue();
  }

  @Test
  @DisplayName("optional header fields (extra, file name, comment, header CRC) are skipped")
  void optionalHeaderFields() {
    byte[] body = gz("hello\n");
    // Rebuild the member with FEXTRA | FNAME | FCOMMENT | FHCRC set, keeping its deflate data and trailer.
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(0x1f);
    m.write(0x8b);
    m.write(8);
    m.write(0x04 | 0x08 | 0x10 | 0x02);
    m.writeBytes(new byte[] {0, 0, 0, 0, 0, (byte) 255});
    m.writeBytes(new byte[] {3, 0, 'x', 'y', 'z'});
    m.writeBytes("name.txt\0".getBytes(StandardCharsets.US_ASCII));
    m.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
    m.writeBytes(new byte[] {0x12, 0x34});
    m.write(body, 10, body.length - 10);
    assertThat(check(m.toByteArray()).valid()).isTrue();
  }

  @Test
  @DisplayName("truncation anywhere, a bad CRC, a bad length and trailing garbage are corrupt, each with a reason")
  void corruptions() {
    byte[] ok = gz("line one\nline two\n".repeat(50));
    assertThat(check(Arrays.copyOf(ok, 5)).reason()).contains("truncated");
    assertThat(check(Arrays.copyOf(ok, ok.length / 2)).reason()).contains("truncated");
    assertThat(check(Arrays.copyOf(ok, ok.length - 3)).reason()).contains("truncated");

    byte[] badCrc = ok.clone();
    badCrc[badCrc.length - 8] ^= 0x01;
    assertThat(check(badCrc).reason()).contains("CRC");

    byte[] badSize = ok.clone();
    badSize[badSize.length - 1] ^= 0x01;
    assertThat(check(badSize).reason()).contains("length");

    assertThat(check(concat(ok, "garbage".getBytes(StandardCharsets.US_ASCII))).reason()).contains("trailing");
    assertThat(check(concat(ok, new byte[] {0, 0, 0, 0})).reason()).contains("trailing");

    byte[] badDeflate = ok.clone();
    for (int i = 10; i < 20; i++) badDeflate[i] = (byte) 0xff;
    assertThat(check(badDeflate).valid()).isFalse();

    byte[] notDeflate = ok.clone();
    notDeflate[2] = 7;
    assertThat(check(notDeflate).reason()).contains("compression method");
  }

  @Test
  @DisplayName("a member with empty content is valid and reports zero inflated bytes")
  void emptyMember() {
    GzipCheck c = check(gz(""));
    assertThat(c.valid()).isTrue();
    assertThat(c.uncompressedBytes()).isZero();
    assertThat(c.lastByte()).isEqualTo(-1);
  }

  @Test
  @DisplayName("a read failure of the input is an IOException, never a corrupt verdict")
  void ioFailureIsNotCorruption() {
    byte[] ok = gz("x\n".repeat(10_000));
    InputStream failing = new InputStream() {
      int served;

      @Override
      public int read() throws IOException {
        if (served >= 20) throw new IOException("connection reset");
        return ok[served++] & 0xff;
      }
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GzipCheck.validate(failing))
        .isInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("validation streams: a large multi-member input is checked through a small-chunk stream")
  void streaming() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 30; i++) all.writeBytes(gz(("member " + i + " ").repeat(3000) + "\n"));
    byte[] bytes = all.toByteArray();
    InputStream trickle = new java.io.ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 7));
      }
    };
    GzipCheck c = GzipCheck.validate(trickle);
    assertThat(c.valid()).isTrue();
    assertThat(c.members()).isEqualTo(30);
  }

  @Test
  @DisplayName("sniffing: no bytes is empty, the gzip magic is gzip, anything else is plain text")
  void sniff() {
    assertThat(RawFormat.sniff(new byte[0], 0)).isEqualTo(RawFormat.EMPTY);
    assertThat(RawFormat.sniff(gz("x"), 2)).isEqualTo(RawFormat.GZIP);
    assertThat(RawFormat.sniff("{\"log\":1}\n".getBytes(StandardCharsets.UTF_8), 10)).isEqualTo(RawFormat.PLAIN);
    assertThat(RawFormat.sniff(new byte[] {0x1f}, 1)).isEqualTo(RawFormat.PLAIN);
  }

  @Test
  @DisplayName("plain text is gzipped into one valid member, with a final newline added only when missing")
  void plainToGzip() throws IOException {
    byte[] withNewline = RawFetcher.gzip("a\nb\n".getBytes(StandardCharsets.UTF_8), 4, false);
    assertThat(io.logcompactor.local.PodLines.decode(withNewline)).isEqualTo("a\nb\n");
    byte[] added = RawFetcher.gzip("a\nb".getBytes(StandardCharsets.UTF_8), 3, true);
    assertThat(io.logcompactor.local.PodLines.decode(added)).isEqualTo("a\nb\n");
    assertThat(check(RawFetcher.NEWLINE_MEMBER).uncompressedBytes()).isEqualTo(1);
    assertThat(List.of(check(added).valid())).containsExactly(true);
  }

  static byte[] gzipLevel(String text, int level) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(level);
      }
    }) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("members compressed at any level, including stored blocks, are valid")
  void anyLevel() throws IOException {
    for (int level = 0; level <= 9; level++) {
      assertThat(check(gzipLevel("some text\n".repeat(100), level)).valid()).as("level %d", level).isTrue();
    }
  }

  @Test
  @DisplayName("the inflater a thread reuses carries nothing over: after damage found mid-member, after an unreadable "
      + "stream, the next object is checked from scratch")
  void reusedInflaterStartsClean() throws Exception {
    byte[] good = gz("x".repeat(100_000) + "\n");
    byte[] damaged = good.clone();
    for (int i = 20; i < 40; i++) damaged[i] ^= 0x5a;
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    InputStream breaking = new InputStream() {
      private int served;

      @Override
      public int read() throws IOException {
        if (served >= good.length / 2) throw new IOException("connection reset");
        return good[served++] & 0xff;
      }
    };
    for (int round = 0; round < 3; round++) {
      assertThat(check(damaged).valid()).isFalse();
      assertThat(check(good).uncompressedBytes()).isEqualTo(100_001);
      assertThat(check(truncated).valid()).isFalse();
      assertThat(check(good).valid()).isTrue();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GzipCheck.validate(breaking))
        .isInstanceOf(IOException.class);
    GzipCheck after = check(concat(good, gz("tail")));
    assertThat(after.members()).isEqualTo(2);
    assertThat(after.uncompressedBytes()).isEqualTo(100_005);
  }
}
