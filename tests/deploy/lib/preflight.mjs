// Loaded with `node --import` before any test file: fails with a clear
// message when the pinned npm packages are not installed, instead of a
// module resolution error from deep inside a test.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const pkg of ['yaml', 'kubernetes-models', '@kubernetes/client-node']) {
  if (!fs.existsSync(path.join(here, 'node_modules', pkg, 'package.json'))) {
    process.stderr.write(`tests/deploy: npm package ${pkg} is not installed; run \`npm ci\` in ${here} `
      + '(tools/install-deps.sh does)\n');
    process.exit(1);
  }
}
