// Every manifest under deploy/kubernetes (the install and the examples)
// parses as strict YAML and every object in it validates against the
// Kubernetes API schemas, unknown fields included.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KUBERNETES_DIR, listYamlFiles, loadYamlFile, parseYamlDocuments, rel } from './lib/repo.mjs';
import { validateObject } from './lib/schema.mjs';
import { findKustomization } from './lib/kustomize.mjs';

const files = listYamlFiles(KUBERNETES_DIR).filter((f) => path.basename(f) !== 'kustomization.yaml');

describe('manifests validate against the Kubernetes API schemas', () => {
  it('finds the manifests', () => {
    assert.ok(files.length >= 10, `only ${files.length} manifest files under ${rel(KUBERNETES_DIR)}`);
    assert.ok(findKustomization(KUBERNETES_DIR), 'deploy/kubernetes has a kustomization');
  });
  for (const file of files) {
    it(rel(file), async () => {
      const docs = loadYamlFile(file);
      assert.ok(docs.length > 0, 'file holds at least one object');
      const problems = [];
      for (const obj of docs) {
        for (const p of await validateObject(obj)) problems.push(`${obj.kind}/${obj.metadata?.name}: ${p}`);
      }
      assert.deepEqual(problems, []);
    });
  }
});

// The checks above would pass vacuously if the validator accepted anything;
// these show that it rejects the mistakes it is there to catch.
describe('the validator rejects broken objects', () => {
  const daemonSet = () => structuredClone(
    loadYamlFile(path.join(KUBERNETES_DIR, 'node.yaml')).find((o) => o.kind === 'DaemonSet'),
  );
  it('accepts the unmodified DaemonSet', async () => {
    assert.deepEqual(await validateObject(daemonSet()), []);
  });
  it('rejects a misspelled field', async () => {
    const ds = daemonSet();
    const mount = ds.spec.template.spec.containers[0].volumeMounts.find((m) => m.mountPropagation);
    mount.mountPropogation = mount.mountPropagation;
    delete mount.mountPropagation;
    const problems = await validateObject(ds);
    assert.ok(problems.some((p) => p.includes('mountPropogation')), problems.join('\n'));
  });
  it('rejects a wrong type', async () => {
    const ds = daemonSet();
    ds.spec.template.spec.containers[0].image = 42;
    const problems = await validateObject(ds);
    assert.ok(problems.some((p) => p.includes('image')), problems.join('\n'));
  });
  it('rejects a missing required field', async () => {
    const ds = daemonSet();
    delete ds.spec.selector;
    const problems = await validateObject(ds);
    assert.ok(problems.some((p) => p.includes('selector')), problems.join('\n'));
  });
  it('rejects an API version Kubernetes removed', async () => {
    const problems = await validateObject({
      apiVersion: 'storage.k8s.io/v1beta1', kind: 'CSIDriver', metadata: { name: 'x' }, spec: {},
    });
    assert.ok(problems.length > 0);
  });
  it('rejects duplicate YAML keys', () => {
    assert.throws(() => parseYamlDocuments('a: 1\na: 2\n', 'dup.yaml'), /dup\.yaml/);
  });
});
