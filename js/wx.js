// The `ft` object (and `wx`, the same object): implemented APIs register with `defineApi`;
// every other documented name exists and fails politely, with one warning per name.
(function (native, internal) {
  'use strict';
  const ft = {};
  const implemented = new Set();
  internal.ft = ft;

  // Registers an implemented API. `kind` 'async' wraps `impl` in the callback/Promise adapter.
  internal.defineApi = function (name, impl, kind) {
    implemented.add(name);
    ft[name] = kind === 'async' ? (options) => internal.invoke(name, impl, options) : impl;
  };

  // Headless no-ops that succeed: there is no screen to show them on.
  const UI_NOOPS = [
    'showToast', 'hideToast', 'showLoading', 'hideLoading', 'showNavigationBarLoading',
    'hideNavigationBarLoading', 'setNavigationBarTitle', 'setNavigationBarColor', 'hideHomeButton',
    'setBackgroundTextStyle', 'setBackgroundColor', 'showTabBarRedDot', 'hideTabBarRedDot',
    'showTabBar', 'hideTabBar', 'setTabBarStyle', 'setTabBarItem', 'setTabBarBadge',
    'removeTabBarBadge', 'startPullDownRefresh', 'stopPullDownRefresh', 'pageScrollTo',
    'setTopBarText', 'enableAlertBeforeUnload', 'disableAlertBeforeUnload', 'hideKeyboard',
    'loadFontFace', 'showShareMenu', 'hideShareMenu', 'updateShareMenu',
  ];

  const unsupportedReason = 'not supported in ftrun';
  // `ftrun run --trace`: every UI or device call a headless run cannot perform, with its
  // arguments, on stderr.
  internal.trace = function (name, args) {
    if (internal.launchInfo && internal.launchInfo.trace) {
      native.print(2, `trace: wx.${name}(${Array.from(args).map(internal.inspect).join(', ')})`);
    }
  };

  function warnUnsupported(name) {
    internal.warnOnce('unsupported:' + name, `wx.${name} is not supported in ftrun; the call fails with "${name}:fail ${unsupportedReason}"`);
  }
  // An object whose every method is a no-op returning the object (contexts, managers, tasks).
  function inert() {
    const target = function () {};
    const proxy = new Proxy(target, {
      get: (t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : proxy),
      apply: () => proxy,
    });
    return proxy;
  }
  internal.inert = inert;

  // Every wx API of WeChat's typings (js/wx-api-table.js) exists. One ftrun does not perform
  // fails the WeChat way for its kind: async and callback APIs through fail/complete or a
  // rejected Promise; task APIs the same, returning an inert task; sync APIs throw an Error
  // naming the API; APIs returning an object (a context, a manager) return an inert one, since
  // apps call its methods; on*/off* register nothing. All show under --trace.
  function unsupported(name, kind) {
    const fail = (options) => internal.invoke(name, () => { throw internal.fail(unsupportedReason); }, options);
    switch (kind) {
      case 'sync':
        return function () {
          internal.trace(name, arguments);
          warnUnsupported(name);
          throw new Error(`${name}:fail ${unsupportedReason}`);
        };
      case 'event':
        return function () { internal.trace(name, arguments); };
      case 'object':
        return function () { internal.trace(name, arguments); warnUnsupported(name); return inert(); };
      case 'task':
        return function (options) {
          internal.trace(name, arguments);
          warnUnsupported(name);
          const p = fail(Object.assign({}, options));
          if (p) p.catch(() => {});
          return inert();
        };
      default:
        return function (options) { internal.trace(name, arguments); warnUnsupported(name); return fail(options); };
    }
  }
  // The table is searched only for a name `ft` lacks (a cold start never builds an index).
  const KINDS = ['async', 'callback', 'task', 'event', 'object', 'sync', 'properties'];
  const kindOf = (key) => {
    if (!/^\w+$/.test(key)) return undefined;
    internal.loadLazy('wx-api-table.js');
    const table = internal.wxApiTable;
    return KINDS.find((kind) => table[kind].includes(` ${key} `));
  };
  // wx.cloud (js/cloud.js) is set up when an app first reaches for it.
  Object.defineProperty(ft, 'cloud', {
    get() { internal.loadLazy('cloud.js'); return internal.cloud; },
    set(v) { Object.defineProperty(ft, 'cloud', { value: v, writable: true, configurable: true, enumerable: true }); },
    configurable: true,
    enumerable: true,
  });
  // Stubs are made on first use: `ft`'s prototype answers for the names it lacks.
  Object.setPrototypeOf(ft, new Proxy(Object.create(null), {
    get(target, key, receiver) {
      if (typeof key !== 'string') return undefined;
      const kind = kindOf(key);
      if (!kind) return undefined;
      const value = kind === 'properties' ? inert() : unsupported(key, kind);
      Object.defineProperty(receiver, key, { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
    has: (target, key) => typeof key === 'string' && kindOf(key) !== undefined,
  }));
  // Dialogs a user would answer: headless, the first choice is taken (a test can mock them).
  internal.defineApi('showModal', (o) => {
    internal.trace('showModal', [o]);
    return { confirm: true, cancel: false, content: o.editable ? '' : undefined };
  }, 'async');
  internal.defineApi('showActionSheet', (o) => { internal.trace('showActionSheet', [o]); return { tapIndex: 0 }; }, 'async');
  for (const name of UI_NOOPS) {
    internal.defineApi(name, (o) => { internal.trace(name, [o]); return {}; }, 'async');
  }

  // wx.createAnimation: the WeChat Animation object (steps of transforms and styles that
  // export() hands to a node's `animation` attribute); nothing is drawn. Selector queries and
  // intersection observers live with the view layer (js/view/query.js).
  const ANIMATION_STYLES = ['opacity', 'backgroundColor', 'width', 'height', 'left', 'right', 'top', 'bottom'];
  const ANIMATION_TRANSFORMS = ['rotate', 'rotateX', 'rotateY', 'rotateZ', 'rotate3d', 'scale', 'scaleX', 'scaleY',
    'scaleZ', 'scale3d', 'translate', 'translateX', 'translateY', 'translateZ', 'translate3d', 'skew', 'skewX',
    'skewY', 'matrix', 'matrix3d'];
  internal.defineApi('createAnimation', function createAnimation(options) {
    const o = Object.assign({ duration: 400, timingFunction: 'linear', delay: 0, transformOrigin: '50% 50% 0' }, options);
    let animates = [];
    let actions = [];
    const a = {
      option: { transition: { duration: o.duration, timingFunction: o.timingFunction, delay: o.delay }, transformOrigin: o.transformOrigin },
      step(stepOptions) {
        const s = Object.assign({}, a.option.transition, stepOptions);
        actions.push({ animates, option: { transformOrigin: (stepOptions && stepOptions.transformOrigin) || a.option.transformOrigin, transition: { duration: s.duration, timingFunction: s.timingFunction, delay: s.delay } } });
        animates = [];
        return a;
      },
      export() {
        const out = { actions };
        actions = [];
        return out;
      },
    };
    for (const name of ANIMATION_STYLES) a[name] = (v) => { animates.push({ type: 'style', args: [name, v] }); return a; };
    for (const name of ANIMATION_TRANSFORMS) a[name] = (...args) => { animates.push({ type: name, args }); return a; };
    return a;
  }, 'sync');
  internal.defineApi('getUpdateManager', function getUpdateManager() {
    return {
      onCheckForUpdate(cb) { Promise.resolve().then(() => internal.safeCall(cb, undefined, [{ hasUpdate: false }], 'onCheckForUpdate')); },
      onUpdateReady() {}, onUpdateFailed() {}, applyUpdate() {},
    };
  });
  const networkListeners = [];

  internal.defineApi('canIUse', function canIUse(schema) {
    if (typeof schema !== 'string' || !schema) return false;
    return implemented.has(schema.split('.')[0]);
  });

  // ---- launch and app-level events ----------------------------------------------------------
  const launchCopy = () => {
    const o = internal.launchOptions || { path: '', query: {}, scene: 1001, referrerInfo: {} };
    return Object.assign({}, o, { query: Object.assign({}, o.query), referrerInfo: {} });
  };
  internal.defineApi('getLaunchOptionsSync', launchCopy);
  internal.defineApi('getEnterOptionsSync', launchCopy);

  const appShow = [];
  const appHide = [];
  internal.onAppShow = (opts) => appShow.slice().forEach((fn) => internal.safeCall(fn, undefined, [opts], 'onAppShow listener'));
  function listenerPair(on, off, list) {
    internal.defineApi(on, (fn) => { if (typeof fn === 'function') list.push(fn); });
    internal.defineApi(off, (fn) => {
      if (fn === undefined) list.length = 0;
      else { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); }
    });
  }
  listenerPair('onAppShow', 'offAppShow', appShow);
  listenerPair('onNetworkStatusChange', 'offNetworkStatusChange', networkListeners);
  listenerPair('onAppHide', 'offAppHide', appHide);
  listenerPair('onError', 'offError', internal.errorListeners);
  listenerPair('onUnhandledRejection', 'offUnhandledRejection', internal.rejectionListeners);

  // A fake code, as the developer tool gives without a real WeChat account behind it.
  internal.defineApi('login', () => ({ code: 'ftrun-' + Math.random().toString(36).slice(2, 12) }), 'async');
  internal.defineApi('checkSession', () => ({}), 'async');
  internal.defineApi('getSetting', () => ({ authSetting: {} }), 'async');
  internal.defineApi('getNetworkType', () => ({ networkType: 'wifi', signalStrength: 4 }), 'async');

  // base64 <-> ArrayBuffer (the standard alphabet, with padding).
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  internal.defineApi('arrayBufferToBase64', (buffer) => {
    const bytes = new Uint8Array(buffer);
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
    }
    return out;
  });
  internal.defineApi('base64ToArrayBuffer', (text) => {
    const clean = String(text).replace(/[^A-Za-z0-9+/]/g, '');
    const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let j = 0;
    for (let i = 0; i < clean.length; i += 4) {
      const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12) |
        ((B64.indexOf(clean[i + 2]) & 63) << 6) | (B64.indexOf(clean[i + 3]) & 63);
      bytes[j++] = (n >> 16) & 255;
      if (i + 2 < clean.length) bytes[j++] = (n >> 8) & 255;
      if (i + 3 < clean.length) bytes[j++] = n & 255;
    }
    return bytes.buffer.slice(0, j);
  });

  internal.defineApi('nextTick', (fn) => { if (typeof fn === 'function') queueMicrotask(fn); });
  internal.defineApi('getAccountInfoSync', () => ({
    miniProgram: { appId: internal.launchInfo ? internal.launchInfo.appId : '', envVersion: 'develop', version: '' },
  }));

  ft.env = { USER_DATA_PATH: 'wxfile://usr' };

  internal.defineGlobal('ft', ft);
  internal.defineGlobal('wx', ft);
})
