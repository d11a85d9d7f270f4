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
  // With TypeScript enabled (project.config.json), `.ts` files are found too, as the
  // developer tool finds them.
  const exts = () => (internal.launchInfo && internal.launchInfo.typescript ? ['.js', '.json', '.ts'] : ['.js', '.json']);
  function probe(base, tried) {
    const kind = native.fileKind(base);
    if (kind === FILE && base !== '') return base;
    for (const candidate of exts().map((e) => base + e)) {
      tried.push(candidate);
      if (native.fileKind(candidate) === FILE) return candidate;
    }
    if (kind === DIR) {
      for (const ext of exts().filter((e) => e !== '.json')) {
        const index = (base ? base + '/' : '') + 'index' + ext;
        tried.push(index);
        if (native.fileKind(index) === FILE) return index;
      }
    }
    return null;
  }

  // app.json "resolveAlias": { "~/*": "/*", "@utils/*": "/utils/*" } (one `*` wildcard).
  function applyAlias(request) {
    const info = internal.launchInfo;
    const aliases = info && info.appJson && info.appJson.resolveAlias;
    if (!aliases || typeof aliases !== 'object') return request;
    for (const key of Object.keys(aliases)) {
      const target = String(aliases[key]);
      const star = key.indexOf('*');
      if (star < 0) {
        if (request === key) return target.startsWith('/') ? target : '/' + target;
        continue;
      }
      const head = key.slice(0, star);
      const tail = key.slice(star + 1);
      if (request.startsWith(head) && request.endsWith(tail) && request.length >= head.length + tail.length) {
        const middle = request.slice(head.length, request.length - tail.length);
        const out = target.replace('*', middle);
        return out.startsWith('/') ? out : '/' + out;
      }
    }
    return request;
  }

  // npm packages built by the developer tool: miniprogram_npm/<pkg> in the requiring file's
  // folder or any folder above it; the package's package.json "main", else index.js.
  function resolveNpm(request, fromDir, tried) {
    const parts = request.split('/');
    const pkgLen = request.startsWith('@') ? 2 : 1;
    const pkg = parts.slice(0, pkgLen).join('/');
    const sub = parts.slice(pkgLen).join('/');
    let dir = fromDir;
    for (;;) {
      const base = (dir ? dir + '/' : '') + 'miniprogram_npm/' + pkg;
      if (native.fileKind(base) === DIR) {
        if (sub) {
          const found = probe(normalize(base + '/' + sub), tried);
          if (found) return found;
        } else {
          let main = null;
          if (native.fileKind(base + '/package.json') === FILE) {
            try { main = JSON.parse(native.readText(base + '/package.json')).main || null; } catch (_) { main = null; }
          }
          if (main) {
            const found = probe(normalize(base + '/' + main), tried);
            if (found) return found;
          }
          const found = probe(base, tried);
          if (found) return found;
        }
      }
      if (!dir) return null;
      dir = internal.dirname(dir);
    }
  }

  // Files do not change during a run: a request from a folder resolves once.
  const resolved = new Map();
  internal.resolve = function (request, fromDir, fromFile) {
    if (typeof request !== 'string' || request === '') {
      throw new TypeError(`require: expected a module path, got ${internal.inspect(request)}`);
    }
    const key = fromDir + '\0' + request;
    const hit = resolved.get(key);
    if (hit !== undefined) return hit;
    const found = resolveUncached(applyAlias(request), fromDir, fromFile);
    resolved.set(key, found);
    return found;
  };

  function resolveUncached(request, fromDir, fromFile) {
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
    if (!request.startsWith('.') && !request.startsWith('/')) {
      const found = resolveNpm(request, fromDir, tried);
      if (found) return found;
    }
    const err = new Error(
      `module '${request}' is not defined, required from ${fromFile || 'the bundle root'} (tried ${Array.from(new Set(tried)).join(', ')})`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }

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
      const tl = internal.timeline;
      if (tl) tl('B', 'code', module.id);
      try {
        const fn = native.compile(module.id);
        fn.call(module.exports, module.exports, module.require, module, internal.absolutePath(module.id), internal.absolutePath(internal.dirname(module.id)));
      } finally {
        if (tl) tl('E', 'code', module.id);
      }
    },
  };

  internal.loadModule = function (path) {
    const cached = cache[path];
    if (cached) return cached.exports;
    const module = { id: path, filename: path, exports: {}, loaded: false, children: [] };
    module.require = makeRequire(dirname(path), path);
    cache[path] = module; // before running: a cycle gets the partial exports
    const ext = path.endsWith('.json') ? 'json' : 'js'; // `.ts` compiles like `.js`
    try {
      internal.loaders[ext](module);
    } catch (e) {
      delete cache[path];
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };

  // Modules the runtime provides itself, by name (a test file's `miniprogram-simulate`,
  // `path`): name -> () => exports, tried before any file. Also `name/sub/path`.
  internal.builtinModules = Object.create(null);
  function builtin(request) {
    const make = internal.builtinModules[request];
    if (make) return make;
    const i = request.indexOf('/');
    return i > 0 && !request.startsWith('@') ? internal.builtinModules[request.slice(0, i)] : undefined;
  }
  // In a test file's runtime paths are the OS's (`__dirname`, `path.resolve`): one under the
  // project folder reads as the same path in it.
  internal.rootPath = null;
  internal.absolutePath = (p) => (internal.rootPath === null ? p : p ? internal.rootPath + '/' + p : internal.rootPath);
  function projectRequest(request) {
    const root = internal.rootPath;
    if (root !== null && typeof request === 'string' && (request === root || request.startsWith(root + '/'))) return '/' + request.slice(root.length + 1);
    return request;
  }

  // Module doubles (a test's jest.mock, an app's launch({ mocks: { 'utils/api.js': ... } })):
  // id (a resolved path, or a built-in's name) -> { make() -> exports, exports }.
  internal.moduleMocks = new Map();
  function mocked(id) {
    const m = internal.moduleMocks.get(id);
    if (!m) return undefined;
    if (!('exports' in m)) m.exports = m.make();
    return m;
  }
  internal.requireActual = function (request, dir, file) {
    const make = typeof request === 'string' ? builtin(request) : undefined;
    if (make) return make(request);
    return internal.loadModule(internal.resolve(projectRequest(request), dir, file));
  };

  function makeRequire(dir, file) {
    const require = function require(request) {
      if (internal.moduleMocks.size) {
        const id = typeof request === 'string' && builtin(request) ? request : internal.resolve(projectRequest(request), dir, file);
        const m = mocked(id);
        if (m) return m.exports;
      }
      return internal.requireActual(request, dir, file);
    };
    require.resolve = (request) => internal.resolve(projectRequest(request), dir, file);
    require.cache = cache;
    // Subpackage loading: a Promise of the module, or a rejection { mod, errMsg }.
    require.async = (request) => new Promise((resolve, reject) => {
      Promise.resolve().then(() => {
        try {
          resolve(require(request));
        } catch (e) {
          reject({ mod: request, errMsg: e && e.message ? e.message : String(e) });
        }
      });
    });
    return require;
  }
  internal.makeRequire = makeRequire;

  // ---- helpers of ES modules compiled to CommonJS (src/bundle/esm.rs) ----
  // A CommonJS module seen from an import: its exports are the default, and named imports
  // read through to them (live).
  internal.defineGlobal('__ftImport', function (m) {
    if (m && m.__esModule) return m;
    if (m !== null && (typeof m === 'object' || typeof m === 'function')) {
      return Object.setPrototypeOf({ default: m }, m);
    }
    return { default: m };
  });
  internal.defineGlobal('__ftExport', function (exports, getters) {
    for (const name of Object.keys(getters)) {
      Object.defineProperty(exports, name, { get: getters[name], enumerable: true, configurable: true });
    }
  });
  internal.defineGlobal('__ftReExport', function (exports, m) {
    if (!m || (typeof m !== 'object' && typeof m !== 'function')) return;
    for (const name of Object.keys(m)) {
      if (name === 'default' || name === '__esModule' || Object.prototype.hasOwnProperty.call(exports, name)) continue;
      Object.defineProperty(exports, name, { get: () => m[name], enumerable: true, configurable: true });
    }
  });
  internal.defineGlobal('__ftDynamicImport', function (require, request) {
    return Promise.resolve().then(() => __ftImport(require(request)));
  });

  const rootModule = { id: '.', exports: {}, loaded: true };
  internal.defineGlobal('require', makeRequire('', ''));
  internal.defineGlobal('module', rootModule);
  internal.defineGlobal('exports', rootModule.exports);
})
