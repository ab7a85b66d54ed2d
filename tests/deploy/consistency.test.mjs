// The manifests agree with `objfs csi` (flags, values, socket paths) and with
// each other (driver name, sockets shared by sidecars, probes, ports, RBAC,
// sidecar versions, resources). Flags are read from the real binary's --help
// when OBJFS_BINARY has the csi subcommand, else from the contract.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEPLOY_DIR, KUBERNETES_DIR } from './lib/repo.mjs';
import { render } from './lib/kustomize.mjs';
import { csiFlags, runCsi, splitArgs } from './lib/csi_help.mjs';
import { entrypoint, readDockerfile, stages } from './lib/dockerfile.mjs';
import {
  allowed, argValue, container, containerPort, envSource, listenPort, locate, podSpec, quantity, resolveArgs,
} from './lib/workloads.mjs';

const objects = render(KUBERNETES_DIR).map((r) => r.object);
const find = (kind) => {
  const list = objects.filter((o) => o.kind === kind);
  assert.equal(list.length, 1, `exactly one ${kind}`);
  return list[0];
};
const csiDriver = find('CSIDriver');
const daemonSet = find('DaemonSet');
const deployment = find('Deployment');
const namespace = find('Namespace');
const help = csiFlags();
const KUBELET_DIR = '/var/lib/kubelet';

function objfsArgs(workload) {
  const c = container(workload, 'objfs');
  const args = resolveArgs(c);
  const image = stages(readDockerfile(path.join(DEPLOY_DIR, 'Dockerfile'))).at(-1);
  const ep = entrypoint(image);
  // With ENTRYPOINT ["/usr/local/bin/objfs"], args start at the subcommand.
  assert.ok(ep && path.basename(ep[0]) === 'objfs' && ep.length === 1, 'image entrypoint is the objfs binary');
  assert.equal(c.command, undefined, `${workload.kind}: objfs keeps the image entrypoint`);
  assert.equal(args[0], 'csi', `${workload.kind}: objfs runs the csi subcommand`);
  return { c, args: args.slice(1) };
}

function flagValue(args, flag) {
  const v = argValue(args, flag);
  if (v !== undefined) return v;
  return help.flags.get(flag)?.defaultValue ?? undefined;
}

function socketPath(endpoint) {
  assert.match(endpoint, /^unix:\/\/\/./, `endpoint ${endpoint} is unix:///absolute/path`);
  return endpoint.slice('unix://'.length);
}

// The volume + file a container reaches socket at.
function socketLocation(workload, c, socket) {
  const loc = locate(workload, c, socket);
  assert.ok(loc, `${c.name}: ${socket} is not on any volume mount`);
  return { volume: loc.volume.name, file: loc.rel };
}

// Problems with an objfs csi argument list, judged by the flags objfs accepts.
function flagProblems(args) {
  const problems = [];
  const seen = new Set();
  for (const a of splitArgs(args, help.flags)) {
    if (a.positional) {
      problems.push(`unexpected positional argument ${a.positional}`);
      continue;
    }
    const spec = help.flags.get(a.flag);
    if (!spec) {
      problems.push(`objfs csi has no flag ${a.flag} (accepted: ${[...help.flags.keys()].join(' ')})`);
      continue;
    }
    if (seen.has(a.flag)) problems.push(`${a.flag} given twice`);
    seen.add(a.flag);
    if (spec.takesValue && (a.value === null || a.value === '')) problems.push(`${a.flag} needs a value`);
    if (!spec.takesValue && a.value !== null) problems.push(`${a.flag} takes no value`);
    if (spec.choices && a.value !== null && !spec.choices.includes(a.value)) {
      problems.push(`${a.flag}=${a.value}: not one of ${spec.choices.join('|')}`);
    }
  }
  return problems;
}

