package io.logcompactor.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
