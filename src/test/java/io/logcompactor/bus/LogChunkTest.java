package io.logcompactor.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogChunkTest {
  private final LogChunk.Codec codec = new LogChunk.Codec();

  @Test
  @DisplayName("locally a chunk is handed over as it is, without a copy of its bytes")
  void localDeliveryKeepsTheArray() {
    LogChunk chunk = new LogChunk(new byte[] {1, 2, 3}, false);
    assertThat(codec.transform(chunk)).isSameAs(chunk);
  }

  @Test
  @DisplayName("over the wire a chunk keeps its bytes and its end flag, behind other bytes of the buffer")
  void wireRoundTrip() {
    for (LogChunk chunk : new LogChunk[] {new LogChunk("a line\n".getBytes(), true), new LogChunk(new byte[0], false)}) {
      Buffer wire = Buffer.buffer("prefix");
      codec.encodeToWire(wire, chunk);
      LogChunk back = codec.decodeFromWire("prefix".length(), wire);
      assertThat(back.bytes()).isEqualTo(chunk.bytes());
      assertThat(back.end()).isEqualTo(chunk.end());
    }
  }
}
