// A small renderer for the subset of kustomize that deploy/kubernetes uses:
// `resources` (files, or directories holding a kustomization), `namespace`
// and `images`. It follows kustomize's rules for these fields:
//
// - namespace: set on every namespaced object; a Namespace object is renamed
//   to it; RoleBinding/ClusterRoleBinding subjects that name a
//   ServiceAccount of the same build follow that ServiceAccount.
// - images: a container image whose name (without tag or digest) equals an
//   entry's `name` gets newName and/or newTag/digest.
//
// Any other kustomization field is rejected, so that this renderer can never
// silently disagree with kustomize; the tests also compare it with
// `kubectl kustomize` where kubectl is installed.
import fs from 'node:fs';
import path from 'node:path';
import { loadYamlFile } from './repo.mjs';
import { isNamespaced } from './schema.mjs';

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images']);
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function findKustomization(dir) {
  for (const name of KUSTOMIZATION_NAMES) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

export function readKustomization(dir) {
  const file = findKustomization(dir);
  if (!file) throw new Error(`${dir}: no kustomization file`);
  const docs = loadYamlFile(file);
  if (docs.length !== 1) throw new Error(`${file}: expected exactly one document`);
  const k = docs[0];
  if (k.apiVersion !== undefined && k.apiVersion !== 'kustomize.config.k8s.io/v1beta1') {
    throw new Error(`${file}: apiVersion must be kustomize.config.k8s.io/v1beta1`);
  }
  if (k.kind !== undefined && k.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${file}: field "${key}" is not supported by this renderer`);
  }
  return { file, kustomization: k };
}

function splitImage(image) {
  // name[:tag][@digest]; a ':' inside the registry host (port) is not a tag.
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

function applyImages(obj, images) {
  const specs = [];
  const podSpec = obj.spec?.template?.spec ?? (obj.kind === 'Pod' ? obj.spec : null);
  if (podSpec) specs.push(podSpec);
  for (const spec of specs) {
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
      for (const c of spec[list] ?? []) {
        const parts = splitImage(c.image ?? '');
        const entry = images.find((i) => i.name === parts.name);
        if (!entry) continue;
        const name = entry.newName ?? parts.name;
        if (entry.digest) c.image = `${name}@${entry.digest}`;
        else if (entry.newTag !== undefined) c.image = `${name}:${entry.newTag}`;
        else c.image = `${name}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
      }
    }
  }
}

// Renders the kustomization in dir. Returns [{ file, object }] in resource
// order. Throws when a listed resource is missing or does not parse.
export function render(dir) {
  const { file, kustomization } = readKustomization(dir);
  const out = [];
  for (const entry of kustomization.resources ?? []) {
    if (typeof entry !== 'string') throw new Error(`${file}: resources entries must be strings`);
    if (/^[a-z]+:\/\//.test(entry)) throw new Error(`${file}: remote resource ${entry} is not allowed`);
    const p = path.resolve(dir, entry);
    if (!fs.existsSync(p)) throw new Error(`${file}: resource ${entry} does not exist`);
    if (fs.statSync(p).isDirectory()) {
      out.push(...render(p));
    } else {
      for (const object of loadYamlFile(p)) out.push({ file: p, object });
    }
  }
  const ns = kustomization.namespace;
  if (ns !== undefined) {
    const serviceAccounts = new Set(
      out.filter((r) => r.object.kind === 'ServiceAccount').map((r) => r.object.metadata?.name),
    );
    for (const { object } of out) {
      if (object.kind === 'Namespace') {
        object.metadata.name = ns;
      } else if (isNamespaced(object.kind)) {
        object.metadata = { ...object.metadata, namespace: ns };
      }
      if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') {
        for (const s of object.subjects ?? []) {
          if (s.kind === 'ServiceAccount' && serviceAccounts.has(s.name)) s.namespace = ns;
        }
      }
    }
  }
  for (const { object } of out) applyImages(object, kustomization.images ?? []);
  return out;
}

// "group/kind/namespace/name", the identity kustomize and the API server use.
export function resourceId(obj) {
  const group = obj.apiVersion?.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${group}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
}
