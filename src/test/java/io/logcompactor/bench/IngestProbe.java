package io.logcompactor.bench;

import io.logcompactor.Service;
import io.logcompactor.bus.Addresses;
import io.logcompactor.local.LocalServers;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Watches a queue drain into the tracker: from the first message taken to the last one deleted. */
final class IngestProbe {
  private IngestProbe() {}

  static double millisUntilDrained(Service service, LocalServers.Environment env, int n) throws Exception {
    long first = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      Map<QueueAttributeName, String> a = env.sqs().getQueueAttributes(b -> b.queueUrl(env.queueUrl())
          .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
              QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
      int visible = Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
      int inFlight = Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
      long now = System.nanoTime();
      if (first == 0 && visible < n) first = now;
      if (first != 0 && visible == 0 && inFlight == 0) {
        double ms = (now - first) / 1e6;
        long tracked = trackedRawFiles(service);
        if (tracked != n) throw new IllegalStateException("queue drained but the tracker holds " + tracked + " of " + n);
        return ms;
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException("queue did not drain within 5 minutes");
  }

  /** Sum of pending raw files over every tracked pod, paging through the tracker's list. */
  static long trackedRawFiles(Service service) throws Exception {
    long total = 0;
    int offset = 0;
    while (true) {
      JsonObject page = service.vertx().eventBus()
          .<JsonObject>request(Addresses.TRACKER_LIST, new JsonObject().put("offset", offset).put("limit", 500))
          .await(30, TimeUnit.SECONDS).body();
      var pods = page.getJsonArray("pods");
      for (int i = 0; i < pods.size(); i++) total += pods.getJsonObject(i).getLong("pending_raw_files");
      offset += pods.size();
      if (pods.isEmpty() || offset >= page.getInteger("total")) return total;
    }
  }
}
