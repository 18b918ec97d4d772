package io.logcompactor.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Consumer;

/**
 * Requires {@code Authorization: Bearer <token>}. Both sides are hashed before {@link MessageDigest#isEqual} so the
 * comparison takes the same time whatever the presented token's length or content.
 */
final class BearerAuth implements Handler<RoutingContext> {
  private static final String PREFIX = "Bearer ";
  private final byte[] expected;
  private final Consumer<String> rejected;

  BearerAuth(String token, Consumer<String> rejected) {
    this.expected = sha256(token);
    this.rejected = rejected;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        ? header.substring(PREFIX.length()).trim() : null;
    boolean ok = MessageDigest.isEqual(expected, sha256(presented == null ? "" : presented)) && presented != null;
    if (ok) {
      ctx.next();
      return;
    }
    rejected.accept(header == null ? "missing" : "wrong");
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ApiErrors.send(ctx, 401, header == null ? "missing bearer token" : "invalid bearer token");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
