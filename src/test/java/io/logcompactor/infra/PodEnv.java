package io.logcompactor.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The environment a container of a rendered workload starts with: envFrom first, then env, as Kubernetes does. */
final class PodEnv {
  private static final Pattern REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private PodEnv() {}

  static Map<String, String> of(JsonNode container, List<ObjectNode> resources, String namespace,
                                Consumer<String> problem) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      String prefix = from.path("prefix").asText("");
      boolean configMap = from.has("configMapRef");
      JsonNode ref = configMap ? from.get("configMapRef") : from.path("secretRef");
      String name = ref.path("name").asText();
      Map<String, String> data = configMap ? configMapData(resources, namespace, name)
          : secretData(resources, namespace, name);
      if (data == null) {
        if (!ref.path("optional").asBoolean(false)) {
          problem.accept("envFrom names " + (configMap ? "ConfigMap " : "Secret ") + name + ", which does not exist");
        }
        continue;
      }
      data.forEach((k, v) -> env.put(prefix + k, v));
    }
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        env.put(name, expandRefs(e.get("value").asText(), env));
        continue;
      }
      JsonNode from = e.path("valueFrom");
      boolean configMap = from.has("configMapKeyRef");
      JsonNode ref = configMap ? from.get("configMapKeyRef") : from.get("secretKeyRef");
      if (ref == null) {
        env.put(name, "<" + from.fieldNames().next() + ">");
        continue;
      }
      Map<String, String> data = configMap ? configMapData(resources, namespace, ref.path("name").asText())
          : secretData(resources, namespace, ref.path("name").asText());
      String value = data == null ? null : data.get(ref.path("key").asText());
      if (value == null) {
        if (!ref.path("optional").asBoolean(false)) {
          problem.accept("env " + name + " reads key " + ref.path("key").asText() + " of "
              + ref.path("name").asText() + ", which is not set");
        }
        continue;
      }
      env.put(name, value);
    }
    return env;
  }

  /** Kubernetes' {@code $(VAR)} references to variables defined earlier; unknown ones stay as written. */
  static String expandRefs(String value, Map<String, String> env) {
    Matcher m = REF.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static Map<String, String> configMapData(List<ObjectNode> resources, String namespace, String name) {
    ObjectNode cm = find(resources, "ConfigMap", namespace, name);
    if (cm == null) return null;
    Map<String, String> data = new LinkedHashMap<>();
    cm.path("data").fields().forEachRemaining(f -> data.put(f.getKey(), f.getValue().asText()));
    return data;
  }

  static Map<String, String> secretData(List<ObjectNode> resources, String namespace, String name) {
    ObjectNode s = find(resources, "Secret", namespace, name);
    if (s == null) return null;
    Map<String, String> data = new LinkedHashMap<>();
    s.path("data").fields().forEachRemaining(f -> data.put(f.getKey(),
        new String(Base64.getDecoder().decode(f.getValue().asText()), StandardCharsets.UTF_8)));
    s.path("stringData").fields().forEachRemaining(f -> data.put(f.getKey(), f.getValue().asText()));
    return data;
  }

  static ObjectNode find(List<ObjectNode> resources, String kind, String namespace, String name) {
    for (ObjectNode r : resources) {
      JsonNode meta = r.path("metadata");
      if (r.path("kind").asText().equals(kind) && meta.path("name").asText().equals(name)
          && meta.path("namespace").asText(namespace).equals(namespace)) {
        return r;
      }
    }
    return null;
  }
}
