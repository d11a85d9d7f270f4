// What a Jest suite expects around it in a test file's runtime: `require('path')`,
// `require('miniprogram-simulate')` and `require('miniprogram-automator')` answered by ftrun
// itself (whether or not node_modules has them), jsdom's `window` and `document`, and
// `__dirname`/`__filename` as the OS's paths.
(function (native, internal) {
  'use strict';
  internal.rootPath = native.testRoot();

  // Node's path module, POSIX flavour (what test files use to build paths from __dirname).
  function normalizeParts(parts, absolute) {
    const out = [];
    for (const part of parts.join('/').split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (out.length && out[out.length - 1] !== '..') out.pop();
        else if (!absolute) out.push('..');
      } else {
        out.push(part);
      }
    }
    return (absolute ? '/' : '') + out.join('/') || (absolute ? '/' : '.');
  }
  const path = {
    sep: '/',
    delimiter: ':',
    join: (...parts) => normalizeParts(parts.filter((p) => p !== ''), String(parts[0] || '').startsWith('/')),
    resolve: (...parts) => {
      let acc = '';
      for (const p of parts) acc = String(p).startsWith('/') ? String(p) : acc ? acc + '/' + p : String(p);
      if (!acc.startsWith('/')) acc = internal.rootPath + '/' + acc;
      return normalizeParts([acc], true);
    },
    normalize: (p) => normalizeParts([String(p)], String(p).startsWith('/')),
    isAbsolute: (p) => String(p).startsWith('/'),
    dirname: (p) => {
      const s = String(p).replace(/\/+$/, '');
      const i = s.lastIndexOf('/');
      return i < 0 ? '.' : i === 0 ? '/' : s.slice(0, i);
    },
    basename: (p, ext) => {
      const b = String(p).replace(/\/+$/, '').split('/').pop();
      return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b;
    },
    extname: (p) => {
      const b = path.basename(p);
      const i = b.lastIndexOf('.');
      return i > 0 ? b.slice(i) : '';
    },
    relative: (from, to) => {
      const a = path.resolve(from).split('/').filter(Boolean);
      const b = path.resolve(to).split('/').filter(Boolean);
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      return a.slice(i).map(() => '..').concat(b.slice(i)).join('/');
    },
  };
  path.posix = path;

  const mods = internal.builtinModules;
  mods.path = () => path;
  mods['miniprogram-simulate'] = (request) => {
    internal.loadLazy('test/simulate.js');
    if (request === 'miniprogram-simulate/jest-snapshot-plugin') return internal.simulateSnapshotPlugin || {};
    return internal.simulateModule;
  };
  mods['miniprogram-automator'] = () => {
    native.testLog("miniprogram-automator: ftrun's own (headless launches of the project)");
    return internal.automatorModule;
  };

  // jsdom's globals: `window` is the global object; `document` builds elements simulate's
  // components attach to.
  internal.defineGlobal('window', globalThis);
  Object.defineProperty(globalThis, 'document', {
    get() {
      internal.loadLazy('test/simulate.js');
      return internal.simulateDocument;
    },
    configurable: true,
  });
})
