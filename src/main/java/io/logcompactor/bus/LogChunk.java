package io.logcompactor.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * A piece of a log stream, the reply to {@link Addresses#READ_NEXT}. Sent with {@link Codec}, which hands the same
 * array to the local consumer instead of copying it as the Buffer codec does: the reader never touches a chunk's
 * bytes after sending it, and a 1 GiB read would otherwise copy 1 GiB more on the event loop.
 *
 * @param end the last chunk of the stream
 */
public record LogChunk(byte[] bytes, boolean end) {
  /** Registers {@link Codec} as the codec of this class on {@code bus}; once per Vert.x instance. */
  public static void register(EventBus bus) {
    bus.registerDefaultCodec(LogChunk.class, new Codec());
  }

  /** Local delivery without a copy; over the wire, a flag byte, the length and the bytes. */
  public static final class Codec implements MessageCodec<LogChunk, LogChunk> {
    @Override
    public void encodeToWire(Buffer buffer, LogChunk chunk) {
      buffer.appendByte((byte) (chunk.end() ? 1 : 0)).appendInt(chunk.bytes().length).appendBytes(chunk.bytes());
    }

    @Override
    public LogChunk decodeFromWire(int pos, Buffer buffer) {
      boolean end = buffer.getByte(pos) == 1;
      int length = buffer.getInt(pos + 1);
      return new LogChunk(buffer.getBytes(pos + 5, pos + 5 + length), end);
    }

    @Override
    public LogChunk transform(LogChunk chunk) {
      return chunk;
    }

    @Override
    public String name() {
      return "log-chunk";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
