package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  private static List<String> events(LineReader r) throws IOException {
    List<String> out = new ArrayList<>();
    LineReader.Event e;
    while ((e = r.next()) != LineReader.Event.EOF) {
      out.add(e + ":" + new String(r.data(), r.offset(), r.length(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  @DisplayName("lines split at newlines; a last line without newline and empty lines are kept")
  void splitsLines() throws IOException {
    LineReader r = new LineReader(new ByteArrayInputStream("a\n\nbc\nlast".getBytes(StandardCharsets.UTF_8)), 100, 3);
    assertThat(events(r)).containsExactly("LINE:a", "LINE:", "LINE:bc", "LINE:last");
    assertThat(r.consumed()).isEqualTo(10);
  }

  @Test
  @DisplayName("a line longer than the cap comes out in fragments and the reader never buffers more than the cap")
  void oversizedLine() throws IOException {
    String huge = "x".repeat(50);
    LineReader r = new LineReader(new ByteArrayInputStream(("ok\n" + huge + "\nafter\n")
        .getBytes(StandardCharsets.UTF_8)), 10, 8);
    List<String> ev = events(r);
    assertThat(ev.get(0)).isEqualTo("LINE:ok");
    assertThat(ev.get(ev.size() - 1)).isEqualTo("LINE:after");
    List<String> fragments = ev.subList(1, ev.size() - 1);
    assertThat(fragments.get(fragments.size() - 1)).startsWith("FRAGMENT_END:");
    assertThat(String.join("", fragments.stream().map(f -> f.substring(f.indexOf(':') + 1)).toList())).isEqualTo(huge);
    assertThat(fragments).allSatisfy(f -> assertThat(f.length() - f.indexOf(':') - 1).isLessThanOrEqualTo(10));
  }

  @Test
  @DisplayName("a 10 MiB line with a 64 KiB cap streams through in fragments of at most the cap")
  void tenMebibyteLine() throws IOException {
    long size = 10L << 20;
    InputStream in = new InputStream() {
      long pos;

      @Override
      public int read() {
        return pos < size ? 'y' : pos++ == size ? '\n' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos > size) return -1;
        int n = (int) Math.min(len, size + 1 - pos);
        java.util.Arrays.fill(b, off, off + n, (byte) 'y');
        if (pos + n > size) b[off + n - 1] = '\n';
        pos += n;
        return n;
      }
    };
    LineReader r = new LineReader(in, 64 * 1024);
    long total = 0;
    LineReader.Event e;
    int maxFragment = 0;
    while ((e = r.next()) != LineReader.Event.EOF) {
      assertThat(e).isNotEqualTo(LineReader.Event.LINE);
      total += r.length();
      maxFragment = Math.max(maxFragment, r.length());
    }
    assertThat(total).isEqualTo(size);
    assertThat(maxFragment).isLessThanOrEqualTo(64 * 1024);
  }

  @Test
  @DisplayName("the eight-bytes-at-a-time newline search finds exactly what a byte loop finds, at every offset")
  void newlineSearchMatchesByteLoop() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int n = 0; n < 20_000; n++) {
      byte[] b = new byte[rnd.nextInt(80)];
      for (int i = 0; i < b.length; i++) {
        int k = rnd.nextInt(8);
        b[i] = k == 0 ? (byte) '\n' : k == 1 ? (byte) 0x8a : k == 2 ? (byte) 0x0b : k == 3 ? (byte) 0x09
            : (byte) rnd.nextInt(256);
      }
      int from = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
      int to = from + (b.length == from ? 0 : rnd.nextInt(b.length - from + 1));
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertThat(LineReader.indexOfNewline(b, from, to)).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("a line found over-long after more than 64 KiB of it was held comes out whole, in fragments")
  void heldPartOfAnOverlongLine() throws IOException {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    StringBuilder huge = new StringBuilder();
    while (huge.length() < 150_000) huge.append((char) ('a' + rnd.nextInt(26)));
    // Small reads, so the line is held in pieces until it passes the cap of 100,000 bytes.
    LineReader r = new LineReader(new ByteArrayInputStream((huge + "\nafter\n").getBytes(StandardCharsets.UTF_8)),
        100_000, 8 * 1024);
    List<String> ev = events(r);
    assertThat(ev.get(ev.size() - 1)).isEqualTo("LINE:after");
    List<String> fragments = ev.subList(0, ev.size() - 1);
    assertThat(fragments.get(0)).startsWith("FRAGMENT:");
    assertThat(fragments.get(0).length() - "FRAGMENT:".length()).isGreaterThan(64 * 1024);
    assertThat(String.join("", fragments.stream().map(f -> f.substring(f.indexOf(':') + 1)).toList()))
        .isEqualTo(huge.toString());
  }

  @Test
  @DisplayName("with a record scan finding line ends, the lines are the same at any buffer size; a line is marked "
      + "scanned only when the scan walked all of it")
  void recordScanFindsTheSameLines() throws IOException {
    String rec = "{\"stream\":\"stdout\",\"log\":\"m%d\",\"kubernetes\":{\"pod_name\":\"p\"}}";
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      text.append(switch (i % 5) {
        case 0 -> "not json " + i;
        case 1 -> "{\"log\":\"x\"," + "\"k\":\"" + "y".repeat(i) + "\"}";
        case 2 -> "";
        default -> String.format(rec, i);
      }).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    List<String> expected = events(new LineReader(new ByteArrayInputStream(bytes), 1000, 7));
    for (int size : new int[] {7, 31, 64, 100, 4096}) {
      RecordScanner scanner = new RecordScanner();
      RecordScanner check = new RecordScanner();
      LineReader r = new LineReader(new ByteArrayInputStream(bytes), 1000, size, scanner::scanLine);
      List<String> seen = new ArrayList<>();
      int scanned = 0;
      LineReader.Event e;
      while ((e = r.next()) != LineReader.Event.EOF) {
        String line = new String(r.data(), r.offset(), r.length(), StandardCharsets.UTF_8);
        seen.add(e + ":" + line);
        if (r.scanned()) {
          scanned++;
          assertThat(check.scan(r.data(), r.offset(), r.length())).as(line).isTrue();
          assertThat(scanner.stream()).isEqualTo(check.stream());
        }
      }
      assertThat(seen).as("buffer of %d bytes", size).isEqualTo(expected);
      if (size == 4096) assertThat(scanned).isEqualTo(24); // the records with a message (cases 1, 3 and 4)
    }
  }
}
