package io.logcompactor.read;

import io.logcompactor.gzip.NativeGzip;
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
 *
 * <p>Given a libdeflate decoder ({@link NativeGzip}), whole members that lie in the buffer are inflated by it (the
 * inflate is most of a read's decoding, and libdeflate's is about 1.7 times as fast as zlib's); the first member it
 * does not accept (damage, or a member larger than the buffer or its output) and every one after it go to zlib, which
 * gives every error.
 */
public final class MultiMemberGzipInputStream extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private enum State { HEADER, BODY, NATIVE, PLAIN, EOF }

  /** Input buffered for libdeflate: members from Fluent Bit's uploads are mostly far smaller. */
  static final int NATIVE_BUFFER = 1 << 20;
  /** The buffer is topped up when less than this is left, so a member of up to this much is there whole. */
  static final int NATIVE_REFILL_BELOW = NATIVE_BUFFER / 2;

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
  private boolean sourceEnded;
  private NativeGzip.Decoder decoder;
  /** Where the decoder's loaded input starts in {@code buf}, or -1 when the buffer changed since it was loaded. */
  private int loadedAt = -1;
  private long nativePos;
  private long nativeLim;
  private long largestNative;

  /** Decodes with libdeflate where it can (see the class description), else with zlib. */
  public MultiMemberGzipInputStream(InputStream in, boolean allowPlain) {
    this(in, allowPlain, NativeGzip.newDecoder());
  }

  private MultiMemberGzipInputStream(InputStream in, boolean allowPlain, NativeGzip.Decoder decoder) {
    this(in, allowPlain, decoder != null ? NATIVE_BUFFER : 64 * 1024, decoder);
  }

  /** zlib only. */
  public MultiMemberGzipInputStream(InputStream in, boolean allowPlain, int bufferSize) {
    this(in, allowPlain, bufferSize, null);
  }

  /** @param decoder libdeflate for whole members in the buffer, or null; closed with this stream */
  MultiMemberGzipInputStream(InputStream in, boolean allowPlain, int bufferSize, NativeGzip.Decoder decoder) {
    this.in = in;
    this.allowPlain = allowPlain;
    this.buf = new byte[bufferSize];
    this.decoder = decoder;
  }

  /**
   * The largest output of one libdeflate call so far: a whole member, inflated at once, where zlib inflates as it is
   * read.
   */
  public long largestBurst() {
    return largestNative;
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
          if (decoder == null || !inflateNatively()) readHeader();
          break;
        case NATIVE: {
          int n = (int) Math.min(len, nativeLim - nativePos);
          decoder.copyOut(nativePos, b, off, n);
          nativePos += n;
          if (nativePos == nativeLim) state = State.HEADER;
          return n;
        }
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

  /**
   * Inflates the next member with libdeflate if it accepts it whole; sets the next state.
   *
   * @return false to leave it to zlib: the end of the stream, plain input, or a member libdeflate did not accept (it
   *     is not used again for this stream, whose members are likely alike)
   */
  private boolean inflateNatively() throws IOException {
    if (lim - pos < NATIVE_REFILL_BELOW && !sourceEnded) ensure(buf.length);
    if (lim - pos < 2) return false;
    boolean magic = (buf[pos] & 0xff) == 0x1f && (buf[pos + 1] & 0xff) == 0x8b;
    if (!magic) return false;
    NativeGzip.Outcome outcome = inflateLoaded();
    if (outcome == NativeGzip.Outcome.REFUSED && !sourceEnded && lim - pos < buf.length) {
      // Perhaps only cut off by the end of the buffered bytes: once more with the buffer full.
      ensure(buf.length);
      outcome = inflateLoaded();
    }
    if (outcome != NativeGzip.Outcome.INFLATED) {
      decoder.close();
      decoder = null;
      return false;
    }
    members++;
    pos += (int) decoder.consumed();
    nativePos = 0;
    nativeLim = decoder.produced();
    largestNative = Math.max(largestNative, nativeLim);
    state = nativeLim > 0 ? State.NATIVE : State.HEADER;
    return true;
  }

  private NativeGzip.Outcome inflateLoaded() {
    if (loadedAt < 0) {
      decoder.load(buf, pos, lim - pos);
      loadedAt = pos;
    }
    return decoder.member(pos - loadedAt, 0);
  }

  private void compact() {
    if (pos == 0) return;
    System.arraycopy(buf, pos, buf, 0, lim - pos);
    consumedBefore += pos;
    lim -= pos;
    pos = 0;
    loadedAt = -1;
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
   * Makes at least {@code n} unread bytes available in {@code buf[pos..lim)}, moving the unread rest to the front
   * ({@code n = buf.length}: fills the buffer, or reads to the end of the stream). Called only when the inflater
   * holds no input of ours, so moving bytes cannot corrupt it.
   * @return false when the stream ends first
   */
  private boolean ensure(int n) throws IOException {
    if (lim - pos >= n) return true;
    compact();
    loadedAt = -1;
    while (lim < n) {
      int r = in.read(buf, lim, buf.length - lim);
      if (r < 0) {
        sourceEnded = true;
        return false;
      }
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
    if (decoder != null) {
      decoder.close();
      decoder = null;
    }
    inflater.end();
    in.close();
  }
}
