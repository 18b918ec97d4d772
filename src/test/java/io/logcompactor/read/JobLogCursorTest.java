package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.FluentBitLogs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JobLogCursorTest {
  private static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");
  final MemoryJobStore store = new MemoryJobStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ReadMetrics metrics = new ReadMetrics(registry);
  final AtomicLong clock = new AtomicLong();
  private final JobFixture job = new JobFixture(store, "job-1");
  private final FluentBitLogs.Container main = job.container("main", "main-1");
  private final FluentBitLogs.Container restarted = job.container("main", "main-2");
  private final FluentBitLogs.Container sidecar = job.container("sidecar", "side-1");

  JobLogCursor cursor(ReadRequest request, int maxLineBytes) {
    return new JobLogCursor(request, store, metrics, maxLineBytes, Duration.ofSeconds(10), Duration.ofSeconds(1),
        clock::get);
  }

  private static String drain(JobLogCursor c, int chunk) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      JobLogCursor.Chunk ch = c.next(chunk, Long.MAX_VALUE / 4);
      assertThat(ch.idle()).isFalse();
      out.writeBytes(ch.bytes());
      if (ch.end()) return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Two containers and a restart; minutes 0..5. */
  private void uploadJob() {
    for (int m = 0; m < 4; m++) {
      job.upload(main, T0.plusSeconds(60L * m), 0, JobFixture.lines(main, T0.plusSeconds(60L * m), "main m" + m, 5));
      job.upload(sidecar, T0.plusSeconds(60L * m + 1), 1,
          JobFixture.lines(sidecar, T0.plusSeconds(60L * m + 1), "side m" + m, 3));
    }
    for (int m = 4; m < 6; m++) {
      job.upload(restarted, T0.plusSeconds(60L * m), 0,
          JobFixture.lines(restarted, T0.plusSeconds(60L * m), "restarted m" + m, 4));
    }
  }

  @Test
  @DisplayName("raw, merged-not-cleaned and merged-and-cleaned states all read as exactly the uploaded lines")
  void everyCompactionState() throws Exception {
    uploadJob();
    String expected = job.expectedText();
    assertThat(drain(open(ReadRequest.all("job-1")), 100)).isEqualTo(expected);
    job.merge(job.rawKeys().subList(0, 6));
    assertThat(drain(open(ReadRequest.all("job-1")), 100)).isEqualTo(expected);
    job.clean();
    assertThat(drain(open(ReadRequest.all("job-1")), 64 * 1024)).isEqualTo(expected);
    job.merge(job.rawKeys().subList(6, job.rawKeys().size()));
    job.clean();
    assertThat(drain(open(ReadRequest.all("job-1")), 7)).isEqualTo(expected);
  }

  @Test
  @DisplayName("raw objects merged and cleaned after the read was planned are read from the merged file, once")
  void vanishedWhileReading() throws Exception {
    uploadJob();
    JobLogCursor c = open(ReadRequest.all("job-1"));
    JobLogCursor.Chunk first = c.next(40, Long.MAX_VALUE / 4);
    job.merge(job.rawKeys());
    job.clean();
    String rest = drain(c, 50);
    assertThat(new String(first.bytes(), StandardCharsets.UTF_8) + rest).isEqualTo(job.expectedText());
    assertThat(registry.get("compactor.read.replans").tag("reason", "object_vanished").counter().count())
        .isGreaterThan(0);
  }

  @Test
  @DisplayName("a GET that breaks mid-object is reopened and resumes after the lines already served")
  void resumesAfterBrokenConnection() throws Exception {
    uploadJob();
    job.merge(job.rawKeys());
    String dataKey = "data/job-1/" + main.id() + "/202611252000_0.gz";
    store.breakOnce(dataKey, 40);
    assertThat(drain(open(ReadRequest.all("job-1")), 1000)).isEqualTo(job.expectedText());
  }

  @Test
  @DisplayName("a corrupt raw object yields the lines before the damage, the others are all served")
  void corruptRawObject() throws Exception {
    job.upload(main, T0, 0, JobFixture.lines(main, T0, "before", 2));
    byte[] good = FluentBitLogs.gzip(FluentBitLogs.plainLines(List.of(main.record(T0, "stdout", "lost"))));
    byte[] corrupt = java.util.Arrays.copyOf(good, good.length - 4);
    job.uploadRawBytes(main, T0.plusSeconds(60), 0, corrupt);
    job.upload(main, T0.plusSeconds(120), 0, JobFixture.lines(main, T0, "after", 2));
    assertThat(drain(open(ReadRequest.all("job-1")), 1000))
        .isEqualTo("before line 0\nbefore line 1\nlost\nafter line 0\nafter line 1\n");
    assertThat(registry.get("compactor.read.errors").tag("kind", "corrupt_object").counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("plain (not gzip) raw objects, non-JSON lines and over-long lines are passed through as they are")
  void oddContent() throws Exception {
    String huge = "z".repeat(5000);
    byte[] plain = (main.record(T0, "stdout", "json line") + "\nnot json at all\n" + huge + "\n")
        .getBytes(StandardCharsets.UTF_8);
    job.uploadRawBytes(main, T0, 0, plain);
    JobLogCursor all = cursor(ReadRequest.all("job-1"), 1024);
    all.open();
    assertThat(drain(all, 1000)).isEqualTo("json line\nnot json at all\n" + huge + "\n");
    assertThat(registry.get("compactor.read.lines.oversized").counter().count()).isEqualTo(1);
    JobLogCursor tail = cursor(new ReadRequest("job-1", null, null, null, false, null, 2, false, false), 1024);
    tail.open();
    assertThat(drain(tail, 1000)).isEqualTo("not json at all\n" + huge.substring(0, 1024) + "\n");
  }

  @Test
  @DisplayName("a line longer than the cap, held across several read-ahead buffers before it passed the cap, is passed "
      + "through whole")
  void overLongLineAcrossBuffers() throws Exception {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    StringBuilder huge = new StringBuilder();
    while (huge.length() < 300_000) huge.append((char) ('a' + rnd.nextInt(26)));
    byte[] plain = (main.record(T0, "stdout", "json line") + "\n" + huge + "\n" + main.record(T0, "stdout", "after")
        + "\n").getBytes(StandardCharsets.UTF_8);
    job.uploadRawBytes(main, T0, 0, plain);
    JobLogCursor all = cursor(ReadRequest.all("job-1"), 100_000);
    all.open();
    assertThat(drain(all, 1000)).isEqualTo("json line\n" + huge + "\nafter\n");
    assertThat(registry.get("compactor.read.lines.oversized").counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("filters: container, stream, since/until, tail, timestamps and jsonl select and format lines")
  void filters() throws Exception {
    uploadJob();
    job.merge(job.rawKeys().subList(0, 4));
    Instant since = T0.plusSeconds(62);
    Instant until = T0.plusSeconds(185);
    assertThat(drain(open(new ReadRequest("job-1", "sidecar", null, null, false, null, -1, false, false)), 100))
        .isEqualTo(job.expectedText(l -> l.container().name().equals("sidecar"), false));
    assertThat(drain(open(new ReadRequest("job-1", null, null, null, true, "stderr", -1, false, false)), 100))
        .isEqualTo(job.expectedText(l -> l.stream().equals("stderr"), true));
    assertThat(drain(open(new ReadRequest("job-1", null, since, until, false, null, -1, false, false)), 100))
        .isEqualTo(job.expectedText(l -> !l.time().isBefore(since) && l.time().isBefore(until), false));
    List<JobFixture.Line> all = job.expectedLines();
    StringBuilder last3 = new StringBuilder();
    all.subList(all.size() - 3, all.size()).forEach(l -> last3.append(l.json()).append('\n'));
    assertThat(drain(open(new ReadRequest("job-1", null, null, null, false, null, 3, false, true)), 100))
        .isEqualTo(last3.toString());
  }

  @Test
  @DisplayName("follow: new uploads after the end are served, then the stream ends once the job is idle")
  void follow() throws Exception {
    job.upload(main, T0, 0, JobFixture.lines(main, T0, "first", 2));
    JobLogCursor c = open(new ReadRequest("job-1", null, null, null, false, null, -1, true, false));
    assertThat(new String(c.next(1000, Long.MAX_VALUE / 4).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("first line 0\nfirst line 1\n");
    assertThat(c.next(1000, Long.MAX_VALUE / 4).idle()).isTrue();
    job.upload(main, T0.plusSeconds(60), 0, JobFixture.lines(main, T0, "second", 1));
    job.merge(job.rawKeys().subList(0, 1));
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(new String(c.next(1000, Long.MAX_VALUE / 4).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("second line 0\n");
    clock.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(c.next(1000, Long.MAX_VALUE / 4).idle()).isTrue();
    clock.addAndGet(Duration.ofSeconds(6).toNanos());
    JobLogCursor.Chunk last = c.next(1000, Long.MAX_VALUE / 4);
    assertThat(last.end()).isTrue();
    assertThat(last.bytes()).isEmpty();
  }

  @Test
  @DisplayName("a job with neither metadata nor raw objects is unknown, and job-1 never reads job-10's objects")
  void unknownAndPrefix() throws Exception {
    JobFixture other = new JobFixture(store, "job-10");
    FluentBitLogs.Container c10 = other.container("main", "x");
    other.upload(c10, T0, 0, JobFixture.lines(c10, T0, "job-10", 2));
    assertThat(cursor(ReadRequest.all("job-1"), 1024).open()).isFalse();
    job.upload(main, T0, 0, JobFixture.lines(main, T0, "job-1", 1));
    assertThat(drain(open(ReadRequest.all("job-1")), 100)).isEqualTo("job-1 line 0\n");
  }

  @Test
  @DisplayName("a compaction that commits and cleans while a read is planned, around the listing or between the two "
      + "metadata reads, loses and repeats no line")
  void compactionWhilePlanning() throws Exception {
    for (String when : List.of("listing", "second metadata read")) {
      MemoryJobStore bucket = new MemoryJobStore();
      JobFixture fixture = new JobFixture(bucket, "job-1");
      FluentBitLogs.Container c = fixture.container("main", "main-1");
      for (int m = 0; m < 4; m++) {
        fixture.upload(c, T0.plusSeconds(60L * m), 0, JobFixture.lines(c, T0.plusSeconds(60L * m), "m" + m, 3));
      }
      String expected = fixture.expectedText();
      java.util.concurrent.atomic.AtomicInteger metadataReads = new java.util.concurrent.atomic.AtomicInteger();
      Runnable compaction = () -> {
        fixture.merge(fixture.rawKeys());
        fixture.clean();
      };
      JobStore racing = new JobStore() {
        @Override
        public VersionedMetadata readMetadata(String pod) throws io.logcompactor.layout.MetadataCodec.UnreadableMetadataException {
          if (metadataReads.incrementAndGet() == 2 && when.startsWith("second")) compaction.run();
          return bucket.readMetadata(pod);
        }

        @Override
        public List<String> listRawKeys(String pod) {
          if (when.equals("listing") && metadataReads.get() == 0) compaction.run();
          return bucket.listRawKeys(pod);
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) throws java.io.IOException {
          return bucket.open(key, offset, length);
        }

        @Override
        public boolean exists(String key) {
          return bucket.exists(key);
        }
      };
      SimpleMeterRegistry r = new SimpleMeterRegistry();
      // Runnable::run: the listing then runs before the first metadata read, the earliest it can.
      JobLogCursor cursor = new JobLogCursor(ReadRequest.all("job-1"), racing, new ReadMetrics(r), 1 << 20,
          Duration.ofSeconds(10), Duration.ofSeconds(1), clock::get, Runnable::run);
      assertThat(cursor.open()).isTrue();
      assertThat(drain(cursor, 100)).as(when).isEqualTo(expected);
      double replans = r.get("compactor.read.replans").tag("reason", "metadata_changed").counter().count();
      assertThat(replans).as(when).isEqualTo(when.equals("listing") ? 0 : 1);
    }
  }

  @Test
  @DisplayName("with decoding threads, the next unit's GET and decode run ahead of the reader, and every line is "
      + "served once, also when raw objects are merged and cleaned under the read")
  void nextUnitReadAhead() throws Exception {
    for (int m = 0; m < 12; m++) {
      job.upload(main, T0.plusSeconds(60L * m), 0, JobFixture.lines(main, T0.plusSeconds(60L * m), "m" + m, 40));
    }
    String expected = job.expectedText();
    java.util.concurrent.ExecutorService decoders = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "decode-test");
      t.setDaemon(true);
      return t;
    });
    try {
      JobLogCursor all = decodingCursor(decoders);
      assertThat(drain(all, 300)).isEqualTo(expected);
      // The first unit is opened by the reader when it asks for it; later ones by the decoding task, ahead.
      assertThat(store.openThreads).hasSize(12).first().isEqualTo(Thread.currentThread().getName());
      assertThat(store.openThreads.subList(1, 12)).containsOnly("decode-test");

      // Planned, then every raw object merged and cleaned: units read ahead find their GET failing, and are opened
      // again where a vanished raw object is looked up in the merged one.
      JobLogCursor racing = decodingCursor(decoders);
      JobLogCursor.Chunk first = racing.next(300, Long.MAX_VALUE / 4);
      job.merge(job.rawKeys());
      job.clean();
      assertThat(new String(first.bytes(), StandardCharsets.UTF_8) + drain(racing, 300)).isEqualTo(expected);
      racing.close();
    } finally {
      decoders.shutdownNow();
    }
  }

  private JobLogCursor decodingCursor(java.util.concurrent.Executor decoders) throws Exception {
    store.openThreads.clear();
    JobLogCursor c = new JobLogCursor(ReadRequest.all("job-1"), store, metrics, 1 << 20, Duration.ofSeconds(10),
        Duration.ofSeconds(1), clock::get, decoders);
    assertThat(c.open()).isTrue();
    return c;
  }

  private JobLogCursor open(ReadRequest r) throws Exception {
    JobLogCursor c = cursor(r, 1 << 20);
    assertThat(c.open()).isTrue();
    return c;
  }
}
