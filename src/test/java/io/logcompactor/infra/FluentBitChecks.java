package io.logcompactor.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.RawKey;
import io.logcompactor.layout.RawKeyParser;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one log file of a job container through the Fluent Bit DaemonSet of a rendered overlay: the tail input
 * must pick the file, its tag must reach the kubernetes filter and the s3 output, and the key the output writes
 * must parse with {@link RawKeyParser} into the same pod, namespace, container, container id, minute and index.
 */
final class FluentBitChecks {
  static final String DAEMON_SET = "fluent-bit";
  static final String CONFIG_MAP = "fluent-bit-config";
  static final String DEFAULT_CONFIG = "/fluent-bit/etc/fluent-bit.conf";
  /** The jobs-namespace forms of the tail Path the checker understands. */
  private static final Pattern NAMESPACE_PATH = Pattern.compile("/var/log/containers/\\*_([a-z0-9-]+)_\\*\\.log");
  private static final String ALL_CONTAINERS = "/var/log/containers/*.log";
  private static final String POD = "nightly-report-28871540-x7k2p";
  private static final String CONTAINER = "report";
  private static final String CONTAINER_ID = "3f5a0b7e9c1d2f4a6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a";
  private static final Instant FIRST_RECORD = Instant.parse("2026-11-25T20:13:59Z");
  private static final String MINUTE = "202611252013";
  private static final long INDEX = 7;

  private FluentBitChecks() {}

  /** @return the namespace whose containers the tail input collects, or null when it cannot tell */
  static String check(String overlay, List<ObjectNode> resources, String namespace, Map<String, String> compactor,
                      List<String> problems) {
    String where = overlay + ": Fluent Bit";
    ObjectNode ds = Kustomize.find(resources, "DaemonSet", DAEMON_SET);
    if (ds == null) {
      problems.add(overlay + ": has no DaemonSet " + DAEMON_SET);
      return null;
    }
    JsonNode pod = ds.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").path(0);
    String dsNamespace = ds.path("metadata").path("namespace").asText(namespace);
    Map<String, String> env = PodEnv.of(container, resources, dsNamespace, p -> problems.add(where + ": " + p));

    String configPath = configPath(container);
    String text = mountedFile(pod, container, resources, dsNamespace, configPath);
    if (text == null) {
      problems.add(where + ": " + configPath + " is not a key of a ConfigMap mounted into the container");
      return null;
    }
    List<FluentBitConfig.Section> sections;
    try {
      sections = FluentBitConfig.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + configPath + " would not load: " + e.getMessage());
      return null;
    }
    List<String> missing = new ArrayList<>();
    java.util.function.BiFunction<FluentBitConfig.Section, String, String> get = (s, key) -> {
      String raw = s.get(key);
      return raw == null ? null : FluentBitConfig.expand(raw, env, missing::add);
    };

