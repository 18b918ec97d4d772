package io.logcompactor.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.logcompactor.config.CompactorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Dockerfile, the Makefile and minikube.sh against the pom, the configuration and each other. */
final class BuildFileChecks {
  private static final Pattern MAKE_IMAGE = Pattern.compile("(?m)^IMAGE\\s*\\?=\\s*(\\S+)\\s*$");
  private static final Pattern SCRIPT_IMAGE = Pattern.compile("\\$\\{IMAGE:-([^}]+)}");
  private static final Pattern POM_NATIVE_FLAGS = Pattern.compile("<native.jvm.flags>([^<]+)</native.jvm.flags>");
  private static final Pattern POM_JAR = Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>");

  private BuildFileChecks() {}

  /** @return the Makefile's {@code IMAGE ?=} default, or null (reported) when there is none */
  static String makefileImage(Path root, List<String> problems) {
    String makefile = read(root.resolve("Makefile"), problems);
    Matcher m = makefile == null ? null : MAKE_IMAGE.matcher(makefile);
    if (m == null || !m.find()) {
      problems.add("Makefile: no 'IMAGE ?= name:tag' line; make image and the manifests must agree on it");
      return null;
    }
    return m.group(1);
  }

  static void check(Path root, String image, Integer runAsUser, List<String> problems) {
    checkDockerfile(root, runAsUser, problems);
    checkMakefile(root, problems);
    String script = read(root.resolve("minikube.sh"), problems);
    if (script == null) return;
    if (!script.contains("set -euo pipefail")) problems.add("minikube.sh: does not 'set -euo pipefail'");
    Matcher m = SCRIPT_IMAGE.matcher(script);
    if (image != null && (!m.find() || !m.group(1).equals(image))) {
      problems.add("minikube.sh: its default IMAGE is not the Makefile's IMAGE '" + image + "'");
    }
    for (String command : List.of("start", "load-images", "apply", "clean", "stop")) {
      if (!script.contains("    " + command + ")")) problems.add("minikube.sh: no '" + command + "' command");
    }
  }

  private static void checkMakefile(Path root, List<String> problems) {
    String makefile = read(root.resolve("Makefile"), problems);
    if (makefile == null) return;
    Matcher test = Pattern.compile("(?m)^test:([^#\\n]*)").matcher(makefile);
    if (!test.find() || !List.of(test.group(1).trim().split("\\s+")).contains("shellcheck")) {
      problems.add("Makefile: 'test' does not run the shellcheck target first");
    }
    for (String command : List.of("start", "load-images", "apply", "clean", "stop")) {
      if (!Pattern.compile("(?m)^minikube-" + command + ":[^\\n]*\\n\\t[^\\n]*\\./minikube\\.sh " + command + "\\b")
          .matcher(makefile).find()) {
        problems.add("Makefile: target minikube-" + command + " does not run ./minikube.sh " + command);
      }
    }
  }

