package io.logcompactor.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits decoded log bytes into lines without ever holding more than {@code maxLineBytes} of one line. A longer line
 * is handed out in fragments as it arrives (the caller passes it through unparsed), so a 10 MiB line costs no more
 * memory than the cap.
 */
public final class LineReader {
  /** What {@link #next()} found. */
  public enum Event {
    /** A whole line (without its newline) in {@link #data()}[{@link #offset()}, +{@link #length()}). */
    LINE,
    /** Part of an over-long line; more follows. */
    FRAGMENT,
    /** The last part of an over-long line. */
    FRAGMENT_END,
    /** No more lines. */
    EOF
  }

  /**
   * Finds the end of a line while doing its own work on the line's bytes, so they are walked once rather than once
   * here and once by the caller.
   */
  @FunctionalInterface
  public interface LineScan {
    /**
     * @param from where a line starts
     * @param to   the end of the bytes at hand (the line may go on past it)
     * @return the index of the newline that ends the line, or -1 when it cannot tell: the reader then looks itself
     */
    int lineEnd(byte[] b, int from, int to);
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final LineScan scan;
  private boolean scanned;
  private byte[] buf;
  private int pos;
  private int lim;
  private byte[] line = new byte[256];
  private int lineLen;
  private boolean oversized;
  private boolean eof;
  private byte[] outData;
  private int outOff;
  private int outLen;
  private long consumed;

  public LineReader(InputStream in, int maxLineBytes) {
    this(in, maxLineBytes, 64 * 1024);
  }

  public LineReader(InputStream in, int maxLineBytes, int bufferSize) {
    this(in, maxLineBytes, bufferSize, null);
  }

  /** @param scan called at the start of each line that begins in a buffer, or null */
  public LineReader(InputStream in, int maxLineBytes, LineScan scan) {
    this(in, maxLineBytes, 64 * 1024, scan);
  }

  LineReader(InputStream in, int maxLineBytes, int bufferSize, LineScan scan) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.scan = scan;
    this.buf = in instanceof ReadAheadStream ? new byte[0] : new byte[bufferSize];
  }

  /** The bytes of the last event; valid until the next call of {@link #next()}. */
  public byte[] data() {
    return outData;
  }

  public int offset() {
    return outOff;
  }

  public int length() {
    return outLen;
  }

  /** Whether the last {@link Event#LINE}'s end was found by the {@link LineScan}, which then walked all of it. */
  public boolean scanned() {
    return scanned;
  }

  /** Decoded bytes handed out so far, newlines included: where to resume after reopening the same content. */
  public long consumed() {
    return consumed;
  }

  public Event next() throws IOException {
    scanned = false;
    while (true) {
      if (pos == lim) {
        if (eof || !fill()) {
          eof = true;
          if (oversized) {
            oversized = false;
            return emit(buf, pos, 0, Event.FRAGMENT_END, 0);
          }
          if (lineLen > 0) {
            int n = lineLen;
            lineLen = 0;
            return emit(line, 0, n, Event.LINE, 0);
          }
          return Event.EOF;
        }
      }
      int nl = -1;
      boolean found = false;
      if (scan != null && lineLen == 0 && !oversized) {
        nl = scan.lineEnd(buf, pos, lim);
        found = nl >= 0;
      }
      if (!found) nl = indexOfNewline(buf, pos, lim);
      int end = nl >= 0 ? nl : lim;
      int n = end - pos;
      if (!oversized && (long) lineLen + n <= maxLineBytes) {
        if (nl >= 0 && lineLen == 0) {
          // The whole line is in the buffer: handed out from there, not copied.
          int start = pos;
          pos = nl + 1;
          scanned = found;
          return emit(buf, start, n, Event.LINE, 1);
        }
        append(buf, pos, n);
        pos = end;
        if (nl >= 0) {
          pos++;
          int len = lineLen;
          lineLen = 0;
          return emit(line, 0, len, Event.LINE, 1);
        }
        continue;
      }
      if (!oversized) {
        oversized = true;
        if (lineLen > 0) {
          // Handed out from the array it is in; shrinking only replaces the array the next line goes to.
          byte[] held = line;
          int len = lineLen;
          lineLen = 0;
          shrink();
          return emit(held, 0, len, Event.FRAGMENT, 0);
        }
      }
      int start = pos;
      pos = end;
      if (nl >= 0) {
        pos++;
        oversized = false;
        return emit(buf, start, n, Event.FRAGMENT_END, 1);
      }
      return emit(buf, start, n, Event.FRAGMENT, 0);
    }
  }

  private Event emit(byte[] data, int off, int len, Event e, int newline) {
    outData = data;
    outOff = off;
    outLen = len;
    consumed += len + newline;
    return e;
  }

  private void append(byte[] src, int off, int n) {
    if (lineLen + n > line.length) {
      int cap = (int) Math.min(Math.max((long) line.length * 2, (long) lineLen + n), maxLineBytes);
      line = Arrays.copyOf(line, cap);
    }
    System.arraycopy(src, off, line, lineLen, n);
    lineLen += n;
  }

  /** A huge line buffer is not kept for the rest of the stream. */
  private void shrink() {
    if (line.length > 64 * 1024) line = new byte[256];
  }

  private boolean fill() throws IOException {
    if (in instanceof ReadAheadStream ahead) {
      // Lines are split in the read-ahead buffers themselves: one copy of every byte fewer.
      byte[] b = ahead.borrow();
      if (b == null) return false;
      buf = b;
      pos = ahead.borrowedOffset();
      lim = pos + ahead.borrowedLength();
      return true;
    }
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) return false;
    pos = 0;
    lim = n;
    return true;
  }

  private static final long NEWLINES = Swar.repeat('\n');

  /** The first newline in {@code b[from, to)}, or -1. */
  static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    // Two words a step: one branch per 16 bytes, and the two loads and tests overlap.
    for (; i + 16 <= to; i += 16) {
      long a = Swar.matches(Swar.word(b, i), NEWLINES);
      long c = Swar.matches(Swar.word(b, i + 8), NEWLINES);
      if ((a | c) != 0) return a != 0 ? i + Swar.first(a) : i + 8 + Swar.first(c);
    }
    for (; i + 8 <= to; i += 8) {
      long found = Swar.matches(Swar.word(b, i), NEWLINES);
      if (found != 0) return i + Swar.first(found);
    }
    for (; i < to; i++) if (b[i] == '\n') return i;
    return -1;
  }
}
