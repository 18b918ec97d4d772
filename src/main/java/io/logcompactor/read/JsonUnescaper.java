package io.logcompactor.read;

/**
 * Decodes the escapes of a JSON string's raw bytes into UTF-8, as a JSON parser followed by a UTF-8 encoder would:
 * the two u-escapes of a surrogate pair become one 4-byte sequence, a lone surrogate becomes {@code ?} (what
 * {@link String#getBytes} writes for one). The input is a whole, well-formed string body (its quotes excluded).
 */
final class JsonUnescaper {
  private JsonUnescaper() {}

  static void write(byte[] b, int start, int end, ByteSink out) {
    int run = start;
    int i = start;
    while (i < end) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out.write(b, run, i - run);
      byte e = b[i + 1];
      i += 2;
      switch (e) {
        case 'n' -> out.write((byte) '\n');
        case 't' -> out.write((byte) '\t');
        case 'r' -> out.write((byte) '\r');
        case 'b' -> out.write((byte) '\b');
        case 'f' -> out.write((byte) '\f');
        case 'u' -> {
          int c = hex4(b, i, end);
          i += 4;
          if (Character.isHighSurrogate((char) c) && i + 6 <= end && b[i] == '\\' && b[i + 1] == 'u') {
            int low = hex4(b, i + 2, end);
            if (Character.isLowSurrogate((char) low)) {
              writeCodePoint(Character.toCodePoint((char) c, (char) low), out);
              i += 6;
              break;
            }
          }
          writeCodePoint(Character.isSurrogate((char) c) ? '?' : c, out);
        }
        default -> out.write(e); // \" \\ \/
      }
      run = i;
    }
    out.write(b, run, end - run);
  }

  /** Whether every escape in the string body is one JSON allows (which {@link #write} then decodes). */
  static boolean valid(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      if (b[i] != '\\') continue;
      if (i + 1 >= end) return false;
      byte e = b[++i];
      if (e == 'u') {
        if (i + 4 >= end) return false;
        for (int k = 1; k <= 4; k++) if (Character.digit(b[i + k], 16) < 0) return false;
        i += 4;
      } else if ("\"\\/bfnrt".indexOf(e) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hex4(byte[] b, int i, int end) {
    if (i + 4 > end) throw new IllegalArgumentException("truncated \\u escape");
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(b[i + k], 16);
      if (d < 0) throw new IllegalArgumentException("bad \\u escape");
      v = v << 4 | d;
    }
    return v;
  }

  private static void writeCodePoint(int c, ByteSink out) {
    if (c < 0x80) {
      out.write((byte) c);
    } else if (c < 0x800) {
      out.write((byte) (0xc0 | c >> 6));
      out.write((byte) (0x80 | c & 0x3f));
    } else if (c < 0x10000) {
      out.write((byte) (0xe0 | c >> 12));
      out.write((byte) (0x80 | c >> 6 & 0x3f));
      out.write((byte) (0x80 | c & 0x3f));
    } else {
      out.write((byte) (0xf0 | c >> 18));
      out.write((byte) (0x80 | c >> 12 & 0x3f));
      out.write((byte) (0x80 | c >> 6 & 0x3f));
      out.write((byte) (0x80 | c & 0x3f));
    }
  }
}
