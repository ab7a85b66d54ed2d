// Paths of the source tree and YAML loading shared by the deploy tests.
//
// Every YAML file is parsed strictly: duplicate keys, tabs, anchors that do
// not resolve and any other YAML error fail the load, and so does a YAML
// warning (such as an unknown tag).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const SOURCE_ROOT = process.env.OBJFS_SOURCE_ROOT
  ? path.resolve(process.env.OBJFS_SOURCE_ROOT)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEPLOY_DIR = path.join(SOURCE_ROOT, 'deploy');
export const KUBERNETES_DIR = path.join(DEPLOY_DIR, 'kubernetes');
export const EXAMPLES_DIR = path.join(KUBERNETES_DIR, 'examples');

// Parses every document of a multi-document YAML text. Empty documents (a
// trailing "---") are dropped. Throws with the file name on any error.
export function parseYamlDocuments(text, fileName) {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const out = [];
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      throw new Error(`${fileName}: ${problems.map((e) => e.message).join('; ')}`);
    }
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function loadYamlFile(file) {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'), path.relative(SOURCE_ROOT, file));
}

// All *.yaml / *.yml files below dir, sorted, as absolute paths.
export function listYamlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function rel(file) {
  return path.relative(SOURCE_ROOT, file);
}
