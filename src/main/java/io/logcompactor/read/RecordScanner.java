package io.logcompactor.read;

/**
 * The fast path of a plain read: finds {@code log} (or {@code message}) and {@code stream} in a Fluent Bit JSON line
 * by walking its bytes, and writes the message straight into the output, without a token stream, a String or a
 * second UTF-8 encoding. It stops as soon as both fields are found: the {@code kubernetes} object Fluent Bit appends
 * (most of a record's bytes) is never walked, only searched for the newline that ends the line, and the record's
 * closing brace checked. {@link #scanLine} does that search itself, so a line's bytes up to its message are read
 * once, not once to find the line and again to scan it.
 *
 * <p>It handles the shape Fluent Bit writes and declines anything else ({@link #scan} returns false): escaped or
 * duplicate field names, a non-string {@code log}, invalid UTF-8 or escapes in the fields it reads, bad syntax on
 * the way. The caller then falls back to {@link RecordParser}, which decides with a full parse. The two agree on
 * well-formed records; on a damaged one whose damage lies after the fields (where this scanner stops) the message
 * is still served, where the full parser would pass the whole line through. One instance per reader, reused line
 * after line; not thread-safe.
 */
final class RecordScanner {
  private static final byte[] LOG = {'l', 'o', 'g'};
  private static final byte[] MESSAGE = {'m', 'e', 's', 's', 'a', 'g', 'e'};
  private static final byte[] STREAM = {'s', 't', 'r', 'e', 'a', 'm'};
  private static final byte[] STDOUT = {'s', 't', 'd', 'o', 'u', 't'};
  private static final byte[] STDERR = {'s', 't', 'd', 'e', 'r', 'r'};

  private byte[] src;
  private int logStart = -1;
  private int logEnd;
  private boolean logEscaped;
  private int messageStart = -1;
  private int messageEnd;
  private boolean messageEscaped;
  private String stream;
  private boolean streamSeen;
  /** Set by {@link #skipString}: whether the string held a backslash or a non-ASCII byte. */
  private boolean sawEscape;
  private boolean sawHighBit;

  /**
   * @return true when the line is a record this scanner can serve: {@link #stream()} and {@link #writeMessage} are
   *     then valid until the next call; false when the full parser must decide
   */
  boolean scan(byte[] b, int off, int len) {
    int end = off + len;
    int at = walk(b, off, end);
    return at >= 0 && closes(b, at, end);
  }

  /**
   * {@link #scan} of the line that starts at {@code off}, in one pass with the search for its end: the bytes up to
   * the fields are walked once, not once for the newline and again for the fields.
   *
   * @param to the end of the bytes at hand, not of the line
   * @return the index of the newline that ends the line, when it is a record {@link #scan} would serve (the scanner's
   *     results then describe it); -1 otherwise, also when the line goes past {@code to}
   */
  int scanLine(byte[] b, int off, int to) {
    int at = walk(b, off, to);
    if (at < 0) return -1;
    // The walk rejected every newline it met, so the first newline from here ends the line.
    int nl = LineReader.indexOfNewline(b, at + 1, to);
    return nl >= 0 && closes(b, at, nl) ? nl : -1;
  }

  /**
   * Whether the line ending at {@code end} closes the record {@link #walk} decided at {@code at}: only blanks after
   * its closing brace, or, after the comma that follows the fields, a closing brace as the last non-blank byte.
   */
  private static boolean closes(byte[] b, int at, int end) {
    return b[at] == '}' ? skipBlank(b, at + 1, end) == end : lastNonBlank(b, at + 1, end) == '}';
  }

