// Helpers to look into rendered workloads: containers, volumes, mounts,
// environment, ports, quantities and RBAC.
import path from 'node:path';

export function podSpec(obj) {
  return obj.spec?.template?.spec ?? (obj.kind === 'Pod' ? obj.spec : null);
}

export function container(obj, name) {
  const c = podSpec(obj)?.containers?.find((x) => x.name === name);
  if (!c) throw new Error(`${obj.kind}/${obj.metadata.name} has no container ${name}`);
  return c;
}

// Replaces $(VAR) references with the container's env values; fieldRefs get
// stand-in values (what the downward API would supply). Throws on a
// reference the container does not define, as kubelet would leave it as is.
export function resolveArgs(c, fieldValues = { 'spec.nodeName': 'node-1', 'metadata.namespace': 'objfs-system' }) {
  const env = new Map();
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env.set(e.name, e.value);
    else if (e.valueFrom?.fieldRef) env.set(e.name, fieldValues[e.valueFrom.fieldRef.fieldPath] ?? `<${e.valueFrom.fieldRef.fieldPath}>`);
  }
  return (c.args ?? []).map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => {
    if (!env.has(name)) throw new Error(`container ${c.name}: ${a} refers to $(${name}), which it does not define`);
    return env.get(name);
  }));
}

export function envSource(c, name) {
  return (c.env ?? []).find((e) => e.name === name);
}

// "--flag=value" or "--flag value" -> value; true for a bare flag; undefined if absent.
export function argValue(args, flag) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return i + 1 < args.length && !args[i + 1].startsWith('-') ? args[i + 1] : true;
    if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
  }
  return undefined;
}

// The volume and the path inside it that a container path falls in, or null.
export function locate(obj, c, containerPath) {
  let best = null;
  for (const m of c.volumeMounts ?? []) {
    const rel = path.relative(m.mountPath, containerPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    if (!best || m.mountPath.length > best.mount.mountPath.length) best = { mount: m, rel };
  }
  if (!best) return null;
  const volume = podSpec(obj).volumes?.find((v) => v.name === best.mount.name);
  if (!volume) throw new Error(`volumeMount ${best.mount.name} has no volume`);
  return { volume, mount: best.mount, rel: best.rel === '' ? '.' : best.rel };
}

export function containerPort(c, port) {
  if (typeof port === 'number') return port;
  const p = (c.ports ?? []).find((x) => x.name === port);
  return p ? p.containerPort : undefined;
}

// Port number of a Go listen address such as ":9808" or "0.0.0.0:9808".
export function listenPort(address) {
  const m = /:(\d+)$/.exec(address ?? '');
  return m ? Number(m[1]) : undefined;
}

const UNITS = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
export function quantity(q) {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * UNITS[m[2] ?? ''];
}

// Whether a ServiceAccount may do verb on group/resource in namespace, by the
// Roles/ClusterRoles bound to it in objects (RBAC's union of rules).
export function allowed(objects, sa, verb, group, resource, namespace) {
  const isSubject = (b) => (b.subjects ?? []).some(
    (s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace,
  );
  const roleRules = (b) => {
    const kind = b.roleRef.kind;
    const ns = kind === 'Role' ? b.metadata.namespace : undefined;
    const role = objects.find((o) => o.kind === kind && o.metadata.name === b.roleRef.name
      && (ns === undefined || o.metadata.namespace === ns));
    return role?.rules ?? [];
  };
  const match = (list, value) => (list ?? []).includes('*') || (list ?? []).includes(value);
  for (const b of objects) {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue;
    if (!isSubject(b)) continue;
    if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
    for (const r of roleRules(b)) {
      if (match(r.apiGroups, group) && match(r.resources, resource) && match(r.verbs, verb)) return true;
    }
  }
  return false;
}
