package io.logcompactor.compaction;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * The system's libdeflate, called through the JDK's foreign-function API, to prove gzip objects held in memory
 * intact. It inflates the merge's text about 1.7 times as fast as the JDK's zlib, and the gzip check is most of a
 * large merge's CPU. It only ever confirms: anything it does not accept whole (damage, an unusual layout, output
 * larger than its buffer) goes to the zlib check, which gives the verdict and its reason, so a difference between
 * the two libraries can cost time, never an object.
 *
 * <p>Only {@link NativeGzip} touches this class, and only once the {@code jdk.incubator.foreign} module is known to be
 * present: without it this class cannot even be loaded.
 */
final class LibDeflate {
  /** The compressed bytes it takes: larger objects are rare and go to zlib. */
  static final int MAX_INPUT = 4 << 20;
  /** The inflated bytes one member may have; a larger member goes to zlib. */
  static final int MAX_OUTPUT = 16 << 20;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LibDeflate.class);
  private static final int SUCCESS = 0;
  private static final int INSUFFICIENT_SPACE = 3;
  private static final int RTLD_NOW = 2;

  private final MethodHandle decompress;
  private final BlockingQueue<Slot> slots;

  private LibDeflate(MethodHandle alloc, MethodHandle decompress, int slotCount) throws Throwable {
    this.decompress = decompress;
    this.slots = new ArrayBlockingQueue<>(slotCount);
    for (int i = 0; i < slotCount; i++) {
      MemoryAddress d = (MemoryAddress) alloc.invokeExact();
      if (d.equals(MemoryAddress.NULL)) throw new IllegalStateException("libdeflate_alloc_decompressor failed");
      slots.add(new Slot(d));
    }
  }

  /**
   * Opens {@code libdeflate.so.0} the way a C program would (dlopen, so the system's library path applies).
   *
   * @param slotCount decompressors, each with its own buffers: inflating is bound by CPU, so no more than the cores
   * @throws Throwable anything that stops it (no library, no native access): the caller falls back to zlib
   */
  static LibDeflate open(int slotCount) throws Throwable {
    CLinker linker = CLinker.getInstance();
    SymbolLookup libc = CLinker.systemLookup();
    MethodHandle dlopen = linker.downcallHandle(libc.lookup("dlopen").orElseThrow(),
        MethodType.methodType(MemoryAddress.class, MemoryAddress.class, int.class),
        FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_INT));
    MethodHandle dlsym = linker.downcallHandle(libc.lookup("dlsym").orElseThrow(),
        MethodType.methodType(MemoryAddress.class, MemoryAddress.class, MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_POINTER));
    try (ResourceScope scope = ResourceScope.newConfinedScope()) {
      MemoryAddress lib = (MemoryAddress) dlopen.invokeExact(
          CLinker.toCString("libdeflate.so.0", scope).address(), RTLD_NOW);
      if (lib.equals(MemoryAddress.NULL)) throw new IllegalStateException("libdeflate.so.0 not found");
      MemoryAddress alloc = (MemoryAddress) dlsym.invokeExact(lib,
          CLinker.toCString("libdeflate_alloc_decompressor", scope).address());
      MemoryAddress gzip = (MemoryAddress) dlsym.invokeExact(lib,
          CLinker.toCString("libdeflate_gzip_decompress_ex", scope).address());
      if (alloc.equals(MemoryAddress.NULL) || gzip.equals(MemoryAddress.NULL)) {
        throw new IllegalStateException("libdeflate.so.0 lacks libdeflate_gzip_decompress_ex");
      }
      MethodHandle allocHandle = linker.downcallHandle(alloc, MethodType.methodType(MemoryAddress.class),
          FunctionDescriptor.of(CLinker.C_POINTER));
      // enum libdeflate_result libdeflate_gzip_decompress_ex(struct libdeflate_decompressor *, const void *in,
      //     size_t in_nbytes, void *out, size_t out_nbytes_avail, size_t *actual_in, size_t *actual_out)
      MethodHandle decompress = linker.downcallHandle(gzip,
          MethodType.methodType(int.class, MemoryAddress.class, MemoryAddress.class, long.class, MemoryAddress.class,
              long.class, MemoryAddress.class, MemoryAddress.class),
          FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_POINTER,
              CLinker.C_LONG, CLinker.C_POINTER, CLinker.C_POINTER));
      return new LibDeflate(allocHandle, decompress, slotCount);
    }
  }

  /**
   * @return the check of a valid gzip object, or null when libdeflate did not accept it whole (the zlib check
   *     decides then)
   */
  GzipCheck confirm(byte[] bytes, int length) throws InterruptedException {
    if (length < 18 || length > MAX_INPUT) return null;
    Slot slot = slots.take();
    try {
      return slot.confirm(bytes, length);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      // Not expected: the zlib check still decides, and the cause is kept for whoever looks.
      LOG.warn("libdeflate failed on an object of {} bytes; checking it with zlib", length, t);
      return null;
    } finally {
      slots.add(slot);
    }
  }

  /** A decompressor with its native input and output buffers, used by one thread at a time. */
  private final class Slot {
    private final MemoryAddress decompressor;
    private final MemorySegment results = MemorySegment.allocateNative(16, ResourceScope.globalScope());
    private ResourceScope scope = ResourceScope.newSharedScope();
    private MemorySegment in = MemorySegment.allocateNative(256 << 10, scope);
    private MemorySegment out = MemorySegment.allocateNative(1 << 20, scope);

    Slot(MemoryAddress decompressor) {
      this.decompressor = decompressor;
    }

    GzipCheck confirm(byte[] bytes, int length) throws Throwable {
      // The last member's size, from its trailer: exact for the usual one-member object, a first guess otherwise.
      long hint = (bytes[length - 4] & 0xffL) | (bytes[length - 3] & 0xffL) << 8 | (bytes[length - 2] & 0xffL) << 16
          | (bytes[length - 1] & 0xffL) << 24;
      reserve(length, Math.min(MAX_OUTPUT, Math.max(hint, out.byteSize())));
      in.asSlice(0, length).copyFrom(MemorySegment.ofArray(bytes).asSlice(0, length));
      long offset = 0;
      long total = 0;
      int members = 0;
      int lastByte = -1;
      while (offset < length) {
        // The zlib check's own header rules (magic, deflate, no reserved flags), whatever libdeflate allows.
        int at = (int) offset;
        if (length - at < 18 || bytes[at] != 0x1f || bytes[at + 1] != (byte) 0x8b || bytes[at + 2] != 8
            || (bytes[at + 3] & 0xE0) != 0) {
          return null;
        }
        int result = (int) decompress.invokeExact(decompressor, in.address().addOffset(offset), length - offset,
            out.address(), out.byteSize(), results.address(), results.address().addOffset(8));
        if (result == INSUFFICIENT_SPACE && out.byteSize() < MAX_OUTPUT) {
          reserve(length, Math.min(MAX_OUTPUT, out.byteSize() * 4));
          in.asSlice(0, length).copyFrom(MemorySegment.ofArray(bytes).asSlice(0, length));
          continue;
        }
        if (result != SUCCESS) return null;
        long consumed = MemoryAccess.getLongAtOffset(results, 0);
        long produced = MemoryAccess.getLongAtOffset(results, 8);
        if (consumed <= 0) return null;
        if (produced > 0) lastByte = MemoryAccess.getByteAtOffset(out, produced - 1) & 0xff;
        offset += consumed;
        total += produced;
        members++;
      }
      return new GzipCheck(null, members, total, lastByte);
    }

    /** Grows the buffers to hold {@code inBytes} and {@code outBytes}; their contents do not survive. */
    private void reserve(long inBytes, long outBytes) {
      if (in.byteSize() >= inBytes && out.byteSize() >= outBytes) return;
      long inSize = Math.max(in.byteSize(), inBytes);
      long outSize = Math.max(out.byteSize(), outBytes);
      scope.close();
      scope = ResourceScope.newSharedScope();
      in = MemorySegment.allocateNative(inSize, scope);
      out = MemorySegment.allocateNative(outSize, scope);
    }
  }
}
