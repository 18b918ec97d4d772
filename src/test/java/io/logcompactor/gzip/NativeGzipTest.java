package io.logcompactor.gzip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NativeGzipTest {
  @Test
  @DisplayName("the test JVM has libdeflate (the pom's native.jvm.flags and the system's libdeflate0)")
  void libdeflateIsInUse() {
    assertThat(NativeGzip.engine())
        .as("run with --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED and libdeflate.so.0")
        .isEqualTo("libdeflate");
  }

  @Test
  @DisplayName("no more stream decoders are open at once than there are cores; a closed one makes room")
  void streamDecodersAreBounded() {
    int cores = Runtime.getRuntime().availableProcessors();
    List<NativeGzip.Decoder> open = new ArrayList<>();
    try {
      for (int i = 0; i < cores; i++) open.add(NativeGzip.newDecoder());
      assertThat(open).doesNotContainNull();
      assertThat(NativeGzip.newDecoder()).as("one more than the cores").isNull();
      NativeGzip.Decoder first = open.remove(0);
      first.close();
      first.close(); // a second close gives nothing back twice
      open.add(NativeGzip.newDecoder());
      assertThat(open).doesNotContainNull();
      assertThat(NativeGzip.newDecoder()).isNull();
    } finally {
      open.forEach(NativeGzip.Decoder::close);
    }
    NativeGzip.Decoder again = NativeGzip.newDecoder();
    assertThat(again).isNotNull();
    again.close();
  }

  @Test
  @DisplayName("a closed stream decoder is kept for the next stream, which gets it with the buffers it grew, and the "
      + "old handle can no longer reach it")
  void closedStreamDecodersAreReused() {
    byte[] text = atLeast(5 << 20, new SplittableRandom(7));
    byte[] gz = GzipSamples.member(text, 6);
    NativeGzip.Decoder first = NativeGzip.newDecoder();
    assertThat(first).isNotNull();
    assertThat(inflate(first, gz)).isEqualTo(text);
    int idle = NativeGzip.idleStreamDecoders();
    first.close();
    assertThat(NativeGzip.idleStreamDecoders()).isEqualTo(idle + 1);
    assertThatThrownBy(first::produced).isInstanceOf(IllegalStateException.class);
    first.close();
    assertThat(NativeGzip.idleStreamDecoders()).as("a second close gives nothing back twice").isEqualTo(idle + 1);

    NativeGzip.Decoder second = NativeGzip.newDecoder();
    try {
      assertThat(NativeGzip.idleStreamDecoders()).isEqualTo(idle);
      byte[] other = atLeast(3 << 20, new SplittableRandom(8));
      assertThat(inflate(second, GzipSamples.member(other, 1))).isEqualTo(other);
      assertThat(inflate(second, gz)).isEqualTo(text);
    } finally {
      second.close();
    }
  }

  /** Log text of at least {@code bytes}: more than a new decoder's 1 MiB of output. */
  private static byte[] atLeast(int bytes, SplittableRandom rnd) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (out.size() < bytes) out.writeBytes(GzipSamples.logText(rnd, 1 << 20));
    return out.toByteArray();
  }

  private static byte[] inflate(NativeGzip.Decoder d, byte[] gz) {
    d.load(gz, 0, gz.length);
    assertThat(d.member(0, 0)).isEqualTo(NativeGzip.Outcome.INFLATED);
    assertThat(d.consumed()).isEqualTo(gz.length);
    byte[] out = new byte[Math.toIntExact(d.produced())];
    d.copyOut(0, out, 0, out.length);
    return out;
  }
}
