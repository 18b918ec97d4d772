package io.logcompactor.tracking;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.layout.RawKeyParser;
import io.logcompactor.s3.S3Store;
import io.logcompactor.s3.StoredObject;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads what the bucket says is pending: a listing of the raw prefix only (its cost grows with pods and raw files,
 * never with merged data), then, for each pod that has raw files, {@code metadata/{pod}.json}, whose
 * {@code merged_raw_keys} and {@code rejected_raw_keys} are not pending even though they are still in the bucket.
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private Reconciler() {}

  private record Listed(Map<String, List<S3Object>> byPod, int rawObjects, int foreignKeys) {}

  static Future<RawListing> read(S3Store store, int parallelism) {
    return store.blocking(() -> group(store.listBlocking(Keys.RAW_PREFIX))).compose(listed -> {
      Map<String, PodListing> pods = new HashMap<>();
      Set<String> unreadable = new HashSet<>();
      return forEach(new ArrayList<>(listed.byPod().entrySet()), parallelism,
          e -> store.blocking(() -> podListing(store, e.getKey(), e.getValue())).onComplete(ar -> {
            if (ar.succeeded()) {
              pods.put(e.getKey(), ar.result());
            } else {
              unreadable.add(e.getKey());
              LOG.warn("reconcile leaves pod {} as it is: {}", e.getKey(), ar.cause().getMessage());
            }
          }))
          .map(v -> new RawListing(pods, unreadable, listed.rawObjects(), listed.foreignKeys()));
    });
  }

  private static Listed group(List<S3Object> objects) {
    Map<String, List<S3Object>> byPod = new HashMap<>();
    int foreign = 0;
    for (S3Object o : objects) {
      if (RawKeyParser.parse(o.key()) instanceof RawKeyParser.Parsed p) {
        byPod.computeIfAbsent(p.rawKey().pod(), k -> new ArrayList<>()).add(o);
      } else {
        foreign++;
      }
    }
    return new Listed(byPod, objects.size(), foreign);
  }

  /** Runs on the S3 pool: reads the pod's metadata and subtracts what it lists as merged or rejected. */
  private static PodListing podListing(S3Store store, String pod, List<S3Object> objects) throws Exception {
    Set<String> done = new HashSet<>();
    Optional<StoredObject> meta = store.getSmallBlocking(Keys.metadataKey(pod));
    if (meta.isPresent()) {
      JobMetadata m = MetadataCodec.parse(pod, meta.get().bytes());
      done.addAll(m.mergedRawKeys());
      m.rejectedRawKeys().forEach(r -> done.add(r.key()));
    }
    Set<String> live = new HashSet<>();
    Instant newest = null;
    for (S3Object o : objects) {
      if (!done.contains(o.key())) live.add(o.key());
      if (o.lastModified() != null && (newest == null || o.lastModified().isAfter(newest))) newest = o.lastModified();
    }
    return new PodListing(pod, live, newest);
  }

  /**
   * Applies {@code work} to every item with at most {@code parallelism} in flight; a failed item does not stop the
   * others. Completes when all are done.
   */
  static <T> Future<Void> forEach(List<T> items, int parallelism, Function<T, Future<?>> work) {
    Iterator<T> next = items.iterator();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.max(1, parallelism); i++) lanes.add(lane(next, work));
    return Future.all(lanes).mapEmpty();
  }

  private static <T> Future<Void> lane(Iterator<T> next, Function<T, Future<?>> work) {
    if (!next.hasNext()) return Future.succeededFuture();
    T item = next.next();
    return work.apply(item).transform(ar -> lane(next, work));
  }
}
