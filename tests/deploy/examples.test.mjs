// deploy/kubernetes/examples: the Secret, the two StorageClasses, the PVC and
// pod, and the static PV fit together and fit the driver.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EXAMPLES_DIR, KUBERNETES_DIR, listYamlFiles, loadYamlFile } from './lib/repo.mjs';
import { render } from './lib/kustomize.mjs';
import { csiSourceKeys, VOLUME_PARAMS_SOURCE } from './lib/csi_source.mjs';

const driver = render(KUBERNETES_DIR).map((r) => r.object).find((o) => o.kind === 'CSIDriver').metadata.name;
const examples = listYamlFiles(EXAMPLES_DIR).flatMap((f) => loadYamlFile(f).map((o) => ({ file: path.basename(f), o })));
const ofKind = (kind) => examples.filter((e) => e.o.kind === kind).map((e) => e.o);

const accepted = csiSourceKeys();
const SECRET_ROLES = ['provisioner', 'controller-expand', 'node-stage', 'node-publish'];

function secret(name, namespace) {
  return ofKind('Secret').find((s) => s.metadata.name === name && s.metadata.namespace === namespace);
}

function assertCredentials(name, namespace, where) {
  const s = secret(name, namespace);
  assert.ok(s, `${where}: Secret ${namespace}/${name} is among the examples`);
  const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
  for (const k of ['accessKeyID', 'secretAccessKey']) assert.ok(keys.has(k), `${where}: the Secret has ${k}`);
}

describe('examples', () => {
  it('cover a Secret, bucket and prefix StorageClasses, a PVC, a pod and a static PV', () => {
    const classes = ofKind('StorageClass');
    assert.deepEqual(classes.map((c) => c.parameters.provisioningMode).sort(), ['bucket', 'prefix']);
    assert.ok(ofKind('Secret').length >= 1);
    assert.ok(ofKind('Pod').length >= 1);
    assert.ok(ofKind('PersistentVolume').length >= 1);
    assert.ok(ofKind('PersistentVolumeClaim').length >= 2);
  });

  it(`reads the accepted keys from ${path.basename(VOLUME_PARAMS_SOURCE)}`, () => {
    for (const k of ['provisioningMode', 'bucket', 'retainData', 'endpoint', 'region']) {
      assert.ok(accepted.parameters.has(k), `${k} not found among ${[...accepted.parameters].join(', ')}`);
    }
    assert.deepEqual([...accepted.modes].sort(), ['bucket', 'prefix']);
    assert.ok(accepted.attributes.has('capacityBytes'));
  });

  it('the Secret holds the credential keys objfs reads', () => {
    for (const s of ofKind('Secret')) {
      const keys = Object.keys({ ...s.data, ...s.stringData }).sort();
      assert.deepEqual(keys, ['accessKeyID', 'endpoint', 'secretAccessKey']);
    }
  });

  for (const sc of ofKind('StorageClass')) {
    it(`StorageClass ${sc.metadata.name}: parameters objfs understands, and every secret it needs`, () => {
      assert.equal(sc.provisioner, driver);
      for (const key of Object.keys(sc.parameters)) {
        if (key.startsWith('csi.storage.k8s.io/')) continue;
        assert.ok(accepted.parameters.has(key), `objfs rejects parameter ${key}`);
      }
      for (const v of Object.values(sc.parameters)) assert.equal(typeof v, 'string', 'parameters are strings');
      const mode = sc.parameters.provisioningMode;
      assert.ok(accepted.modes.has(mode), `provisioningMode ${mode}`);
      if (mode === 'prefix') assert.ok(sc.parameters.bucket, 'prefix mode names the shared bucket');
      else assert.equal(sc.parameters.bucket, undefined, 'bucket mode creates its own buckets');
      assert.ok(['true', 'false'].includes(sc.parameters.retainData ?? 'false'));
      assert.equal(sc.mountOptions, undefined, 'objfs takes its mount settings from parameters, not mountOptions');
      for (const role of SECRET_ROLES) {
        const name = sc.parameters[`csi.storage.k8s.io/${role}-secret-name`];
        const ns = sc.parameters[`csi.storage.k8s.io/${role}-secret-namespace`];
        assert.ok(name && ns, `${role} secret name and namespace`);
        assertCredentials(name, ns, sc.metadata.name);
      }
      assert.equal(sc.allowVolumeExpansion, true, 'volumes can grow (ControllerExpandVolume)');
    });
  }

  it('the PVC uses an example StorageClass and the pod writes and reads it', () => {
    const classes = new Set(ofKind('StorageClass').map((c) => c.metadata.name));
    const pod = ofKind('Pod')[0];
    const claim = pod.spec.volumes.find((v) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
    const pvc = ofKind('PersistentVolumeClaim').find((p) => p.metadata.name === claim);
    assert.ok(pvc, `the pod's claim ${claim} is an example PVC`);
    assert.equal(pvc.metadata.namespace, pod.metadata.namespace);
    assert.ok(classes.has(pvc.spec.storageClassName));
    const c = pod.spec.containers[0];
    const mountPath = c.volumeMounts.find((m) => m.name === pod.spec.volumes[0].name).mountPath;
    const script = [...(c.command ?? []), ...(c.args ?? [])].join('\n');
    assert.match(script, new RegExp(`> ${mountPath}/`), 'writes a file on the volume');
    assert.match(script, new RegExp(`cat ${mountPath}/`), 'reads it back');
  });

  it('the static PV mounts an existing bucket through the driver and is bound to its claim', () => {
    const pv = ofKind('PersistentVolume')[0];
    assert.equal(pv.spec.csi.driver, driver);
    assert.ok(pv.spec.csi.volumeHandle);
    assert.ok(pv.spec.csi.volumeAttributes.bucket, 'names the bucket');
    assert.ok(!pv.spec.csi.volumeHandle.startsWith('v1|'), 'not mistaken for a provisioned objfs volume id');
    for (const key of Object.keys(pv.spec.csi.volumeAttributes)) {
      assert.ok(accepted.attributes.has(key), `objfs does not read volume attribute ${key}`);
    }
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain', 'never deletes the existing bucket');
    for (const ref of [pv.spec.csi.nodeStageSecretRef, pv.spec.csi.nodePublishSecretRef]) {
      assert.ok(ref, 'node-stage and node-publish secrets are set');
      assertCredentials(ref.name, ref.namespace, pv.metadata.name);
    }
    const pvc = ofKind('PersistentVolumeClaim').find((p) => p.spec.volumeName === pv.metadata.name);
    assert.ok(pvc, 'a claim names the PV');
    assert.equal(pv.spec.claimRef.name, pvc.metadata.name);
    assert.equal(pv.spec.claimRef.namespace, pvc.metadata.namespace);
    assert.equal(pv.spec.storageClassName, '');
    assert.equal(pvc.spec.storageClassName, '', 'the claim does not trigger dynamic provisioning');
  });
});
