#!/usr/bin/env node
'use strict';
// Packs ftrun's npm packages: the main package (launcher) and one platform package with the
// given binary in it. Used by `make npm-pack`, the install test and the release workflow.
//
//   node npm/pack.js --binary target/release/ftrun --package linux-x64-gnu --out target/npm
//   node npm/pack.js --check     (versions only: every manifest agrees with Cargo.toml)
//
// Prints the paths of the tarballs it wrote, one a line.

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const HERE = __dirname;
const fail = (msg) => { process.stderr.write(`npm/pack.js: ${msg}\n`); process.exit(2); };

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--check') out.check = true;
    else if (['--binary', '--package', '--out'].includes(flag)) {
      if (i + 1 >= argv.length) fail(`${flag} needs a value`);
      out[flag.slice(2)] = argv[++i];
    } else fail(`unknown argument ${flag}`);
  }
  return out;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

// The [package] version of Cargo.toml: the one version of every package.
function cargoVersion() {
  const toml = fs.readFileSync(path.join(HERE, '..', 'Cargo.toml'), 'utf8');
  const pkg = toml.split(/^\[/m).find((s) => s.startsWith('package]'));
  const m = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) fail('no version in Cargo.toml [package]');
  return m[1];
}

// Every manifest's version and the launcher's optionalDependencies agree with Cargo.toml, and
// each platform package has what npm needs to pick it (os, cpu, libc on Linux).
function check() {
  const version = cargoVersion();
  const main = readJson(path.join(HERE, 'ftrun', 'package.json'));
  const problems = [];
  if (main.version !== version) problems.push(`npm/ftrun/package.json: version ${main.version}, Cargo.toml ${version}`);
  const platforms = fs.readdirSync(path.join(HERE, '@ftrun')).sort();
  const deps = main.optionalDependencies || {};
  for (const dir of platforms) {
    const file = `npm/@ftrun/${dir}/package.json`;
    const m = readJson(path.join(HERE, '@ftrun', dir, 'package.json'));
    if (m.name !== `@ftrun/${dir}`) problems.push(`${file}: name ${m.name}`);
    if (m.version !== version) problems.push(`${file}: version ${m.version}, Cargo.toml ${version}`);
    if (deps[m.name] !== version) problems.push(`npm/ftrun/package.json: optionalDependencies["${m.name}"] is ${deps[m.name]}, not ${version}`);
    if (!Array.isArray(m.os) || !Array.isArray(m.cpu)) problems.push(`${file}: no os/cpu`);
    if (m.os && m.os[0] === 'linux' && !Array.isArray(m.libc)) problems.push(`${file}: no libc`);
    if (!m.ftrun || !m.ftrun.target) problems.push(`${file}: no ftrun.target (the Rust target it is built for)`);
  }
  for (const name of Object.keys(deps)) {
    if (!platforms.includes(name.replace('@ftrun/', ''))) problems.push(`npm/ftrun/package.json: ${name} has no folder under npm/@ftrun`);
  }
  if (problems.length) fail(`manifests disagree:\n  ${problems.join('\n  ')}`);
  return { version, platforms };
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) copyDir(src, dst);
    else fs.copyFileSync(src, dst);
  }
}

function pack(dir, out) {
  // npm is npm.cmd on Windows, which only a shell runs.
  const printed = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: dir, encoding: 'utf8', shell: process.platform === 'win32',
  });
  return path.join(out, printed.trim().split('\n').pop());
}

function main() {
  const opts = args();
  const { version, platforms } = check();
  if (opts.check) return;
  if (!opts.binary || !opts.package || !opts.out) fail('--binary, --package and --out are needed (or --check)');
  if (!platforms.includes(opts.package)) fail(`--package ${opts.package}: not one of ${platforms.join(', ')}`);
  if (!fs.statSync(opts.binary, { throwIfNoEntry: false })?.isFile()) fail(`--binary ${opts.binary}: no such file`);
  const out = path.resolve(opts.out);
  const stage = path.join(out, 'stage');
  fs.rmSync(stage, { recursive: true, force: true });

  const main = path.join(stage, 'ftrun');
  copyDir(path.join(HERE, 'ftrun'), main);
  fs.chmodSync(path.join(main, 'bin', 'ftrun'), 0o755);

  const platform = path.join(stage, opts.package);
  copyDir(path.join(HERE, '@ftrun', opts.package), platform);
  const exe = readJson(path.join(platform, 'package.json')).files[0];
  fs.mkdirSync(path.join(platform, 'bin'), { recursive: true });
  fs.copyFileSync(opts.binary, path.join(platform, exe));
  fs.chmodSync(path.join(platform, exe), 0o755);

  const printed = execFileSync(path.join(platform, exe), ['--version'], { encoding: 'utf8' });
  if (!printed.startsWith(`ftrun ${version}`)) fail(`--binary ${opts.binary} is version ${printed.trim()}, the packages ${version}`);

  for (const dir of [main, platform]) fs.copyFileSync(path.join(HERE, '..', 'LICENSE'), path.join(dir, 'LICENSE'));
  for (const dir of [main, platform]) process.stdout.write(pack(dir, out) + '\n');
}

main();