  /**
   * Walks the record in {@code b[off, end)} up to where it is decided: the closing brace of a record whose message
   * was found, or the comma after the message and stream fields; what remains of the line is for the caller to check.
   * Never steps over a newline (it is not JSON whitespace inside a line, nor valid in a string), so everything it
   * walked lies within one line.
   *
   * @return the index of that brace or comma, or -1 when the full parser must decide
   */
  private int walk(byte[] b, int off, int end) {
    src = b;
    logStart = -1;
    messageStart = -1;
    stream = null;
    streamSeen = false;
    int i = skipBlank(b, off, end);
    if (i >= end || b[i] != '{') return -1;
    i = skipBlank(b, i + 1, end);
    if (i < end && b[i] == '}') return -1; // {}: no message, the full parser says unparsed
    while (true) {
      if (i >= end || b[i] != '"') return -1;
      int keyStart = i + 1;
      int keyEnd = keyEnd(b, keyStart, end);
      if (keyEnd < 0) return -1;
      i = skipBlank(b, keyEnd + 1, end);
      if (i >= end || b[i] != ':') return -1;
      i = skipBlank(b, i + 1, end);
      if (i >= end) return -1;
      Field field = field(b, keyStart, keyEnd);
      if (field != Field.OTHER) {
        if (b[i] != '"') return -1;
        int valueStart = i + 1;
        int close = skipString(b, valueStart, end);
        if (close < 0 || sawHighBit && !Utf8.valid(b, valueStart, close)) return -1;
        if (sawEscape && field != Field.STREAM && !JsonUnescaper.valid(b, valueStart, close)) return -1;
        switch (field) {
          case LOG -> {
            if (logStart >= 0) return -1;
            logStart = valueStart;
            logEnd = close;
            logEscaped = sawEscape;
          }
          case MESSAGE -> {
            if (messageStart >= 0) return -1;
            messageStart = valueStart;
            messageEnd = close;
            messageEscaped = sawEscape;
          }
          case STREAM -> {
            if (streamSeen || sawEscape) return -1;
            streamSeen = true;
            stream = streamName(b, valueStart, close);
          }
          default -> throw new IllegalStateException();
        }
        i = close + 1;
      } else {
        i = skipValue(b, i, end);
        if (i < 0) return -1;
      }
      i = skipBlank(b, i, end);
      if (i >= end) return -1;
      if (b[i] == '}') return logStart >= 0 || messageStart >= 0 ? i : -1;
      if (b[i] != ',') return -1;
      if (logStart >= 0 && streamSeen) return i;
      i = skipBlank(b, i + 1, end);
    }
  }

  /** {@code stdout}, {@code stderr}, another stream name, or null when the record has none. */
  String stream() {
    return stream;
  }

  /** Appends the message, unescaped, as UTF-8, without the trailing newline the container runtime kept. */
  void writeMessage(ByteSink out) {
    boolean log = logStart >= 0;
    int start = log ? logStart : messageStart;
    int end = log ? logEnd : messageEnd;
    if (!(log ? logEscaped : messageEscaped)) {
      // Without escapes a valid string holds no CR or LF: nothing to strip.
      out.write(src, start, end - start);
      return;
    }
    int mark = out.size();
    JsonUnescaper.write(src, start, end, out);
    if (out.size() > mark && out.last() == '\n') out.truncate(out.size() - 1);
    if (out.size() > mark && out.last() == '\r') out.truncate(out.size() - 1);
  }

  private enum Field { LOG, MESSAGE, STREAM, OTHER }

  private static Field field(byte[] b, int start, int end) {
    int n = end - start;
    if (n == 3 && equals(b, start, LOG)) return Field.LOG;
    if (n == 6 && equals(b, start, STREAM)) return Field.STREAM;
    if (n == 7 && equals(b, start, MESSAGE)) return Field.MESSAGE;
    return Field.OTHER;
  }

