'use strict';
// Which of ftrun's per-platform packages fits this machine, and where its binary is.
// Shared by the launcher (bin/ftrun) and the install step (install.js); no dependencies.

const path = require('path');

// One row per package in npm/@ftrun/: the Rust target it is built from is in its package.json.
const PACKAGES = {
  'linux x64 glibc': '@ftrun/linux-x64-gnu',
  'linux arm64 glibc': '@ftrun/linux-arm64-gnu',
  'linux x64 musl': '@ftrun/linux-x64-musl',
  'darwin x64': '@ftrun/darwin-x64',
  'darwin arm64': '@ftrun/darwin-arm64',
  'win32 x64': '@ftrun/win32-x64-msvc',
};

// glibc or musl, as npm's `libc` field names them. Node's report takes milliseconds to make,
// so it is asked only to say which package is missing.
function libc() {
  if (process.platform !== 'linux') return '';
  try {
    return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    return 'glibc';
  }
}

function wanted() {
  const key = [process.platform, process.arch, libc()].filter(Boolean).join(' ');
  return { key, name: PACKAGES[key] };
}

// The installed binary's absolute path, or null when none is installed. npm installs only the
// package whose os/cpu/libc fit, so the first one found for this OS and CPU is the one (a musl
// machine may also run the glibc package's binary: it is linked statically).
function binaryPath() {
  const prefix = `${process.platform} ${process.arch}`;
  const exe = process.platform === 'win32' ? 'ftrun.exe' : 'ftrun';
  for (const [key, pkg] of Object.entries(PACKAGES)) {
    if (key !== prefix && !key.startsWith(prefix + ' ')) continue;
    try {
      return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe);
    } catch {
      // not installed: try the next
    }
  }
  return null;
}

function missingMessage() {
  const { key, name } = wanted();
  const version = require('../package.json').version;
  if (!name) {
    return `ftrun: no prebuilt binary for ${key}. Supported: ${Object.keys(PACKAGES).join(', ')}.\n` +
      'Build it from source instead: cargo install --locked ftrun';
  }
  return `ftrun: the package with ftrun's binary for this machine (${key}) is not installed: ${name}.\n` +
    `It is an optional dependency of ftrun; it is skipped when installing with --no-optional or\n` +
    `--omit=optional, or when a lock file was made on another platform. Install it with:\n` +
    `  npm install --save-dev ${name}@${version}`;
}

module.exports = { PACKAGES, wanted, binaryPath, missingMessage };
