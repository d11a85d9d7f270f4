// jest.mock and friends for the test file's requires: a factory's exports, or automatic mocks
// of a module's functions; `jest.mock` statements run before the file (as Jest hoists them).
// Inside a launched app, modules are replaced with launch({ mocks: { 'path.js': ... } }) or
// ftrun.mockModule (js/test/mock.js is the app's side).
(function (native, internal) {
  'use strict';
  const jest = globalThis.jest;
  let hoisted = null; // ids registered by the hoisted statements, during the file's load

  // Where a request of the test file points (a built-in's name, or a resolved path).
  function idOf(request) {
    const file = internal.testFile.file;
    if (typeof request !== 'string') throw new TypeError('jest.mock: the module path must be a string');
    if (internal.builtinModules[request] || internal.builtinModules[request.split('/')[0]]) return request;
    try {
      return internal.resolve(request, internal.dirname(file), file);
    } catch (e) {
      return null;
    }
  }

  // Jest's automock: functions become mock functions (classes keep their shape with mocked
  // methods), objects are mocked member by member, other values are kept.
  function automock(value, seen = new Map()) {
    if (typeof value === 'function') {
      const f = jest.fn();
      for (const k of Object.getOwnPropertyNames(value.prototype || {})) {
        if (k !== 'constructor' && typeof value.prototype[k] === 'function') f.prototype[k] = jest.fn();
      }
      for (const k of Object.keys(value)) f[k] = automock(value[k], seen);
      return f;
    }
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    const out = Array.isArray(value) ? [] : {};
    seen.set(value, out);
    for (const k of Object.keys(value)) out[k] = automock(value[k], seen);
    return out;
  }

  function register(request, factory, options) {
    const id = idOf(request);
    if (id === null) {
      if (!(options && options.virtual)) throw new Error(`jest.mock('${request}'): no such module from ${internal.testFile.display} (pass { virtual: true } for one that does not exist)`);
    }
    const key = id === null ? request : id;
    if (hoisted === false && internal.hoistedMocks && internal.hoistedMocks.has(key)) {
      internal.hoistedMocks.delete(key); // its hoisted twin already ran
      return jest;
    }
    if (hoisted) hoisted.add(key);
    internal.moduleMocks.set(key, {
      make: () => (typeof factory === 'function' ? factory() : automock(internal.requireActual(request, internal.dirname(internal.testFile.file), internal.testFile.file))),
    });
    return jest;
  }

  Object.assign(jest, {
    mock: (request, factory, options) => register(request, factory, options),
    doMock: (request, factory, options) => register(request, factory, options),
    unmock: (request) => { internal.moduleMocks.delete(idOf(request) || request); return jest; },
    dontMock: (request) => { internal.moduleMocks.delete(idOf(request) || request); return jest; },
    enableAutomock: () => jest,
    disableAutomock: () => jest,
    requireActual: (request) => internal.requireActual(request, internal.dirname(internal.testFile.file), internal.testFile.file),
    requireMock: (request) => {
      const m = internal.moduleMocks.get(idOf(request));
      if (m) return 'exports' in m ? m.exports : (m.exports = m.make());
      return automock(jest.requireActual(request));
    },
    createMockFromModule: (request) => automock(jest.requireActual(request)),
    isolateModules: (fn) => {
      const saved = Object.assign({}, internal.moduleCache);
      for (const k of Object.keys(internal.moduleCache)) if (k !== internal.testFile.file) delete internal.moduleCache[k];
      try { fn(); } finally {
        for (const k of Object.keys(internal.moduleCache)) delete internal.moduleCache[k];
        Object.assign(internal.moduleCache, saved);
      }
    },
  });
  const reset = jest.resetModules;
  jest.resetModules = () => {
    reset();
    for (const m of internal.moduleMocks.values()) delete m.exports;
    return jest;
  };

  // Runs the file's jest.mock statements before the file itself.
  internal.runHoistedMocks = function (file) {
    const calls = native.jestMockCalls(file);
    if (!calls.length) return;
    hoisted = new Set();
    try {
      for (const call of calls) (0, eval)(call);
    } finally {
      internal.hoistedMocks = hoisted;
      hoisted = false;
    }
  };
})
