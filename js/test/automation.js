// Inside an app a test launched: what miniprogram-automator's Page and Element ask of the
// app, reached by page id and node id (js/test/automator.js is the test-file side).
(function (native, internal) {
  'use strict';
  const view = internal.view;

  function pageOf(id) {
    const p = internal.pageStack.find((x) => x.__ftPageId === id);
    if (!p) throw new Error('this page is no longer open (it was closed by a navigation)');
    return p;
  }
  function nodeOf(nid) {
    const n = view.nodeByNid(nid);
    if (!n) throw new Error('this element is no longer in the page');
    return n;
  }
  const pageInfo = (p) => (p ? { id: p.__ftPageId, path: p.route, query: Object.assign({}, p.options) } : null);
  const nodeInfo = (n) => ({ nid: view.nidOf(n), tag: n.tag, custom: !!(n.comp && n.comp.kind === 'component') });
  function compOf(nid) {
    const n = nodeOf(nid);
    if (!(n.comp && n.comp.kind === 'component')) throw new Error(`<${n.tag}> is not a custom component: data, setData and callMethod work on custom components`);
    return n.comp.inst;
  }
  const dataAt = (data, path) => (path === null || path === undefined || path === '' ? data : internal.valueAtPath(data, internal.parseDataPath(String(path))));

  // Results that are promises are kept here until the test side has run the app enough.
  const settled = new Map();
  let nextSlot = 1;
  function result(r) {
    if (r && typeof r.then === 'function') {
      const slot = nextSlot++;
      settled.set(slot, { done: false });
      r.then((value) => settled.set(slot, { done: true, value }), (e) => settled.set(slot, { done: true, error: e && e.errMsg ? e.errMsg : internal.describeError(e) }));
      return { slot };
    }
    return { value: r };
  }
  function callMethod(target, name, args, what) {
    if (typeof target[name] !== 'function') throw new Error(`${what} has no method "${name}"`);
    return result(target[name](...args));
  }

  const originals = Object.create(null);
  const api = {
    currentPage() {
      const s = internal.pageStack;
      return pageInfo(s[s.length - 1]);
    },
    pageStack: () => internal.pageStack.map(pageInfo),
    pageByRoute(route) {
      const p = internal.pageStack.slice().reverse().find((x) => x.route === route);
      return pageInfo(p);
    },
    pageData: (id, path) => dataAt(pageOf(id).data, path),
    // The parts of a page's picture (js/view/html.js); the current page when id is null.
    pageParts(id) {
      const s = internal.pageStack;
      const p = id === null ? s[s.length - 1] : pageOf(id);
      if (!p || !p.__ftView) throw new Error('screenshot: no page is open');
      view.need('html');
      return Object.assign({ route: p.route }, view.pageHtml(p.__ftView));
    },
    pageSetData: (id, patch) => { pageOf(id).setData(patch); },
    pageCall: (id, name, args) => callMethod(pageOf(id), name, args, `page ${pageOf(id).route}`),
    // Page scope: the page's own tree; element scope: a component's shadow tree, else children.
    query(scope, selector, first) {
      let found;
      if (scope.page !== undefined) {
        const pv = pageOf(scope.page).__ftView;
        found = pv ? view.queryView(pv, selector, first) : [];
      } else {
        found = view.queryUnder(nodeOf(scope.node), selector, first);
      }
      return found.map(nodeInfo);
    },
    slot: (slot) => {
      const s = settled.get(slot);
      if (s && s.done) settled.delete(slot);
      return s || { done: true, error: 'no such result' };
    },
    text: (nid) => view.textOf(nodeOf(nid)),
    attribute(nid, name) {
      const n = nodeOf(nid);
      if (name === 'class') return view.domClass(n);
      if (name === 'id') return n.id;
      if (name === 'style') return n.style || '';
      for (const [k, v] of view.attributes(n)) if (k === name) return v === true ? '' : view.toText(v);
      return null;
    },
    property: (nid, name) => {
      const v = view.property(nodeOf(nid), name);
      return v === undefined ? null : v;
    },
    style(nid, name) {
      for (const decl of String(nodeOf(nid).style || '').split(';')) {
        const i = decl.indexOf(':');
        if (i > 0 && decl.slice(0, i).trim() === name) return decl.slice(i + 1).trim();
      }
      return '';
    },
    wxml: (nid) => view.innerWxml(nodeOf(nid)),
    printTree: (nid) => view.printTree(nodeOf(nid)),
    printPage: (id) => {
      const pv = pageOf(id).__ftView;
      return pv ? view.printTree(pv.host) : '';
    },
    outerWxml: (nid) => view.outerWxml(nodeOf(nid)),
    tap: (nid, o) => view.tap(nodeOf(nid), o),
    longpress: (nid, o) => view.longpress(nodeOf(nid), o),
    touch: (nid, type, o) => { view.touch(nodeOf(nid), type, o); },
    input: (nid, value) => view.input(nodeOf(nid), value),
    trigger: (nid, type, detail) => { view.trigger(nodeOf(nid), type, detail); },
    dispatch: (nid, o) => { view.dispatch(nodeOf(nid), o.eventName, { detail: o.detail, touches: o.touches, changedTouches: o.changedTouches, bubbles: true, composed: true, capturePhase: true }); },
    swipeTo: (nid, i) => view.swipeTo(nodeOf(nid), i),
    slideTo: (nid, v) => view.slideTo(nodeOf(nid), v),
    scrollTo: (nid, x, y) => view.scrollTo(nodeOf(nid), x, y),
    moveTo(nid, x, y) {
      const n = nodeOf(nid);
      view.setProp(n, 'x', x);
      view.setProp(n, 'y', y);
      view.dispatch(n, 'change', { detail: { x, y, source: 'touch' } });
    },
    // The host node of a component the test mounted (app.mount).
    mounted: (id) => nodeInfo(globalThis.__ftrunMounted(id).__ftView.host),
    compData: (nid, path) => dataAt(compOf(nid).data, path),
    compSetData: (nid, patch) => { compOf(nid).setData(patch); },
    compCall: (nid, name, args) => callMethod(compOf(nid), name, args, `component ${compOf(nid).is}`),
    // Navigation as automator does it: the wx API, and its failure reported to the test.
    navigate(method, o) {
      const fn = internal.ft[method];
      return result(new Promise((resolve, reject) => fn(Object.assign({}, o, { success: resolve, fail: reject }))));
    },
    callWx(name, args) {
      const fn = internal.ft[name];
      if (typeof fn !== 'function') throw new Error(`wx.${name} is not a function`);
      return result(fn(...args));
    },
    evaluate: (source, args) => result((0, eval)('(' + source + ')')(...args)),
    mockWx(spec) {
      if (!(spec.name in originals)) originals[spec.name] = internal.ft[spec.name];
      globalThis.__ftrunInstallMock(spec);
    },
    restoreWx(name) {
      if (name in originals) internal.ft[name] = originals[name];
    },
    // Functions the test exposed (automator's exposeFunction): the app's calls wait in a
    // queue the test drains between steps.
    expose(name) {
      internal.defineGlobal(name, (...args) => new Promise((resolve, reject) => {
        const id = nextCall++;
        exposedCalls.push({ id, name, args: JSON.parse(JSON.stringify(args)) });
        waiting.set(id, { resolve, reject });
      }));
    },
    exposedCalls: () => exposedCalls.splice(0),
    settleExposed(id, ok, value) {
      const w = waiting.get(id);
      if (!w) return;
      waiting.delete(id);
      if (ok) w.resolve(value);
      else w.reject(new Error(value));
    },
  };
  const exposedCalls = [];
  const waiting = new Map();
  let nextCall = 1;
  // The view layer's lazily loaded parts, all of them, at a test's first question.
  let loaded = false;
  for (const name of Object.keys(api)) {
    const f = api[name];
    api[name] = (...args) => {
      if (!loaded) {
        loaded = true;
        for (const part of ['serialize', 'builtins', 'events', 'query', 'relations']) view.need(part);
      }
      return f(...args);
    };
  }
  Object.defineProperty(globalThis, '__ftrunView', { value: api, configurable: true });
})
