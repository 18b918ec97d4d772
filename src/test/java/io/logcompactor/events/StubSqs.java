package io.logcompactor.events;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * An in-memory SQS for unit tests of the consumer's mechanics (batching, back-pressure, backoff): an endless queue
 * that answers every receive in full, can fail the first receives, and refuses deletes of chosen receipt handles.
 */
final class StubSqs implements SqsClient {
  final List<ReceiveMessageRequest> receives = new CopyOnWriteArrayList<>();
  final List<DeleteMessageBatchRequest> deletes = new CopyOnWriteArrayList<>();
  final List<ChangeMessageVisibilityBatchRequest> visibilityChanges = new CopyOnWriteArrayList<>();
  final AtomicInteger failReceives = new AtomicInteger();
  final List<String> refuseDelete = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  @Override
  public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest r) {
    receives.add(r);
    if (failReceives.getAndDecrement() > 0) {
      throw SqsException.builder().message("stub receive failure").statusCode(500).build();
    }
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < r.maxNumberOfMessages(); i++) {
      int n = next.getAndIncrement();
      out.add(Message.builder().messageId("m" + n).receiptHandle("h" + n).body("{}").build());
    }
    return ReceiveMessageResponse.builder().messages(out).build();
  }

  @Override
  public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest r) {
    deletes.add(r);
    List<DeleteMessageBatchResultEntry> ok = new ArrayList<>();
    List<BatchResultErrorEntry> failed = new ArrayList<>();
    for (DeleteMessageBatchRequestEntry e : r.entries()) {
      if (refuseDelete.contains(e.receiptHandle())) {
        failed.add(BatchResultErrorEntry.builder().id(e.id()).code("ReceiptHandleIsInvalid").senderFault(true)
            .message("stub refusal").build());
      } else {
        ok.add(DeleteMessageBatchResultEntry.builder().id(e.id()).build());
      }
    }
    return DeleteMessageBatchResponse.builder().successful(ok).failed(failed).build();
  }

  @Override
  public ChangeMessageVisibilityBatchResponse changeMessageVisibilityBatch(ChangeMessageVisibilityBatchRequest r) {
    visibilityChanges.add(r);
    return ChangeMessageVisibilityBatchResponse.builder().successful(r.entries().stream()
        .map(e -> ChangeMessageVisibilityBatchResultEntry.builder().id(e.id()).build()).toList()).build();
  }

  int messagesAskedFor() {
    return receives.stream().mapToInt(ReceiveMessageRequest::maxNumberOfMessages).sum();
  }

  @Override
  public String serviceName() {
    return "sqs";
  }

  @Override
  public void close() {}
}