describe(`objfs csi flags (from ${help.source}: ${help.reason})`, () => {
  it('the flag check rejects unknown flags, bad values and missing values', () => {
    assert.equal(flagProblems(['--mode=node']).length, 0);
    assert.equal(flagProblems(['--nodeid=x']).length, 1);
    assert.equal(flagProblems(['--mode=nodes']).length, 1);
    assert.equal(flagProblems(['--endpoint=']).length, 1);
    assert.equal(flagProblems(['--mode=node', '--mode=node']).length, 1);
  });

  for (const [workload, mode] of [[daemonSet, 'node'], [deployment, 'controller']]) {
    it(`${workload.kind} ${workload.metadata.name}: every flag is one objfs csi accepts, with a valid value`, () => {
      const { args } = objfsArgs(workload);
      assert.deepEqual(flagProblems(args), []);
      assert.equal(argValue(args, '--mode'), mode);
      assert.ok(argValue(args, '--endpoint'), 'the endpoint is explicit');
      assert.equal(flagValue(args, '--driver-name'), csiDriver.metadata.name, 'driver name matches the CSIDriver');
    });

    it(`${workload.kind} ${workload.metadata.name}: the binary accepts the exact arguments`,
      { skip: help.source === 'binary' ? false : `${help.reason}` }, () => {
        const { args } = objfsArgs(workload);
        // --version makes objfs csi parse every flag and exit without serving.
        const r = runCsi(help.binary, [...args, '--version']);
        assert.equal(r.status, 0, `objfs csi ${args.join(' ')} --version: ${r.stderr}`);
      });
  }

  it('the node plugin gets its node id from the downward API', () => {
    const { c, args } = objfsArgs(daemonSet);
    const raw = c.args.find((a) => a.startsWith('--node-id'));
    assert.ok(raw, '--node-id is set');
    const ref = /\$\(([A-Z_]+)\)/.exec(raw);
    assert.ok(ref, '--node-id comes from an environment variable');
    assert.equal(envSource(c, ref[1])?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    assert.equal(argValue(args, '--node-id'), 'node-1');
  });
});

describe('node plugin (DaemonSet)', () => {
  const spec = podSpec(daemonSet);
  const { c: objfs, args } = objfsArgs(daemonSet);
  const socket = socketPath(flagValue(args, '--endpoint'));
  const where = socketLocation(daemonSet, objfs, socket);
  const pluginVolume = spec.volumes.find((v) => v.name === where.volume);

  it('serves its socket from the kubelet plugin directory named after the driver', () => {
    assert.equal(pluginVolume.hostPath?.path, `${KUBELET_DIR}/plugins/${csiDriver.metadata.name}`);
    assert.equal(where.file, path.basename(socket));
  });

  it('node-driver-registrar and livenessprobe use that same socket', () => {
    for (const name of ['node-driver-registrar', 'liveness-probe']) {
      const c = container(daemonSet, name);
      const address = argValue(resolveArgs(c), '--csi-address');
      assert.ok(typeof address === 'string', `${name} sets --csi-address`);
      assert.deepEqual(socketLocation(daemonSet, c, address), where, `${name} reaches the plugin socket`);
    }
  });

  it('registers the socket with kubelet under its host path', () => {
    const c = container(daemonSet, 'node-driver-registrar');
    const args = resolveArgs(c);
    assert.equal(argValue(args, '--kubelet-registration-path'), `${pluginVolume.hostPath.path}/${where.file}`);
    const reg = locate(daemonSet, c, '/registration');
    assert.ok(reg, 'registrar mounts /registration');
    assert.equal(reg.volume.hostPath?.path, `${KUBELET_DIR}/plugins_registry`);
  });

  it('mounts FUSE with the privileges and propagation it needs', () => {
    assert.equal(objfs.securityContext?.privileged, true);
    const kubelet = objfs.volumeMounts.find((m) => m.mountPath === KUBELET_DIR);
    assert.ok(kubelet, `${KUBELET_DIR} is mounted`);
    assert.equal(kubelet.mountPropagation, 'Bidirectional');
    assert.equal(spec.volumes.find((v) => v.name === kubelet.name).hostPath?.path, KUBELET_DIR);
    const fuse = locate(daemonSet, objfs, '/dev/fuse');
    assert.equal(fuse?.volume.hostPath?.path, '/dev/fuse');
    assert.equal(fuse?.volume.hostPath?.type, 'CharDevice');
    // Only the objfs container may propagate mounts back to the host.
    for (const c of spec.containers.filter((x) => x.name !== 'objfs')) {
      assert.ok(!(c.volumeMounts ?? []).some((m) => m.mountPropagation === 'Bidirectional'), c.name);
      assert.notEqual(c.securityContext?.privileged, true, `${c.name} is not privileged`);
    }
  });

  it('keeps its state directory on the host', () => {
    const dir = flagValue(args, '--state-dir');
    assert.ok(dir, 'a state directory');
    const loc = locate(daemonSet, objfs, dir);
    assert.ok(loc && loc.rel === '.', `${dir} is a mount of its own`);
    assert.ok(loc.volume.hostPath?.path, 'from a hostPath');
    assert.ok(!loc.volume.hostPath.path.startsWith(`${KUBELET_DIR}/`), 'outside kubelet\'s directory');
  });

  it('runs on every node with node-critical priority', () => {
    assert.equal(spec.priorityClassName, 'system-node-critical');
    assert.ok(spec.tolerations.some((t) => t.operator === 'Exists' && !t.key && !t.effect), 'tolerates every taint');
    assert.equal(spec.hostNetwork ?? false, false);
  });

  it('updates one node at a time and never runs two plugins on a node', () => {
    assert.equal(daemonSet.spec.updateStrategy.type, 'RollingUpdate');
    assert.equal(daemonSet.spec.updateStrategy.rollingUpdate.maxUnavailable, 1);
    assert.equal(daemonSet.spec.updateStrategy.rollingUpdate.maxSurge, 0);
  });

  it('needs no Kubernetes API access', () => {
    assert.equal(spec.automountServiceAccountToken, false);
    const sa = { name: spec.serviceAccountName, namespace: daemonSet.metadata.namespace };
    assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa.name));
    assert.ok(!objects.some((o) => /Binding$/.test(o.kind) && o.subjects?.some((s) => s.name === sa.name)));
  });
});

