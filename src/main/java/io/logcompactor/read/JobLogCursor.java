package io.logcompactor.read;

import io.logcompactor.layout.MetadataCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job's log as a pull-based sequence of output chunks. Blocking: every method runs on a worker thread, one call
 * at a time. Holds at most two open GETs and decoders (the current unit's and the next one's, read ahead) and one
 * line (capped), so memory does not grow with the log.
 *
 * <p>Exactly-once: every raw key is read from one place. A raw object that vanishes (a compaction merged it and a
 * later clean deleted it) is found again through the fresh metadata, in the merged object's byte range, and the
 * decoded bytes already handed out are skipped; the merged range decodes to the same bytes as the raw object did.
 */
public final class JobLogCursor implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(JobLogCursor.class);
  private static final int PLAN_ATTEMPTS = 10;
  private static final int READ_ATTEMPTS = 3;
  static final long TAIL_MAX_BYTES = 16L << 20;

  /** A piece of output. {@code idle}: following, nothing new yet; {@code end}: the stream is over. */
  public record Chunk(byte[] bytes, boolean end, boolean idle) {}

  private final ReadRequest request;
  private final JobStore store;
  private final ReadMetrics metrics;
  private final int maxLineBytes;
  private final long idleTimeoutNanos;
  private final long pollIntervalNanos;
  private final LongSupplier clock;
  private final Executor decoder;

  private final ArrayDeque<ReadUnit> units = new ArrayDeque<>();
  private final Set<String> done = new HashSet<>();
  private final ByteSink out = new ByteSink(80 * 1024);
  private TailRing tail;
  private final ByteSink scratch = new ByteSink(1024);
  private final RecordScanner scanner = new RecordScanner();
  private final ReadAheadStream.Spares spares = new ReadAheadStream.Spares();
  private boolean inOversized;

  private ReadUnit current;
  private InputStream currentStream;
  private ReadAheadStream decoded;
  /** The next unit, opened and decoding while the current one is split ({@link #openAhead}), or null. */
  private Ahead ahead;
  private LineReader lines;
  private long skipped;
  private int attempts;
  private int steps;

  private boolean historyDone;
  private boolean finished;
  private long lastNewData;
  private long lastPlan;
  private volatile boolean closed;

  public JobLogCursor(ReadRequest request, JobStore store, ReadMetrics metrics, int maxLineBytes,
                      Duration idleTimeout, Duration pollInterval, LongSupplier nanoClock) {
    this(request, store, metrics, maxLineBytes, idleTimeout, pollInterval, nanoClock, Runnable::run);
  }

  /**
   * @param decoder where objects are decoded ahead of the line splitting, in short tasks, and where a plan's raw
   *                listing runs beside its metadata read; {@code Runnable::run} does both on the caller's thread
   */
  public JobLogCursor(ReadRequest request, JobStore store, ReadMetrics metrics, int maxLineBytes,
                      Duration idleTimeout, Duration pollInterval, LongSupplier nanoClock, Executor decoder) {
    this.decoder = decoder;
    this.request = request;
    this.store = store;
    this.metrics = metrics;
    this.maxLineBytes = maxLineBytes;
    this.idleTimeoutNanos = idleTimeout.toNanos();
    this.pollIntervalNanos = pollInterval.toNanos();
    this.clock = nanoClock;
    if (request.tail() >= 0) tail = new TailRing(request.tail(), TAIL_MAX_BYTES);
  }

  /**
   * Plans the reads from a consistent view of metadata and raw listing.
   *
   * @return false when the job is unknown (no metadata and no raw object)
   */
  public boolean open() throws IOException, MetadataCodec.UnreadableMetadataException {
    boolean exists = plan();
    lastNewData = clock.getAsLong();
    return exists;
  }

  /**
   * Metadata and raw listing, then metadata again: when the ETag held, no compaction committed in between. The
   * listing runs beside the first metadata read (it is the slower request), which is as safe as after it: a raw
   * object missing from the listing was deleted before it, so merged by a commit before it, and that commit is in
   * the first read unless the second read differs.
   */
  private boolean plan() throws IOException, MetadataCodec.UnreadableMetadataException {
    lastPlan = clock.getAsLong();
    for (int i = 0; i < PLAN_ATTEMPTS; i++) {
      CompletableFuture<List<String>> listing = listRawKeys();
      JobStore.VersionedMetadata before = store.readMetadata(request.pod());
      List<String> raw = join(listing);
      JobStore.VersionedMetadata after = store.readMetadata(request.pod());
      if (Objects.equals(before.etag(), after.etag())) {
        ReadPlanner.Plan plan = ReadPlanner.plan(request.pod(), after.metadata(), raw, done, request.container(),
            (key, why) -> {
              LOG.warn("pod {}: skipping listed key {}: {}", request.pod(), key, why);
              metrics.error("bad_raw_key");
            });
        units.addAll(plan.units());
        return plan.jobExists();
      }
      metrics.replanMetadataChanged.increment();
    }
    throw new IOException("metadata of pod " + request.pod() + " changed " + PLAN_ATTEMPTS
        + " times while planning a read; try again");
  }

  private CompletableFuture<List<String>> listRawKeys() {
    try {
      return CompletableFuture.supplyAsync(() -> store.listRawKeys(request.pod()), decoder);
    } catch (RejectedExecutionException shutDown) {
      return CompletableFuture.completedFuture(store.listRawKeys(request.pod()));
    }
  }

  private static <T> T join(CompletableFuture<T> f) throws IOException {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw new IOException(e.getCause());
    }
  }

  /**
   * Produces the next chunk of at most {@code maxBytes}, working for about {@code budgetNanos} at most (an empty,
   * non-final chunk then says "still working").
   */
  public Chunk next(int maxBytes, long budgetNanos) throws IOException, MetadataCodec.UnreadableMetadataException {
    long deadline = clock.getAsLong() + budgetNanos;
    while (out.size() < maxBytes && !finished && !closed) {
      if (current == null) {
        ReadUnit u = units.poll();
        if (u != null) {
          attempts = 0;
          start(u, 0);
          if (clock.getAsLong() - deadline > 0) break;
          continue;
        }
        if (!historyDone) {
          historyDone = true;
          if (tail != null) {
            tail.drainTo(out);
            tail = null;
          }
          if (!request.follow()) finished = true;
          continue;
        }
        if (out.size() > 0) break;
        long now = clock.getAsLong();
        if (now - lastPlan >= pollIntervalNanos) {
          plan();
          if (!units.isEmpty()) {
            lastNewData = now;
            continue;
          }
        }
        if (now - lastNewData >= idleTimeoutNanos) {
          LOG.debug("pod {}: no new upload for {}; ending the follow", request.pod(), Duration.ofNanos(idleTimeoutNanos));
          finished = true;
          break;
        }
        return new Chunk(new byte[0], false, true);
      }
      step();
      // The clock is read every few lines, not every line (a line costs less than reading it), and at every end of
      // a unit, since opening the next one waits on S3.
      if ((++steps & 31) == 0 || current == null) {
        openAhead();
        if (clock.getAsLong() - deadline > 0) break;
      }
    }
    byte[] bytes = out.take(maxBytes);
    metrics.bytesOut.increment(bytes.length);
    return new Chunk(bytes, (finished || closed) && out.size() == 0, false);
  }

  /** Reads one line (or fragment) of the current unit, handling the unit's end and its failures. */
  private void step() throws IOException, MetadataCodec.UnreadableMetadataException {
    LineReader.Event e;
    try {
      e = lines.next();
    } catch (CorruptDataException corrupt) {
      if (++attempts < 2) {
        reopen();
        return;
      }
      LOG.error("pod {}: {} ({} of raw keys {}) is corrupt: {}; served the lines before the damage, skipping the rest",
          request.pod(), current.objectKey(), current.merged() ? "merged object" : "raw object", current.rawKeys(),
          corrupt.getMessage());
      metrics.error("corrupt_object");
      finishUnit();
      return;
    } catch (IOException io) {
      if (++attempts < READ_ATTEMPTS) {
        LOG.warn("pod {}: reading {} failed ({}); reopening at decoded byte {}", request.pod(), current.objectKey(),
            io.toString(), position());
        reopen();
        return;
      }
      metrics.error("read_failed");
      throw io;
    }
    switch (e) {
      case LINE -> line(lines.data(), lines.offset(), lines.length());
      case FRAGMENT, FRAGMENT_END -> fragment(lines.data(), lines.offset(), lines.length(),
          e == LineReader.Event.FRAGMENT_END);
      case EOF -> finishUnit();
    }
  }

  private long position() {
    return skipped + (lines == null ? 0 : lines.consumed());
  }

  private void reopen() throws IOException, MetadataCodec.UnreadableMetadataException {
    long at = position();
    closeCurrentStream();
    start(current, at);
  }

  /**
   * Once the current unit is decoded to its end (the reader has the rest of it in memory), starts the next one: its
   * GET and its first members' decoding then run while the reader splits what is left of this one. Opened only when
   * its turn came, each unit's GET and decode waited on the reader and the reader on them: a 500 MiB read of 100
   * objects left a core idle for 300-440 ms. At most one unit is read ahead, and only from its start.
   */
  private void openAhead() {
    if (ahead != null || decoded == null || closed || !decoded.sourceDone()) return;
    ReadUnit next = units.peek();
    if (next == null) return;
    LazyOpen source = new LazyOpen(next);
    ahead = new Ahead(next, source, decode(next, source));
  }

  /** The unit's decoded bytes, decoded ahead of the reader on the decode pool. */
  private ReadAheadStream decode(ReadUnit unit, InputStream in) {
    MultiMemberGzipInputStream gzip = new MultiMemberGzipInputStream(in, !unit.merged());
    return new ReadAheadStream(gzip, decoder, gzip::largestBurst, spares);
  }

  /**
   * The unit read ahead, if it is {@code unit} and can be used from {@code skip}; else null, and a read ahead of
   * {@code unit} that cannot be used is dropped.
   */
  private Ahead takeAhead(ReadUnit unit, long skip) {
    if (ahead == null || ahead.unit() != unit) return null;
    Ahead opened = ahead;
    ahead = null;
    if (skip == 0 && !opened.source().failedToOpen()) return opened;
    // Its GET failed (a raw object merged and cleaned since the plan, say): opened again by the caller, where a
    // failure is handled.
    opened.close();
    return null;
  }

  /** Opens a unit, skipping {@code skip} decoded bytes; a vanished raw object is looked up in fresh metadata. */
  private void start(ReadUnit unit, long skip) throws IOException, MetadataCodec.UnreadableMetadataException {
    current = unit;
    Ahead opened = takeAhead(unit, skip);
    InputStream in;
    try {
      in = opened != null ? opened.source() : store.open(unit.objectKey(), unit.offset(), unit.length());
    } catch (ObjectVanishedException vanished) {
      if (unit.merged()) {
        metrics.error("merged_object_missing");
        throw new IOException("merged object " + unit.objectKey() + " listed in the metadata of pod " + request.pod()
            + " does not exist", vanished);
      }
      ReadUnit moved = ReadPlanner.locate(store.readMetadata(request.pod()).metadata(), unit.rawKeys().get(0));
      if (moved == null) {
        LOG.error("pod {}: raw object {} vanished but no merged object holds it; its lines cannot be served",
            request.pod(), unit.objectKey());
        metrics.error("vanished_unmerged");
        finishUnit();
        return;
      }
      metrics.replanVanished.increment();
      LOG.info("pod {}: raw object {} was merged and cleaned meanwhile; continuing in {} at byte {}", request.pod(),
          unit.objectKey(), moved.objectKey(), moved.offset());
      start(moved, skip);
      return;
    }
    (unit.merged() ? metrics.segmentsMerged : metrics.segmentsRaw).increment();
    currentStream = in;
    decoded = opened != null ? opened.decoded() : decode(unit, in);
    if (skip > 0) decoded.skipNBytes(skip);
    skipped = skip;
    lines = new LineReader(decoded, maxLineBytes, scansRecords() ? scanner::scanLine : null);
    inOversized = false;
  }

  /** A unit read ahead: its GET, its decoder and the read-ahead filling from them. */
  private record Ahead(ReadUnit unit, LazyOpen source, ReadAheadStream decoded) {
    void close() {
      decoded.close();
      // Closing the GET as well stops a decode task that is waiting on it.
      source.close();
    }
  }

  /**
   * A unit's GET, sent at its first read: by the decoding task, so that the reader never waits for S3 to answer a
   * unit it is not reading yet.
   */
  private final class LazyOpen extends InputStream {
    private final ReadUnit unit;
    private InputStream in;
    private boolean closed;
    private volatile boolean openFailed;

    LazyOpen(ReadUnit unit) {
      this.unit = unit;
    }

    boolean failedToOpen() {
      return openFailed;
    }

    @Override
    public int read() throws IOException {
      return stream().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return stream().read(b, off, len);
    }

    private InputStream stream() throws IOException {
      synchronized (this) {
        if (closed) throw new IOException("read of " + unit.objectKey() + " closed");
        if (in != null) return in;
      }
      InputStream opened;
      try {
        opened = store.open(unit.objectKey(), unit.offset(), unit.length());
      } catch (IOException | RuntimeException e) {
        openFailed = true;
        throw e;
      }
      synchronized (this) {
        if (!closed) {
          in = opened;
          return in;
        }
      }
      opened.close();
      throw new IOException("read of " + unit.objectKey() + " closed");
    }

    @Override
    public void close() {
      InputStream open;
      synchronized (this) {
        closed = true;
        open = in;
        in = null;
      }
      if (open == null) return;
      try {
        open.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing {}: {}", unit.objectKey(), e.toString());
      }
    }
  }

  private void finishUnit() {
    if (current != null) done.addAll(current.rawKeys());
    closeCurrentStream();
    current = null;
    lines = null;
  }

  private void closeCurrentStream() {
    if (decoded != null) {
      decoded.close();
      decoded = null;
    }
    // Closing the GET as well stops a decode task that is waiting on it.
    if (currentStream != null) {
      try {
        currentStream.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing {}: {}", current == null ? "?" : current.objectKey(), e.toString());
      }
      currentStream = null;
    }
  }

  private void line(byte[] b, int off, int len) {
    if (request.jsonl() && request.stream() == null && !request.needsTime()) {
      // Original records, unfiltered: nothing in the record matters, so nothing is parsed.
      ByteSink sink = lineSink();
      sink.write(b, off, len);
      lineDone(sink);
      return;
    }
    if (scansRecords() && (lines.scanned() || scanner.scan(b, off, len))) {
      if (!request.accepts(scanner.stream(), null)) return;
      ByteSink sink = lineSink();
      scanner.writeMessage(sink);
      lineDone(sink);
      return;
    }
    LogRecord r = RecordParser.parse(b, off, len, request.needsTime());
    if (!r.parsed()) metrics.linesUnparsed.increment();
    if (!request.accepts(r.stream(), r.time())) return;
    ByteSink sink = lineSink();
    if (request.jsonl() || !r.parsed()) {
      sink.write(b, off, len);
    } else {
      if (request.timestamps() && r.time() != null) {
        byte[] time = DateTimeFormatter.ISO_INSTANT.format(r.time()).getBytes(StandardCharsets.US_ASCII);
        sink.write(time, 0, time.length);
        sink.write((byte) ' ');
      }
      byte[] message = r.message().getBytes(StandardCharsets.UTF_8);
      sink.write(message, 0, message.length);
    }
    lineDone(sink);
  }

  /** A plain read: served by the {@link RecordScanner}, which then also finds where lines end. */
  private boolean scansRecords() {
    return !request.jsonl() && !request.needsTime();
  }

  /** Where a line is formatted: straight into the output, or with tail into a scratch buffer for the ring. */
  private ByteSink lineSink() {
    if (tail == null) return out;
    scratch.clear();
    return scratch;
  }

  private void lineDone(ByteSink sink) {
    sink.write((byte) '\n');
    if (sink == scratch) emit();
  }

  /** An over-long line: passed through unparsed, as it arrives; with tail, kept up to the cap. */
  private void fragment(byte[] b, int off, int len, boolean last) {
    if (!inOversized) metrics.linesOversized.increment();
    inOversized = !last;
    if (request.stream() != null) return; // its stream is unknown: a stream filter drops it
    if (tail != null) {
      if (scratch.size() < maxLineBytes) scratch.write(b, off, Math.min(len, maxLineBytes - scratch.size()));
      if (last) {
        scratch.write((byte) '\n');
        emit();
      }
      return;
    }
    out.write(b, off, len);
    if (last) out.write((byte) '\n');
  }

  /** A line formatted in the scratch buffer goes into the tail ring. */
  private void emit() {
    tail.add(scratch.toByteArray());
    scratch.clear();
  }

  public String pod() {
    return request.pod();
  }

  /** Stops reading: the open GET is dropped. Safe to call from another thread; the effect is at the next step. */
  public void cancel() {
    closed = true;
  }

  @Override
  public void close() {
    closed = true;
    if (ahead != null) {
      ahead.close();
      ahead = null;
    }
    closeCurrentStream();
    current = null;
    lines = null;
  }
}
