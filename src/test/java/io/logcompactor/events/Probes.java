package io.logcompactor.events;

import io.logcompactor.bus.Addresses;
import io.logcompactor.local.LocalServers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Reads what tests assert on: counters, the tracker's view of a pod, what is left on a queue. */
public final class Probes {
  private Probes() {}

  /** A counter's value, 0 when it was never registered. @param tags name, value, name, value... */
  public static double count(MeterRegistry registry, String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  public static JsonObject podStatus(Vertx vertx, String pod) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.TRACKER_POD_STATUS, new JsonObject().put("pod", pod))
        .await(10, TimeUnit.SECONDS).body();
  }

  public static int pending(Vertx vertx, String pod) throws Exception {
    return podStatus(vertx, pod).getInteger("pending_raw_files");
  }

  /** Messages on the queue, visible or in flight. */
  public static int messagesOnQueue(LocalServers.Environment env, String queueUrl) {
    Map<QueueAttributeName, String> a = env.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }
}
