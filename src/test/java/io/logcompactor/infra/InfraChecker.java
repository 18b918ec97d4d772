package io.logcompactor.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.config.ConfigException;
import io.logcompactor.http.HttpVerticle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks offline that the deployment files under {@code infra/}, the Dockerfile, the Makefile and minikube.sh
 * agree with the code: configuration variables, probes and ports, image name, Fluent Bit's key format, the
 * notification prefix and the AWS policies. Each problem is one sentence naming the file or overlay and what to
 * fix; an empty list means consistent.
 */
final class InfraChecker {
  static final List<String> OVERLAYS = List.of("minikube", "aws");
  /** What the README's AWS walkthrough exports; envsubst fills these into the aws overlay and infra/aws. */
  static final Map<String, String> AWS_EXAMPLE = Map.of(
      "AWS_REGION", "eu-west-1",
      "AWS_ACCOUNT_ID", "111122223333",
      "BUCKET", "acme-job-logs",
      "QUEUE", "acme-job-logs-events",
      "IMAGE", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/log-compactor:0.1.0");
  static final String DEPLOYMENT = "log-compactor";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final Path root;
  private final List<String> problems = new ArrayList<>();
  private String jobsNamespace;
  private Integer runAsUser;
  private String namespace = "log-compactor";

  private InfraChecker(Path root) {
    this.root = root;
  }

  /** @param root the repository root: infra/, Dockerfile, Makefile, minikube.sh, pom.xml */
  static List<String> check(Path root) {
    return new InfraChecker(root).run();
  }

  private List<String> run() {
    String image = BuildFileChecks.makefileImage(root, problems);
    checkVariableNames();
    for (String overlay : OVERLAYS) {
      try {
        checkOverlay(overlay, image);
      } catch (RuntimeException e) {
        problems.add("overlay " + overlay + ": " + e.getMessage());
      }
    }
    AwsFileChecks.check(root.resolve("infra/aws"), namespace, problems);
    BuildFileChecks.check(root, image, runAsUser, problems);
    return problems;
  }

  /** Every COMPACTOR_* variable any manifest sets must be one the service reads. */
  private void checkVariableNames() {
    Set<String> known = Set.copyOf(CompactorConfig.VARIABLES);
    for (Path file : yamlFiles(root.resolve("infra"))) {
      String where = root.relativize(file).toString();
      for (ObjectNode doc : Kustomize.documents(file)) {
        List<String> names = new ArrayList<>();
        String kind = doc.path("kind").asText();
        if (kind.equals("ConfigMap") || kind.equals("Secret")) {
          doc.path("data").fieldNames().forEachRemaining(names::add);
          doc.path("stringData").fieldNames().forEachRemaining(names::add);
        }
        collectEnvNames(doc, names);
        for (String name : names) {
          if (name.startsWith("COMPACTOR_") && !known.contains(name)) {
            problems.add(where + ": " + name + " is not a configuration variable of the service "
                + "(CompactorConfig.VARIABLES); a typo or a removed setting?");
          }
          if (kind.equals("ConfigMap") && name.equals(CompactorConfig.API_TOKEN)) {
            problems.add(where + ": " + name + " is a secret and belongs in a Secret, not in a ConfigMap");
          }
        }
      }
    }
  }

  private static void collectEnvNames(JsonNode node, List<String> names) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("env") && e.getValue().isArray()) {
          e.getValue().forEach(v -> names.add(v.path("name").asText()));
        }
        collectEnvNames(e.getValue(), names);
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectEnvNames(n, names));
    }
  }

  private void checkOverlay(String overlay, String makefileImage) {
    List<ObjectNode> resources = Kustomize.build(root.resolve("infra/k8s/overlays/" + overlay));
    resources.forEach(InfraChecker::fillPlaceholders);
    String where = "overlay " + overlay;
    ObjectNode deployment = Kustomize.find(resources, "Deployment", DEPLOYMENT);
    if (deployment == null) {
      problems.add(where + ": has no Deployment " + DEPLOYMENT);
      return;
    }
    namespace = deployment.path("metadata").path("namespace").asText("default");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    JsonNode container = container(pod, DEPLOYMENT);
    if (container == null) {
      problems.add(where + ": Deployment " + DEPLOYMENT + " has no container named " + DEPLOYMENT);
      return;
    }
    Map<String, String> env = PodEnv.of(container, resources, namespace,
        p -> problems.add(where + ": Deployment " + DEPLOYMENT + ": " + p));
    for (String required : CompactorConfig.REQUIRED) {
      if (env.getOrDefault(required, "").isBlank()) {
        problems.add(where + ": " + required + " is required but the Deployment does not set it "
            + "(directly or through its ConfigMap/Secret)");
      }
    }
    CompactorConfig config;
    try {
      config = CompactorConfig.fromEnv(env);
    } catch (ConfigException e) {
      problems.add(where + ": the service would refuse to start: " + e.getMessage());
      return;
    }
    checkHttp(where, resources, deployment, container, config.httpPort());
    checkLifecycle(where, resources, deployment, pod, container, config);
    checkPlaceholders(where, resources);
    checkImage(where, overlay, container, makefileImage);
    if (overlay.equals("minikube")) {
      runAsUser = pod.path("securityContext").path("runAsUser").isInt()
          ? pod.path("securityContext").path("runAsUser").asInt() : null;
    }
    String jobs = FluentBitChecks.check(where, resources, namespace, env, problems);
    if (overlay.equals("minikube")) {
      jobsNamespace = jobs;
      checkFixtures(env);
    }
  }

  /** Ports, probes and the Service must all lead to the port the service listens on. */
  private void checkHttp(String where, List<ObjectNode> resources, ObjectNode deployment, JsonNode container,
                         int port) {
    boolean listens = false;
    for (JsonNode p : container.path("ports")) {
      if (p.path("containerPort").asInt() == port) listens = true;
      else if (p.path("name").asText().equals("http")) {
        problems.add(where + ": containerPort http is " + p.path("containerPort").asInt()
            + " but the service listens on " + port + " (COMPACTOR_HTTP_PORT)");
      }
    }
    if (!listens) problems.add(where + ": no containerPort " + port + " (COMPACTOR_HTTP_PORT) is declared");
    checkProbe(where, container, "livenessProbe", HttpVerticle.HEALTH, port, true);
    checkProbe(where, container, "readinessProbe", HttpVerticle.READY, port, true);
    checkProbe(where, container, "startupProbe", HttpVerticle.HEALTH, port, false);

    JsonNode annotations = deployment.path("spec").path("template").path("metadata").path("annotations");
    if (annotations.path("prometheus.io/scrape").asText().equals("true")) {
      if (!annotations.path("prometheus.io/path").asText().equals(HttpVerticle.METRICS)) {
        problems.add(where + ": annotation prometheus.io/path is '" + annotations.path("prometheus.io/path").asText()
            + "' but metrics are served at " + HttpVerticle.METRICS);
      }
      if (annotations.path("prometheus.io/port").asInt(-1) != port) {
        problems.add(where + ": annotation prometheus.io/port is '" + annotations.path("prometheus.io/port").asText()
            + "' but the service listens on " + port);
      }
    }

    ObjectNode service = Kustomize.find(resources, "Service", DEPLOYMENT);
    if (service == null) {
      problems.add(where + ": has no Service " + DEPLOYMENT);
      return;
    }
    JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
    service.path("spec").path("selector").fields().forEachRemaining(sel -> {
      if (!labels.path(sel.getKey()).asText().equals(sel.getValue().asText())) {
        problems.add(where + ": Service " + DEPLOYMENT + " selects " + sel.getKey() + "=" + sel.getValue().asText()
            + ", which the Deployment's pods do not carry");
      }
    });
    for (JsonNode p : service.path("spec").path("ports")) {
      JsonNode target = p.has("targetPort") ? p.get("targetPort") : p.path("port");
      if (resolvePort(container, target) != port) {
        problems.add(where + ": Service " + DEPLOYMENT + " targets port " + target.asText()
            + ", not the service's port " + port);
      }
    }
  }

  private void checkProbe(String where, JsonNode container, String probe, String path, int port, boolean required) {
    JsonNode p = container.path(probe);
    if (p.isMissingNode()) {
      if (required) problems.add(where + ": the container has no " + probe + " (expected GET " + path + ")");
      return;
    }
    JsonNode get = p.path("httpGet");
    if (!get.path("path").asText().equals(path)) {
      problems.add(where + ": " + probe + " requests '" + get.path("path").asText() + "' but the service answers "
          + "it at " + path + " (HttpVerticle)");
    }
    if (resolvePort(container, get.path("port")) != port) {
      problems.add(where + ": " + probe + " uses port " + get.path("port").asText() + ", not the service's port "
          + port);
    }
  }

  private static int resolvePort(JsonNode container, JsonNode port) {
    if (port.isInt()) return port.asInt();
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) return p.path("containerPort").asInt();
    }
    return port.asText().matches("\\d+") ? Integer.parseInt(port.asText()) : -1;
  }

  /** Replicas, rolling update, the stop grace period and the non-root, read-only container the issue asks for. */
  private void checkLifecycle(String where, List<ObjectNode> resources, ObjectNode deployment, JsonNode pod,
                              JsonNode container, CompactorConfig config) {
    JsonNode spec = deployment.path("spec");
    if (spec.path("replicas").asInt(1) < 2) {
      problems.add(where + ": the Deployment runs " + spec.path("replicas").asInt(1) + " replica(s); 2 are wanted");
    }
    if (!spec.path("strategy").path("type").asText("RollingUpdate").equals("RollingUpdate")) {
      problems.add(where + ": the Deployment's strategy is not RollingUpdate");
    }
    long grace = pod.path("terminationGracePeriodSeconds").asLong(30);
    long needed = config.shutdownTimeout().toSeconds() + 5;
    if (grace <= needed) {
      problems.add(where + ": terminationGracePeriodSeconds is " + grace + " s but a stop may take "
          + needed + " s (COMPACTOR_SHUTDOWN_TIMEOUT + 5 s): the kubelet would kill a merge in progress");
    }
    boolean nonRoot = pod.path("securityContext").path("runAsNonRoot").asBoolean(false)
        || container.path("securityContext").path("runAsNonRoot").asBoolean(false);
    if (!nonRoot) problems.add(where + ": the pod does not set runAsNonRoot: true");
    if (!container.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false)) {
      problems.add(where + ": the container does not set readOnlyRootFilesystem: true");
    } else if (!mountsAt(container, "/tmp")) {
      problems.add(where + ": the root filesystem is read-only but nothing is mounted at /tmp, "
          + "where the JVM and Vert.x write");
    }
    if (container.path("resources").path("limits").path("memory").isMissingNode()) {
      problems.add(where + ": the container has no memory limit (the JVM sizes its heap from it)");
    }
    String account = pod.path("serviceAccountName").asText("default");
    if (!account.equals("default") && Kustomize.find(resources, "ServiceAccount", account) == null) {
      problems.add(where + ": the Deployment uses ServiceAccount " + account + ", which is not defined");
    }
  }

  private static boolean mountsAt(JsonNode container, String path) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("mountPath").asText().equals(path)) return true;
    }
    return false;
  }

  /** After envsubst no ${...} may remain, except Fluent Bit's own variables inside its configuration file. */
  private void checkPlaceholders(String where, List<ObjectNode> resources) {
    for (ObjectNode r : resources) {
      if (r.path("kind").asText().equals("ConfigMap") && r.path("metadata").path("name").asText().equals(
          FluentBitChecks.CONFIG_MAP)) {
        continue;
      }
      Matcher m = PLACEHOLDER.matcher(r.toString());
      while (m.find()) {
        problems.add(where + ": " + r.path("kind").asText() + " " + r.path("metadata").path("name").asText()
            + " still contains " + m.group() + " after the documented substitution of " + AWS_EXAMPLE.keySet());
      }
    }
  }

  private void checkImage(String where, String overlay, JsonNode container, String makefileImage) {
    String image = container.path("image").asText();
    if (makefileImage == null) return;
    if (overlay.equals("minikube")) {
      if (!image.equals(makefileImage)) {
        problems.add(where + ": the Deployment runs image '" + image + "' but `make image` builds '" + makefileImage
            + "' (Makefile IMAGE), which minikube.sh loads");
      }
    } else if (!repository(image).equals(repository(makefileImage))) {
      problems.add(where + ": the Deployment runs image '" + image + "', not a '" + repository(makefileImage)
          + "' image as `make image` builds");
    }
  }

  /** {@code registry/path/name:tag} -> {@code name}. */
  static String repository(String image) {
    String name = image.substring(image.lastIndexOf('/') + 1);
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  /** LocalStack, the setup Job and the minikube configuration must name the same service, bucket and queue. */
  private void checkFixtures(Map<String, String> env) {
    String where = "infra/k8s/fixtures";
    List<ObjectNode> fixtures = Kustomize.build(root.resolve(where));
    ObjectNode service = Kustomize.find(fixtures, "Service", "localstack");
    ObjectNode job = Kustomize.find(fixtures, "Job", "localstack-setup");
    ObjectNode setup = Kustomize.find(fixtures, "ConfigMap", "localstack-setup");
    if (service == null || job == null || setup == null) {
      problems.add(where + ": expected Service localstack, Job localstack-setup and ConfigMap localstack-setup");
      return;
    }
    String svcNamespace = service.path("metadata").path("namespace").asText("default");
    Set<String> hosts = Set.of("localstack", "localstack." + svcNamespace, "localstack." + svcNamespace + ".svc",
        "localstack." + svcNamespace + ".svc.cluster.local");
    int svcPort = service.path("spec").path("ports").path(0).path("port").asInt();
    JsonNode jobContainer = job.path("spec").path("template").path("spec").path("containers").path(0);
    Map<String, String> jobEnv = PodEnv.of(jobContainer, fixtures, svcNamespace, p -> problems.add(where + ": " + p));
    for (String[] endpoint : new String[][] {
        {"overlay minikube " + CompactorConfig.S3_ENDPOINT, env.get(CompactorConfig.S3_ENDPOINT)},
        {"overlay minikube " + CompactorConfig.SQS_ENDPOINT, env.get(CompactorConfig.SQS_ENDPOINT)},
        {"overlay minikube " + CompactorConfig.SQS_QUEUE_URL, env.get(CompactorConfig.SQS_QUEUE_URL)},
        {where + " Job localstack-setup ENDPOINT", jobEnv.get("ENDPOINT")}}) {
      URI uri = endpoint[1] == null ? null : URI.create(endpoint[1]);
      if (uri == null || !hosts.contains(uri.getHost()) || uri.getPort() != svcPort) {
        problems.add(endpoint[0] + " is '" + endpoint[1] + "', not the LocalStack Service (localstack."
            + svcNamespace + ".svc.cluster.local:" + svcPort + ")");
      }
    }
    String bucket = jobEnv.get("BUCKET");
    String queue = jobEnv.get("QUEUE");
    String dlq = jobEnv.get("DLQ");
    if (!env.getOrDefault(CompactorConfig.BUCKET, "").equals(bucket)) {
      problems.add(where + ": the setup Job creates bucket '" + bucket + "' but overlay minikube uses '"
          + env.get(CompactorConfig.BUCKET) + "'");
    }
    String queueUrl = env.getOrDefault(CompactorConfig.SQS_QUEUE_URL, "");
    if (queue == null || !queueUrl.endsWith("/" + queue)) {
      problems.add(where + ": the setup Job creates queue '" + queue + "' but overlay minikube reads " + queueUrl);
    }
    JsonNode files = setup.path("data");
    AwsFileChecks.checkNotification(where + " notification.json", AwsFileChecks.json(files.path("notification.json")
        .asText(), where + " notification.json", problems), queue, problems);
    AwsFileChecks.checkRedrive(where + " queue-attributes.json", AwsFileChecks.json(files.path("queue-attributes.json")
        .asText(), where + " queue-attributes.json", problems), dlq, problems);

    Path demo = root.resolve(where).resolve("demo-job.yaml");
    if (Files.isRegularFile(demo) && jobsNamespace != null) {
      for (ObjectNode doc : Kustomize.documents(demo)) {
        String ns = doc.path("metadata").path("namespace").asText("default");
        if (doc.path("kind").asText().equals("Job") && !ns.equals(jobsNamespace)) {
          problems.add(where + "/demo-job.yaml: the demo Job runs in namespace " + ns + " but Fluent Bit collects "
              + "namespace " + jobsNamespace + ": its log would never reach S3");
        }
      }
    }
  }

  /** What envsubst does at apply time for the aws overlay: only the documented variables. */
  private static void fillPlaceholders(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isTextual()) {
          e.setValue(TextNode.valueOf(fill(e.getValue().asText())));
        } else {
          fillPlaceholders(e.getValue());
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (node.get(i).isTextual()) {
          ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, TextNode.valueOf(fill(node.get(i).asText())));
        } else {
          fillPlaceholders(node.get(i));
        }
      }
    }
  }

  private static String fill(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = AWS_EXAMPLE.get(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static JsonNode container(JsonNode pod, String name) {
    for (JsonNode c : pod.path("containers")) {
      if (c.path("name").asText().equals(name)) return c;
    }
    return null;
  }

  private static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
