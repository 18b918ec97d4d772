package io.logcompactor.soak;

import static org.awaitility.Awaitility.await;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.local.LocalServers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service as operators run it: {@code java -jar target/log-compactor.jar} in a process of its own, configured
 * only by environment variables. The harness can wait for {@code /ready}, SIGKILL it, SIGTERM it, start it again
 * with the same environment, and watch its log lines (kept in {@code target/soak-logs/}).
 *
 * <p>Every process it starts is killed when the test JVM exits, whatever happens to the test.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
  private static final Path JAR = Path.of("target", "log-compactor.jar");
  private static final Path LOG_DIR = Path.of("target", "soak-logs");
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  /** Small and quick to start: several of these share 2 cores with the servers and the test JVM. */
  private static final List<String> SMALL_JVM = List.of(
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:-UsePerfData");

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-services"));
  }

  private final String name;
  private final List<String> jvmOptions;
  private final Map<String, String> env;
  private final int port;
  private final int generation;
  private final Process process;
  private final Path logFile;
  private final java.util.ArrayDeque<String> recentLines = new java.util.ArrayDeque<>();
  private final Map<Pattern, AtomicLong> watches = new ConcurrentHashMap<>();
  private final AtomicLong lines = new AtomicLong();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread pump;

  private ServiceProcess(String name, List<String> jvmOptions, Map<String, String> env, int port, int generation)
      throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run `mvn package` (mvn verify does) first");
    }
    this.name = name;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.env = Map.copyOf(env);
    this.port = port;
    this.generation = generation;
    Files.createDirectories(LOG_DIR);
    this.logFile = LOG_DIR.resolve(name + "-" + generation + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(io.logcompactor.local.ChildJvm.nativeAccessFlags());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // Only what the test says: no COMPACTOR_* or AWS_* leaking in from the developer's shell.
    pb.environment().keySet().removeIf(k -> k.startsWith("COMPACTOR_") || k.startsWith("AWS_"));
    pb.environment().putAll(this.env);
    this.process = pb.start();
    LIVE.add(process);
    this.pump = new Thread(this::pumpOutput, "service-output-" + name + "-" + generation);
    this.pump.setDaemon(true);
    this.pump.start();
    LOG.info("started {} generation {} (pid {}) on port {}, log {}", name, generation, process.pid(), port, logFile);
  }

  /**
   * Starts a service process for {@code environment} on a free HTTP port.
   *
   * @param overrides service variables on top of the environment's (short intervals, low thresholds)
   */
  public static ServiceProcess start(String name, LocalServers.Environment environment, Map<String, String> overrides)
      throws IOException {
    return start(name, environment, overrides, SMALL_JVM);
  }

  /** The same with the JVM's options: the benchmark runs the service as the Deployment does, not small. */
  public static ServiceProcess start(String name, LocalServers.Environment environment, Map<String, String> overrides,
                                     List<String> jvmOptions) throws IOException {
    int port = LocalServers.freePort();
    Map<String, String> env = new HashMap<>(environment.env(overrides));
    env.put(CompactorConfig.HTTP_PORT, Integer.toString(port));
    return new ServiceProcess(name, jvmOptions, env, port, 1);
  }

  /** A new process with the same environment and port, as a restarted pod would be. */
  public ServiceProcess restart() throws IOException {
    if (process.isAlive()) throw new IllegalStateException(this + " is still running");
    return new ServiceProcess(name, jvmOptions, env, port, generation + 1);
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Waits until {@code /ready} answers 200; fails at once if the process exits meanwhile. */
  public ServiceProcess awaitReady(Duration atMost) {
    long start = System.nanoTime();
    await("ready: " + this).atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptionsMatching(
        e -> e instanceof IOException).until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(this + " exited with " + process.exitValue() + " before it was ready; "
                + "last lines:\n" + String.join("\n", lastLines(30)));
          }
          return get("/ready").statusCode() == 200;
        });
    LOG.info("{} ready after {} ms", this, (System.nanoTime() - start) / 1_000_000);
    return this;
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye; as when a node dies or the OOM killer strikes. */
  public void kill() {
    // Through the handle: Process.destroyForcibly() would also close our end of its output pipe.
    process.toHandle().destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, as Kubernetes sends before deleting a pod.
   *
   * @return the exit code, or empty if the process did not exit within {@code grace} (it is then SIGKILLed)
   */
  public java.util.OptionalInt terminate(Duration grace) {
    // Through the handle: Process.destroy() would close the output pipe and lose the shutdown log lines.
    process.toHandle().destroy();
    if (waitFor(grace)) return java.util.OptionalInt.of(process.exitValue());
    LOG.warn("{} ignored SIGTERM for {}: killing it", this, grace);
    kill();
    return java.util.OptionalInt.empty();
  }

  private boolean waitFor(Duration d) {
    try {
      boolean exited = process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
      if (exited) {
        LIVE.remove(process);
        pump.join(5_000);
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + this, e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Log lines printed so far by this process. */
  public long lineCount() {
    return lines.get();
  }

  /**
   * A live count of the lines matching {@code pattern}, from the moment of this call on (earlier lines are not
   * counted). Lets a test act "right after the service logged X", e.g. kill it in the middle of a merge.
   */
  public AtomicLong watch(Pattern pattern) {
    return watches.computeIfAbsent(pattern, p -> new AtomicLong());
  }

  /** The last {@code n} lines (of the last 2,000 kept in memory; the log file has them all). */
  public synchronized List<String> lastLines(int n) {
    List<String> all = new ArrayList<>(recentLines);
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  /** Lines kept in memory (the last 2,000) that match {@code pattern}. */
  public synchronized List<String> linesMatching(Pattern pattern) {
    return recentLines.stream().filter(l -> pattern.matcher(l).find()).toList();
  }

  private synchronized void keep(String line) {
    recentLines.addLast(line);
    if (recentLines.size() > 2_000) recentLines.removeFirst();
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  /** Peak resident set size of the process so far (VmHWM, Linux), in KiB. */
  public long peakRssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IOException("no VmHWM in /proc/" + process.pid() + "/status");
  }

  private void pumpOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        out.flush();
        lines.incrementAndGet();
        keep(line);
        for (Map.Entry<Pattern, AtomicLong> w : watches.entrySet()) {
          if (w.getKey().matcher(line).find()) w.getValue().incrementAndGet();
        }
      }
    } catch (IOException e) {
      // The pipe closed under us: the process is gone, and so is the rest of its output.
      LOG.debug("output of {} ended: {}", this, e.toString());
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) kill();
    LIVE.remove(process);
  }

  @Override
  public String toString() {
    return name + "#" + generation + "(pid " + process.pid() + ", port " + port + ")";
  }
}
