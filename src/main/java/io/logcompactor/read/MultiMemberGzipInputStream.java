package io.logcompactor.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes every gzip member of a stream, one after another, to the stream's end. {@link java.util.zip.GZIPInputStream}
 * decides whether another member follows by asking {@code available()}, which network streams answer with 0 at a
 * member boundary, and it silently ignores a damaged member after the first: both lose lines of a merged file. This
 * decoder reads members until the underlying stream reports EOF, checks each member's CRC and length, and fails
 * loudly on anything else.
 *
 * <p>With {@code allowPlain}, a stream that does not start with the gzip magic is passed through unchanged: Fluent
 * Bit writes plain JSON lines when compression is off.
 */
public final class MultiMemberGzipInputStream extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private enum State { HEADER, BODY, PLAIN, EOF }

  private final InputStream in;
  private final boolean allowPlain;
  private final byte[] buf;
  private int pos;
  private int lim;
  private long consumedBefore;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private long memberOut;
  private int members;
  private State state = State.HEADER;

  public MultiMemberGzipInputStream(InputStream in, boolean allowPlain) {
    this(in, allowPlain, 64 * 1024);
  }

  public MultiMemberGzipInputStream(InputStream in, boolean allowPlain, int bufferSize) {
    this.in = in;
    this.allowPlain = allowPlain;
    this.buf = new byte[bufferSize];
  }

  /** Members whose header has been read so far. */
  public int members() {
    return members;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (true) {
      switch (state) {
        case EOF:
          return -1;
        case PLAIN: {
          if (pos < lim) {
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
          }
          int n = in.read(b, off, len);
          if (n < 0) state = State.EOF;
          return n;
        }
        case HEADER:
          readHeader();
          break;
        case BODY: {
          int n = inflate(b, off, len);
          if (n > 0) return n;
          break;
        }
        default:
          throw new IllegalStateException();
      }
    }
  }

  /** @return bytes inflated (> 0), or 0 when the member ended (state moves on) */
  private int inflate(byte[] b, int off, int len) throws IOException {
    while (true) {
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw corrupt("invalid deflate data: " + e.getMessage(), e);
      }
      if (n > 0) {
        crc.update(b, off, n);
        memberOut += n;
        return n;
      }
      if (inflater.finished()) {
        pos = lim - inflater.getRemaining();
        readTrailer();
        state = State.HEADER;
        return 0;
      }
      if (inflater.needsDictionary()) throw corrupt("deflate stream needs a preset dictionary", null);
      if (inflater.needsInput()) {
        if (!fill()) throw corrupt("truncated gzip member (no trailer before the end of the stream)", null);
        inflater.setInput(buf, pos, lim - pos);
        pos = lim;
      }
    }
  }

  /** Reads the next member's header, or notices the end of the stream; sets the next state. */
  private void readHeader() throws IOException {
    if (!ensure(1)) {
      if (members == 0 && !allowPlain) throw corrupt("empty stream, expected gzip", null);
      state = State.EOF;
      return;
    }
    if (members == 0 && allowPlain
        && (!ensure(2) || (buf[pos] & 0xff) != 0x1f || (buf[pos + 1] & 0xff) != 0x8b)) {
      state = State.PLAIN;
      return;
    }
    if (readByte() != 0x1f || readByte() != 0x8b) throw corrupt("not a gzip member (bad magic)", null);
    if (readByte() != 8) throw corrupt("unsupported gzip compression method", null);
    int flags = readByte();
    for (int i = 0; i < 6; i++) readByte(); // MTIME, XFL, OS
    if ((flags & FEXTRA) != 0) {
      int xlen = readByte() | (readByte() << 8);
      for (int i = 0; i < xlen; i++) readByte();
    }
    if ((flags & FNAME) != 0) while (readByte() != 0) { /* skip */ }
    if ((flags & FCOMMENT) != 0) while (readByte() != 0) { /* skip */ }
    if ((flags & FHCRC) != 0) {
      readByte();
      readByte();
    }
    members++;
    inflater.reset();
    crc.reset();
    memberOut = 0;
    if (pos < lim) {
      inflater.setInput(buf, pos, lim - pos);
      pos = lim;
    }
    state = State.BODY;
  }

  private void readTrailer() throws IOException {
    long expectedCrc = readInt();
    long expectedSize = readInt();
    if (expectedCrc != crc.getValue()) throw corrupt("gzip member CRC mismatch", null);
    if (expectedSize != (memberOut & 0xffffffffL)) throw corrupt("gzip member size mismatch", null);
  }

  private long readInt() throws IOException {
    return (readByte() | (readByte() << 8) | (readByte() << 16) | ((long) readByte() << 24)) & 0xffffffffL;
  }

  private int readByte() throws IOException {
    if (pos == lim && !fill()) throw corrupt("truncated gzip header or trailer", null);
    return buf[pos++] & 0xff;
  }

  /** Refills the buffer when it is used up. @return false at end of stream */
  private boolean fill() throws IOException {
    return ensure(1);
  }

  /**
   * Makes at least {@code n} unread bytes available in {@code buf[pos..lim)}, moving the unread rest to the front.
   * Called only when the inflater holds no input of ours, so moving bytes cannot corrupt it.
   * @return false when the stream ends first
   */
  private boolean ensure(int n) throws IOException {
    if (lim - pos >= n) return true;
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      consumedBefore += pos;
      lim -= pos;
      pos = 0;
    }
    while (lim < n) {
      int r = in.read(buf, lim, buf.length - lim);
      if (r < 0) return false;
      lim += r;
    }
    return true;
  }

  private CorruptDataException corrupt(String what, Throwable cause) {
    return new CorruptDataException(what + " (member " + Math.max(members, 1) + ", near compressed byte "
        + (consumedBefore + pos) + ")", cause);
  }

  @Override
  public void close() throws IOException {
    state = State.EOF;
    inflater.end();
    in.close();
  }
}
