package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ByteSinkTest {
  @Test
  @DisplayName("chunks taken from the front, between writes of any size, give back exactly the bytes written")
  void takeReturnsTheBytesInOrder() {
    SplittableRandom rnd = new SplittableRandom(7);
    ByteSink sink = new ByteSink(16);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    ByteArrayOutputStream taken = new ByteArrayOutputStream();
    for (int round = 0; round < 2_000; round++) {
      // Now and then a write far beyond the initial size, so the buffer grows and shrinks back.
      byte[] b = new byte[rnd.nextInt(10) == 0 ? rnd.nextInt(200) : rnd.nextInt(12)];
      rnd.nextBytes(b);
      sink.write(b, 0, b.length);
      written.writeBytes(b);
      if (rnd.nextBoolean()) taken.writeBytes(sink.take(rnd.nextInt(1, 64)));
    }
    while (sink.size() > 0) taken.writeBytes(sink.take(50));
    assertThat(taken.toByteArray()).isEqualTo(written.toByteArray());
    assertThat(sink.take(10)).isEmpty();
  }
}
