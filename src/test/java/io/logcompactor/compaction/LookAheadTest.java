package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LookAheadTest {
  @Test
  @DisplayName("results come in order while fetches run ahead, never more bytes ahead than the budget")
  void orderedAndBounded() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Integer> sizes = new ArrayList<>();
      for (int i = 0; i < 200; i++) sizes.add(1 + (i * 37) % 100);
      AtomicInteger concurrent = new AtomicInteger();
      AtomicInteger maxConcurrent = new AtomicInteger();
      LookAhead<Integer, Integer> ahead = new LookAhead<>(indices(200), i -> sizes.get(i), i ->
          CompletableFuture.supplyAsync(() -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            concurrent.decrementAndGet();
            return i;
          }, pool), 300, 1000);
      List<Integer> out = new ArrayList<>();
      while (ahead.hasNext()) out.add(ahead.next());
      assertThat(out).isEqualTo(indices(200));
      assertThat(ahead.maxInFlight()).isLessThanOrEqualTo(300).isGreaterThan(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("no more than the item cap are started ahead, however small they are")
  void itemCap() throws Exception {
    List<Integer> started = new ArrayList<>();
    LookAhead<Integer, Integer> ahead = new LookAhead<>(indices(100), i -> 1, i -> {
      started.add(i);
      return CompletableFuture.completedFuture(i);
    }, 1_000_000, 4);
    assertThat(ahead.next()).isEqualTo(0);
    // Four were started before the first was consumed; consuming it let one more start.
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    assertThat(ahead.next()).isEqualTo(1);
    assertThat(started).hasSize(6);
  }

  @Test
  @DisplayName("an item larger than the whole budget is still fetched, alone")
  void oversizedItem() throws Exception {
    List<Long> costs = List.of(10L, 5000L, 10L);
    List<Integer> order = new ArrayList<>();
    LookAhead<Integer, Integer> ahead = new LookAhead<>(indices(3), i -> costs.get(i), i -> {
      order.add(i);
      return CompletableFuture.completedFuture(i);
    }, 100, 10);
    assertThat(ahead.next()).isEqualTo(0);
    assertThat(ahead.next()).isEqualTo(1);
    assertThat(ahead.next()).isEqualTo(2);
    assertThat(ahead.maxInFlight()).isEqualTo(5000);
    assertThat(order).containsExactly(0, 1, 2);
  }

  @Test
  @DisplayName("a failed fetch surfaces as its own exception when its turn comes")
  void failure() throws Exception {
    LookAhead<Integer, Integer> ahead = new LookAhead<>(indices(2), i -> 1, i -> i == 1
        ? CompletableFuture.failedFuture(new java.io.IOException("boom")) : CompletableFuture.completedFuture(i), 10, 10);
    assertThat(ahead.next()).isEqualTo(0);
    assertThatThrownBy(ahead::next).isInstanceOf(java.io.IOException.class).hasMessage("boom");
  }

  private static List<Integer> indices(int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(i);
    return l;
  }
}
