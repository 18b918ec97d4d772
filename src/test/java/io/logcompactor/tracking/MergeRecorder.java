package io.logcompactor.tracking;

import io.logcompactor.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Stands in for the compaction engine in tests: consumes the real {@link Addresses#MERGE_POD} request, records it,
 * and answers as the test's policy says (merged, a failure, or not yet).
 */
public final class MergeRecorder {
  /** One request as the tracker sent it. */
  public record Request(String pod, String cause) {}

  /** What to do with a request. */
  public enum Answer { MERGED, FAIL, HOLD }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
  private final MessageConsumer<JsonObject> consumer;
  private volatile Function<Request, Answer> policy;

  private MergeRecorder(Vertx vertx, Function<Request, Answer> policy) {
    this.policy = policy;
    this.consumer = vertx.eventBus().consumer(Addresses.MERGE_POD, m -> {
      Request r = new Request(m.body().getString("pod"), m.body().getString("cause"));
      requests.add(r);
      switch (this.policy.apply(r)) {
        case MERGED -> m.reply(merged(r.pod()));
        case FAIL -> m.fail(500, "test compaction failure");
        case HOLD -> held.add(m);
      }
    });
  }

  /** Registers the consumer and waits until it is registered. */
  public static MergeRecorder register(Vertx vertx, Function<Request, Answer> policy) throws Exception {
    MergeRecorder r = new MergeRecorder(vertx, policy);
    r.consumer.completion().await(10, TimeUnit.SECONDS);
    return r;
  }

  public static MergeRecorder alwaysMerged(Vertx vertx) throws Exception {
    return register(vertx, r -> Answer.MERGED);
  }

  private static JsonObject merged(String pod) {
    return new JsonObject().put("pod", pod).put("status", "merged").put("merged_raw_files", 0)
        .put("log_files_written", 0);
  }

  public void policy(Function<Request, Answer> policy) {
    this.policy = policy;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requestsFor(String pod) {
    return requests.stream().filter(r -> r.pod().equals(pod)).toList();
  }

  public int heldCount() {
    return held.size();
  }

  /** Answers every held request with "merged". */
  public void releaseHeld() {
    List<Message<JsonObject>> now = List.copyOf(held);
    held.removeAll(now);
    now.forEach(m -> m.reply(merged(m.body().getString("pod"))));
  }

  public void unregister() throws Exception {
    consumer.unregister().await(10, TimeUnit.SECONDS);
  }
}
