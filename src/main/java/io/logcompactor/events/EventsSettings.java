package io.logcompactor.events;

import io.logcompactor.config.CompactorConfig;
import java.time.Duration;

/**
 * What the SQS consumer needs to know, taken from {@link CompactorConfig}. A record of its own so that tests can use
 * timings the configuration refuses (a visibility timeout of a second or two, a tiny receive backoff).
 *
 * @param bucket              the only bucket whose events are acted on
 * @param queueUrl            the queue to long-poll
 * @param pollers             receives in flight at once
 * @param waitTime            long-poll wait of one receive (SQS allows at most 20 s)
 * @param visibilityTimeout   how long a received message stays hidden; the heartbeat extends it while work runs
 * @param maxInFlightMessages messages received and not yet finished (tracked and deleted) before receiving stops
 * @param shutdownTimeout     how long stop() waits for in-flight messages to finish
 * @param receiveBackoffMin   first delay after a failed receive
 * @param receiveBackoffMax   cap of the doubling delay after consecutive failed receives
 * @param trackerTimeout      how long one event may wait for the tracker's reply
 */
public record EventsSettings(
    String bucket,
    String queueUrl,
    int pollers,
    Duration waitTime,
    Duration visibilityTimeout,
    int maxInFlightMessages,
    Duration shutdownTimeout,
    Duration receiveBackoffMin,
    Duration receiveBackoffMax,
    Duration trackerTimeout) {

  /** Most messages one ReceiveMessage may return: the SQS limit. */
  public static final int MAX_BATCH = 10;

  public EventsSettings {
    if (pollers < 1) throw new IllegalArgumentException("pollers must be at least 1");
    if (maxInFlightMessages < MAX_BATCH) throw new IllegalArgumentException("maxInFlightMessages must be at least 10");
  }

  public static EventsSettings from(CompactorConfig c) {
    // Two full batches per poller: one being handled while the next receive is already waiting.
    return new EventsSettings(c.bucket(), c.sqsQueueUrl(), c.sqsPollers(), c.sqsWaitTime(), c.sqsVisibilityTimeout(),
        2 * MAX_BATCH * c.sqsPollers(), c.shutdownTimeout(), Duration.ofMillis(500), Duration.ofSeconds(30),
        Duration.ofSeconds(30));
  }

  public EventsSettings withVisibilityTimeout(Duration d) {
    return new EventsSettings(bucket, queueUrl, pollers, waitTime, d, maxInFlightMessages, shutdownTimeout,
        receiveBackoffMin, receiveBackoffMax, trackerTimeout);
  }

  public EventsSettings withMaxInFlightMessages(int n) {
    return new EventsSettings(bucket, queueUrl, pollers, waitTime, visibilityTimeout, n, shutdownTimeout,
        receiveBackoffMin, receiveBackoffMax, trackerTimeout);
  }

  public EventsSettings withReceiveBackoff(Duration min, Duration max) {
    return new EventsSettings(bucket, queueUrl, pollers, waitTime, visibilityTimeout, maxInFlightMessages,
        shutdownTimeout, min, max, trackerTimeout);
  }

  public EventsSettings withQueueUrl(String url) {
    return new EventsSettings(bucket, url, pollers, waitTime, visibilityTimeout, maxInFlightMessages,
        shutdownTimeout, receiveBackoffMin, receiveBackoffMax, trackerTimeout);
  }

  /** Seconds, as SQS takes them; at least 1 so a sub-second test setting still hides the message. */
  int visibilitySeconds() {
    return (int) Math.max(1, visibilityTimeout.toSeconds());
  }
}
