# log-compactor: every developer and CI command. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
MVN ?= mvn -B -ntp
IMAGE ?= log-compactor:dev

.PHONY: help setup build run test test_unit test_integration test_localstack image soak

help:
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup: ## Fetch every dependency and plugin (Maven Central only)
	$(MVN) -q dependency:go-offline

build: ## Build target/log-compactor.jar (no tests)
	$(MVN) -DskipTests package

run: ## Run the service locally on embedded S3 (S3Proxy) + SQS (ElasticMQ) with a demo producer
	$(MVN) -q -DskipTests test-compile exec:java -Dexec.classpathScope=test \
	  -Dexec.mainClass=io.logcompactor.local.LocalMain -Dexec.cleanupDaemonThreads=false

test: ## The whole suite: unit + integration tests against real in-process S3 and SQS servers
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
