// Merges alsorn.json, alter.json and sandbox.json into one document for Prism, which takes one
// document per proxy.  Their paths do not overlap (/..., /sdk/..., /_mock/...); their
// components do (each has an Error), so every component is renamed <doc>_<name> and every
// $ref and security requirement follows.  A document's top-level security moves into each of
// its operations that has none.
//   node mock/openapi/bundle.mjs > bundle.json
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const bundle = {
  openapi: "3.1.0",
  info: { title: "agentmock: Alsorn, Alter and the sandbox (bundled for Prism)", version: "0.1.0" },
  paths: {},
  components: {},
};

function rename(node, prefix) {
  if (Array.isArray(node)) return node.map((n) => rename(n, prefix));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/"))
      out[k] = v.replace(/^#\/components\/([^/]+)\/(.+)$/, `#/components/$1/${prefix}_$2`);
    else out[k] = rename(v, prefix);
  }
  return out;
}

const renameSecurity = (reqs, prefix) =>
  reqs.map((req) => Object.fromEntries(Object.entries(req).map(([k, v]) => [`${prefix}_${k}`, v])));

for (const name of ["alsorn", "alter", "sandbox"]) {
  const doc = JSON.parse(readFileSync(join(here, `${name}.json`), "utf8"));
  for (const [kind, members] of Object.entries(doc.components ?? {})) {
    bundle.components[kind] ??= {};
    for (const [key, value] of Object.entries(members))
      bundle.components[kind][`${name}_${key}`] = rename(value, name);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    if (bundle.paths[path]) throw new Error(`${name}.json: path ${path} is in two documents`);
    const copy = rename(item, name);
    for (const m of methods) {
      if (!copy[m]) continue;
      copy[m].security = renameSecurity(copy[m].security ?? doc.security ?? [], name);
    }
    bundle.paths[path] = copy;
  }
}
process.stdout.write(JSON.stringify(bundle, null, 1) + "\n");
