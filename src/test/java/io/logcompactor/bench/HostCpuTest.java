package io.logcompactor.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HostCpuTest {
  @Test
  void splitsTheCoresTimeIntoBusyIdleAndSteal() {
    long[] from = HostCpu.parse("cpu  240947 0 49949 1153764 1042 0 4794 24492 0 0");
    long[] to = HostCpu.parse("cpu  241047 2 49979 1153770 1043 1 4796 24505 7 0");
    assertArrayEquals(new long[] {240947, 0, 49949, 1153764, 1042, 0, 4794, 24492}, from);
    // busy: 100 user + 2 nice + 30 system + 1 irq + 2 softirq ticks; idle: 6 + 1 iowait; steal 13.
    assertEquals("host: busy 1350 ms, idle 70 ms, steal 130 ms", HostCpu.between(from, to));
  }

  @Test
  void saysNothingWithoutProcStat() {
    assertNull(HostCpu.parse("intr 12345 0 0"));
    assertEquals("host: -", HostCpu.between(null, new long[8]));
  }
}
