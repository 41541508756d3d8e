#!/usr/bin/env bash
# Renders deploy/kubernetes with kustomize (kubectl kustomize) and checks every object against the
# Kubernetes API's schemas (kubernetes-models, installed from npm into deploy/kubernetes/validate), offline:
# no cluster is needed. The schemas check types, enums and required fields; they do not flag unknown
# fields. secrets.example.yaml is checked too.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubectl >/dev/null || { echo "validate-kubernetes: kubectl is needed (for kustomize)" >&2; exit 2; }
command -v npm >/dev/null || { echo "validate-kubernetes: npm is needed" >&2; exit 2; }
validate=deploy/kubernetes/validate
[ -d "$validate/node_modules/kubernetes-models" ] || npm --prefix "$validate" install --silent --no-audit --no-fund >/dev/null
kubectl kustomize deploy/kubernetes | node "$validate/validate.mjs"
kubectl kustomize deploy/kubernetes/overlays/proxy-protocol | node "$validate/validate.mjs"
node "$validate/validate.mjs" < deploy/kubernetes/secrets.example.yaml
