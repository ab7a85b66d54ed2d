// `kubectl apply -k deploy/kubernetes` installs objfs: the kustomization
// renders, every resource it lists exists and parses, the rendered objects
// are valid and unique, and (where kubectl is installed) kustomize itself
// renders exactly the same objects, also when the namespace is changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KUBERNETES_DIR, SOURCE_ROOT, parseYamlDocuments, loadYamlFile } from './lib/repo.mjs';
import { readKustomization, render, resourceId } from './lib/kustomize.mjs';
import { isNamespaced, validateObject } from './lib/schema.mjs';

const kubectl = (() => {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0 ? 'kubectl' : null;
})();

function kubectlKustomize(dir) {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseYamlDocuments(r.stdout, `kubectl kustomize ${dir}`);
}

function byId(objects) {
  const m = new Map();
  for (const o of objects) m.set(resourceId(o), o);
  return m;
}

// A copy of deploy/kubernetes whose kustomization sets another namespace.
function renamespacedCopy(namespace) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'objfs-kustomize-'));
  for (const f of fs.readdirSync(KUBERNETES_DIR)) {
    const p = path.join(KUBERNETES_DIR, f);
    if (fs.statSync(p).isFile()) fs.copyFileSync(p, path.join(dir, f));
  }
  const k = path.join(dir, 'kustomization.yaml');
  const text = fs.readFileSync(k, 'utf8');
  assert.match(text, /^namespace: .+$/m);
  fs.writeFileSync(k, text.replace(/^namespace: .+$/m, `namespace: ${namespace}`));
  return dir;
}

describe('kustomization', () => {
  const { kustomization } = readKustomization(KUBERNETES_DIR);

  it('lists only files that exist, each once, and no examples', () => {
    const resources = kustomization.resources;
    assert.ok(Array.isArray(resources) && resources.length > 0);
    assert.equal(new Set(resources).size, resources.length, 'a resource is listed twice');
    for (const r of resources) {
      const p = path.join(KUBERNETES_DIR, r);
      assert.ok(fs.existsSync(p), `${r} does not exist`);
      assert.ok(loadYamlFile(p).length > 0, `${r} holds no object`);
      assert.ok(!r.startsWith('examples'), `${r}: examples are not part of the install`);
    }
  });

  it('lists every manifest file of deploy/kubernetes (none forgotten)', () => {
    const files = fs.readdirSync(KUBERNETES_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    assert.deepEqual([...files].sort(), [...kustomization.resources].sort());
  });

  it('renders valid, unique objects, all in the install namespace', async () => {
    const rendered = render(KUBERNETES_DIR).map((r) => r.object);
    const ids = rendered.map(resourceId);
    assert.equal(new Set(ids).size, ids.length, `duplicate objects: ${ids.join(', ')}`);
    const ns = kustomization.namespace;
    assert.ok(ns, 'the kustomization sets a namespace');
    const kinds = new Set(rendered.map((o) => o.kind));
    for (const k of ['Namespace', 'CSIDriver', 'DaemonSet', 'Deployment', 'ServiceAccount', 'ClusterRole',
      'ClusterRoleBinding', 'Role', 'RoleBinding']) {
      assert.ok(kinds.has(k), `the install has no ${k}`);
    }
    for (const o of rendered) {
      assert.deepEqual(await validateObject(o), [], resourceId(o));
      if (isNamespaced(o.kind)) assert.equal(o.metadata.namespace, ns, resourceId(o));
      if (o.kind === 'Namespace') assert.equal(o.metadata.name, ns);
    }
  });

  it('sets the objfs image from the images entry', () => {
    const rendered = render(KUBERNETES_DIR).map((r) => r.object);
    const entry = kustomization.images.find((i) => i.name === 'objfs');
    assert.ok(entry, 'images has an entry for objfs');
    const objfsImages = rendered.flatMap((o) => o.spec?.template?.spec?.containers ?? [])
      .filter((c) => c.name === 'objfs').map((c) => c.image);
    assert.equal(objfsImages.length, 2, 'node and controller each run an objfs container');
    for (const image of objfsImages) assert.equal(image, `${entry.newName}:${entry.newTag}`);
  });

  it('tags the objfs image with the project version', () => {
    const meson = fs.readFileSync(path.join(SOURCE_ROOT, 'meson.build'), 'utf8');
    const version = /project\([^)]*?version\s*:\s*'([^']+)'/s.exec(meson)?.[1];
    assert.ok(version, 'meson.build declares a version');
    assert.equal(kustomization.images.find((i) => i.name === 'objfs').newTag, version);
  });

  it('renders the same objects as kubectl kustomize', { skip: kubectl ? false : 'kubectl is not installed' }, () => {
    const ours = byId(render(KUBERNETES_DIR).map((r) => r.object));
    const theirs = byId(kubectlKustomize(KUBERNETES_DIR));
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [id, obj] of theirs) assert.deepEqual(ours.get(id), obj, id);
  });

  it('moves everything to another namespace as kubectl kustomize does',
    { skip: kubectl ? false : 'kubectl is not installed' }, () => {
      const dir = renamespacedCopy('objfs-test');
      try {
        const ours = byId(render(dir).map((r) => r.object));
        const theirs = byId(kubectlKustomize(dir));
        assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
        for (const [id, obj] of theirs) assert.deepEqual(ours.get(id), obj, id);
        for (const obj of theirs.values()) {
          for (const s of obj.subjects ?? []) assert.equal(s.namespace, 'objfs-test', resourceId(obj));
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  it('rejects a kustomization that lists a missing file', () => {
    const dir = renamespacedCopy('objfs-system');
    try {
      const k = path.join(dir, 'kustomization.yaml');
      const text = fs.readFileSync(k, 'utf8').replace('  - node.yaml\n', '  - node.yaml\n  - missing.yaml\n');
      fs.writeFileSync(k, text);
      assert.throws(() => render(dir), /missing\.yaml does not exist/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