describe('controller (Deployment)', () => {
  const spec = podSpec(deployment);
  const { c: objfs, args } = objfsArgs(deployment);
  const socket = socketPath(flagValue(args, '--endpoint'));
  const where = socketLocation(deployment, objfs, socket);

  it("serves on its own socket, in a pod-local volume, not the node plugin's", () => {
    const volume = spec.volumes.find((v) => v.name === where.volume);
    assert.ok(volume.emptyDir !== undefined, 'the controller socket lives in an emptyDir');
    const nodeSocket = socketPath(flagValue(objfsArgs(daemonSet).args, '--endpoint'));
    assert.notEqual(path.basename(socket), path.basename(nodeSocket), 'a socket name of its own');
  });

  it('csi-provisioner, csi-resizer and livenessprobe use the controller socket', () => {
    for (const name of ['csi-provisioner', 'csi-resizer', 'liveness-probe']) {
      const c = container(deployment, name);
      const address = argValue(resolveArgs(c), '--csi-address');
      assert.ok(typeof address === 'string', `${name} sets --csi-address`);
      assert.deepEqual(socketLocation(deployment, c, address), where, name);
    }
  });

  it('csi-provisioner passes PVC/PV metadata and elects a leader in its namespace', () => {
    const c = container(deployment, 'csi-provisioner');
    const a = resolveArgs(c);
    assert.equal(argValue(a, '--extra-create-metadata'), true);
    assert.equal(argValue(a, '--leader-election'), true);
    const nsArg = c.args.find((x) => x.startsWith('--leader-election-namespace='));
    const ref = /\$\(([A-Z_]+)\)/.exec(nsArg ?? '');
    assert.ok(ref, 'leader election namespace comes from the downward API');
    assert.equal(envSource(c, ref[1]).valueFrom.fieldRef.fieldPath, 'metadata.namespace');
  });

  it('csi-resizer elects a leader in its namespace', () => {
    const c = container(deployment, 'csi-resizer');
    const a = resolveArgs(c);
    assert.equal(argValue(a, '--leader-election'), true);
    const nsArg = c.args.find((x) => x.startsWith('--leader-election-namespace='));
    const ref = /\$\(([A-Z_]+)\)/.exec(nsArg ?? '');
    assert.ok(ref);
    assert.equal(envSource(c, ref[1]).valueFrom.fieldRef.fieldPath, 'metadata.namespace');
  });

  it('its service account may do what the sidecars need', () => {
    const sa = { name: spec.serviceAccountName, namespace: deployment.metadata.namespace };
    assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa.name
      && o.metadata.namespace === sa.namespace), 'the service account exists');
    const ns = sa.namespace;
    const need = [
      // csi-provisioner
      ['create', '', 'persistentvolumes'], ['delete', '', 'persistentvolumes'], ['watch', '', 'persistentvolumes'],
      ['update', '', 'persistentvolumeclaims'], ['watch', '', 'persistentvolumeclaims'],
      ['watch', 'storage.k8s.io', 'storageclasses'], ['get', '', 'secrets'], ['create', '', 'events'],
      ['watch', 'storage.k8s.io', 'csinodes'], ['watch', '', 'nodes'],
      // csi-resizer
      ['patch', '', 'persistentvolumes'], ['patch', '', 'persistentvolumeclaims/status'], ['watch', '', 'pods'],
      // leader election, both
      ['create', 'coordination.k8s.io', 'leases'], ['update', 'coordination.k8s.io', 'leases'],
      ['get', 'coordination.k8s.io', 'leases'],
    ];
    for (const [verb, group, resource] of need) {
      assert.ok(allowed(objects, sa, verb, group, resource, ns), `${sa.name} cannot ${verb} ${group || 'core'}/${resource}`);
    }
    // Leases only in its own namespace; no write access to secrets.
    assert.ok(!allowed(objects, sa, 'create', 'coordination.k8s.io', 'leases', 'kube-system'));
    assert.ok(!allowed(objects, sa, 'update', '', 'secrets', ns));
  });
});

