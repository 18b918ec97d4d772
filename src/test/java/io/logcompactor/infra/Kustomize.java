package io.logcompactor.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the subset the project's manifests use:
 * {@code resources} (files and directories), {@code patches} given by {@code path} (strategic merge) and
 * {@code namespace}. Anything else fails loudly, so a manifest that outgrows this subset is noticed rather than
 * checked wrongly. {@code kubectl kustomize} on the same directories was used to confirm the output.
 */
final class Kustomize {
  static final YAMLMapper YAML = new YAMLMapper();

  private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches");
  private static final Set<String> CLUSTER_SCOPED =
      Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume");
  /** Strategic-merge keys of the lists the manifests patch; other lists are replaced, as Kubernetes does. */
  private static final Map<String, String> MERGE_KEYS = Map.of(
      "containers", "name", "initContainers", "name", "env", "name", "volumes", "name",
      "volumeMounts", "mountPath", "ports", "containerPort");

  private Kustomize() {}

  /** Every YAML document of a file; empty documents are skipped. */
  static List<ObjectNode> documents(Path file) {
    List<ObjectNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file))) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc instanceof ObjectNode o) docs.add(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file + ": " + e.getMessage(), e);
    }
    return docs;
  }

  /** The resources the kustomization in {@code dir} produces, patched and namespaced. */
  static List<ObjectNode> build(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) throw new IllegalStateException(dir + " has no kustomization.yaml");
    ObjectNode k = documents(file).get(0);
    for (Iterator<String> names = k.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!SUPPORTED.contains(name)) {
        throw new IllegalStateException(file + " uses '" + name + "', which the offline checker does not render; "
            + "extend io.logcompactor.infra.Kustomize");
      }
    }
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      if (Files.isDirectory(p)) out.addAll(build(p));
      else if (Files.isRegularFile(p)) out.addAll(documents(p));
      else throw new IllegalStateException(file + ": resource " + r.asText() + " does not exist");
    }
    for (JsonNode patch : k.path("patches")) {
      if (!patch.has("path") || patch.size() != 1) {
        throw new IllegalStateException(file + ": only 'patches: - path: FILE' is supported by the offline checker");
      }
      Path p = dir.resolve(patch.get("path").asText()).normalize();
      if (!Files.isRegularFile(p)) throw new IllegalStateException(file + ": patch " + p + " does not exist");
      for (ObjectNode doc : documents(p)) {
        ObjectNode target = find(out, doc.path("kind").asText(), doc.path("metadata").path("name").asText());
        if (target == null) {
          throw new IllegalStateException(p + ": no " + doc.path("kind").asText() + " named "
              + doc.path("metadata").path("name").asText() + " to patch");
        }
        merge(target, doc);
      }
    }
    if (k.hasNonNull("namespace")) {
      for (ObjectNode r : out) {
        if (!CLUSTER_SCOPED.contains(r.path("kind").asText())) {
          ((ObjectNode) r.get("metadata")).put("namespace", k.get("namespace").asText());
        }
      }
    }
    return out;
  }

  static ObjectNode find(List<ObjectNode> resources, String kind, String name) {
    for (ObjectNode r : resources) {
      if (r.path("kind").asText().equals(kind) && r.path("metadata").path("name").asText().equals(name)) return r;
    }
    return null;
  }

  /** Strategic merge: maps merge, lists with a merge key merge element by element, other lists are replaced. */
  static void merge(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = e.getKey();
      JsonNode value = e.getValue();
      JsonNode existing = target.get(field);
      if (value.isNull()) {
        target.remove(field);
      } else if (value instanceof ObjectNode v && existing instanceof ObjectNode t) {
        merge(t, v);
      } else if (value instanceof ArrayNode v && existing instanceof ArrayNode t && MERGE_KEYS.containsKey(field)) {
        mergeList(t, v, MERGE_KEYS.get(field));
      } else {
        target.set(field, value.deepCopy());
      }
    }
  }

  /** Like kustomize: the patch's elements first (merged into their counterparts), then the untouched ones. */
  private static void mergeList(ArrayNode target, ArrayNode patch, String key) {
    List<JsonNode> merged = new ArrayList<>();
    List<JsonNode> rest = new ArrayList<>();
    target.forEach(rest::add);
    for (JsonNode item : patch) {
      JsonNode match = null;
      for (JsonNode t : rest) {
        if (t.path(key).equals(item.path(key))) match = t;
      }
      if (match instanceof ObjectNode m && item instanceof ObjectNode o) {
        rest.remove(match);
        merge(m, o);
        merged.add(m);
      } else {
        merged.add(item.deepCopy());
      }
    }
    target.removeAll();
    merged.forEach(target::add);
    rest.forEach(target::add);
  }
}
