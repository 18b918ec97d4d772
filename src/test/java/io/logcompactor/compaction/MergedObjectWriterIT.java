package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/** The writer against S3Proxy: when a file is one PUT and when it becomes a multipart upload, and what it holds. */
@ExtendWith(LocalServersExtension.class)
class MergedObjectWriterIT {
  private static final int PART = 5 << 20;
  private EngineFixture fx;

  @AfterEach
  void close() throws Exception {
    if (fx != null) fx.close();
  }

  private MergedObjectWriter writer(long singlePutMax, List<String> names) {
    return writer(singlePutMax, -1, names);
  }

  private MergedObjectWriter writer(long singlePutMax, long streamSize, List<String> names) {
    Iterator<String> next = names.iterator();
    return new MergedObjectWriter(fx.s3(), upload -> fx.store.blocking(upload).toCompletionStage(), fx.bucket(), PART,
        singlePutMax, streamSize, next::next, () -> true, () -> { }, "run-1", new ArrayDeque<>());
  }

  /** Writes {@code bytes} in uneven pieces, as raw objects of many sizes arrive. */
  private static MergedObjectWriter.Written write(MergedObjectWriter w, byte[] bytes) throws Exception {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int off = 0; off < bytes.length; ) {
      int n = Math.min(bytes.length - off, 1 + rnd.nextInt(700_000));
      w.write(bytes, off, n);
      off += n;
    }
    return w.finishUploads().complete();
  }

  private static byte[] bytes(int length) {
    byte[] b = new byte[length];
    new SplittableRandom(length).nextBytes(b);
    return b;
  }

  private byte[] stored(String key) {
    return fx.s3().getObjectAsBytes(b -> b.bucket(fx.bucket()).key(key)).asByteArray();
  }

  @Test
  @DisplayName("a file of up to singlePutMax (two parts) is held in the part buffers and written with one PUT")
  void twoPartsAreOnePut(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-held");
    byte[] content = bytes(2 * PART);
    MergedObjectWriter w = writer(2L * PART, List.of("data/p/c/202611252000_0.gz"));

    MergedObjectWriter.Written written = write(w, content);

    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.SINGLE);
    assertThat(written.size()).isEqualTo(content.length);
    assertThat(stored(written.key())).isEqualTo(content);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertThat(w.buffers()).as("the held part and the one filled, for the next writer").hasSize(2)
        .allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(PART));
  }

  @Test
  @DisplayName("one byte more and the held part uploads first, then the rest, as one multipart file")
  void largerThanHeldIsMultipart(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-over");
    byte[] content = bytes(2 * PART + 1);
    MergedObjectWriter w = writer(2L * PART, List.of("data/p/c/202611252000_0.gz"));

    MergedObjectWriter.Written written = write(w, content);

    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.MULTIPART);
    assertThat(stored(written.key())).isEqualTo(content);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertThat(w.buffers()).as("at most the part filling and those uploading").hasSizeLessThanOrEqualTo(
        MergedObjectWriter.UPLOADS_IN_FLIGHT + 1);
  }

  @Test
  @DisplayName("a file expected larger than one PUT (singlePutMax = a part) is multipart from its second part on")
  void partSizedLimitIsMultipart(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-part");
    byte[] content = bytes(PART + 1);
    MergedObjectWriter w = writer(PART, List.of("data/p/c/202611252000_0.gz"));

    MergedObjectWriter.Written written = write(w, content);

    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.MULTIPART);
    assertThat(stored(written.key())).isEqualTo(content);
  }

  @Test
  @DisplayName("a held file whose name is taken is written whole under the next name, the other object untouched")
  void heldFileTakesTheNextName(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-clash");
    byte[] other = "someone else's file".getBytes();
    fx.s3().putObject(b -> b.bucket(fx.bucket()).key("data/p/c/202611252000_0.gz"), RequestBody.fromBytes(other));
    byte[] content = bytes(PART + 12_345);
    MergedObjectWriter w = writer(2L * PART, List.of("data/p/c/202611252000_0.gz", "data/p/c/202611252000_1.gz"));

    MergedObjectWriter.Written written = write(w, content);

    assertThat(written.key()).endsWith("_1.gz");
    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.SINGLE);
    assertThat(stored(written.key())).isEqualTo(content);
    assertThat(Arrays.equals(stored("data/p/c/202611252000_0.gz"), other)).isTrue();
  }

  @Test
  @DisplayName("a file of a size known in advance is one PUT streamed as it is written, over its placeholder")
  void knownSizeIsOneStreamedPut(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-stream");
    byte[] content = bytes(3 * PART + 54_321);
    MergedObjectWriter w = writer(PART, content.length, List.of("data/p/c/202611252000_0.gz"));

    MergedObjectWriter.Written written = write(w, content);

    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.STREAMED);
    assertThat(written.size()).isEqualTo(content.length);
    assertThat(stored(written.key())).isEqualTo(content);
    assertThat(fx.keys("data/")).containsExactly(written.key());
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
    assertThat(w.buffers()).as("the part that started the stream, and chunks of at most a part")
        .hasSizeLessThanOrEqualTo(MergedObjectWriter.UPLOADS_IN_FLIGHT + 2)
        .allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(PART));
  }

  @Test
  @DisplayName("a stream given up midway stores nothing, keeps its name, and the same writer then writes the file "
      + "as parts")
  void cancelledStreamIsWrittenAgainAsParts(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-cancel");
    byte[] content = bytes(3 * PART);
    String key = "data/p/c/202611252000_0.gz";
    MergedObjectWriter w = writer(PART, content.length, List.of(key));
    w.write(content, 0, 2 * PART + 1000);
    assertThat(w.streamPlanned()).isTrue();

    assertThat(w.cancelStream()).as("bytes were sent: the caller writes them again").isTrue();

    assertThat(w.streamPlanned()).isFalse();
    assertThat(w.position()).isZero();
    assertThat(fx.s3().headObject(b -> b.bucket(fx.bucket()).key(key)).contentType()).as("still the placeholder")
        .isEqualTo("text/plain");
    MergedObjectWriter.Written written = write(w, content);
    assertThat(written.key()).isEqualTo(key);
    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.MULTIPART);
    assertThat(stored(key)).isEqualTo(content);
    assertThat(fx.keysBesidesCutOffPuts("data/")).containsExactly(key);
    assertThat(fx.s3().listMultipartUploads(b -> b.bucket(fx.bucket())).uploads()).isEmpty();
  }

  @Test
  @DisplayName("a stream given up before its first part filled had sent nothing: the writer just goes on as parts")
  void streamCancelledBeforeItStartedNeedsNoRewrite(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-cancel-early");
    byte[] content = bytes(2 * PART + 7);
    MergedObjectWriter w = writer(PART, content.length + 100, List.of("data/p/c/202611252000_0.gz"));
    w.write(content, 0, 1000);

    assertThat(w.cancelStream()).isFalse();

    w.write(content, 1000, content.length - 1000);
    MergedObjectWriter.Written written = w.finishUploads().complete();
    assertThat(written.upload()).isEqualTo(MergedObjectWriter.Upload.MULTIPART);
    assertThat(stored(written.key())).isEqualTo(content);
  }

  @Test
  @DisplayName("a streamed file never takes more bytes than planned")
  void streamRefusesMoreThanPlanned(LocalServers servers) throws Exception {
    fx = new EngineFixture(servers, "writer-overflow");
    byte[] content = bytes(PART + 10);
    MergedObjectWriter w = writer(PART, PART + 9, List.of("data/p/c/202611252000_0.gz"));
    w.write(content, 0, PART + 9);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(content, PART + 9, 1))
        .isInstanceOf(IllegalStateException.class);
    w.abort();
    assertThat(fx.keysBesidesCutOffPuts("data/")).as("the placeholder removed, nothing stored").isEmpty();
  }
}
