package io.logcompactor.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logcompactor.layout.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * infra/aws: the bucket notification, the queue's policy and redrive, and least-privilege IAM policies. The files
 * keep ${AWS_REGION}, ${AWS_ACCOUNT_ID}, ${BUCKET} and ${QUEUE} for envsubst, so the checks compare with those.
 */
final class AwsFileChecks {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String QUEUE_ARN = "arn:aws:sqs:${AWS_REGION}:${AWS_ACCOUNT_ID}:${QUEUE}";
  static final String BUCKET_ARN = "arn:aws:s3:::${BUCKET}";

  /** Exactly what the service calls: anything more is not least privilege, anything less fails at run time. */
  private static final Map<String, String> COMPACTOR_GRANTS = new TreeMap<>(Map.of(
      "s3:ListBucket", BUCKET_ARN,
      "s3:GetObject", BUCKET_ARN + "/*",
      "s3:PutObject", BUCKET_ARN + "/*",
      "s3:DeleteObject", BUCKET_ARN + "/*",
      "s3:AbortMultipartUpload", BUCKET_ARN + "/*",
      "sqs:ReceiveMessage", QUEUE_ARN,
      "sqs:DeleteMessage", QUEUE_ARN,
      "sqs:ChangeMessageVisibility", QUEUE_ARN,
      "sqs:GetQueueAttributes", QUEUE_ARN));
  private static final Map<String, String> FLUENT_BIT_GRANTS =
      Map.of("s3:PutObject", BUCKET_ARN + "/" + Keys.RAW_PREFIX + "*");

  private AwsFileChecks() {}

  static void check(Path dir, String namespace, List<String> problems) {
    String where = "infra/aws/";
    checkNotification(where + "bucket-notification.json", read(dir, "bucket-notification.json", problems),
        "${QUEUE}", problems);
    checkRedrive(where + "queue-attributes.json", read(dir, "queue-attributes.json", problems), "${QUEUE}-dlq",
        problems);
    checkGrants(where + "compactor-policy.json", read(dir, "compactor-policy.json", problems), COMPACTOR_GRANTS,
        problems);
    checkGrants(where + "fluent-bit-policy.json", read(dir, "fluent-bit-policy.json", problems), FLUENT_BIT_GRANTS,
        problems);
    checkQueuePolicy(where + "queue-policy.json", read(dir, "queue-policy.json", problems), problems);
    JsonNode trust = read(dir, "irsa-trust-policy.json", problems);
    if (trust != null) {
      String subject = trust.path("Statement").path(0).path("Condition").path("StringEquals")
          .path("${OIDC_PROVIDER}:sub").asText();
      if (!subject.equals("system:serviceaccount:" + namespace + ":${SERVICE_ACCOUNT}")) {
        problems.add(where + "irsa-trust-policy.json: the role trusts '" + subject + "', not the service accounts of"
            + " namespace " + namespace);
      }
    }
  }

  /** s3:ObjectCreated:* for the raw prefix, sent to the queue the service reads. */
  static void checkNotification(String where, JsonNode config, String queue, List<String> problems) {
    if (config == null) return;
    JsonNode queues = config.path("QueueConfigurations");
    if (queues.size() != 1) {
      problems.add(where + ": expected one QueueConfiguration, found " + queues.size());
      return;
    }
    JsonNode q = queues.get(0);
    if (!q.path("QueueArn").asText().endsWith(":" + queue)) {
      problems.add(where + ": notifications go to " + q.path("QueueArn").asText() + ", not to queue " + queue);
    }
    List<String> events = new ArrayList<>();
    q.path("Events").forEach(e -> events.add(e.asText()));
    if (!events.contains("s3:ObjectCreated:*")) {
      problems.add(where + ": Events are " + events + "; s3:ObjectCreated:* is needed (Fluent Bit's PutObject)");
    }
    List<String> prefixes = new ArrayList<>();
    for (JsonNode rule : q.path("Filter").path("Key").path("FilterRules")) {
      if (rule.path("Name").asText().equalsIgnoreCase("prefix")) prefixes.add(rule.path("Value").asText());
    }
    if (!prefixes.equals(List.of(Keys.RAW_PREFIX))) {
      problems.add(where + ": the notification filter prefix is " + prefixes + " but raw keys start with '"
          + Keys.RAW_PREFIX + "' (Keys.RAW_PREFIX)");
    }
  }

