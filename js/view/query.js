// Selectors over the tree (tag, .class, #id, [attr], [attr=value], descendant, `>`, and `>>>`
// across component boundaries; lists with `,`), selectComponent and its kin, SelectorQuery
// with real ids, datasets and properties (geometry is zeros: there is no layout engine).
(function (native, internal) {
  'use strict';
  const view = internal.view;
  view.need('builtins');

  // ---- parsing -------------------------------------------------------------------------
  const cache = new Map();
  // 'a .b > #c' -> [[{ tag, id, classes, attrs, comb }]] (one list per ',' alternative; comb
  // is how a step relates to the one before it: ' ', '>' or '>>>').
  function parse(selector) {
    const text = String(selector);
    if (cache.has(text)) return cache.get(text);
    const groups = [];
    let steps = [];
    let cur = null;
    let comb = null;
    let i = 0;
    const bad = (why) => new Error(`invalid selector '${text}': ${why}`);
    const ident = () => {
      const m = /^(?:\\.|[\w\u00a0-\uffff-])+/.exec(text.slice(i));
      if (!m) throw bad(`a name was expected at ${i + 1}`);
      i += m[0].length;
      return m[0].replace(/\\(.)/g, '$1');
    };
    const step = () => {
      if (!cur) {
        cur = { tag: null, id: null, classes: [], attrs: [], comb: steps.length ? comb || ' ' : null };
        steps.push(cur);
        comb = null;
      }
      return cur;
    };
    while (i < text.length) {
      const c = text[i];
      if (/\s/.test(c)) {
        i++;
        if (cur) { cur = null; comb = comb || ' '; }
        continue;
      }
      if (c === '>') {
        if (text.startsWith('>>>', i)) { comb = '>>>'; i += 3; } else { comb = '>'; i++; }
        cur = null;
        continue;
      }
      if (c === ',') {
        if (!steps.length) throw bad('empty alternative');
        groups.push(steps);
        steps = [];
        cur = null;
        comb = null;
        i++;
        continue;
      }
      if (c === '#') { i++; step().id = ident(); continue; }
      if (c === '.') { i++; step().classes.push(ident()); continue; }
      if (c === '[') {
        i++;
        const m = /^\s*([\w:-]+)\s*(?:([~^$*|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]/.exec(text.slice(i));
        if (!m) throw bad(`an attribute test like [name] or [name=value] was expected at ${i}`);
        i += m[0].length;
        step().attrs.push({ name: m[1], op: m[2] || null, value: m[3] !== undefined ? m[3] : m[4] !== undefined ? m[4] : m[5] });
        continue;
      }
      if (c === '*') { i++; step(); continue; }
      const s = step();
      if (s.tag !== null) throw bad(`unexpected '${c}' at ${i + 1}`);
      s.tag = ident().toLowerCase();
    }
    if (!steps.length) throw bad('it is empty');
    groups.push(steps);
    cache.set(text, groups);
    return groups;
  }
  view.parseSelector = parse;

  // ---- matching --------------------------------------------------------------------------
  function attrOf(n, name) {
    if (name === 'id') return n.id || undefined;
    if (name === 'class') return n.cls || undefined;
    if (name === 'style') return n.style || undefined;
    if (name.startsWith('data-')) {
      const k = view.dashToCamel(name.slice(5).toLowerCase());
      return k in n.dataset ? n.dataset[k] : undefined;
    }
    return n.attrs[name];
  }
  function compound(n, s) {
    if (n.isText || (n.tag === 'slot' && n.slotName !== null)) return false;
    if (s.tag && s.tag !== n.tag) return false;
    if (s.id !== null && n.id !== s.id) return false;
    if (s.classes.length) {
      const list = view.classList(n);
      for (const c of s.classes) if (!list.includes(c)) return false;
    }
    for (const a of s.attrs) {
      const v = attrOf(n, a.name);
      if (v === undefined || v === null || v === false) return false;
      if (a.op === null) continue;
      const text = v === true ? '' : view.toText(v);
      const want = a.value;
      const ok = a.op === '=' ? text === want
        : a.op === '~=' ? text.split(/\s+/).includes(want)
          : a.op === '^=' ? text.startsWith(want)
            : a.op === '$=' ? text.endsWith(want)
              : a.op === '*=' ? text.includes(want)
                : text === want || text.startsWith(want + '-');
      if (!ok) return false;
    }
    return true;
  }
  // The parent in the tree the node was written in; across a shadow root to the host.
  const lightParent = (n) => n.parent;
  const composedParent = (n) => n.parent || (n.owner && n.owner.kind === 'component' ? n.owner.host : null);

  function matchFrom(n, steps, i) {
    if (!compound(n, steps[i])) return false;
    if (i === 0) return true;
    const comb = steps[i].comb;
    if (comb === '>') {
      const p = lightParent(n);
      return !!p && matchFrom(p, steps, i - 1);
    }
    const up = comb === '>>>' ? composedParent : lightParent;
    for (let p = up(n); p; p = up(p)) if (matchFrom(p, steps, i - 1)) return true;
    return false;
  }
  const matches = (n, groups) => groups.some((steps) => matchFrom(n, steps, steps.length - 1));
  view.matches = (n, selector) => matches(n, parse(selector));

  // Nodes of one tree in document order (component tags with their slot content, not their
  // shadow trees); `deep` also enters shadow trees.
  function nodesOf(list, deep, out) {
    for (const n of list) {
      if (n.isText) continue;
      out.push(n);
      if (deep && n.comp && n.comp.kind === 'component') nodesOf(n.comp.shadow, deep, out);
      nodesOf(n.children, deep, out);
    }
    return out;
  }
  const isDeep = (groups) => groups.some((steps) => steps.some((s) => s.comb === '>>>'));

  // Matches of `selector` among `roots` and what they contain (entering components' shadow
  // trees only for `>>>`).
  function query(roots, selector, first) {
    const groups = parse(selector);
    const out = [];
    for (const n of nodesOf(roots, isDeep(groups), [])) {
      if (matches(n, groups)) {
        out.push(n);
        if (first) break;
      }
    }
    return out;
  }
  // In a view's own tree (a page's, a component's shadow tree).
  view.queryView = (v, selector, first) => query(v.shadow, selector, first);
  // Under an element: a custom component's shadow tree, else its children.
  view.queryUnder = (node, selector, first) =>
    (node.comp && node.comp.kind === 'component' ? view.queryView(node.comp, selector, first) : query(node.children, selector, first));

  // ---- component instances ---------------------------------------------------------------
  // What selecting a component gives: its instance, or what its `export()` returns.
  function exported(cv, caller) {
    const fn = cv.norm && cv.norm.exportFn;
    if (!fn) return cv.inst;
    const r = internal.safeCall(fn, cv.inst, [caller], `Component[${cv.is}].export`);
    return r === undefined ? cv.inst : r;
  }
  view.selectComponents = function (v, selector, first, caller) {
    let found;
    try {
      found = view.queryView(v, selector, false);
    } catch (e) {
      internal.warnOnce('sel:' + selector, e.message);
      return first ? null : [];
    }
    const comps = found.filter((n) => n.comp && n.comp.kind === 'component').map((n) => exported(n.comp, caller));
    return first ? (comps.length ? comps[0] : null) : comps;
  };

  const base = internal.instanceBase;
  base.selectComponent = function (selector) {
    const v = this.__ftView;
    return v ? view.selectComponents(v, selector, true, this) : null;
  };
  base.selectAllComponents = function (selector) {
    const v = this.__ftView;
    return v ? view.selectComponents(v, selector, false, this) : [];
  };
  base.selectOwnerComponent = function () {
    const v = this.__ftView;
    const owner = v && v.owner;
    return owner ? (owner.kind === 'component' ? exported(owner, this) : owner.inst) : null;
  };
  base.createSelectorQuery = function () {
    return new SelectorQuery(this.__ftView || null);
  };
  base.createIntersectionObserver = function (component, options) {
    return internal.intersectionObserver();
  };
  base.createMediaQueryObserver = function () {
    return { observe() {}, disconnect() {} };
  };
  // No animation is drawn: the callbacks run, the styles are not changed.
  base.animate = function (selector, keyframes, duration, callback) {
    if (typeof callback === 'function') setTimeout(() => internal.safeCall(callback, this, [], 'animate callback'), 0);
  };
  base.clearAnimation = function (selector, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    if (typeof cb === 'function') setTimeout(() => internal.safeCall(cb, this, [], 'clearAnimation callback'), 0);
  };
  base.applyAnimatedStyle = function () {};
  base.clearAnimatedStyle = function (s, p, cb) { if (typeof cb === 'function') setTimeout(cb, 0); };
  base.getRelationNodes = function (path) {
    return view.relationNodes ? view.relationNodes(this, path) : [];
  };

  // ---- SelectorQuery --------------------------------------------------------------------
  function viewport() {
    const w = internal.ft.getWindowInfo ? internal.ft.getWindowInfo() : { windowWidth: 375, windowHeight: 667 };
    return { width: w.windowWidth, height: w.windowHeight };
  }
  function fieldsOf(n, f) {
    const out = {};
    if (n === 'viewport') {
      const vp = viewport();
      if (f.id) out.id = '';
      if (f.dataset) out.dataset = {};
      if (f.rect) Object.assign(out, { left: 0, top: 0, right: vp.width, bottom: vp.height });
      if (f.size) Object.assign(out, { width: vp.width, height: vp.height });
      if (f.scrollOffset) Object.assign(out, { scrollLeft: 0, scrollTop: 0, scrollWidth: vp.width, scrollHeight: vp.height });
      return out;
    }
    if (f.id) out.id = n.id || '';
    if (f.dataset) out.dataset = Object.assign({}, n.dataset);
    if (f.mark) out.mark = Object.assign({}, n.marks);
    if (f.rect) Object.assign(out, { left: 0, right: 0, top: 0, bottom: 0 });
    if (f.size) Object.assign(out, { width: 0, height: 0 });
    if (f.scrollOffset) {
      Object.assign(out, { scrollLeft: view.property(n, 'scrollLeft') || 0, scrollTop: view.property(n, 'scrollTop'), scrollWidth: 0, scrollHeight: 0 });
    }
    if (Array.isArray(f.properties)) {
      for (const name of f.properties) out[view.dashToCamel(name)] = view.property(n, name);
    }
    if (Array.isArray(f.computedStyle)) {
      const style = {};
      for (const decl of String(n.style || '').split(';')) {
        const i = decl.indexOf(':');
        if (i > 0) style[decl.slice(0, i).trim()] = decl.slice(i + 1).trim();
      }
      for (const name of f.computedStyle) out[name] = name in style ? style[name] : '';
    }
    if (f.context) out.context = internal.inert();
    if (f.node) out.node = internal.inert();
    return out;
  }

  class NodesRef {
    constructor(q, selector, single) {
      this._q = q;
      this._selector = selector;
      this._single = single;
    }
    _add(fields, cb) {
      this._q._requests.push({ selector: this._selector, single: this._single, fields, cb });
      return this._q;
    }
    boundingClientRect(cb) { return this._add({ id: true, dataset: true, rect: true, size: true }, cb); }
    scrollOffset(cb) { return this._add({ id: true, dataset: true, scrollOffset: true }, cb); }
    fields(fields, cb) { return this._add(Object.assign({}, fields), cb); }
    context(cb) { return this._add({ context: true }, cb); }
    node(cb) { return this._add({ node: true }, cb); }
  }

  class SelectorQuery {
    constructor(v) {
      this._view = v;
      this._requests = [];
    }
    in(component) {
      if (component && component.__ftView) this._view = component.__ftView;
      return this;
    }
    select(selector) { return new NodesRef(this, selector, true); }
    selectAll(selector) { return new NodesRef(this, selector, false); }
    selectViewport() { return new NodesRef(this, null, true); }
    // Asynchronous, as in WeChat: each request's callback, then `cb(results)`.
    exec(cb) {
      const requests = this._requests;
      this._requests = [];
      const v = this._view || currentPageView();
      Promise.resolve().then(() => {
        const results = requests.map((r) => {
          if (r.selector === null) return fieldsOf('viewport', r.fields);
          let found;
          try {
            found = v ? view.queryView(v, r.selector, r.single) : [];
          } catch (e) {
            internal.warnOnce('sel:' + r.selector, e.message);
            found = [];
          }
          if (r.single) return found.length ? fieldsOf(found[0], r.fields) : null;
          return found.map((n) => fieldsOf(n, r.fields));
        });
        requests.forEach((r, i) => { if (typeof r.cb === 'function') internal.safeCall(r.cb, undefined, [results[i]], 'SelectorQuery callback'); });
        if (typeof cb === 'function') internal.safeCall(cb, undefined, [results], 'SelectorQuery.exec callback');
      });
      return this;
    }
  }
  function currentPageView() {
    const stack = internal.pageStack || [];
    const top = stack[stack.length - 1];
    return top ? top.__ftView || null : null;
  }
  view.currentPageView = currentPageView;

  // (A test file's runtime, where simulate renders components, has no `wx` to define them on.)
  const api = internal.defineApi || (() => {});
  api('createSelectorQuery', () => new SelectorQuery(currentPageView()), 'sync');
  // There is no layout, so nothing ever intersects: observers are accepted and stay silent.
  internal.intersectionObserver = () => {
    const o = {
      relativeTo() { return o; },
      relativeToViewport() { return o; },
      observe() {},
      disconnect() {},
    };
    return o;
  };
  api('createIntersectionObserver', () => internal.intersectionObserver(), 'sync');
})
