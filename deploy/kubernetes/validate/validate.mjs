// Validates rendered Kubernetes manifests (YAML on standard input) against the API's OpenAPI schemas, as
// the kubernetes-models package generates them for each kind: every field known, every type right,
// every required field present. Offline: no cluster is needed.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const kinds = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
};

let failed = 0;
for (const document of yaml.loadAll(readFileSync(0, "utf8")).filter(Boolean)) {
  const kind = `${document.apiVersion}/${document.kind}`;
  const name = `${kind} ${document.metadata?.name}`;
  const module = kinds[kind];
  if (!module) {
    console.log(`UNKNOWN ${name}: no schema for this kind here`);
    failed++;
    continue;
  }
  const model = (await import(module))[document.kind];
  try {
    new model(document).validate();
    console.log(`ok      ${name}`);
  } catch (error) {
    console.log(`INVALID ${name}: ${error.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
