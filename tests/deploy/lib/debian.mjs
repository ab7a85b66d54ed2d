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

// Package that owns a file, trying the /usr-merged variants of the path.
export function owner(file) {
  const candidates = new Set([file]);
  try { candidates.add(fs.realpathSync(file)); } catch { /* keep the given path */ }
  for (const p of [...candidates]) {
    if (p.startsWith('/usr/')) candidates.add(p.slice(4));
    else candidates.add(`/usr${p}`);
  }
  for (const p of candidates) {
    const r = run('dpkg', ['-S', p]);
    if (r.status === 0) {
      const line = r.stdout.split('\n').find((l) => l.endsWith(`: ${p}`)) ?? r.stdout.split('\n')[0];
      return line.split(':')[0].trim();
    }
  }
  return null;
}

const fieldCache = new Map();
function installedFields(pkg) {
  if (!fieldCache.has(pkg)) {
    const r = run('dpkg-query', ['-W', '-f=${Status}\n${Depends}\n${Pre-Depends}\n${Provides}\n${Priority}', pkg]);
    if (r.status !== 0 || !r.stdout.startsWith('install ok installed')) {
      fieldCache.set(pkg, null);
    } else {
      const [, depends, preDepends, provides, priority] = r.stdout.split('\n');
      fieldCache.set(pkg, { depends: `${depends}, ${preDepends}`, provides, priority });
    }
  }
  return fieldCache.get(pkg);
}

export function isInstalled(pkg) {
  return installedFields(pkg.split(':')[0]) !== null;
}

export function knownToApt(pkg) {
  const r = run('apt-cache', ['show', '--no-all-versions', pkg]);
  return r.status === 0 && /^Package: /m.test(r.stdout);
}

// The installed packages reachable from roots through Depends/Pre-Depends
// (alternatives: every installed one counts).
export function dependencyClosure(roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const pkg = queue.pop().split(':')[0];
    if (seen.has(pkg)) continue;
    const f = installedFields(pkg);
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
  const r = run('dpkg-query', ['-W', '-f=${Package} ${Priority} ${Status}\n']);
  return r.stdout.split('\n').filter((l) => / required install ok installed$/.test(l)).map((l) => l.split(' ')[0]);
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
