// A parser for the parts of a Dockerfile the tests check: stages, the
// packages each stage installs with apt-get, COPY instructions, ENTRYPOINT.
import fs from 'node:fs';

// Joins continuation lines and drops comments; returns [{ instruction, args, line }].
export function instructions(text) {
  const out = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    if (buffer === '' && /^\s*(#|$)/.test(line)) return;
    if (buffer !== '' && /^\s*#/.test(line)) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(buffer);
    if (m) out.push({ instruction: m[1].toUpperCase(), args: m[2].trim(), line: start });
    buffer = '';
  });
  return out;
}

// Returns [{ base, name, instructions, packages }].
export function stages(text) {
  const result = [];
  for (const ins of instructions(text)) {
    if (ins.instruction === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      result.push({ base: m[1], name: m?.[2] ?? null, instructions: [], packages: [] });
      continue;
    }
    if (result.length === 0) continue;
    const stage = result[result.length - 1];
    stage.instructions.push(ins);
    if (ins.instruction === 'RUN') {
      for (const part of ins.args.split(/&&|;/)) {
        const m = /apt-get\s+install\s+(.*)$/.exec(part);
        if (!m) continue;
        for (const word of m[1].split(/\s+/)) {
          if (word && !word.startsWith('-')) stage.packages.push(word);
        }
      }
    }
  }
  return result;
}

export function readDockerfile(file) {
  return fs.readFileSync(file, 'utf8');
}

// ENTRYPOINT in exec form -> array; shell form -> null.
export function entrypoint(stage) {
  const e = [...stage.instructions].reverse().find((i) => i.instruction === 'ENTRYPOINT');
  if (!e) return undefined;
  try {
    const v = JSON.parse(e.args);
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}
