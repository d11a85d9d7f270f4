// The `ftrun` global of test files: launch bundles (real cold starts), declare what the local
// background-fetch endpoints answer, read what they received, and replace ft/wx APIs.
(function (native, internal) {
  'use strict';
  // A double as the app receives it: a value, or a function's source (it runs in the app).
  const mockSpec = (name, m) => (typeof m === 'function' ? { name, source: m.toString() } : { name, value: m });

  function queryString(q) {
    if (q === undefined || q === null) return undefined;
    if (typeof q === 'string') return q;
    return Object.keys(q).map((k) => `${k}=${q[k]}`).join('&');
  }

  class App {
    constructor(id) { this.id = id; }
    get output() { return JSON.parse(native.appOutput(this.id)); }
    get stdout() { return this.output.stdout; }
    get stderr() { return this.output.stderr; }
    get exitCode() { return this.output.exitCode; }
    /** Uncaught errors and unhandled rejections the app reported. */
    get errors() { return this.stderr.filter((l) => /^(Uncaught|Unhandled promise rejection)/.test(l)); }
    /** Runs the app until nothing is pending. */
    idle() { return Promise.resolve(JSON.parse(native.appStep(this.id, 'idle'))); }
    /** Runs the app: 'settled' (what is ready now), 'idle', or 'ms:N'; returns its state.
     *  Calls the app made to functions the test exposed run here, between steps, and so do
     *  the test's console and exception listeners. */
    _step(what) {
      let state = JSON.parse(native.appStep(this.id, what)).state;
      for (let round = 0; round < 100 && this._exposed; round++) {
        const calls = this.eval(() => __ftrunView.exposedCalls());
        if (!calls.length) break;
        for (const c of calls) this._answer(c);
        state = JSON.parse(native.appStep(this.id, 'settled')).state;
      }
      if (this._listeners) this._notify();
      return state;
    }
    _answer(c) {
      const settle = (ok, value) => this.eval((id, o, v) => __ftrunView.settleExposed(id, o, v), c.id, ok, value === undefined ? null : value);
      let r;
      try {
        r = this._exposed[c.name](...c.args);
      } catch (e) {
        settle(false, String((e && e.message) || e));
        return;
      }
      if (r && typeof r.then === 'function') {
        r.then((v) => { settle(true, v); this._step('settled'); }, (e) => { settle(false, String((e && e.message) || e)); this._step('settled'); });
      } else {
        settle(true, r);
      }
    }
    /** automator's exposeFunction: the app calls `name(...args)` (a global), the test's `fn`
     *  runs and its result (awaited) is what the app's call resolves to. */
    exposeFunction(name, fn) {
      if (typeof fn !== 'function') return Promise.reject(new TypeError('exposeFunction(name, fn): fn must be a function'));
      (this._exposed || (this._exposed = Object.create(null)))[String(name)] = fn;
      this.eval((n) => __ftrunView.expose(n), String(name));
      return Promise.resolve();
    }
    /** automator's events: 'console' ({ type, args }) and 'exception' ({ message, stack }). */
    on(event, cb) {
      const l = this._listeners || (this._listeners = { console: [], exception: [], seen: { out: 0, err: 0 } });
      if (l[event]) l[event].push(cb);
      return this;
    }
    _notify() {
      const l = this._listeners;
      const out = this.output;
      for (const line of out.stdout.slice(l.seen.out)) for (const cb of l.console) cb({ type: 'log', args: [line] });
      for (const line of out.stderr.slice(l.seen.err)) {
        if (/^(Uncaught|Unhandled promise rejection)/.test(line)) {
          for (const cb of l.exception) cb({ message: line.split('\n')[0], stack: line });
        } else {
          for (const cb of l.console) cb({ type: /^warning/.test(line) ? 'warn' : 'error', args: [line] });
        }
      }
      l.seen = { out: out.stdout.length, err: out.stderr.length };
    }
    /** With `launch({ timeline: true })`: what the app did when, as `ftrun run --timeline`
     *  records it on the JS side (modules loaded, lifecycles, render, listeners, timers):
     *  `[{ name, lane, ph: 'B' | 'E' | 'i', us }]`, `us` on the process's clock. */
    timeline() { return JSON.parse(native.appTimeline(this.id)); }
    /** Runs the app until the next background-fetch record reached its listeners. */
    nextBackgroundFetch() {
      const r = JSON.parse(native.appStep(this.id, 'bgfetch'));
      if (r.state !== 'reached') return Promise.reject(new Error(`no background-fetch record arrived before the app went ${r.state}`));
      return Promise.resolve(r);
    }
    /** A periodic update now (as the IDE's "Fetch Periodic Data"), then runs until idle. */
    triggerPeriodic() { return Promise.resolve(JSON.parse(native.appTriggerPeriodic(this.id))); }
    /** Runs `fn(...args)` inside the app; returns its result as JSON data. */
    eval(fn, ...args) {
      const code = typeof fn === 'function' ? `(${fn})(...${JSON.stringify(args)})` : String(fn);
      const json = native.appEval(this.id, code);
      return json === undefined || json === 'undefined' ? undefined : JSON.parse(json);
    }
    getApp() { return this.eval(() => getApp()); }
    get globalData() { return this.eval(() => getApp() && getApp().globalData); }
    pages() {
      return this.eval(() => getCurrentPages().map((p) => ({ route: p.route, options: p.options, data: p.data })));
    }
    /** The page handle (automator's Page) of `route`, or of the current page. */
    page(route) {
      const info = route ? this.eval((r) => __ftrunView.pageByRoute(r), route) : this.eval(() => __ftrunView.currentPage());
      return internal.automatorPage(this, info);
    }
    /** The data of the page at `route` (else the current page), synchronously. */
    data(route) {
      const pages = this.pages();
      const p = route ? pages.slice().reverse().find((x) => x.route === route) : pages[pages.length - 1];
      return p ? p.data : undefined;
    }
    /** The app's virtual clock (`launch({ clock: 'virtual' })`): advance(ms) fires every
     *  timer due on the way, in order; runAll() until no timer is left; now() in ms. */
    get clock() {
      const id = this.id;
      const app = this;
      const op = (name, ms) => {
        const r = JSON.parse(native.appClock(id, name, ms || 0));
        if (app._listeners || app._exposed) app._step('settled');
        return r;
      };
      return {
        advance: (ms) => new Promise((resolve) => { op('advance', Number(ms) || 0); resolve(); }),
        runAll: () => new Promise((resolve) => { op('runAll'); resolve(); }),
        now: () => op('now').now,
      };
    }
    /** The stored record of a slot ('pre' or 'periodic'), or null. */
    stored(type) { return JSON.parse(native.appStored(this.id, type)); }
    /** The stored token, or null. */
    token() { return JSON.parse(native.appStored(this.id, 'token')); }
    /** The calls a mocked API received (arguments as JSON data). */
    calls(name) { return this.eval((n) => (globalThis.__ftrunMockCalls || {})[n] || [], name); }
    /** Mounts a registered component on its own with `props` (created, properties, attached,
     *  ready), rendered, and returns a handle: data(), call(method, ...args), setData(patch),
     *  detach(), element(). */
    mount(path, props) {
      const id = this.eval((p, pr) => __ftrunMount(p, pr), path, props || {});
      const app = this;
      return {
        data: () => app.eval((i) => __ftrunMounted(i).data, id),
        call: (method, ...args) => app.eval((i, m, a) => __ftrunMounted(i)[m](...a), id, method, args),
        setData: (patch) => app.eval((i, p) => { __ftrunMounted(i).setData(p); }, id, patch),
        detach: () => app.eval((i) => { __ftrunMounted(i).__ftDetach(); }, id),
        /** The component as an automator element: its template, queried and tapped. */
        element: () => internal.automatorElement(app, app.eval((i) => __ftrunView.mounted(i), id)),
      };
    }
  }

  Object.assign(App.prototype, internal.automatorMethods);

  function endpoint(kind) {
    return function (spec) {
      return native.serverRoute(kind, JSON.stringify(typeof spec === 'string' ? { body: spec } : spec || {}));
    };
  }

  const ftrun = {
    /** Options every launch of this file starts from (e.g. `ftrun.defaults.clock = 'virtual'`). */
    defaults: {},
    launch(options = {}) {
      const o = Object.assign({}, internal.launchDefaults, ftrun.defaults, options);
      o.query = queryString(o.query);
      const mocks = o.mocks || {};
      o.mocks = Object.keys(mocks).map((name) => mockSpec(name, mocks[name]));
      if (o.prefetch === false) o.noPrefetch = true;
      delete o.prefetch;
      if (o.timeout !== undefined) o.timeoutMs = o.timeout;
      else o.timeoutMs = internal.currentTimeout || 5000;
      delete o.timeout;
      const app = new App(native.launch(JSON.stringify(o)));
      app._virtual = o.clock === 'virtual';
      return Promise.resolve(app);
    },
    /** Replaces `wx.<name>` in every app the current test (or the hook's suite) launches,
     *  and at once in the apps it has already launched. */
    mock(name, spec) { native.mock(JSON.stringify(mockSpec(String(name), spec))); },
    /** Replaces a module of the bundle (`'utils/api.js'`) for the apps of this test:
     *  `source` is the module's text, a factory function of its exports, or its exports. */
    mockModule(path, source) {
      if (!/\/|\.(js|ts)$/.test(String(path))) throw new TypeError(`ftrun.mockModule('${path}'): give the module's path in the bundle, e.g. 'utils/api.js'`);
      native.mock(JSON.stringify(mockSpec(String(path), source)));
    },
    server: {
      pre: endpoint('pre'),
      periodic: endpoint('periodic'),
      /** What an endpoint received: 'pre', 'periodic', or a URL from route(). */
      requests(which) { return JSON.parse(native.serverRequests(String(which))); },
      /** What `url` answers for apps of this test (an absolute URL, or a path on the local
       *  server); returns the URL to use. Requests to undeclared hosts fail. */
      route(url, spec) {
        return native.serverRouteUrl(String(url), JSON.stringify(typeof spec === 'string' ? { body: spec } : spec || {}));
      },
    },
  };
  internal.defineGlobal('ftrun', ftrun);

  // require('miniprogram-automator'): launch and connect give a headless launch of the
  // project (a path relative to the test file, or absolute); the other options (cliPath,
  // port, account...) mean nothing without the developer tool.
  function headless(options) {
    const o = options || {};
    const project = o.projectPath;
    const ignored = Object.keys(o).filter((k) => k !== 'projectPath');
    if (ignored.length) native.testLog(`miniprogram-automator: ${ignored.join(', ')} ignored (headless)`);
    if (!project) return Promise.reject(new Error('miniprogram-automator: launch({ projectPath }) needs the project folder (connect() has no developer tool to reach)'));
    // At a script's top level (no test declared), the launch waits for the script's own test.
    return new Promise((resolve, reject) => {
      const start = () => ftrun.launch({ bundle: String(project) }).then(resolve, reject);
      if (!internal.deferToScript(start)) start();
    });
  }
  internal.automatorModule = { launch: headless, connect: headless };
})