  private static String streamName(byte[] b, int start, int end) {
    if (end - start == 6 && equals(b, start, STDOUT)) return "stdout";
    if (end - start == 6 && equals(b, start, STDERR)) return "stderr";
    return new String(b, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static boolean equals(byte[] b, int at, byte[] word) {
    for (int k = 0; k < word.length; k++) if (b[at + k] != word[k]) return false;
    return true;
  }

  /**
   * The closing quote of a field name without escapes, control characters or non-ASCII bytes; -1 when it has one or
   * is unterminated. Eight bytes at a time: most field names end in the first word or the second.
   */
  private static int keyEnd(byte[] b, int i, int end) {
    for (; i + 8 <= end; i += 8) {
      long stop = stops(Swar.word(b, i));
      if (stop != 0) {
        int at = i + Swar.first(stop);
        return b[at] == '"' ? at : -1;
      }
    }
    for (; i < end; i++) {
      byte c = b[i];
      if (c == '"') return i;
      if (c == '\\' || c < 0x20) return -1;
    }
    return -1;
  }

  private static final long QUOTES = Swar.repeat('"');
  private static final long BACKSLASHES = Swar.repeat('\\');
  private static final long CONTROLS = Swar.repeat(0x20);

  /**
   * Flags the bytes of {@code w} a string scan must stop at: a quote, a backslash, a control character or a
   * non-ASCII byte; the lowest set bit marks the first. The usual {@code & ~x} of each zero-byte test is left out:
   * without it a test also fires on non-ASCII bytes, which are flagged anyway, and its borrows only move upwards.
   */
  static long stops(long w) {
    return ((w ^ QUOTES) - Swar.ONES | (w ^ BACKSLASHES) - Swar.ONES | w - CONTROLS | w) & Swar.HIGHS;
  }

  /** The closing quote of a string starting at {@code i} (after its opening quote), or -1. Sets the flags. */
  private int skipString(byte[] b, int i, int end) {
    boolean escape = false;
    boolean high = false;
    while (true) {
      // Words without a byte to stop at are skipped whole; otherwise the scan jumps to the first such byte.
      while (i + 8 <= end) {
        long stop = stops(Swar.word(b, i));
        if (stop != 0) {
          i += Swar.first(stop);
          break;
        }
        i += 8;
      }
      if (i >= end) return -1;
      byte c = b[i];
      if (c == '"') {
        sawEscape = escape;
        sawHighBit = high;
        return i;
      }
      if (c == '\\') {
        // The escaped character is checked by the unescaper where the value matters; a control character after a
        // backslash is never valid, and stepping over a newline would leave the line.
        if (i + 1 < end && b[i + 1] >= 0 && b[i + 1] < 0x20) return -1;
        escape = true;
        i += 2;
        continue;
      }
      if (c < 0) {
        high = true;
      } else if (c < 0x20) {
        return -1; // a raw control character: invalid JSON
      }
      i++;
    }
  }

  /** Skips any value; returns the index after it, or -1 when it is malformed or unterminated. */
  private int skipValue(byte[] b, int i, int end) {
    byte c = b[i];
    if (c == '"') {
      int close = skipString(b, i + 1, end);
      return close < 0 ? -1 : close + 1;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      for (; i < end; i++) {
        c = b[i];
        if (c == '"') {
          i = skipString(b, i + 1, end);
          if (i < 0) return -1;
        } else if (c == '\n') {
          return -1;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return i + 1;
        }
      }
      return -1;
    }
    // A number or a literal: its characters up to the next separator, checked loosely (the full parser rules on
    // odd ones: anything but these characters sends the line there).
    int start = i;
    for (; i < end; i++) {
      byte kind = SCALAR[b[i] & 0xff];
      if (kind == SCALAR_CHAR) continue;
      if (kind == SCALAR_END) break;
      return -1;
    }
    return i > start ? i : -1;
  }

  private static final byte SCALAR_CHAR = 1;
  private static final byte SCALAR_END = 2;
  /** Per byte, whether it may be part of a number or literal, ends one, or neither (a table: one load per byte). */
  private static final byte[] SCALAR = new byte[256];

  static {
    for (int c = '0'; c <= '9'; c++) SCALAR[c] = SCALAR_CHAR;
    for (int c = 'a'; c <= 'z'; c++) SCALAR[c] = SCALAR_CHAR;
    for (char c : new char[] {'-', '+', '.', 'E'}) SCALAR[c] = SCALAR_CHAR;
    for (char c : new char[] {',', '}', ' ', '\t', '\r'}) SCALAR[c] = SCALAR_END;
  }

  /** Skips JSON whitespace, except a newline: within a line there is none, and {@link #scanLine} must stop at it. */
  private static int skipBlank(byte[] b, int i, int end) {
    // Fluent Bit writes none: one test for the usual case.
    while (i < end && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')) i++;
    return i;
  }

  private static int lastNonBlank(byte[] b, int from, int end) {
    for (int i = end - 1; i >= from; i--) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
    }
    return -1;
  }
}
