package io.logcompactor.local;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts S3Proxy + ElasticMQ + the notification bridge (or, with {@code -Plocalstack}, LocalStack) once per test JVM
 * and hands {@link LocalServers} to tests that ask for it (constructor, lifecycle or test method parameter). Closed
 * when the JVM's tests are done.
 */
public final class LocalServersExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalServersExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == LocalServers.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return servers(c);
  }

  public static LocalServers servers(ExtensionContext c) {
    return c.getRoot().getStore(NS).getOrComputeIfAbsent("servers", k -> new Holder(), Holder.class).servers;
  }

  private static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final LocalServers servers;

    Holder() {
      try {
        servers = LocalServers.forTests();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the local S3 and SQS servers", e);
      }
    }

    @Override
    public void close() throws Exception {
      servers.close();
    }
  }
}
