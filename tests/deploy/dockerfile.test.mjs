// deploy/Dockerfile: a multi-stage Debian 12 build whose runtime stage holds
// the objfs binary and only what it needs to run. Docker cannot run in the
// test environment, so the checks are static, plus checks against this
// (Debian 12) machine's package database: the build stage installs every
// package the meson build needs, and the runtime stage every package that
// owns a shared library the built binary loads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEPLOY_DIR, SOURCE_ROOT } from './lib/repo.mjs';
import { entrypoint, readDockerfile, stages } from './lib/dockerfile.mjs';
import {
  dependencyClosure, isDebian12, isInstalled, knownToApt, owners, pkgConfigFile, requiredPackages,
  sharedLibraries, which,
} from './lib/debian.mjs';

const DOCKERFILE = path.join(DEPLOY_DIR, 'Dockerfile');
const text = readDockerfile(DOCKERFILE);
const all = stages(text);
const build = all.find((s) => s.name === 'build');
const runtime = all[all.length - 1];
const debian = isDebian12();
const binary = process.env.OBJFS_BINARY;

// The runtime libraries the image is specified to carry, and the non-library
// packages it may add.
const RUNTIME_PACKAGES = ['libfuse3-3', 'fuse3', 'libgrpc++1.51', 'libprotobuf32', 'libcurl4', 'libssl3',
  'libpugixml1v5', 'libtbb12', 'ca-certificates'];

function mesonFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.startsWith('build') || e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'meson.build') out.push(p);
    }
  };
  walk(SOURCE_ROOT);
  return out;
}