  private static void checkDockerfile(Path root, Integer runAsUser, List<String> problems) {
    String text = read(root.resolve("Dockerfile"), problems);
    if (text == null) return;
    List<String> instructions = instructions(text);
    List<String> froms = instructions.stream().filter(i -> i.startsWith("FROM ")).toList();
    if (froms.size() < 2 || !froms.get(0).contains("maven") || !froms.get(0).contains("temurin-17")
        || !froms.get(froms.size() - 1).matches("FROM eclipse-temurin:17-jre\\S*")) {
      problems.add("Dockerfile: expected a Maven + Temurin 17 build stage and an eclipse-temurin:17-jre runtime stage");
    }
    int goOffline = indexOf(instructions, "RUN ", "dependency:go-offline");
    int copyPom = indexOf(instructions, "COPY ", "pom.xml");
    int copySrc = indexOf(instructions, "COPY ", "src");
    if (goOffline < 0 || copyPom < 0 || copySrc < 0 || !(copyPom < goOffline && goOffline < copySrc)) {
      problems.add("Dockerfile: dependencies are not a layer of their own (COPY pom.xml, RUN mvn "
          + "dependency:go-offline, then COPY src)");
    }
    int port = CompactorConfig.fromEnv(Map.of(CompactorConfig.BUCKET, "job-logs",
        CompactorConfig.SQS_QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/111122223333/q")).httpPort();
    if (instructions.stream().noneMatch(i -> i.matches("EXPOSE .*\\b" + port + "\\b.*"))) {
      problems.add("Dockerfile: does not EXPOSE " + port + ", the service's default COMPACTOR_HTTP_PORT");
    }
    String user = instructions.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
    String uid = user.substring(5).split(":")[0].trim();
    if (!uid.matches("\\d+") || uid.equals("0")) {
      problems.add("Dockerfile: the image runs as '" + uid + "'; use a numeric non-root uid (runAsNonRoot needs it)");
    } else if (runAsUser != null && runAsUser != Integer.parseInt(uid)) {
      problems.add("Dockerfile: the image's uid " + uid + " differs from the Deployment's runAsUser " + runAsUser);
    }
    checkEntrypoint(root, instructions, problems);
  }

  /** Exec form (java is PID 1 and gets SIGTERM) running the jar the build stage made. */
  private static void checkEntrypoint(Path root, List<String> instructions, List<String> problems) {
    String entry = instructions.stream().filter(i -> i.startsWith("ENTRYPOINT ")).reduce((a, b) -> b).orElse(null);
    List<String> argv = new ArrayList<>();
    try {
      if (entry != null) new ObjectMapper().readTree(entry.substring(11)).forEach(a -> argv.add(a.asText()));
    } catch (IOException e) {
      argv.clear();
    }
    int jar = argv.indexOf("-jar");
    if (argv.isEmpty() || !argv.get(0).endsWith("java") || jar < 0 || jar + 1 >= argv.size()) {
      problems.add("Dockerfile: ENTRYPOINT must be the exec form [\"java\", ..., \"-jar\", JAR] so SIGTERM reaches java");
      return;
    }
    String pom = read(root.resolve("pom.xml"), problems);
    Matcher flags = pom == null ? null : POM_NATIVE_FLAGS.matcher(pom);
    if (flags != null && flags.find()) {
      for (String flag : flags.group(1).trim().split("\\s+")) {
        int at = argv.indexOf(flag);
        if (at < 0 || at > jar) {
          problems.add("Dockerfile: the ENTRYPOINT does not pass " + flag + " before -jar (the pom's native.jvm.flags: "
              + "without them the gzip check cannot use libdeflate)");
        }
      }
      boolean installed = instructions.stream().anyMatch(i -> i.startsWith("RUN ") && i.contains("apt-get install")
          && i.contains(" libdeflate0"));
      if (!installed) problems.add("Dockerfile: the runtime stage does not install libdeflate0 for the gzip check");
    }
    Matcher m = pom == null ? null : POM_JAR.matcher(pom);
    String built = m != null && m.find() ? m.group(1) : "log-compactor.jar";
    String runs = argv.get(jar + 1);
    boolean copied = instructions.stream().anyMatch(i -> i.startsWith("COPY --from=")
        && i.contains("target/" + built + " ") && i.endsWith(" " + runs));
    if (!copied) {
      problems.add("Dockerfile: the ENTRYPOINT runs " + runs + " but no COPY --from the build stage puts target/"
          + built + " (the pom's shaded jar) there");
    }
  }

  /** Instructions with continuation lines joined and comments dropped. */
  private static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.startsWith("#") || (l.isEmpty() && current.isEmpty())) continue;
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      current.append(l);
      out.add(current.toString().strip());
      current.setLength(0);
    }
    return out;
  }

  private static int indexOf(List<String> instructions, String start, String fragment) {
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith(start) && instructions.get(i).contains(fragment)) return i;
    }
    return -1;
  }

  private static String read(Path file, List<String> problems) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      problems.add(file.getFileName() + " cannot be read: " + e.getMessage());
      return null;
    }
  }
}
