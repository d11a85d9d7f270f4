// CommonJS `require` for bundle files: WeChat's resolution rules, a module cache, and cycles
// that see partial exports (as in Node). Files are compiled by the host, sandboxed to the bundle.
(function (native, internal) {
  'use strict';
  const cache = Object.create(null);
  internal.moduleCache = cache;

  // Bundle-relative normal form; null when the path climbs out of the bundle.
  function normalize(path) {
    const out = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (!out.length) return null;
        out.pop();
      } else out.push(part);
    }
    return out.join('/');
  }
  internal.normalize = normalize;

  function dirname(path) {
    const i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
  }
  internal.dirname = dirname;

  const FILE = 1;
  const DIR = 2;
  // The file a normalised base path names: itself, +.js, +.json, or its folder's index.js.
  function probe(base, tried) {
    const kind = native.fileKind(base);
    if (kind === FILE && base !== '') return base;
    for (const candidate of [base + '.js', base + '.json']) {
      tried.push(candidate);
      if (native.fileKind(candidate) === FILE) return candidate;
    }
    if (kind === DIR) {
      const index = (base ? base + '/' : '') + 'index.js';
      tried.push(index);
      if (native.fileKind(index) === FILE) return index;
    }
    return null;
  }

  // Extra search roots for bare requests (miniprogram_npm, aliases); extensions may add.
  internal.bareResolvers = [];

  internal.resolve = function (request, fromDir, fromFile) {
    if (typeof request !== 'string' || request === '') {
      throw new TypeError(`require: expected a module path, got ${internal.inspect(request)}`);
    }
    const tried = [];
    const bases = [];
    if (request.startsWith('/')) bases.push(request);
    else if (request.startsWith('./') || request.startsWith('../') || request === '.' || request === '..') {
      bases.push(fromDir + '/' + request);
    } else {
      // WeChat resolves a bare path relative to the requiring file first, then from the root.
      bases.push(fromDir + '/' + request, request);
    }
    for (const base of bases) {
      const norm = normalize(base);
      if (norm === null) {
        throw new Error(`require('${request}') from ${fromFile || 'the bundle root'}: '${request}' is outside the bundle root`);
      }
      tried.push(norm);
      const found = probe(norm, tried);
      if (found) return found;
    }
    for (const r of internal.bareResolvers) {
      const found = r(request, fromDir, tried);
      if (found) return found;
    }
    const err = new Error(
      `module '${request}' is not defined, required from ${fromFile || 'the bundle root'} (tried ${Array.from(new Set(tried)).join(', ')})`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  };

  // Loaders by extension; `.js` compiles CommonJS, `.json` parses. Extensions may add (ESM).
  internal.loaders = {
    json(module) {
      const text = native.readText(module.id);
      try {
        module.exports = JSON.parse(text);
      } catch (e) {
        throw new SyntaxError(`${module.id}: invalid JSON: ${e.message}`);
      }
    },
    js(module) {
      const fn = native.compile(module.id);
      fn.call(module.exports, module.exports, module.require, module, module.id, internal.dirname(module.id));
    },
  };

  internal.loadModule = function (path) {
    const cached = cache[path];
    if (cached) return cached.exports;
    const module = { id: path, filename: path, exports: {}, loaded: false, children: [] };
    module.require = makeRequire(dirname(path), path);
    cache[path] = module; // before running: a cycle gets the partial exports
    const ext = path.endsWith('.json') ? 'json' : 'js';
    try {
      internal.loaders[ext](module);
    } catch (e) {
      delete cache[path];
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };

  function makeRequire(dir, file) {
    const require = function require(request) {
      return internal.loadModule(internal.resolve(request, dir, file));
    };
    require.resolve = (request) => internal.resolve(request, dir, file);
    require.cache = cache;
    internal.extendRequire && internal.extendRequire(require, dir, file);
    return require;
  }
  internal.makeRequire = makeRequire;

  const rootModule = { id: '.', exports: {}, loaded: true };
  internal.defineGlobal('require', makeRequire('', ''));
  internal.defineGlobal('module', rootModule);
  internal.defineGlobal('exports', rootModule.exports);
})
