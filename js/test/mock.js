// What a test can do inside an app it launched: test doubles for ft/wx APIs (a value:
// { success }, { fail }, { returns }, { throws }; or a function whose source runs in the app),
// and components mounted on their own.
(function (native, internal) {
  'use strict';
  // Components mounted by the test (app.mount): kept here, reached by id.
  const mounted = [];
  Object.defineProperty(globalThis, '__ftrunMount', {
    value: (ref, props) => mounted.push(internal.mountComponent(ref, props)) - 1,
    configurable: true,
  });
  Object.defineProperty(globalThis, '__ftrunMounted', { value: (id) => mounted[id], configurable: true });

  const calls = Object.create(null);
  Object.defineProperty(globalThis, '__ftrunMockCalls', { value: calls, configurable: true });
  const direct = (name) => /Sync$/.test(name) || /^(on|off)[A-Z]/.test(name) || /^create[A-Z]/.test(name) ||
    /^get\w*Manager$/.test(name) || name === 'canIUse';
  const plain = (v) => {
    try { return JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'function' ? undefined : x))); } catch (_) { return null; }
  };
  // A module of the bundle replaced (a name with a '/' or a .js/.ts ending): a function's
  // source is a factory of its exports, a string is the module's source, a value its exports.
  const isModule = (name) => /\/|\.(js|ts)$/.test(name);
  function installModule(spec) {
    let id;
    try {
      id = internal.resolve(spec.name, '', 'app.json');
    } catch (_) {
      id = internal.normalize(spec.name.replace(/^\//, ''));
    }
    let make;
    if (spec.source !== undefined) {
      const factory = (0, eval)('(' + spec.source + ')');
      make = () => factory();
    } else if (typeof spec.value === 'string') {
      make = () => {
        const module = { exports: {} };
        new Function('module', 'exports', 'require', spec.value)(module, module.exports, globalThis.require);
        return module.exports;
      };
    } else {
      make = () => spec.value;
    }
    internal.moduleMocks.set(id, { make });
  }

  // Replaces ft/wx.<name>; at launch, and later from `ftrun.mock` for an app already running.
  function install(spec) {
    const name = spec.name;
    if (isModule(name)) return installModule(spec);
    const list = (calls[name] = calls[name] || []);
    const impl = spec.source !== undefined ? (0, eval)('(' + spec.source + ')') : null;
    const value = spec.value || {};
    if (name.startsWith('cloud.')) {
      internal.loadLazy('cloud.js');
      // wx.cloud's operations (js/cloud.js) ask this double; their adapter adds errMsg.
      internal.cloudDoubles[name.slice(6)] = (options) => {
        list.push(plain([options]));
        if (impl) return impl(options);
        if ('fail' in value) throw internal.fail(String(value.fail));
        return value.success || value.returns || {};
      };
      return;
    }
    const isDirect = direct(name);
    internal.ft[name] = function (...args) {
      list.push(plain(args));
      if (isDirect) {
        if (impl) return impl.apply(this, args);
        if ('throws' in value) throw new Error(String(value.throws));
        return value.returns;
      }
      return internal.invoke(name, (options) => {
        if (impl) return impl(options);
        if ('fail' in value) throw internal.fail(String(value.fail));
        return value.success || value.returns || {};
      }, args[0]);
    };
  }
  Object.defineProperty(globalThis, '__ftrunInstallMock', { value: install, configurable: true });
  // Every wx API the app calls is listed for app.calls(name), mocked or not.
  for (const name of Object.keys(internal.ft)) {
    const real = internal.ft[name];
    if (typeof real !== 'function') continue;
    internal.ft[name] = function (...args) {
      (calls[name] || (calls[name] = [])).push(plain(args));
      return real.apply(this, args);
    };
  }
  for (const spec of JSON.parse(native.mockSpecs())) install(spec);
})
