package io.logcompactor.local;

import io.logcompactor.config.ConfigException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code make run}: {@link LocalMode} until Ctrl-C. It runs inside Maven's JVM (exec:java), so it must leave no
 * thread behind: Ctrl-C runs the shutdown hook, which stops the producer, the service and the servers in that order;
 * a failed start exits at once.
 */
public final class LocalMain {
  private static final Logger LOG = LoggerFactory.getLogger(LocalMain.class);

  private LocalMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalMode.Settings settings;
    try {
      settings = LocalMode.Settings.fromEnv(System.getenv());
    } catch (ConfigException e) {
      System.err.println("local mode: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    // ElasticMQ's actor system would otherwise stop on its own at Ctrl-C, under the service's feet; our hook stops
    // it last, after the service.
    System.setProperty("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    LocalMode mode;
    try {
      mode = LocalMode.start(settings);
    } catch (Exception e) {
      LOG.error("local mode did not start (is another `make run` using ports {}, {} or {}? set {}, {} or "
              + "COMPACTOR_HTTP_PORT): {}", settings.s3Port(), settings.sqsPort(),
          settings.serviceEnv().get("COMPACTOR_HTTP_PORT"), LocalMode.Settings.S3_PORT, LocalMode.Settings.SQS_PORT,
          e.toString(), e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping local mode: demo producer, service, S3 and SQS servers");
      try {
        mode.close();
        LOG.info("local mode stopped");
      } catch (Exception e) {
        LOG.warn("local mode did not stop cleanly: {}", e.toString());
      } finally {
        stopped.countDown();
      }
    }, "local-mode-shutdown"));
    System.out.println(mode.banner());
    stopped.await();
  }
}
