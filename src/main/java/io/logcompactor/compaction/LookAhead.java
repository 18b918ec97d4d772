package io.logcompactor.compaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Fetches items in parallel ahead of an in-order consumer, with at most {@code budget} bytes fetched but not yet
 * consumed (an item costing more than the whole budget is fetched alone), and at most {@code maxItems} items
 * started and not consumed. Memory is bounded by bytes because raw objects range from bytes to many MiB; the item
 * cap keeps a run from queueing thousands of tasks on a shared pool. Used from one thread.
 */
final class LookAhead<I, T> {
  private final List<I> items;
  private final ToLongFunction<I> cost;
  private final Function<I, CompletionStage<T>> fetch;
  private final long budget;
  private final int maxItems;
  private final List<CompletableFuture<T>> started = new ArrayList<>();
  private int consumed;
  private long inFlight;
  private long maxInFlight;

  LookAhead(List<I> items, ToLongFunction<I> cost, Function<I, CompletionStage<T>> fetch, long budget, int maxItems) {
    this.items = List.copyOf(items);
    this.cost = cost;
    this.fetch = fetch;
    this.budget = budget;
    this.maxItems = maxItems;
  }

  boolean hasNext() {
    return consumed < items.size();
  }

  /** The next item's result, in order; waits for it. A failed fetch is rethrown as its cause. */
  T next() throws Exception {
    if (!hasNext()) throw new java.util.NoSuchElementException();
    topUp();
    CompletableFuture<T> f = started.get(consumed);
    T result;
    try {
      result = f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      started.set(consumed, null);
      inFlight -= cost.applyAsLong(items.get(consumed));
      consumed++;
    }
    topUp();
    return result;
  }

  /** The most bytes that were ever fetched ahead at once. */
  long maxInFlight() {
    return maxInFlight;
  }

  private void topUp() {
    while (started.size() < items.size()) {
      long c = cost.applyAsLong(items.get(started.size()));
      boolean nothingAhead = started.size() == consumed;
      if (!nothingAhead && (inFlight + c > budget || started.size() - consumed >= maxItems)) return;
      I item = items.get(started.size());
      inFlight += c;
      maxInFlight = Math.max(maxInFlight, inFlight);
      started.add(fetch.apply(item).toCompletableFuture());
    }
  }
}
