package io.logcompactor.faults;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test-only HTTP/1.1 proxy on 127.0.0.1 that sits between SDK clients and a local S3 or SQS server and breaks
 * exchanges on purpose, by {@link FaultRule}. Point a client's endpoint at {@link #endpoint()}.
 *
 * <p>It understands just enough HTTP to find message boundaries (Content-Length, chunked, HEAD, 1xx, 204/304), so
 * keep-alive connections carry many requests and a fault hits exactly one exchange. {@code Expect: 100-continue} is
 * answered by the proxy itself so a request body is never held hostage to the upstream. Error bodies follow the
 * protocol of the request: S3's XML {@code <Error>}, or the AWS JSON protocol's {@code __type} for SQS.
 *
 * <p>Bounded: at most {@code maxConnections} client connections at once (more are refused by closing them), idle
 * connections are closed after a minute, and the proxy closes itself after {@code maxLifetime} in case a test
 * forgets to. All its threads are daemons.
 */
public final class FaultProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int IDLE_TIMEOUT_MS = 60_000;
  private static final int UPSTREAM_TIMEOUT_MS = 120_000;

  private final String name;
  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final ThreadPoolExecutor pool;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final long deadlineNanos;
  private final Random random;
  private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger requestIds = new AtomicInteger();
  private volatile ActiveRules rules = new ActiveRules(List.of());

  /** A proxy to {@code upstream} (http://127.0.0.1:port) with the default bounds and a fixed random seed. */
  public static FaultProxy start(String name, URI upstream) throws IOException {
    return new FaultProxy(name, upstream, 256, Duration.ofMinutes(30), 42L);
  }

  public FaultProxy(String name, URI upstream, int maxConnections, Duration maxLifetime, long seed) throws IOException {
    if (!"http".equals(upstream.getScheme())) throw new IllegalArgumentException("plain http upstream only: " + upstream);
    this.name = name;
    this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    this.random = new Random(seed);
    for (Fault f : Fault.values()) injected.put(f, new AtomicLong());
    this.deadlineNanos = System.nanoTime() + maxLifetime.toNanos();
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.server.setSoTimeout(1_000);
    AtomicInteger threads = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(0, maxConnections, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "fault-proxy-" + name + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.info("fault proxy {} on {} -> {}", name, endpoint(), upstream);
  }

  /** Where clients should send their requests instead of the upstream. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Replaces the active rules; the first rule that matches a request and fires decides its fault. */
  public FaultProxy rules(FaultRule... newRules) {
    this.rules = new ActiveRules(List.of(newRules));
    LOG.info("fault proxy {} rules: {}", name, this.rules.rules);
    return this;
  }

  /** No more faults: every exchange from now on is relayed faithfully. */
  public void heal() {
    rules();
  }

  public long injected(Fault fault) {
    return injected.get(fault).get();
  }

  public long injectedTotal() {
    return injected.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Faults injected so far, by kind (kinds never injected included, as 0). */
  public Map<Fault, Long> injectedByKind() {
    Map<Fault, Long> out = new EnumMap<>(Fault.class);
    injected.forEach((f, n) -> out.put(f, n.get()));
    return out;
  }

  /** Requests seen so far, faulted or not. */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) return;
    closed.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : sockets) closeQuietly(s);
    pool.shutdownNow();
    LOG.info("fault proxy {} closed after {} requests; injected {}", name, requests(), injectedByKind());
  }

  private void acceptLoop() {
    while (closed.getCount() > 0) {
      if (System.nanoTime() > deadlineNanos) {
        LOG.warn("fault proxy {} reached its maximum lifetime: closing", name);
        close();
        return;
      }
      Socket client;
      try {
        client = server.accept();
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        if (closed.getCount() > 0) LOG.warn("fault proxy {} accept failed: {}", name, e.toString());
        return;
      }
      try {
        sockets.add(client);
        pool.execute(() -> serve(client));
      } catch (RejectedExecutionException e) {
        LOG.warn("fault proxy {}: too many connections, refusing one", name);
        sockets.remove(client);
        closeQuietly(client);
      }
    }
  }

  /** One client connection: its requests one after another, each relayed over one upstream connection. */
  private void serve(Socket client) {
    Upstream up = null;
    try {
      client.setSoTimeout(IDLE_TIMEOUT_MS);
      client.setTcpNoDelay(true);
      InputStream cin = new BufferedInputStream(client.getInputStream());
      OutputStream cout = new BufferedOutputStream(client.getOutputStream());
      while (closed.getCount() > 0) {
        HttpHead request = HttpHead.read(cin);
        if (request == null) return;
        requests.incrementAndGet();
        Decision decision = decide(request);
        Fault fault = decision == null ? null : decision.rule().fault();
        if (fault == Fault.SLOW_DOWN || fault == Fault.INTERNAL_ERROR) {
          if (request.expectsContinue()) write(cout, CONTINUE);
          Bodies.relayRequest(request, cin, OutputStream.nullOutputStream());
          // Counted before the client can see the answer, so a test reading the count after its call sees it.
          applied(decision, request);
          cout.write(ErrorResponses.of(fault, request, requestIds.incrementAndGet()));
          cout.flush();
          continue;
        }
        if (up == null) up = connectUpstream();
        up.out.write(request.without("expect").bytes());
        if (request.expectsContinue()) write(cout, CONTINUE);
        Bodies.relayRequest(request, cin, up.out);
        up.out.flush();

        HttpHead response = HttpHead.read(up.in);
        while (response != null && response.status() / 100 == 1) response = HttpHead.read(up.in);
        if (response == null) throw new EOFException("upstream closed before answering " + request);
        if (!relayResponse(request, response, decision, up.in, cout)) {
          if (fault == Fault.RESET_MID_BODY) {
            reset(client);
          } else {
            client.shutdownOutput();
          }
          return;
        }
        if (response.closesConnection() || !Bodies.delimited(request, response)) return;
      }
    } catch (SocketTimeoutException | SocketException | EOFException e) {
      // Idle client, a closing peer or the proxy shutting down: the connection simply ends.
    } catch (IOException | RuntimeException e) {
      if (closed.getCount() > 0) LOG.debug("fault proxy {} connection ended: {}", name, e.toString());
    } finally {
      sockets.remove(client);
      closeQuietly(client);
      if (up != null) {
        sockets.remove(up.socket);
        closeQuietly(up.socket);
      }
    }
  }

  /** The upstream side of one client connection; reused while both sides keep the connection alive. */
  private record Upstream(Socket socket, InputStream in, OutputStream out) {}

  /**
   * Relays one response, faulted as decided. @return false when the connection must end (a cut body), in which
   * case the caller resets or closes it
   */
  private boolean relayResponse(HttpHead request, HttpHead response, Decision decision, InputStream uin,
                                OutputStream cout) throws IOException {
    Fault fault = decision == null ? null : decision.rule().fault();
    if (fault == Fault.LATENCY) {
      applied(decision, request);
      try {
        closed.await(decision.rule().latency().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SocketException("proxy interrupted");
      }
    }
    boolean hasBody = Bodies.responseHasBody(request, response);
    if (fault == Fault.RESET_MID_BODY || fault == Fault.TRUNCATED) {
      if (hasBody) {
        cout.write(response.bytes());
        Bodies.relayHalf(response, uin, cout);
        cout.flush();
        applied(decision, request);
        return false;
      }
      if (fault == Fault.RESET_MID_BODY) {
        // No body to cut: lose the whole answer instead. The upstream has applied the request.
        applied(decision, request);
        return false;
      }
      release(decision);
    }
    cout.write(response.bytes());
    Bodies.relayResponse(request, response, uin, cout);
    cout.flush();
    return true;
  }

  private Upstream connectUpstream() throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(upstream, 10_000);
    s.setSoTimeout(UPSTREAM_TIMEOUT_MS);
    s.setTcpNoDelay(true);
    return new Upstream(s, new BufferedInputStream(s.getInputStream()), new BufferedOutputStream(s.getOutputStream()));
  }

  private static void write(OutputStream out, byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** An abortive close: the client's next read fails with "connection reset", as when a load balancer drops it. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // closing anyway
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  private record Decision(FaultRule rule, RuleState state) {}

  private static final class RuleState {
    final AtomicLong matched = new AtomicLong();
    final AtomicLong injections = new AtomicLong();
  }

  private static final class ActiveRules {
    final List<FaultRule> rules;
    final List<RuleState> states;

    ActiveRules(List<FaultRule> rules) {
      this.rules = List.copyOf(rules);
      this.states = rules.stream().map(r -> new RuleState()).toList();
    }
  }

  private synchronized Decision decide(HttpHead request) {
    ActiveRules active = rules;
    for (int i = 0; i < active.rules.size(); i++) {
      FaultRule rule = active.rules.get(i);
      if (!rule.matches(request)) continue;
      RuleState state = active.states.get(i);
      long n = state.matched.incrementAndGet();
      boolean fire = rule.everyNth() > 0 ? n % rule.everyNth() == 0 : random.nextDouble() < rule.probability();
      if (fire && state.injections.get() < rule.limit()) {
        state.injections.incrementAndGet();
        return new Decision(rule, state);
      }
    }
    return null;
  }

  private void applied(Decision decision, HttpHead request) {
    injected.get(decision.rule().fault()).incrementAndGet();
    LOG.debug("fault proxy {} injected {} into {}", name, decision.rule().fault(), request);
  }

  /** The decided fault could not apply (nothing to truncate): it does not count against the rule's limit. */
  private static void release(Decision decision) {
    decision.state().injections.decrementAndGet();
  }

  @Override
  public String toString() {
    return "FaultProxy[" + name + " " + endpoint() + " -> " + upstream + ", requests=" + requests() + ", injected="
        + injectedByKind() + "]";
  }
}
