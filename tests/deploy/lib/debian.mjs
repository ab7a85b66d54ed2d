// Questions to the local Debian package database (dpkg), used to check that
// the Dockerfile installs what objfs needs. Only meaningful on Debian 12,
// which is what the image is built on; callers skip elsewhere.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function isDebian12() {
  if (!fs.existsSync('/etc/os-release')) return false;
  const osr = fs.readFileSync('/etc/os-release', 'utf8');
  return /^ID=debian$/m.test(osr) && /^VERSION_ID="?12"?$/m.test(osr) && run('dpkg-query', ['--version']).status === 0;
}

// Packages that own files: Map(path -> package or null). One dpkg call for
// all paths, trying the /usr-merged variants of each path.
export function owners(files) {
  const variants = new Map();
  for (const file of files) {
    const candidates = new Set([file]);
    try { candidates.add(fs.realpathSync(file)); } catch { /* keep the given path */ }
    for (const p of [...candidates]) {
      if (p.startsWith('/usr/')) candidates.add(p.slice(4));
      else candidates.add(`/usr${p}`);
    }
    variants.set(file, [...candidates]);
  }
  const all = [...new Set([...variants.values()].flat())];
  const found = new Map();
  if (all.length > 0) {
    // dpkg -S exits non-zero when any path is unowned; the lines it prints still count.
    const r = run('dpkg', ['-S', ...all]);
    for (const line of r.stdout.split('\n')) {
      const m = /^([^:]+(?::[a-z0-9]+)?(?:, [^:]+)*): (\/.*)$/.exec(line);
      if (m) found.set(m[2], m[1].split(',')[0].trim().split(':')[0]);
    }
  }
  const result = new Map();
  for (const [file, candidates] of variants) {
    result.set(file, candidates.map((c) => found.get(c)).find(Boolean) ?? null);
  }
  return result;
}

export function owner(file) {
  return owners([file]).get(file);
}

let installedDb = null;
// Every installed package: Map(name -> { depends, priority }), one dpkg-query call.
function installed() {
  if (!installedDb) {
    installedDb = new Map();
    const r = run('dpkg-query', ['-W', '-f=${Package}\t${Status}\t${Priority}\t${Depends}, ${Pre-Depends}\n']);
    for (const line of r.stdout.split('\n')) {
      const [name, status, priority, depends] = line.split('\t');
      if (name && status === 'install ok installed') installedDb.set(name, { priority, depends: depends ?? '' });
    }
  }
  return installedDb;
}

export function isInstalled(pkg) {
  return installed().has(pkg.split(':')[0]);
}

export function knownToApt(pkg) {
  const r = run('apt-cache', ['show', '--no-all-versions', pkg]);
  return r.status === 0 && /^Package: /m.test(r.stdout);
}

// The installed packages reachable from roots through Depends/Pre-Depends
// (alternatives: every installed one counts).
export function dependencyClosure(roots) {
  const db = installed();
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const pkg = queue.pop().split(':')[0];
    if (seen.has(pkg)) continue;
    const f = db.get(pkg);
    if (!f) continue;
    seen.add(pkg);
    for (const alt of f.depends.split(',')) {
      for (const choice of alt.split('|')) {
        const name = choice.trim().split(/[\s(]/)[0];
        if (name) queue.push(name);
      }
    }
  }
  return seen;
}

// Packages of Priority "required" that are installed: what a minimal Debian
// image (debian:bookworm-slim) starts with.
export function requiredPackages() {
  return [...installed()].filter(([, f]) => f.priority === 'required').map(([name]) => name);
}

// Shared libraries a binary loads (absolute paths), from ldd.
export function sharedLibraries(binary) {
  const r = run('ldd', [binary]);
  if (r.status !== 0) throw new Error(`ldd ${binary}: ${r.stderr}`);
  const libs = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]);
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  return libs;
}

export function which(program) {
  const r = run('sh', ['-c', 'command -v "$1"', 'sh', program]);
  return r.status === 0 ? r.stdout.trim() : null;
}

export function pkgConfigFile(name) {
  const r = run('pkg-config', ['--variable=pcfiledir', name]);
  if (r.status !== 0) return null;
  const p = `${r.stdout.trim()}/${name}.pc`;
  return fs.existsSync(p) ? p : null;
}
