// Validation of Kubernetes objects against the Kubernetes API schemas.
//
// Two independent checks, both generated from the Kubernetes OpenAPI
// specification and shipped in npm packages pinned by package-lock.json:
//
// 1. kubernetes-models: the API's JSON schemas compiled into validators
//    (ajv). Catches wrong types, missing required fields and bad formats.
// 2. @kubernetes/client-node: the generated models list every field of every
//    type. The OpenAPI schemas allow unknown fields (the API server drops or
//    rejects them depending on its field validation mode), so a typo such as
//    "mountPropogation" passes (1); walking the object against these field
//    lists rejects it, as `kubectl apply --validate=strict` would.
import * as clientModels from '@kubernetes/client-node/dist/gen/models/all.js';

function modelClassName(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const candidates = [`${v}${kind}`];
  if (group) {
    const g = group.split('.')[0];
    candidates.push(`${g.charAt(0).toUpperCase()}${g.slice(1)}${v}${kind}`);
  } else {
    candidates.push(`Core${v}${kind}`);
  }
  for (const name of candidates) {
    const cls = clientModels[name];
    if (typeof cls?.getAttributeTypeMap !== 'function') continue;
    const fields = cls.getAttributeTypeMap().map((a) => a.baseName);
    if (fields.includes('apiVersion') && fields.includes('kind')) return name;
  }
  return null;
}

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'V1MicroTime', 'IntOrString']);

// Returns a list of "path: message" strings for fields the type does not have.
export function unknownFields(value, typeName, where = '') {
  const problems = [];
  if (value === null || value === undefined) return problems;
  if (typeName === 'any' || typeName === 'object' || PRIMITIVES.has(typeName)) return problems;
  let m = /^Array<(.+)>$/.exec(typeName);
  if (m) {
    if (!Array.isArray(value)) return [`${where || '/'}: expected a list`];
    value.forEach((item, i) => problems.push(...unknownFields(item, m[1], `${where}/${i}`)));
    return problems;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (m) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${where || '/'}: expected a map`];
    for (const [k, v] of Object.entries(value)) problems.push(...unknownFields(v, m[1], `${where}/${k}`));
    return problems;
  }
  const cls = clientModels[typeName];
  if (typeof cls?.getAttributeTypeMap !== 'function') {
    return [`${where || '/'}: no model for type ${typeName}`];
  }
  if (typeof value !== 'object' || Array.isArray(value)) return [`${where || '/'}: expected an object (${typeName})`];
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!attrs.has(k)) {
      problems.push(`${where}/${k}: unknown field (not in ${typeName})`);
      continue;
    }
    problems.push(...unknownFields(v, attrs.get(k), `${where}/${k}`));
  }
  return problems;
}

const modelModules = new Map();

async function modelsFor(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const spec = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  if (!modelModules.has(spec)) {
    modelModules.set(spec, import(spec).catch(() => null));
  }
  return modelModules.get(spec);
}

// Validates one object. Returns a list of problems (empty when valid).
export async function validateObject(obj) {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return ['not an object'];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  const problems = [];
  const mod = await modelsFor(apiVersion);
  const Model = mod?.[kind];
  if (typeof Model !== 'function') {
    return [`${apiVersion} ${kind} is not a Kubernetes API type this schema set knows (removed or misspelled?)`];
  }
  try {
    new Model(structuredClone(obj)).validate();
  } catch (e) {
    problems.push(`schema: ${e.message}`);
  }
  const className = modelClassName(apiVersion, kind);
  if (!className) {
    problems.push(`no field list for ${apiVersion} ${kind}`);
  } else {
    problems.push(...unknownFields(obj, className));
  }
  if (typeof obj.metadata?.name !== 'string' || obj.metadata.name === '') {
    problems.push('metadata.name is required');
  }
  return problems;
}

// Kinds whose objects live in a namespace (of the kinds objfs ships).
const CLUSTER_SCOPED = new Set([
  'Namespace', 'CSIDriver', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PersistentVolume',
  'PriorityClass', 'CustomResourceDefinition', 'VolumeAttributesClass',
]);
export function isNamespaced(kind) {
  return !CLUSTER_SCOPED.has(kind);
}