    List<FluentBitConfig.Section> tails = FluentBitConfig.sections(sections, "INPUT", "tail");
    List<FluentBitConfig.Section> outputs = FluentBitConfig.sections(sections, "OUTPUT", "s3");
    if (tails.isEmpty()) problems.add(where + ": no tail input");
    if (outputs.isEmpty()) problems.add(where + ": no s3 output");
    String jobsNamespace = null;
    for (FluentBitConfig.Section tail : tails) {
      String path = get.apply(tail, "path");
      String tagPattern = get.apply(tail, "tag");
      if (path == null || tagPattern == null || !tagPattern.endsWith("*")) {
        problems.add(where + ": the tail input needs a Path and a Tag ending in '*' (the file path becomes the tag,"
            + " and the tag the S3 key)");
        continue;
      }
      Matcher m = NAMESPACE_PATH.matcher(path);
      if (m.matches()) {
        jobsNamespace = m.group(1);
      } else if (path.equals(ALL_CONTAINERS)) {
        jobsNamespace = "default";
      } else {
        problems.add(where + ": tail Path '" + path + "' is neither " + ALL_CONTAINERS + " nor "
            + "/var/log/containers/*_{namespace}_*.log; extend FluentBitChecks to check it");
        continue;
      }
      String file = "/var/log/containers/" + POD + "_" + jobsNamespace + "_" + CONTAINER + "-" + CONTAINER_ID + ".log";
      if (!FileSystems.getDefault().getPathMatcher("glob:" + path).matches(Path.of(file))) {
        problems.add(where + ": tail Path '" + path + "' does not match a job container's log file " + file);
      }
      checkOnHostPath(where, "the tail DB (read offsets)", get.apply(tail, "db"), pod, container, problems);
      // Fluent Bit's tail input replaces the '*' of the Tag with the file path, '/' turned into '.'.
      String tag = tagPattern.substring(0, tagPattern.length() - 1) + file.substring(1).replace('/', '.');
      checkKubernetesFilter(where, sections, get, tag, problems);
      boolean routed = false;
      for (FluentBitConfig.Section out : outputs) {
        if (!FluentBitConfig.tagMatches(get.apply(out, "match") == null ? "" : get.apply(out, "match"), tag)) {
          continue;
        }
        routed = true;
        checkOutput(where, out, get, tag, jobsNamespace, compactor, pod, container, problems);
      }
      if (!routed) problems.add(where + ": no s3 output matches the tag " + tag);
    }
    for (String name : missing.stream().distinct().toList()) {
      problems.add(where + ": the configuration uses ${" + name + "}, which the DaemonSet's environment does not set"
          + " (Fluent Bit would use an empty value)");
    }
    return jobsNamespace;
  }

  private static void checkKubernetesFilter(String where, List<FluentBitConfig.Section> sections,
                                            java.util.function.BiFunction<FluentBitConfig.Section, String, String> get,
                                            String tag, List<String> problems) {
    for (FluentBitConfig.Section filter : FluentBitConfig.sections(sections, "FILTER", "kubernetes")) {
      String match = get.apply(filter, "match");
      if (match == null || !FluentBitConfig.tagMatches(match, tag)) continue;
      String prefix = filter.get("kube_tag_prefix", "kube.var.log.containers.");
      if (!tag.startsWith(prefix)) {
        problems.add(where + ": the kubernetes filter's Kube_Tag_Prefix '" + prefix + "' is not a prefix of the tag "
            + tag + ": it could not find the pod of a record");
      }
      return;
    }
    problems.add(where + ": no kubernetes filter matches the tag " + tag);
  }

  private static void checkOutput(String where, FluentBitConfig.Section out,
                                  java.util.function.BiFunction<FluentBitConfig.Section, String, String> get,
                                  String tag, String jobsNamespace, Map<String, String> compactor, JsonNode pod,
                                  JsonNode container, List<String> problems) {
    expect(where, out, get, "use_put_object", "On", problems);
    expect(where, out, get, "compression", "gzip", problems);
    expect(where, out, get, "total_file_size", "1M", problems);
    expect(where, out, get, "upload_timeout", "1m", problems);
    String retry = get.apply(out, "retry_limit");
    if (retry == null || !retry.matches("\\d+") || Long.parseLong(retry) < 100) {
      problems.add(where + ": s3 output Retry_Limit is '" + retry + "'; the s3 output gives up on an upload after"
          + " that many failures (False and no_limits mean 5), so set a number of at least 100");
    }
    String storeDir = get.apply(out, "store_dir");
    checkOnHostPath(where, "the s3 store_dir (buffered chunks and the $INDEX counter)",
        storeDir == null ? "/tmp/fluent-bit/s3" : storeDir, pod, container, problems);

    String bucket = get.apply(out, "bucket");
    if (bucket == null || !bucket.equals(compactor.get(CompactorConfig.BUCKET))) {
      problems.add(where + ": the s3 output writes to bucket '" + bucket + "' but log-compactor reads bucket '"
          + compactor.get(CompactorConfig.BUCKET) + "'");
    }
    String region = get.apply(out, "region");
    String compactorRegion = compactor.get("AWS_REGION");
    if (compactorRegion != null && !compactorRegion.equals(region)) {
      problems.add(where + ": the s3 output uses region '" + region + "' but log-compactor uses '" + compactorRegion
          + "'");
    }
    String endpoint = trimSlash(get.apply(out, "endpoint"));
    String compactorEndpoint = trimSlash(compactor.get(CompactorConfig.S3_ENDPOINT));
    if (compactorEndpoint != null && !compactorEndpoint.equals(endpoint)) {
      problems.add(where + ": the s3 output sends to '" + endpoint + "' but log-compactor reads from '"
          + compactorEndpoint + "'");
    } else if (compactorEndpoint == null && endpoint != null
        && !endpoint.equals("https://s3." + region + ".amazonaws.com")) {
      problems.add(where + ": the s3 output sends to '" + endpoint + "' but log-compactor uses AWS S3 in " + region);
    }

    String format = get.apply(out, "s3_key_format");
    if (format == null) {
      problems.add(where + ": the s3 output has no s3_key_format; Fluent Bit's default is not the raw-key format");
      return;
    }
    List<String> variants = new ArrayList<>(List.of(format));
    if (format.contains("__$INDEX")) variants.add(format.replace("__$INDEX", "_$INDEX"));
    else if (format.contains("_$INDEX")) variants.add(format.replace("_$INDEX", "__$INDEX"));
    String delimiters = out.get("s3_key_format_tag_delimiters", ".");
    boolean staticPath = FluentBitConfig.isOn(out.get("static_file_path"));
    for (String f : variants) {
      String key;
      try {
        key = S3KeyFormat.storedKey(f, tag, delimiters, FIRST_RECORD, INDEX, staticPath);
      } catch (IllegalArgumentException e) {
        problems.add(where + ": s3_key_format " + e.getMessage());
        continue;
      }
      RawKeyParser.Result r = RawKeyParser.parse(key);
      if (r instanceof RawKeyParser.Rejected rejected) {
        problems.add(where + ": s3_key_format '" + f + "' writes key '" + key + "' for tag " + tag
            + ", which RawKeyParser rejects: " + rejected.reason());
        continue;
      }
      RawKey k = ((RawKeyParser.Parsed) r).rawKey();
      if (!k.key().startsWith(Keys.RAW_PREFIX) || !k.pod().equals(POD) || !k.namespace().equals(jobsNamespace)
          || !k.container().equals(CONTAINER) || !k.containerId().equals(CONTAINER_ID) || !k.minute().equals(MINUTE)
          || k.index() != INDEX) {
        problems.add(where + ": s3_key_format '" + f + "' writes key '" + key + "', which parses as " + k
            + " instead of pod " + POD + ", container " + CONTAINER + ", minute " + MINUTE + ", index " + INDEX);
      }
    }
  }

  private static void expect(String where, FluentBitConfig.Section out,
                             java.util.function.BiFunction<FluentBitConfig.Section, String, String> get, String key,
                             String expected, List<String> problems) {
    String value = get.apply(out, key);
    boolean ok = expected.equals("On") ? FluentBitConfig.isOn(value) : expected.equalsIgnoreCase(value);
    if (!ok) problems.add(where + ": s3 output " + key + " is '" + value + "', expected " + expected);
  }

  /** State that must outlive the pod (offsets, buffers, $INDEX) must be on a hostPath volume. */
  private static void checkOnHostPath(String where, String what, String path, JsonNode pod, JsonNode container,
                                      List<String> problems) {
    if (path == null) {
      problems.add(where + ": " + what + " is not set: it would not survive a restart");
      return;
    }
    for (JsonNode mount : container.path("volumeMounts")) {
      String mountPath = mount.path("mountPath").asText();
      if (path.startsWith(mountPath + "/") && !mount.path("readOnly").asBoolean(false)) {
        for (JsonNode v : pod.path("volumes")) {
          if (v.path("name").asText().equals(mount.path("name").asText()) && v.has("hostPath")) return;
        }
      }
    }
    problems.add(where + ": " + what + " " + path + " is not on a writable hostPath volume: a restarted pod would "
        + "lose it");
  }

  private static String configPath(JsonNode container) {
    List<String> argv = new ArrayList<>();
    container.path("command").forEach(a -> argv.add(a.asText()));
    container.path("args").forEach(a -> argv.add(a.asText()));
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.startsWith("--config=")) return a.substring("--config=".length());
      if ((a.equals("-c") || a.equals("--config")) && i + 1 < argv.size()) return argv.get(i + 1);
    }
    return DEFAULT_CONFIG;
  }

  private static String mountedFile(JsonNode pod, JsonNode container, List<ObjectNode> resources, String namespace,
                                    String file) {
    for (JsonNode mount : container.path("volumeMounts")) {
      String dir = mount.path("mountPath").asText();
      if (!file.startsWith(dir + "/")) continue;
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(mount.path("name").asText()) && v.has("configMap")) {
          Map<String, String> data = PodEnv.configMapData(resources, namespace, v.path("configMap").path("name").asText());
          return data == null ? null : data.get(file.substring(dir.length() + 1));
        }
      }
    }
    return null;
  }

  private static String trimSlash(String s) {
    return s == null || !s.endsWith("/") ? s : s.substring(0, s.length() - 1);
  }
}
