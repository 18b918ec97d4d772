package io.logcompactor.gzip;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * The system's libdeflate, called through the JDK 17 foreign-function API (the incubator module). It inflates log
 * text about 1.7 times as fast as the JDK's zlib, but only whole gzip members held in memory; callers keep zlib for
 * everything else and for every verdict on damaged data.
 *
 * <p>Only {@link NativeGzip} opens it, once the {@code jdk.incubator.foreign} module is known to be present: without
 * it this class cannot even be loaded.
 */
final class LibDeflate {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LibDeflate.class);
  private static final int SUCCESS = 0;
  private static final int INSUFFICIENT_SPACE = 3;
  private static final int RTLD_NOW = 2;
  /** Frees a decoder's native memory if its owner never closes it. */
  private static final Cleaner CLEANER = Cleaner.create();

  private final MethodHandle alloc;
  private final MethodHandle free;
  private final MethodHandle decompress;

  private LibDeflate(MethodHandle alloc, MethodHandle free, MethodHandle decompress) {
    this.alloc = alloc;
    this.free = free;
    this.decompress = decompress;
  }

  /**
   * Opens {@code libdeflate.so.0} the way a C program would (dlopen: the system's library path applies).
   *
   * @throws Throwable anything that stops it (no library, no native access): the caller stays on zlib
   */
  static LibDeflate open() throws Throwable {
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
      MemoryAddress[] symbols = new MemoryAddress[3];
      String[] names = {"libdeflate_alloc_decompressor", "libdeflate_free_decompressor",
          "libdeflate_gzip_decompress_ex"};
      for (int i = 0; i < names.length; i++) {
        symbols[i] = (MemoryAddress) dlsym.invokeExact(lib, CLinker.toCString(names[i], scope).address());
        if (symbols[i].equals(MemoryAddress.NULL)) throw new IllegalStateException("libdeflate.so.0 lacks " + names[i]);
      }
      MethodHandle alloc = linker.downcallHandle(symbols[0], MethodType.methodType(MemoryAddress.class),
          FunctionDescriptor.of(CLinker.C_POINTER));
      MethodHandle free = linker.downcallHandle(symbols[1], MethodType.methodType(void.class, MemoryAddress.class),
          FunctionDescriptor.ofVoid(CLinker.C_POINTER));
      // enum libdeflate_result libdeflate_gzip_decompress_ex(struct libdeflate_decompressor *, const void *in,
      //     size_t in_nbytes, void *out, size_t out_nbytes_avail, size_t *actual_in, size_t *actual_out)
      MethodHandle decompress = linker.downcallHandle(symbols[2],
          MethodType.methodType(int.class, MemoryAddress.class, MemoryAddress.class, long.class, MemoryAddress.class,
              long.class, MemoryAddress.class, MemoryAddress.class),
          FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_POINTER,
              CLinker.C_LONG, CLinker.C_POINTER, CLinker.C_POINTER));
      LibDeflate lib0 = new LibDeflate(alloc, free, decompress);
      lib0.newDecoder(1, () -> { }).close(); // fails here, not on first use, if the library is unusable
      return lib0;
    }
  }

  /**
   * @param maxOutput the most one member may inflate to; a larger one is left to zlib
   * @param onClose   run once when the decoder is closed, or freed unclosed by the garbage collector
   */
  NativeGzip.Decoder newDecoder(long maxOutput, Runnable onClose) {
    try {
      return new Decoder(maxOutput, onClose);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("libdeflate_alloc_decompressor failed", t);
    }
  }

  /** One decompressor and its native buffers; one thread at a time. */
  private final class Decoder implements NativeGzip.Decoder {
    private final long maxOutput;
    private final ResourceScope scope = ResourceScope.newSharedScope(CLEANER);
    private final MemoryAddress decompressor;
    private final MemorySegment results;
    private ResourceScope inScope;
    private MemorySegment in;
    private ResourceScope outScope;
    private MemorySegment out;
    private long inLength;
    private long consumed;
    private long produced;

    Decoder(long maxOutput, Runnable onClose) throws Throwable {
      this.maxOutput = maxOutput;
      MemoryAddress d = (MemoryAddress) alloc.invokeExact();
      if (d.equals(MemoryAddress.NULL)) {
        scope.close();
        throw new IllegalStateException("libdeflate_alloc_decompressor returned NULL");
      }
      this.decompressor = d;
      MethodHandle freeHandle = free;
      scope.addCloseAction(() -> {
        try {
          freeHandle.invokeExact(d);
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      });
      results = MemorySegment.allocateNative(16, scope);
      inScope = ResourceScope.newSharedScope(CLEANER);
      in = MemorySegment.allocateNative(64 << 10, inScope);
      outScope = ResourceScope.newSharedScope(CLEANER);
      out = MemorySegment.allocateNative(Math.min(maxOutput, 1 << 20), outScope);
      // Last: a decoder that failed to be made never runs it (its maker cleans up instead).
      scope.addCloseAction(onClose);
    }

    @Override
    public void load(byte[] bytes, int offset, int length) {
      if (in.byteSize() < length) {
        inScope.close();
        inScope = ResourceScope.newSharedScope(CLEANER);
        in = MemorySegment.allocateNative(Math.max(length, in.byteSize() * 2), inScope);
      }
      in.asSlice(0, length).copyFrom(MemorySegment.ofArray(bytes).asSlice(offset, length));
      inLength = length;
    }

    @Override
    public NativeGzip.Outcome member(long offset, long sizeHint) {
      try {
        return inflate(offset, sizeHint);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        // Not expected: zlib still decodes the member, and the cause is kept for whoever looks.
        LOG.warn("libdeflate failed; zlib decodes this member instead", t);
        return NativeGzip.Outcome.REFUSED;
      }
    }

    private NativeGzip.Outcome inflate(long offset, long sizeHint) throws Throwable {
      consumed = 0;
      produced = 0;
      if (sizeHint > out.byteSize()) grow(sizeHint);
      while (true) {
        int result = (int) decompress.invokeExact(decompressor, in.address().addOffset(offset), inLength - offset,
            out.address(), out.byteSize(), results.address(), results.address().addOffset(8));
        if (result == SUCCESS) {
          consumed = MemoryAccess.getLongAtOffset(results, 0);
          produced = MemoryAccess.getLongAtOffset(results, 8);
          return consumed > 0 ? NativeGzip.Outcome.INFLATED : NativeGzip.Outcome.REFUSED;
        }
        if (result != INSUFFICIENT_SPACE) return NativeGzip.Outcome.REFUSED;
        if (out.byteSize() >= maxOutput) return NativeGzip.Outcome.TOO_LARGE;
        grow(out.byteSize() * 4);
      }
    }

    private void grow(long bytes) {
      long size = Math.min(maxOutput, Math.max(bytes, out.byteSize()));
      if (size == out.byteSize()) return;
      outScope.close();
      outScope = ResourceScope.newSharedScope(CLEANER);
      out = MemorySegment.allocateNative(size, outScope);
    }

    @Override
    public long consumed() {
      return consumed;
    }

    @Override
    public long produced() {
      return produced;
    }

    @Override
    public int byteAt(long index) {
      return MemoryAccess.getByteAtOffset(out, index) & 0xff;
    }

    @Override
    public void copyOut(long from, byte[] dst, int offset, int length) {
      MemorySegment.ofArray(dst).asSlice(offset, length).copyFrom(out.asSlice(from, length));
    }

    @Override
    public void close() {
      if (!scope.isAlive()) return;
      inScope.close();
      outScope.close();
      scope.close();
    }
  }
}
