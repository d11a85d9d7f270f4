'use strict';
// Install step, downloads nothing: where the platform package is installed and its binary
// runs, bin/ftrun (the JS launcher) is replaced by that binary, so `npx ftrun` and
// node_modules/.bin/ftrun start it directly, without starting Node first (as esbuild does).
// Anything unexpected leaves the launcher in place, which works the same, only slower.

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { binaryPath } = require('./lib/platform');

function main() {
  if (process.platform === 'win32') return; // npm's .cmd shims run bin/ftrun with Node
  const binary = binaryPath();
  if (!binary || !fs.existsSync(binary)) return; // the launcher will say what to install
  const version = require('./package.json').version;
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10000 });
  if (!out.startsWith(`ftrun ${version}`)) {
    throw new Error(`${binary} --version printed ${JSON.stringify(out.trim())}, expected ftrun ${version}`);
  }
  const launcher = path.join(__dirname, 'bin', 'ftrun');
  const temp = `${launcher}.${process.pid}.tmp`;
  try {
    fs.linkSync(binary, temp);
  } catch {
    fs.copyFileSync(binary, temp);
  }
  fs.chmodSync(temp, 0o755);
  fs.renameSync(temp, launcher);
}

try {
  main();
} catch (err) {
  process.stderr.write(`ftrun: keeping the JS launcher (${err.message})\n`);
}
