// Validates Kubernetes objects against the stock models: kubernetes-models for the built-in kinds,
// @kubernetes-models/strimzi-kafka-operator for Strimzi's. Reads a JSON array of objects on stdin and prints a
// JSON array of {kind, name, error} for every object that has no model or does not validate ([] = all valid).
import { readFileSync } from "node:fs";

const packages = ["kubernetes-models", "@kubernetes-models/strimzi-kafka-operator"];

async function modelFor(apiVersion, kind) {
  for (const pkg of packages) {
    try {
      const module = await import(`${pkg}/${apiVersion}`);
      if (module[kind]) return module[kind];
    } catch (error) {
      if (error.code !== "ERR_MODULE_NOT_FOUND" && error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error;
    }
  }
  return null;
}

const objects = JSON.parse(readFileSync(0, "utf8"));
const problems = [];
for (const object of objects) {
  const name = object?.metadata?.name ?? "(no name)";
  const Model = await modelFor(object.apiVersion, object.kind);
  if (!Model) {
    problems.push({ kind: object.kind, name, error: `no model for ${object.apiVersion} ${object.kind}` });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind: object.kind, name, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(problems) + "\n");
