// What `objfs csi` accepts: its flags, their defaults and allowed values.
//
// Read from the real binary (`$OBJFS_BINARY csi --help`) whenever that binary
// has the csi subcommand; otherwise from the contract the manifests were
// written against (the flag list the CSI plugin was specified with). The
// result says which source it came from, and the tests print it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const CONTRACT_HELP = `usage: objfs csi [flags]

flags:
  --endpoint URL          unix:///path/to/csi.sock (default unix:///csi/csi.sock)
  --node-id NODE          this node's name; required for --mode node|all
  --driver-name NAME      CSI driver name (default csi.objfs.io)
  --mode MODE             controller | node | all (default all)
  --state-dir DIR         where staged volumes are remembered (default /var/lib/objfs-csi)
  --log-level LEVEL       error | warn | info | debug | trace (default info)
  -h, --help              print this help and exit
`;

// Parses help text into Map(flag -> { takesValue, metavar, description,
// defaultValue, choices }).
export function parseHelp(text) {
  const flags = new Map();
  let last = null;
  for (const line of text.split('\n')) {
    const m = /^\s+(?:-[A-Za-z],\s+)?(--[a-z][a-z0-9-]*)(?:[ =]([A-Z][A-Z0-9_]*))?(?:\s{2,}(.*))?$/.exec(line);
    if (m) {
      last = { flag: m[1], takesValue: Boolean(m[2]), metavar: m[2] ?? null, description: (m[3] ?? '').trim() };
      flags.set(m[1], last);
      continue;
    }
    if (last && /^\s{6,}\S/.test(line) && !/^\s+-/.test(line)) {
      last.description += ` ${line.trim()}`;
    } else {
      last = null;
    }
  }
  for (const f of flags.values()) {
    const d = /\(default ([^)]*)\)/.exec(f.description);
    f.defaultValue = d ? d[1] : null;
    const c = /^([a-z][a-z0-9-]*(?:\s*\|\s*[a-z][a-z0-9-]*)+)(?:\s|$)/.exec(f.description);
    f.choices = c ? c[1].split('|').map((s) => s.trim()) : null;
  }
  return flags;
}

// Runs `objfs csi ...args`; returns { status, stdout, stderr }.
export function runCsi(binary, args) {
  const r = spawnSync(binary, ['csi', ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

// Returns { source: 'binary'|'contract', reason, flags, binary }.
export function csiFlags() {
  const binary = process.env.OBJFS_BINARY;
  if (!binary) return { source: 'contract', reason: 'OBJFS_BINARY is not set', flags: parseHelp(CONTRACT_HELP) };
  if (!fs.existsSync(binary)) {
    return { source: 'contract', reason: `OBJFS_BINARY ${binary} does not exist`, flags: parseHelp(CONTRACT_HELP) };
  }
  const r = runCsi(binary, ['--help']);
  if (r.status === 0 && /objfs csi/.test(r.stdout) && /--endpoint/.test(r.stdout)) {
    return { source: 'binary', reason: `${binary} csi --help`, flags: parseHelp(r.stdout), binary };
  }
  return {
    source: 'contract',
    reason: `${binary} has no csi subcommand yet (csi --help exited ${r.status})`,
    flags: parseHelp(CONTRACT_HELP),
  };
}

// Splits "--flag=value" / "--flag value" argument lists into [{flag, value}].
export function splitArgs(args, flags) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) {
      out.push({ positional: a });
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      out.push({ flag: a.slice(0, eq), value: a.slice(eq + 1) });
    } else if (flags.get(a)?.takesValue && i + 1 < args.length) {
      out.push({ flag: a, value: args[++i] });
    } else {
      out.push({ flag: a, value: null });
    }
  }
  return out;
}