describe('both workloads', () => {
  const SIDECARS = {
    'csi-provisioner': { repo: 'registry.k8s.io/sig-storage/csi-provisioner', major: 6 },
    'csi-resizer': { repo: 'registry.k8s.io/sig-storage/csi-resizer', major: 2 },
    'node-driver-registrar': { repo: 'registry.k8s.io/sig-storage/csi-node-driver-registrar', major: 2 },
    'liveness-probe': { repo: 'registry.k8s.io/sig-storage/livenessprobe', major: 2 },
  };

  for (const w of [daemonSet, deployment]) {
    const spec = podSpec(w);
    it(`${w.kind}: sidecars are current registry.k8s.io/sig-storage releases`, () => {
      for (const c of spec.containers.filter((x) => x.name !== 'objfs')) {
        const want = SIDECARS[c.name];
        assert.ok(want, `unexpected container ${c.name}`);
        const m = /^(.+):v(\d+)\.(\d+)\.(\d+)$/.exec(c.image);
        assert.ok(m, `${c.image} is pinned to a release tag`);
        assert.equal(m[1], want.repo);
        assert.equal(Number(m[2]), want.major, `${c.name} major version`);
      }
    });

    it(`${w.kind}: every container has cpu and memory requests and limits`, () => {
      for (const c of spec.containers) {
        for (const r of ['cpu', 'memory']) {
          const req = c.resources?.requests?.[r];
          const lim = c.resources?.limits?.[r];
          assert.ok(req !== undefined && lim !== undefined, `${c.name}: ${r} request and limit`);
          assert.ok(quantity(req) <= quantity(lim), `${c.name}: ${r} request ${req} over limit ${lim}`);
        }
      }
    });

    it(`${w.kind}: health probes point at the ports the sidecars serve`, () => {
      const objfs = container(w, 'objfs');
      const probe = objfs.livenessProbe?.httpGet;
      assert.ok(probe, 'objfs has an HTTP liveness probe');
      assert.equal(probe.path, '/healthz');
      const port = containerPort(objfs, probe.port);
      assert.ok(port, 'the probe port is declared');
      const lp = container(w, 'liveness-probe');
      assert.equal(listenPort(argValue(resolveArgs(lp), '--http-endpoint')), port, 'livenessprobe serves that port');
      const ports = new Map();
      for (const c of spec.containers) {
        for (const p of c.ports ?? []) {
          assert.ok(!ports.has(p.containerPort), `port ${p.containerPort} declared twice`);
          ports.set(p.containerPort, c.name);
        }
        if (c.name === 'objfs' || c.name === 'liveness-probe') continue;
        const hz = c.livenessProbe?.httpGet;
        assert.ok(hz, `${c.name} has a liveness probe`);
        assert.equal(listenPort(argValue(resolveArgs(c), '--http-endpoint')), containerPort(c, hz.port), c.name);
        assert.equal(hz.path, c.name === 'node-driver-registrar' ? '/healthz' : '/healthz/leader-election', c.name);
      }
    });

    it(`${w.kind}: runs under its own service account`, () => {
      assert.ok(spec.serviceAccountName, 'serviceAccountName is set');
      assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName));
    });
  }

  it('the CSIDriver matches what objfs implements', () => {
    assert.equal(csiDriver.apiVersion, 'storage.k8s.io/v1');
    assert.equal(csiDriver.spec.attachRequired, false);
    assert.equal(csiDriver.spec.podInfoOnMount, true);
    assert.equal(csiDriver.spec.fsGroupPolicy, 'File');
    assert.deepEqual(csiDriver.spec.volumeLifecycleModes, ['Persistent']);
  });

  it('the namespace admits the privileged node plugin', () => {
    assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
  });

  it('every binding refers to a role and service account of the install', () => {
    for (const b of objects.filter((o) => /Binding$/.test(o.kind))) {
      assert.ok(objects.some((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name), `${b.metadata.name}: roleRef`);
      for (const s of b.subjects) {
        assert.equal(s.kind, 'ServiceAccount');
        assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === s.name
          && o.metadata.namespace === s.namespace), `${b.metadata.name}: subject ${s.namespace}/${s.name}`);
      }
    }
  });
});
