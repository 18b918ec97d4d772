#!/usr/bin/env bash
# Runs the whole chain on minikube: Fluent Bit -> LocalStack S3 -> SQS -> log-compactor.
# See the README's "Deploy" section for the walkthrough.
set -euo pipefail

readonly PROFILE="${MINIKUBE_PROFILE:-log-compactor}"
readonly IMAGE="${IMAGE:-log-compactor:dev}"
readonly NAMESPACE="log-compactor"

cd "$(dirname "$0")"

usage() {
  cat <<USAGE
Usage: ./minikube.sh COMMAND

Commands:
  start        start the minikube cluster (profile "${PROFILE}")
  load-images  build the image ${IMAGE} and load it into the cluster
  apply        deploy LocalStack (bucket, queue, notifications), then log-compactor and Fluent Bit
  clean        delete everything 'apply' created (and the demo job)
  stop         stop the cluster (its disk is kept; 'minikube delete -p ${PROFILE}' removes it)

Environment:
  MINIKUBE_PROFILE  minikube profile (default log-compactor)
  IMAGE             image to build and deploy (default log-compactor:dev, as in the Makefile)
USAGE
}

# kubectl of the host if there is one, else the one minikube ships; always against this profile's cluster.
kube() {
  if command -v kubectl >/dev/null 2>&1; then
    kubectl --context "${PROFILE}" "$@"
  else
    minikube -p "${PROFILE}" kubectl -- "$@"
  fi
}

start() {
  minikube start -p "${PROFILE}" --cpus=2 --memory=6g
}

load_images() {
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    docker build -t "${IMAGE}" .
    minikube -p "${PROFILE}" image load "${IMAGE}"
  else
    # No local Docker engine: build inside the cluster's runtime instead.
    minikube -p "${PROFILE}" image build -t "${IMAGE}" .
  fi
}

apply() {
  kube apply -k infra/k8s/fixtures
  kube -n "${NAMESPACE}" rollout status deployment/localstack --timeout=300s
  kube -n "${NAMESPACE}" wait --for=condition=complete job/localstack-setup --timeout=300s
  kube apply -k infra/k8s/overlays/minikube
  if [[ "${IMAGE}" != "log-compactor:dev" ]]; then
    kube -n "${NAMESPACE}" set image deployment/log-compactor "log-compactor=${IMAGE}"
  fi
  kube -n "${NAMESPACE}" rollout status daemonset/fluent-bit --timeout=300s
  kube -n "${NAMESPACE}" rollout status deployment/log-compactor --timeout=300s
  echo "Ready. Try: kubectl --context ${PROFILE} -n ${NAMESPACE} port-forward svc/log-compactor 8080:8080"
}

clean() {
  kube delete -f infra/k8s/fixtures/demo-job.yaml --ignore-not-found
  kube delete -k infra/k8s/overlays/minikube --ignore-not-found
  kube delete -k infra/k8s/fixtures --ignore-not-found
}

stop() {
  minikube stop -p "${PROFILE}"
}

main() {
  if [[ $# -ne 1 ]]; then
    usage >&2
    exit 2
  fi
  case "$1" in
    start) start ;;
    load-images) load_images ;;
    apply) apply ;;
    clean) clean ;;
    stop) stop ;;
    -h | --help | help) usage ;;
    *)
      echo "minikube.sh: unknown command '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
