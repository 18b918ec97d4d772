# log-compactor image: `make image` (docker build -t log-compactor:dev .). Builds the same jar as `make build`.

# Build stage. Dependencies are a layer of their own, fetched from the pom alone, so editing sources does not
# download them again.
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src/main src/main
RUN mvn -B -ntp -q -Dmaven.test.skip=true package

# Runtime stage: the JRE, libdeflate (the gzip check's fast inflate; without it the check runs on the JDK's zlib)
# and the jar.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends libdeflate0 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 compactor \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin compactor
WORKDIR /app
COPY --from=build /build/target/log-compactor.jar /app/log-compactor.jar
# Numeric, so Kubernetes' runAsNonRoot can verify it (the Deployment runs as the same uid).
USER 10001:10001
EXPOSE 8080
# Exec form: java is PID 1 and receives SIGTERM itself, which starts the graceful stop.
# The JVM sizes itself from the container's limits: heap at 75 % of the memory limit, the rest for metaspace,
# threads and direct buffers. On OutOfMemoryError it exits so Kubernetes restarts it instead of limping on.
# The two module flags let the gzip check call libdeflate (the pom's native.jvm.flags; drop them to use zlib).
# More flags: set JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:InitialRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError", "--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/log-compactor.jar"]
