package io.logcompactor.read;

import io.logcompactor.bus.Addresses;
import io.logcompactor.bus.LogChunk;
import io.logcompactor.layout.MetadataCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves job logs over the event bus ({@link Addresses#READ_OPEN}, {@link Addresses#READ_NEXT},
 * {@link Addresses#READ_CLOSE}, {@link Addresses#READ_JOB_STATUS}). Each open stream is a {@link JobLogCursor}
 * driven on the {@value #POOL} worker pool: a chunk is produced only when asked for, plus one read ahead, so a slow
 * HTTP client slows the S3 reads and a closed one stops them. Streams nobody asks for within the stream timeout are
 * closed.
 */
public final class ReadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ReadVerticle.class);
  public static final String POOL = "log-read";
  /** Threads that decode objects ahead of the readers (see {@link ReadAheadStream}). */
  public static final String DECODE_POOL = "log-decode";
  static final int CHUNK_BYTES = 256 * 1024;
  /** Chunks produced ahead of the requests of one stream (512 KiB): enough to keep the reader busy. */
  static final int CHUNKS_AHEAD = 2;
  /** A READ_NEXT is answered within about this long, with an empty chunk if need be, so requests never time out. */
  private static final long WORK_BUDGET_NANOS = Duration.ofSeconds(2).toNanos();

  /** Tunables of the reader. */
  public record Settings(int maxLineBytes, Duration idleTimeout, Duration pollInterval, Duration streamTimeout,
                         int poolSize) {}

  private final JobStore store;
  private final ReadMetrics metrics;
  private final Settings settings;
  private final Map<String, LogStream> streams = new HashMap<>();
  private WorkerExecutor pool;
  private ThreadPoolExecutor decoders;
  private long sweepTimer;

  public ReadVerticle(JobStore store, ReadMetrics metrics, Settings settings) {
    this.store = store;
    this.metrics = metrics;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pool = vertx.createSharedWorkerExecutor(POOL, settings.poolSize());
    // A plain executor, not a Vert.x pool: its tasks (decoding ahead, a plan's listing) are short and never wait on a
    // reader, and once it is shut down a new task is refused at once (the stream then fails instead of waiting for a
    // task that never runs).
    AtomicInteger threads = new AtomicInteger();
    decoders = new ThreadPoolExecutor(settings.poolSize(), settings.poolSize(), 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, DECODE_POOL + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    decoders.allowCoreThreadTimeOut(true);
    long sweep = Math.max(100, settings.streamTimeout().toMillis() / 4);
    sweepTimer = vertx.setPeriodic(sweep, t -> closeAbandoned());
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.READ_OPEN, this::open).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.READ_NEXT, this::next).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.READ_CLOSE, this::close).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.READ_JOB_STATUS, this::status).completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    for (LogStream s : streams.values()) s.close();
    streams.clear();
    decoders.shutdown();
    return pool.close();
  }

  /** Streams open now (for tests and diagnostics). */
  public int openStreams() {
    return streams.size();
  }

  private void open(Message<JsonObject> msg) {
    ReadRequest request;
    try {
      request = ReadRequest.fromJson(msg.body());
    } catch (IllegalArgumentException | ClassCastException e) {
      msg.fail(400, e.getMessage());
      return;
    }
    JobLogCursor cursor = new JobLogCursor(request, store, metrics, settings.maxLineBytes(), settings.idleTimeout(),
        settings.pollInterval(), System::nanoTime, decoders);
    pool.executeBlocking(cursor::open, false).onComplete(ar -> {
      if (ar.failed()) {
        cursor.close();
        fail(msg, request.pod(), ar.cause());
      } else if (!ar.result()) {
        cursor.close();
        msg.fail(404, "job " + request.pod() + " not found");
      } else {
        String id = UUID.randomUUID().toString();
        streams.put(id, new LogStream(id, cursor));
        metrics.streamOpened(request.follow() ? "follow" : request.tail() >= 0 ? "tail" : "full");
        msg.reply(new JsonObject().put("stream_id", id));
      }
    });
  }

  private void next(Message<JsonObject> msg) {
    String id = msg.body().getString("stream_id");
    LogStream s = id == null ? null : streams.get(id);
    if (s == null) {
      msg.fail(404, "no open stream " + id);
      return;
    }
    if (s.asked) {
      msg.fail(409, "a READ_NEXT of stream " + id + " is already waiting");
      return;
    }
    s.asked = true;
    s.lastAsked = System.nanoTime();
    s.next().onComplete(ar -> {
      s.asked = false;
      s.lastAsked = System.nanoTime();
      if (ar.failed()) {
        streams.remove(id);
        s.close();
        fail(msg, s.cursorPod, ar.cause());
        return;
      }
      JobLogCursor.Chunk chunk = ar.result();
      if (chunk.end()) {
        streams.remove(id);
        s.close();
      }
      msg.reply(new LogChunk(chunk.bytes(), chunk.end()));
    });
  }

  private void close(Message<JsonObject> msg) {
    LogStream s = streams.remove(msg.body().getString("stream_id", ""));
    if (s != null) s.close();
  }

  private void status(Message<JsonObject> msg) {
    String pod = msg.body().getString("pod");
    if (pod == null || !io.logcompactor.layout.Names.isPodName(pod)) {
      msg.fail(400, "pod: " + io.logcompactor.layout.Names.podNameProblem(pod));
      return;
    }
    pool.executeBlocking(() -> JobStatusReader.read(store, pod), false).onComplete(ar -> {
      if (ar.failed()) fail(msg, pod, ar.cause());
      else if (ar.result() == null) msg.fail(404, "job " + pod + " not found");
      else msg.reply(ar.result());
    });
  }

  private void fail(Message<?> msg, String pod, Throwable e) {
    if (e instanceof MetadataCodec.UnreadableMetadataException) {
      LOG.error("pod {}: cannot read: {}", pod, e.getMessage());
      metrics.error("metadata_unreadable");
      msg.fail(503, e.getMessage());
    } else {
      LOG.error("pod {}: read failed", pod, e);
      msg.fail(500, "read of job " + pod + " failed: " + e.getMessage());
    }
  }

  private void closeAbandoned() {
    long now = System.nanoTime();
    streams.values().removeIf(s -> {
      boolean abandoned = !s.asked && now - s.lastAsked > settings.streamTimeout().toNanos();
      if (abandoned) {
        LOG.info("closing read stream {} of pod {}: not asked for more in {}", s.id, s.cursorPod,
            settings.streamTimeout());
        s.close();
      }
      return abandoned;
    });
  }

  /**
   * The event-loop side of one cursor: at most one blocking task in flight, and up to {@value #CHUNKS_AHEAD} chunks
   * produced ahead of the requests, so the reader thread keeps working while the event loop hands a chunk to the
   * connection and asks for the next one. A task goes on from chunk to chunk while the requests keep up, handing each
   * over as it is made, instead of returning to the pool after one: a task per chunk parked the reader thread after
   * every 256 KiB until the event loop had taken the chunk and started the next task (~600 times a 500 MiB read,
   * each a wake-up of two threads on a busy machine). Production stops at the end, at an idle or empty chunk and on
   * a failure, and resumes only when asked.
   */
  private final class LogStream {
    final String id;
    final JobLogCursor cursor;
    final String cursorPod;
    boolean asked;
    long lastAsked = System.nanoTime();
    Future<JobLogCursor.Chunk> inFlight = Future.succeededFuture();
    private final java.util.ArrayDeque<JobLogCursor.Chunk> ready = new java.util.ArrayDeque<>();
    /** Chunks made and not yet taken by a request: a task stops at {@value #CHUNKS_AHEAD}. */
    private final AtomicInteger unasked = new AtomicInteger();
    /**
     * A task's end is not yet handled. Not the same as {@code !inFlight.isComplete()}: the future completes on the
     * worker thread before its handler runs here, and a task started in between could overtake it.
     */
    private boolean producing;
    private boolean paused;
    private boolean ended;
    /** Volatile: the task on the worker thread stops at it too. */
    private volatile boolean closed;
    private Throwable failure;
    private Promise<JobLogCursor.Chunk> waiting;

    LogStream(String id, JobLogCursor cursor) {
      this.id = id;
      this.cursor = cursor;
      this.cursorPod = cursor.pod();
    }

    Future<JobLogCursor.Chunk> next() {
      paused = false;
      Future<JobLogCursor.Chunk> f;
      if (!ready.isEmpty()) {
        unasked.decrementAndGet();
        f = Future.succeededFuture(ready.poll());
      } else if (failure != null) {
        f = Future.failedFuture(failure);
      } else {
        waiting = Promise.promise();
        f = waiting.future();
      }
      produce();
      return f.compose(chunk -> chunk.idle() ? delay(settings.pollInterval()).map(chunk) : Future.succeededFuture(chunk));
    }

    private void produce() {
      if (producing || paused || ended || closed || failure != null || ready.size() >= CHUNKS_AHEAD) return;
      producing = true;
      inFlight = pool.executeBlocking(this::produceWhileAsked, false);
      inFlight.onComplete(ar -> {
        // Runs after the deliveries of every chunk the task made: they were queued on this context before it ended.
        producing = false;
        if (ar.failed()) {
          // A request that was waiting still gets its answer, also when the stream was closed under it.
          if (!closed) failure = ar.cause();
          if (waiting != null) takeWaiting().fail(ar.cause());
          return;
        }
        produce();
      });
    }

    /** On the worker: makes chunks until one ends the run or {@value #CHUNKS_AHEAD} wait unasked for. */
    private JobLogCursor.Chunk produceWhileAsked() throws Exception {
      while (true) {
        JobLogCursor.Chunk chunk = cursor.next(CHUNK_BYTES, WORK_BUDGET_NANOS);
        int held = unasked.incrementAndGet();
        context.runOnContext(v -> deliver(chunk));
        // After an idle poll or a budget-bound empty chunk, the next step waits for the next request.
        if (chunk.end() || chunk.idle() || chunk.bytes().length == 0 || closed || held >= CHUNKS_AHEAD) return chunk;
      }
    }

    private void deliver(JobLogCursor.Chunk chunk) {
      if (closed) {
        // A request that was waiting still gets its answer, as if the stream had not been closed under it.
        if (waiting != null) takeWaiting().complete(chunk);
        return;
      }
      ended = chunk.end();
      paused = chunk.idle() || chunk.bytes().length == 0;
      if (waiting != null) {
        unasked.decrementAndGet();
        takeWaiting().complete(chunk);
      } else {
        ready.add(chunk);
      }
    }

    private Promise<JobLogCursor.Chunk> takeWaiting() {
      Promise<JobLogCursor.Chunk> p = waiting;
      waiting = null;
      return p;
    }

    void close() {
      closed = true;
      ready.clear();
      cursor.cancel();
      // The cursor is closed on the pool once its running step is over: it is never touched by two threads at once.
      inFlight.eventually(() -> pool.executeBlocking(() -> {
        cursor.close();
        return null;
      }, false));
    }
  }

  private Future<Void> delay(Duration d) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(Math.max(1, d.toMillis()), t -> p.complete());
    return p.future();
  }
}
