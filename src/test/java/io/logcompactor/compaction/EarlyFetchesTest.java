package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EarlyFetchesTest {
  /** Fetches that complete only when the test says so, recorded in the order they were started. */
  private final List<Integer> started = new ArrayList<>();
  private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();

  private CompletableFuture<String> fetch(int item) {
    started.add(item);
    CompletableFuture<String> f = new CompletableFuture<>();
    pending.put(item, f);
    return f;
  }

  private static List<Integer> items(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Test
  @DisplayName("fetches start in the order offered, no more running at once than the cap")
  void orderAndCap() {
    EarlyFetches<Integer, String> early = new EarlyFetches<>(this::fetch, i -> 1, 1_000, 3);
    early.offer(items(0, 10));
    assertThat(started).containsExactly(0, 1, 2);

    pending.get(1).complete("one");
    assertThat(started).containsExactly(0, 1, 2, 3);
    pending.get(0).complete("zero");
    pending.get(2).complete("two");
    assertThat(started).containsExactly(0, 1, 2, 3, 4, 5);
    early.offer(items(10, 12));
    pending.get(3).complete("three");
    assertThat(started).containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  @DisplayName("no more bytes are fetched early in all than the budget, and later pages are not offered in")
  void budget() {
    EarlyFetches<Integer, String> early = new EarlyFetches<>(this::fetch, i -> 10, 35, 100);
    early.offer(items(0, 10));
    assertThat(started).containsExactly(0, 1, 2);

    pending.values().forEach(f -> f.complete("done"));
    early.offer(items(10, 20));
    assertThat(started).containsExactly(0, 1, 2);
  }

  @Test
  @DisplayName("the merge takes each early fetch once; what was not started early is its own to fetch")
  void take() throws Exception {
    EarlyFetches<Integer, String> early = new EarlyFetches<>(this::fetch, i -> 1, 1_000, 2);
    early.offer(items(0, 5));
    pending.get(0).complete("zero");

    assertThat(early.take(0).get()).isEqualTo("zero");
    assertThat(early.take(0)).isNull();
    // Completing the first let the third start.
    assertThat(early.take(2)).isSameAs(pending.get(2));
    assertThat(early.take(3)).isNull();
    assertThat(early.take(99)).isNull();
  }

  @Test
  @DisplayName("once the listing has ended nothing more starts early, though fetches under way still finish")
  void close() throws Exception {
    EarlyFetches<Integer, String> early = new EarlyFetches<>(this::fetch, i -> 1, 1_000, 2);
    early.offer(items(0, 5));
    early.close();
    pending.get(0).complete("zero");
    early.offer(items(5, 10));

    assertThat(started).containsExactly(0, 1);
    assertThat(early.take(0).get()).isEqualTo("zero");
    assertThat(early.take(2)).isNull();
  }

  @Test
  @DisplayName("fetches that complete at once keep starting the next, in order, without recursing")
  void completedAtOnce() {
    List<Integer> order = new ArrayList<>();
    EarlyFetches<Integer, String> early = new EarlyFetches<>(i -> {
      order.add(i);
      return CompletableFuture.completedFuture("x");
    }, i -> 1, 1_000_000, 1);
    early.offer(items(0, 50_000));

    assertThat(order).isEqualTo(items(0, 50_000));
    assertThat(early.startedCount()).isEqualTo(50_000);
  }

  @Test
  @DisplayName("a pool that refuses work ends early fetching without failing the listing")
  void refused() {
    EarlyFetches<Integer, String> early = new EarlyFetches<>(i -> {
      if (i == 2) throw new RejectedExecutionException("pool closed");
      return fetch(i);
    }, i -> 1, 1_000, 10);
    early.offer(items(0, 5));

    assertThat(started).containsExactly(0, 1);
    assertThat(early.take(2)).isNull();
    early.offer(items(5, 10));
    assertThat(started).containsExactly(0, 1);
  }
}
