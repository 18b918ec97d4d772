# log-compactor: every developer and CI command. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
MVN ?= mvn -B -ntp
IMAGE ?= log-compactor:dev
# The JVM flags that let the gzip check call libdeflate (the pom's native.jvm.flags): for the goals that run the
# service inside Maven's own JVM.
NATIVE_JVM_FLAGS := --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED
MVN_NATIVE = MAVEN_OPTS="$$MAVEN_OPTS $(NATIVE_JVM_FLAGS)" $(MVN)

.PHONY: help setup build run test test_unit test_integration test_localstack image bench shellcheck soak \
	minikube-start minikube-load-images minikube-apply minikube-clean minikube-stop

help:
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup: ## Fetch every dependency and plugin (Maven Central only)
	$(MVN) -q dependency:go-offline

build: ## Build target/log-compactor.jar (no tests)
	$(MVN) -DskipTests package

run: ## Run the service locally on embedded S3 (S3Proxy) + SQS (ElasticMQ) with a demo producer
	$(MVN_NATIVE) -q -DskipTests test-compile exec:java -Dexec.classpathScope=test \
	  -Dexec.mainClass=io.logcompactor.local.LocalMain -Dexec.cleanupDaemonThreads=false

test: shellcheck ## The whole suite: shellcheck, then unit + integration tests against real in-process S3 and SQS servers
	$(MVN) verify

test_unit: ## Unit tests only (no servers)
	$(MVN) test

test_integration: ## Integration tests only (in-process S3Proxy + ElasticMQ)
	$(MVN) verify -Dsurefire.skip=true -DskipUnitTests=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false

test_localstack: ## Integration tests against LocalStack in Docker (needs a Docker engine)
	@if ! docker info >/dev/null 2>&1; then echo "test_localstack: no Docker engine here; skipping (not part of make test)"; exit 0; fi; \
	$(MVN) verify -Plocalstack

SOAK_KILLS ?= 200
soak: ## Long reliability run: crash-restart soak and replicas with SOAK_KILLS SIGKILLs (default 200)
	$(MVN) verify -Dsoak.kills=$(SOAK_KILLS) -Dit.test='CrashRestartSoakIT,ReplicasIT' \
	  -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false

image: ## Build the container image $(IMAGE)
	docker build -t $(IMAGE) .

# Every shell script of the project. shellcheck comes from Debian's packages where it is missing (CI runs as root).
SHELL_SCRIPTS := minikube.sh .ci/run
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

shellcheck: ## Lint the shell scripts (installs Debian's shellcheck first where it is missing)
	@command -v shellcheck >/dev/null 2>&1 || { \
	  echo "shellcheck: installing Debian's shellcheck package"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck; }
	shellcheck $(SHELL_SCRIPTS)

minikube-start: ## minikube: start the cluster
	./minikube.sh start

minikube-load-images: ## minikube: build $(IMAGE) and load it into the cluster
	IMAGE=$(IMAGE) ./minikube.sh load-images

minikube-apply: ## minikube: deploy LocalStack, log-compactor and Fluent Bit
	IMAGE=$(IMAGE) ./minikube.sh apply

minikube-clean: ## minikube: delete what minikube-apply created
	./minikube.sh clean

minikube-stop: ## minikube: stop the cluster
	./minikube.sh stop

bench: ## Benchmarks against the floor measured in the same run (7-8 min on 2 cores; BENCH_ARGS=--only=read,ingest); writes target/bench/results.json
	$(MVN) -q -DskipTests package
	$(MVN_NATIVE) -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.logcompactor.bench.Bench \
	  -Dexec.cleanupDaemonThreads=false -Dexec.args="$(BENCH_ARGS)"