  static void checkRedrive(String where, JsonNode attributes, String dlq, List<String> problems) {
    if (attributes == null) return;
    JsonNode redrive = json(attributes.path("RedrivePolicy").asText(), where + " RedrivePolicy", problems);
    if (redrive == null) return;
    if (!redrive.path("deadLetterTargetArn").asText().endsWith(":" + dlq)) {
      problems.add(where + ": the dead-letter target is '" + redrive.path("deadLetterTargetArn").asText()
          + "', not queue " + dlq);
    }
    if (redrive.path("maxReceiveCount").asInt(0) < 1) {
      problems.add(where + ": RedrivePolicy needs a maxReceiveCount of at least 1");
    }
  }

  private static void checkGrants(String where, JsonNode policy, Map<String, String> expected,
                                  List<String> problems) {
    if (policy == null) return;
    Map<String, Set<String>> granted = new TreeMap<>();
    for (JsonNode st : policy.path("Statement")) {
      if (!st.path("Effect").asText().equals("Allow")) continue;
      for (String action : strings(st.path("Action"))) {
        granted.computeIfAbsent(action, a -> new TreeSet<>()).addAll(strings(st.path("Resource")));
      }
    }
    expected.forEach((action, resource) -> {
      if (!granted.getOrDefault(action, Set.of()).equals(Set.of(resource))) {
        problems.add(where + ": " + action + " should be granted on exactly " + resource + ", found "
            + granted.getOrDefault(action, Set.of()));
      }
    });
    for (String action : granted.keySet()) {
      if (!expected.containsKey(action)) {
        problems.add(where + ": grants " + action + ", which the service does not need (least privilege)");
      }
    }
  }

  private static void checkQueuePolicy(String where, JsonNode policy, List<String> problems) {
    if (policy == null) return;
    JsonNode statements = policy.path("Statement");
    for (JsonNode st : statements) {
      if (!st.path("Effect").asText().equals("Allow")) continue;
      boolean s3 = strings(st.path("Principal").path("Service")).equals(List.of("s3.amazonaws.com"));
      boolean send = strings(st.path("Action")).equals(List.of("sqs:SendMessage"));
      boolean queue = strings(st.path("Resource")).equals(List.of(QUEUE_ARN));
      String source = "";
      for (JsonNode operator : st.path("Condition")) {
        if (operator.has("aws:SourceArn")) source = operator.path("aws:SourceArn").asText();
      }
      if (!s3 || !send || !queue || !source.equals(BUCKET_ARN)) {
        problems.add(where + ": each Allow must let only s3.amazonaws.com send (sqs:SendMessage) to " + QUEUE_ARN
            + " with aws:SourceArn " + BUCKET_ARN + "; statement " + st.path("Sid").asText() + " does not");
      }
    }
    if (statements.isEmpty()) problems.add(where + ": no statement lets the bucket send notifications");
  }

  static JsonNode json(String text, String where, List<String> problems) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      problems.add(where + " is not JSON: " + e.getMessage());
      return null;
    }
  }

  private static JsonNode read(Path dir, String file, List<String> problems) {
    Path p = dir.resolve(file);
    if (!Files.isRegularFile(p)) {
      problems.add("infra/aws/" + file + " is missing");
      return null;
    }
    try {
      return json(Files.readString(p), "infra/aws/" + file, problems);
    } catch (IOException e) {
      problems.add("infra/aws/" + file + " cannot be read: " + e.getMessage());
      return null;
    }
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) node.forEach(n -> out.add(n.asText()));
    else if (!node.isMissingNode()) out.add(node.asText());
    return out;
  }
}