// dependency('x', ...) and find_program('x') calls the objfs build makes
// (test-only dependencies left out: the image builds with -Dtests=false).
function mesonRequirements() {
  const deps = new Set();
  const programs = new Set();
  for (const f of mesonFiles()) {
    const rel = path.relative(SOURCE_ROOT, f);
    if (rel.startsWith('tests/')) continue;
    const src = fs.readFileSync(f, 'utf8').replace(/#.*$/gm, '');
    for (const m of src.matchAll(/(?<![\w.])dependency\(\s*'([^']+)'(.*)$/gm)) {
      if (/required\s*:\s*(false|get_option\('tests'\))/.test(m[2])) continue;
      if (m[1] !== 'threads') deps.add(m[1]);
    }
    for (const m of src.matchAll(/find_program\(\s*'([^']+)'(.*)$/gm)) {
      if (/required\s*:\s*false/.test(m[2])) continue;
      programs.add(m[1]);
    }
  }
  return { deps, programs };
}

describe('Dockerfile structure', () => {
  it('has a build stage and a separate runtime stage, both Debian 12', () => {
    assert.ok(all.length >= 2, 'multi-stage');
    assert.ok(build, 'a stage named "build"');
    assert.notEqual(runtime, build, 'the last stage is not the build stage');
    for (const s of all) assert.match(s.base, /^debian:bookworm(-slim)?(@sha256:[0-9a-f]{64})?$/, s.base);
  });

  it('installs with apt-get only, without recommends, and drops the package lists', () => {
    for (const s of all) {
      const runs = s.instructions.filter((i) => i.instruction === 'RUN' && /apt-get install/.test(i.args));
      assert.ok(runs.length > 0, `stage ${s.name ?? s.base} installs packages`);
      for (const r of runs) {
        assert.match(r.args, /--no-install-recommends/, `line ${r.line}`);
        assert.match(r.args, /apt-get update/, `line ${r.line}: update in the same layer`);
        assert.match(r.args, /rm -rf \/var\/lib\/apt\/lists/, `line ${r.line}`);
      }
    }
    assert.doesNotMatch(text, /\b(curl|wget)\b[^\n]*https?:/, 'nothing is downloaded outside apt');
    assert.ok(!all.some((s) => s.instructions.some((i) => i.instruction === 'ADD')), 'COPY, not ADD');
  });

  it('builds the objfs target with meson in release mode, without tests', () => {
    const runs = build.instructions.filter((i) => i.instruction === 'RUN').map((i) => i.args).join('\n');
    assert.match(runs, /meson setup \S+ [^\n]*--buildtype=release/);
    assert.match(runs, /-Dtests=false/);
    // Meson puts the binary in the build dir mirroring the folder of the
    // meson.build that declares executable('objfs').
    const decl = mesonFiles().find((f) => /executable\(\s*'objfs'/.test(fs.readFileSync(f, 'utf8')));
    assert.ok(decl, "a meson.build declares executable('objfs')");
    const dir = path.relative(SOURCE_ROOT, path.dirname(decl));
    const setup = /meson setup (\S+)/.exec(runs)[1];
    assert.match(runs, new RegExp(`ninja -C ${setup} ${dir}/objfs\\b`));
    assert.ok(runs.includes(`${setup}/${dir}/objfs`), `the build copies ${setup}/${dir}/objfs out`);
  });

  it("the build stage's meson setup configures this tree, with the target it builds",
    { skip: which('meson') && which('ninja') ? false : 'meson or ninja is not installed' }, () => {
      const runs = build.instructions.filter((i) => i.instruction === 'RUN').map((i) => i.args).join(' && ');
      const setup = /meson setup (\S+)((?: -\S+)*)/.exec(runs);
      const target = new RegExp(`ninja -C ${setup[1]} (\\S+)`).exec(runs)[1];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'objfs-image-build-'));
      try {
        const flags = setup[2].trim().split(/\s+/).filter(Boolean);
        const r = spawnSync('meson', ['setup', dir, ...flags], { cwd: SOURCE_ROOT, encoding: 'utf8', timeout: 240000 });
        assert.equal(r.status, 0, `meson setup ${flags.join(' ')}: ${r.stdout}\n${r.stderr}`);
        const q = spawnSync('ninja', ['-C', dir, '-t', 'query', target], { encoding: 'utf8', timeout: 60000 });
        assert.equal(q.status, 0, `ninja has no target ${target}: ${q.stderr}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  it('copies only the binary into the runtime stage and runs it as the entrypoint', () => {
    const copies = runtime.instructions.filter((i) => i.instruction === 'COPY');
    assert.equal(copies.length, 1, 'one COPY');
    const m = /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(copies[0].args);
    assert.ok(m, copies[0].args);
    assert.equal(m[1], 'build');
    const produced = build.instructions.filter((i) => i.instruction === 'RUN').map((i) => i.args).join('\n');
    assert.ok(produced.includes(m[2]), `${m[2]} is produced by the build stage`);
    assert.deepEqual(entrypoint(runtime), [m[3]]);
    assert.equal(path.basename(m[3]), 'objfs');
  });

  it('runtime stage installs exactly the runtime packages, no compiler or headers', () => {
    assert.deepEqual([...runtime.packages].sort(), [...RUNTIME_PACKAGES].sort());
    for (const p of runtime.packages) {
      assert.doesNotMatch(p, /-dev$|^(g\+\+|gcc|meson|ninja-build|cmake|pkg-config)$/, p);
    }
  });
});

describe('Dockerfile packages against the Debian 12 package database', { skip: debian ? false : 'not Debian 12' }, () => {
  it('every package named exists in Debian', () => {
    for (const p of [...build.packages, ...runtime.packages]) {
      assert.ok(isInstalled(p) || knownToApt(p), `${p} is not a Debian package here`);
    }
  });

  it("the build stage provides every dependency() and find_program() of the meson build", () => {
    const { deps, programs } = mesonRequirements();
    assert.ok(deps.size >= 5, `found only ${[...deps].join(', ')}`);
    const closure = dependencyClosure(build.packages);
    const needs = [];  // [what, file]
    for (const d of deps) {
      const pc = pkgConfigFile(d);
      assert.ok(pc, `pkg-config finds no ${d}.pc on this machine`);
      needs.push([`dependency('${d}')`, pc]);
    }
    for (const p of programs) {
      const file = which(p);
      assert.ok(file, `${p} is not installed here`);
      needs.push([`find_program('${p}')`, file]);
    }
    for (const p of ['meson', 'ninja', 'g++', 'pkg-config', 'strip']) {
      const file = which(p);
      assert.ok(file, `${p} is not installed here`);
      needs.push([p, file]);
    }
    const owned = owners(needs.map(([, file]) => file));
    for (const [what, file] of needs) {
      const pkg = owned.get(file);
      assert.ok(pkg, `no package owns ${file}`);
      assert.ok(closure.has(pkg), `${what} (${file}) comes from ${pkg}, which the build stage does not install`);
    }
  });

  it('the runtime stage provides every shared library the built objfs loads',
    { skip: binary && fs.existsSync(binary) ? false : 'OBJFS_BINARY is not set or missing' }, (t) => {
      const base = requiredPackages();
      const closure = dependencyClosure([...runtime.packages, ...base]);
      const libs = sharedLibraries(binary);
      assert.ok(libs.length > 0, `ldd lists no library for ${binary}`);
      const owned = owners(libs);
      for (const [lib, pkg] of owned) {
        assert.ok(pkg, `no package owns ${lib}`);
        assert.ok(closure.has(pkg), `${lib} comes from ${pkg}, which the runtime stage does not install`);
      }
      const needed = new Set(owned.values());
      t.diagnostic(`objfs loads libraries from: ${[...needed].sort().join(', ')}`);
      // "Only what it needs": every library package the stage installs is
      // one the binary loads (fuse3 and ca-certificates are not libraries:
      // fusermount3 and /etc/fuse.conf, and the CA store for HTTPS).
      const unused = runtime.packages.filter((p) => p.startsWith('lib') && !needed.has(p));
      assert.deepEqual(unused, [], 'library packages the binary does not load');
    });
});
