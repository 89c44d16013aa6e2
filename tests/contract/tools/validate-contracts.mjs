// Validates the contract documents with stock tools that API consumers also use, so that what we publish in
// proto/ loads in their code generators and linters, not only in our own tests.
//   node validate-contracts.mjs openapi <proto/openapi.yaml>
//   node validate-contracts.mjs asyncapi <proto/asyncapi.yaml>
// Prints one line per problem; exit status 0 when the document is valid, 1 when not, 2 on usage errors.
import { Validator } from "@seriousme/openapi-schema-validator";
import { Parser, fromFile } from "@asyncapi/parser";

// Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
const ERROR = 0;
const WARNING = 1;

async function checkOpenApi(path) {
  const validator = new Validator({ strict: true });
  const result = await validator.validate(path);
  if (result.valid) {
    console.log(`${path}: valid OpenAPI ${validator.version}`);
    return [];
  }
  return (result.errors || []).map((e) => `${path}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

async function checkAsyncApi(path) {
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, path).parse();
  const problems = [];
  for (const d of diagnostics) {
    const where = `${path}: ${(d.path || []).join("/") || "/"}`;
    // Warnings count too: they are how the parser reports e.g. unused components and missing descriptions,
    // which consumers see as noise in their own linting.
    if (d.severity === ERROR || d.severity === WARNING) problems.push(`${where}: [${d.code}] ${d.message}`);
  }
  if (document === undefined && problems.length === 0) problems.push(`${path}: not parsed`);
  if (problems.length === 0) console.log(`${path}: valid AsyncAPI ${document.version()}`);
  return problems;
}

const [kind, path] = process.argv.slice(2);
const checks = { openapi: checkOpenApi, asyncapi: checkAsyncApi };
if (!checks[kind] || !path) {
  console.error("usage: node validate-contracts.mjs openapi|asyncapi <file>");
  process.exit(2);
}
const problems = await checks[kind](path);
for (const p of problems) console.log(p);
process.exit(problems.length === 0 ? 0 : 1);
