package io.logcompactor;

import io.logcompactor.config.CompactorConfig;
import io.logcompactor.config.ConfigException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar log-compactor.jar}: configuration from the environment, then the service until SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    CompactorConfig config;
    try {
      config = CompactorConfig.fromEnv();
    } catch (ConfigException e) {
      System.err.println("log-compactor: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Service service = Service.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable shutdown = () -> {
      LOG.info("stopping: no new work; in-flight work has {} to finish", config.shutdownTimeout());
      try {
        service.stop().await(config.shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      }
      stopped.countDown();
    };
    // SIGTERM is how Kubernetes asks us to stop: handle it ourselves so a clean stop exits 0, not 143.
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> new Thread(() -> {
        shutdown.run();
        System.exit(0);
      }, "shutdown").start());
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> new Thread(() -> {
        shutdown.run();
        System.exit(0);
      }, "shutdown").start());
    } catch (IllegalArgumentException e) {
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown"));
    }
    stopped.await();
  }
}
