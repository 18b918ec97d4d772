package io.logcompactor.events;

import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS message and when its receive returned, which is when its visibility timeout started to run.
 *
 * @param receivedAtNanos {@link System#nanoTime()} when the receive returned
 */
public record ReceivedMessage(Message message, long receivedAtNanos) {

  public String id() {
    return message.messageId();
  }

  public String receiptHandle() {
    return message.receiptHandle();
  }

  public String body() {
    return message.body();
  }

  /** How many times SQS has handed this message out, or 0 when it did not say. */
  public int receiveCount() {
    String n = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
    try {
      return n == null ? 0 : Integer.parseInt(n);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
