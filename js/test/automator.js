// miniprogram-automator's Page and Element for apps a test launched, so automator scripts
// port with only their launch call changed. Everything returns a Promise, as in automator;
// each action runs the app until what it caused has settled (handlers, setData callbacks,
// due timers). js/test/automation.js is the app's side.
(function (native, internal) {
  'use strict';

  const hidden = (obj, key, value) => Object.defineProperty(obj, key, { value, enumerable: false, writable: true });

  // Calls `__ftrunView[op](...args)` in the app; a thrown error becomes a rejection with the
  // app's message (ftrun's own frames left out).
  function call(app, op, ...args) {
    try {
      return Promise.resolve(app.eval((o, a) => __ftrunView[o](...a), op, args));
    } catch (e) {
      const first = String((e && e.message) || e).split('\n')[0].replace(/^(Error: )+/, '');
      return Promise.reject(new Error(first));
    }
  }
  // An action: done, then the app runs what it caused.
  function act(app, op, ...args) {
    return call(app, op, ...args).then((r) => {
      app._step('settled');
      return r;
    });
  }
  // A value the app computes, which may be a Promise there: run the app until it settles.
  function resolved(app, r) {
    if (!r || r.slot === undefined) return r ? r.value : undefined;
    for (let i = 0; i < 100; i++) {
      const s = app.eval((slot) => __ftrunView.slot(slot), r.slot);
      if (s.done) {
        if ('error' in s) throw new Error(s.error);
        return s.value;
      }
      app._step(i < 50 ? 'settled' : 'idle');
    }
    throw new Error('the app never settled the Promise it returned');
  }
  function actValue(app, op, ...args) {
    return call(app, op, ...args).then((r) => {
      app._step('settled');
      return resolved(app, r);
    });
  }

  // A picture of a page (headless Chromium at the app's device size): written to `path`, or
  // resolved as base64 PNG without one (automator's miniProgram.screenshot).
  function screenshot(app, pageId, options) {
    const path = options && options.path !== undefined ? String(options.path) : '';
    return call(app, 'pageParts', pageId).then((parts) => {
      const png = native.appScreenshot(app.id, JSON.stringify(parts), path);
      return path ? undefined : png;
    });
  }

  function element(app, info) {
    return info ? new Element(app, info) : null;
  }

  class Page {
    constructor(app, info) {
      hidden(this, '_app', app);
      hidden(this, '_id', info.id);
      this.path = info.path;
      this.query = info.query;
      // ftrun's own names for the same (app.page().route / .options).
      this.route = info.path;
      this.options = info.query;
    }
    data(path) { return call(this._app, 'pageData', this._id, path === undefined ? null : path); }
    setData(data) { return act(this._app, 'pageSetData', this._id, data); }
    callMethod(name, ...args) { return actValue(this._app, 'pageCall', this._id, name, args); }
    screenshot(options) { return screenshot(this._app, this._id, options); }
    $(selector) { return call(this._app, 'query', { page: this._id }, selector, true).then((l) => element(this._app, l[0])); }
    $$(selector) { return call(this._app, 'query', { page: this._id }, selector, false).then((l) => l.map((i) => element(this._app, i))); }
    // A number waits that long (less when the app goes idle first); a selector or a function
    // is polled while the app runs, and fails once the app is idle and it still does not hold.
    waitFor(condition) {
      const app = this._app;
      if (typeof condition === 'number') {
        // On a virtual clock waiting is advancing it.
        if (app._virtual) return app.clock.advance(condition);
        app._step('ms:' + condition);
        return Promise.resolve();
      }
      const check = typeof condition === 'string'
        ? () => this.$$(condition).then((l) => l.length > 0)
        : () => Promise.resolve(condition()).then((v) => !!v);
      const loop = (n) => check().then((ok) => {
        if (ok) return undefined;
        const state = app._step(n < 20 ? 'ms:10' : 'ms:100');
        if (state === 'idle' && n > 0) {
          return check().then((ok2) => {
            if (!ok2) throw new Error(`waitFor(${typeof condition === 'string' ? `'${condition}'` : 'function'}): still not true when the app had nothing left to do`);
          });
        }
        return loop(n + 1);
      });
      return loop(0);
    }
    size() {
      const w = this._app.eval(() => wx.getWindowInfo());
      return Promise.resolve({ width: w.windowWidth, height: w.windowHeight });
    }
    scrollTop() { return Promise.resolve(0); }
  }

  class Element {
    constructor(app, info) {
      hidden(this, '_app', app);
      hidden(this, '_nid', info.nid);
      hidden(this, '_custom', info.custom);
      this.tagName = info.tag;
    }
    $(selector) { return call(this._app, 'query', { node: this._nid }, selector, true).then((l) => element(this._app, l[0])); }
    $$(selector) { return call(this._app, 'query', { node: this._nid }, selector, false).then((l) => l.map((i) => element(this._app, i))); }
    text() { return call(this._app, 'text', this._nid); }
    attribute(name) { return call(this._app, 'attribute', this._nid, String(name)); }
    property(name) { return call(this._app, 'property', this._nid, String(name)); }
    value() { return this.property('value'); }
    style(name) { return call(this._app, 'style', this._nid, String(name)); }
    wxml() { return call(this._app, 'wxml', this._nid); }
    outerWxml() { return call(this._app, 'outerWxml', this._nid); }
    size() { return Promise.resolve({ width: 0, height: 0 }); }
    offset() { return Promise.resolve({ left: 0, top: 0 }); }
    tap() { return act(this._app, 'tap', this._nid, {}); }
    longpress() { return act(this._app, 'longpress', this._nid, {}); }
    touchstart(o) { return act(this._app, 'touch', this._nid, 'touchstart', o || {}); }
    touchmove(o) { return act(this._app, 'touch', this._nid, 'touchmove', o || {}); }
    touchend(o) { return act(this._app, 'touch', this._nid, 'touchend', o || {}); }
    input(value) { return act(this._app, 'input', this._nid, value); }
    trigger(type, detail) { return act(this._app, 'trigger', this._nid, String(type), detail === undefined ? {} : detail); }
    dispatchEvent(o) { return act(this._app, 'dispatch', this._nid, o || {}); }
    swipeTo(index) { return act(this._app, 'swipeTo', this._nid, index); }
    slideTo(value) { return act(this._app, 'slideTo', this._nid, value); }
    scrollTo(x, y) { return act(this._app, 'scrollTo', this._nid, x, y); }
    moveTo(x, y) { return act(this._app, 'moveTo', this._nid, x, y); }
    scrollWidth() { return Promise.resolve(0); }
    scrollHeight() { return Promise.resolve(0); }
    data(path) { return call(this._app, 'compData', this._nid, path === undefined ? null : path); }
    setData(data) { return act(this._app, 'compSetData', this._nid, data); }
    callMethod(name, ...args) { return actValue(this._app, 'compCall', this._nid, name, args); }
  }

  // The automator-shaped methods of the app handle (js/test/scenario.js's App).
  internal.automatorMethods = {
    currentPage() { return call(this, 'currentPage').then((p) => (p ? new Page(this, p) : null)); },
    pageStack() { return call(this, 'pageStack').then((l) => l.map((p) => new Page(this, p))); },
    navigateTo(url) { return this._navigate('navigateTo', { url }); },
    redirectTo(url) { return this._navigate('redirectTo', { url }); },
    reLaunch(url) { return this._navigate('reLaunch', { url }); },
    switchTab(url) { return this._navigate('switchTab', { url }); },
    navigateBack(delta) { return this._navigate('navigateBack', { delta: delta === undefined ? 1 : delta }); },
    _navigate(method, o) {
      return actValue(this, 'navigate', method, o).then(() => this.currentPage());
    },
    callWxMethod(name, ...args) { return actValue(this, 'callWx', String(name), args); },
    evaluate(fn, ...args) { return actValue(this, 'evaluate', String(fn), args); },
    mockWxMethod(name, result, ...args) {
      const spec = typeof result === 'function'
        ? { name: String(name), source: args.length ? `(o) => (${result})(o, ...${JSON.stringify(args)})` : result.toString() }
        : { name: String(name), value: { success: result } };
      return call(this, 'mockWx', spec);
    },
    restoreWxMethod(name) { return call(this, 'restoreWx', String(name)); },
    systemInfo() { return Promise.resolve(this.eval(() => wx.getSystemInfoSync())); },
    screenshot(options) { return screenshot(this, null, options); },
    pageScrollTo() { return Promise.resolve(); },
    disconnect() { return Promise.resolve(); },
    close() { return Promise.resolve(); },
  };
  internal.automatorPage = (app, info) => (info ? new Page(app, info) : undefined);
  internal.automatorElement = element;
  // Snapshots of elements and pages print their rendered tree as indented WXML.
  internal.snapshotPlugins.push(
    { test: (v) => v instanceof Element, print: (v) => v._app.eval((nid) => __ftrunView.printTree(nid), v._nid) },
    { test: (v) => v instanceof Page, print: (v) => v._app.eval((id) => __ftrunView.printPage(id), v._id) },
  );
})
