// Rendering: compiled WXML units (src/view/codegen.rs) instantiated into the tree, with the
// bindings each `{{ }}` needs, registered by the data paths they read. Each element is built
// by its own builder, written out by the compiler; this file builds the rest (lists, wx:if,
// templates, includes, slots) and holds what builders call. A setData runs only the bindings
// at, above or below the paths it wrote; a `wx:for` over a plain data path sends a change of
// one item to that item's own bindings. Pages and components each own a View: their
// template's tree, their bindings, their lifetimes.
//
// QuickJS pays for every object and every property, and a list page makes thousands: nodes
// own three fields (tree.js), a binding is one small object with its `run` shared, a row
// makes its dependency map only when it is first updated, and what a component definition
// shares lives once in its `meta`.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  const { VNode, TextNode, EMPTY } = view;

  // ---- helpers the compiled expressions call (`R`) ---------------------------------------
  // WXML calls only WXS functions: a method of data (`{{s.toUpperCase()}}`) is undefined, as
  // on a phone. Built-in methods are told apart by identity.
  // Built on the first call a template makes.
  let BUILTIN_FNS = null;
  function builtinFns() {
    BUILTIN_FNS = new Set();
    for (const o of [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, Function.prototype, Date.prototype, RegExp.prototype, Math, JSON, Object, Array, String, Number, Date, Promise.prototype]) {
      for (const k of Object.getOwnPropertyNames(o)) {
        try { const v = o[k]; if (typeof v === 'function') BUILTIN_FNS.add(v); } catch (_) { /* accessors of prototypes */ }
      }
    }
    return BUILTIN_FNS;
  }
  const callable = (f) => typeof f === 'function' && !(BUILTIN_FNS || builtinFns()).has(f);
  const toText = (v) => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    try { return String(v); } catch (_) { return ''; }
  };
  const R = {
    t: toText,
    m: (o, k) => (o === undefined || o === null ? undefined : o[k]),
    c: (f, args) => (callable(f) ? f.apply(undefined, args) : undefined),
    cm: (o, k, args) => {
      if (o === undefined || o === null) return undefined;
      const f = o[k];
      return callable(f) ? f.apply(o, args) : undefined;
    },
    a: (v) => (Array.isArray(v) ? v : []),
    unsupported: () => undefined,
  };
  view.toText = toText;

  // A render problem at a template's line: stops `run` (status 2), a row under `check`.
  function viewError(file, l, message) {
    const e = new Error(message);
    e.ftCompileError = true;
    e.ftFile = file;
    e.ftLocation = l ? `${file}:${l[0]}:${l[1]}` : file;
    e.ftMessage = message;
    e.stack = `    at ${e.ftLocation}\n`;
    return e;
  }
  view.error = viewError;

  // ---- units and WXS modules -------------------------------------------------------------
  const units = new Map(); // path -> unit | null (no such file)
  function loadUnit(path) {
    let u = units.get(path);
    if (u !== undefined) return u;
    if (native.fileKind(path) !== 1) {
      units.set(path, null);
      return null;
    }
    const compiled = native.viewCompile(path);
    u = compiled.make(R);
    for (const w of compiled.warnings) internal.warnOnce('wxml:' + w, w);
    u.wxsValues = null;
    u.key = compiled.key; // names it to native.viewBuilder
    units.set(path, u);
    return u;
  }
  view.loadUnit = loadUnit;
  // A unit from WXML text (a component definition's `template`, in miniprogram-simulate).
  view.unitFromSource = function (name, text) {
    const compiled = native.viewCompileSource(name, text);
    const u = compiled.make(R);
    u.wxsValues = null;
    u.key = compiled.key;
    return u;
  };

  // A template visible in `unit`: its own, then those of the files it imports (not theirs).
  function findTemplate(unit, name) {
    if (typeof name !== 'string') return null;
    if (Object.prototype.hasOwnProperty.call(unit.templates, name)) return { unit, t: unit.templates[name] };
    for (let i = unit.imports.length - 1; i >= 0; i--) {
      const u = loadUnit(unit.imports[i].src);
      if (u && Object.prototype.hasOwnProperty.call(u.templates, name)) return { unit: u, t: u.templates[name] };
    }
    return null;
  }

  const getRegExp = (pattern, flags) => new RegExp(pattern, flags);
  const getDate = (...args) => new (Function.prototype.bind.apply(Date, [null].concat(args)))();
  const wxsFiles = new Map(); // path -> exports: every file module is one instance per run
  function runWxs(fn, file) {
    const module = { exports: {} };
    const dir = internal.dirname(file);
    const req = (p) => {
      const target = internal.normalize(String(p).startsWith('/') ? String(p) : (dir ? dir + '/' : '') + p);
      if (target === null || !/\.wxs$/.test(target)) throw new Error(`${file}: require('${p}'): WXS can only require .wxs files`);
      return wxsFile(target);
    };
    try {
      fn.call(undefined, module, module.exports, req, getRegExp, getDate);
    } catch (e) {
      if (internal.isFatal(e)) throw e;
      internal.reportError(e, `WXS module ${file}`);
    }
    return module.exports;
  }
  function wxsFile(path) {
    if (wxsFiles.has(path)) return wxsFiles.get(path);
    if (native.fileKind(path) !== 1) throw new Error(`WXS module ${path} not found`);
    wxsFiles.set(path, {}); // a require cycle sees the module as it is so far
    const exports = runWxs(native.wxsCompile(path), path);
    wxsFiles.set(path, exports);
    return exports;
  }
  function unitWxs(u) {
    if (!u.wxsValues) {
      u.wxsValues = u.wxs.map((m) => (m.src ? wxsFile(m.src) : runWxs(native.wxsCompile(u.file, m.code, m.l[0]), u.file)));
    }
    return u.wxsValues;
  }

  // ---- dependencies: bindings by the data paths they read ---------------------------------
  // One plain object per scope: a path's segments joined by '.' -> a binding or an array.
  const newDeps = () => Object.create(null);
  function addDep(deps, key, b) {
    const had = deps[key];
    if (had === undefined) deps[key] = b;
    else if (Array.isArray(had)) had.push(b);
    else deps[key] = [had, b];
  }
  function hit(hits, got, rest) {
    if (got === undefined) return;
    if (Array.isArray(got)) {
      for (const b of got) if (!b.dead) addHit(hits, b, rest);
    } else if (!got.dead) {
      addHit(hits, got, rest);
    }
  }
  function addHit(hits, b, rest) {
    const r = hits.get(b);
    if (r) r.push(rest);
    else hits.set(b, [rest]);
  }
  // Bindings a change at `path` reaches: those at each prefix (with the rest of the path) and
  // every one below it (null: their whole value may have changed).
  function collect(deps, path, hits) {
    let key = '';
    hit(hits, deps[''], path);
    for (let i = 0; i < path.length; i++) {
      key = i === 0 ? String(path[0]) : key + '.' + path[i];
      hit(hits, deps[key], i + 1 === path.length ? EMPTY : path.slice(i + 1));
    }
    const below = key === '' ? '' : key + '.';
    for (const k in deps) {
      if (k.length > below.length && k.startsWith(below) && (below !== '' || k !== '')) hit(hits, deps[k], null);
    }
  }
  function trigger(deps, paths) {
    const hits = new Map();
    for (const p of paths) collect(deps, p, hits);
    if (!hits.size) return;
    const list = Array.from(hits.keys());
    if (list.length > 1) list.sort((a, b) => a.seq - b.seq);
    for (const b of list) if (!b.dead) b.run(b, hits.get(b));
  }

  // ---- bindings and blocks ---------------------------------------------------------------
  // A binding: `run(binding, rests)` re-evaluates value `v` in scope `sc` for `node`.
  let nextSeq = 0;
  class Binding {
    constructor(run, node, v, sc, key) {
      this.seq = ++nextSeq;
      this.run = run;
      this.node = node;
      this.v = v;
      this.sc = sc;
      this.key = key;
    }
  }
  Binding.prototype.dead = false;
  Binding.prototype.teardown = null; // structural bindings: destroys what they built

  // What a piece of template created, destroyed together.
  class Block {
    constructor() {
      this.bindings = [];
    }
    destroy() {
      this.dead = true;
      const bindings = this.bindings;
      for (let i = 0; i < bindings.length; i++) {
        const b = bindings[i];
        b.dead = true;
        if (b.teardown) b.teardown(b);
      }
      if (this.comps) for (let i = 0; i < this.comps.length; i++) this.comps[i].detach();
    }
  }
  Block.prototype.dead = false;
  Block.prototype.comps = null;

  // Where a value's bindings are registered, from its paths ([head, ...segments]: a string
  // head is a data field, a number a scope: the file's WXS modules, then item and index of
  // each wx:for): pairs of (dependency map's level in `sc.deps`, key), worked out once per
  // value (a value belongs to one file, so its WXS count never changes).
  function keysOf(paths, nwxs) {
    const out = [];
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i];
      const head = p[0];
      if (typeof head === 'string') {
        out.push(0, p.length === 1 ? head : p.join('.'));
      } else {
        const j = head - nwxs;
        out.push(1 + (j >> 1), j & 1 ? '#index' : p.length === 1 ? '' : p.slice(1).join('.'));
      }
    }
    return out;
  }
  // Level 0 is the frame's map. A wx:for row (level 1 and on) makes its map on its first
  // update (`ownOf`), from its own bindings (`block` is the row when `b` was made in it) and
  // those noted here (made in a wx:if or an inner list in it): most rows are never updated
  // one by one.
  function register(b, sc, v, block) {
    let keys = v.r;
    if (keys === undefined) keys = v.r = keysOf(v.p, sc.f.nwxs);
    const all = sc.deps;
    let noted = block;
    for (let i = 0; i < keys.length; i += 2) {
      const level = keys[i];
      const at = all[level];
      if (at === undefined) continue;
      if (level === 0) addDep(at, keys[i + 1], b);
      else if (at !== noted) {
        (at.pend || (at.pend = [])).push(b);
        noted = at;
      }
    }
  }
  function bind(block, sc, v, run, node, key) {
    const b = new Binding(run, node, v, sc, key);
    block.bindings.push(b);
    if (v.p) register(b, sc, v, block);
    return b;
  }

  // An expression that threw: reported at its template line, its value undefined.
  function fail(e, sc, l) {
    if (internal.isFatal(e)) throw e;
    internal.reportError(e, `${sc.f.unit.file}:${l ? l.join(':') : ''}`);
    return undefined;
  }
  function ev(v, sc, l) {
    if (v.f === undefined) return v.v;
    try {
      return v.f(sc.f.d, sc.s);
    } catch (e) {
      return fail(e, sc, l);
    }
  }

  // A scope: `f` the frame (view, unit, data, WXS count), `s` the scope values, `deps` the
  // dependency maps (the frame's, then one per wx:for).
  const frameScope = (view_, unit, d, deps) => ({ f: { view: view_, unit, d, nwxs: unit.wxs.length }, s: unitWxs(unit).slice(), deps: [deps] });

  // ---- building --------------------------------------------------------------------------
  // Parts: real nodes, or `{ dyn: true, parts }` holders of wx:if / wx:for / template content.
  function flatten(parts, out) {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.dyn) flatten(p.parts, out);
      else out.push(p);
    }
    return out;
  }
  function hasDyn(parts) {
    for (let i = 0; i < parts.length; i++) if (parts[i].dyn) return true;
    return false;
  }
  const childrenOf = (parts) => (parts.length === 0 ? EMPTY : hasDyn(parts) ? flatten(parts, []) : parts);
  function restructure(parent, v) {
    if (parent) parent.children = childrenOf(parent.frag);
    else v.shadow = childrenOf(v.frag);
  }

  function buildOne(d, sc, block, parent) {
    switch (d.k) {
      case 0: return buildText(d, sc, block, parent);
      case 1: return buildElement(d, sc, block, parent);
      case 2: return buildFor(d, sc, block, parent);
      case 3: return buildIf(d, sc, block, parent);
      case 4: return buildTemplate(d, sc, block, parent);
      case 5: return buildInclude(d, sc, block, parent);
      case 6: return buildSlot(d, sc, block, parent);
      default: return buildBlock(d, sc, block, parent);
    }
  }
  function build(descs, sc, block, parent) {
    // One node (a list's row, a wx:if branch) as an array literal: QuickJS makes it faster.
    if (descs.length === 1) return [buildOne(descs[0], sc, block, parent)];
    const parts = new Array(descs.length);
    for (let i = 0; i < descs.length; i++) parts[i] = buildOne(descs[i], sc, block, parent);
    return parts;
  }

  // A bound text node is its own binding (one object instead of two).
  function runText(n) { n.text = toText(ev(n.v, n.sc, null)); }
  // Built in one step: evaluated, then kept in `block` and registered by the paths it reads.
  function BoundText(owner, parent, v, sc, block) {
    this.owner = owner;
    this.parent = parent;
    let x;
    try {
      x = v.f(sc.f.d, sc.s);
    } catch (e) {
      x = fail(e, sc, null);
    }
    this.text = typeof x === 'string' ? x : toText(x);
    this.v = v;
    this.sc = sc;
    block.bindings.push(this);
    register(this, sc, v, block);
  }
  BoundText.prototype = Object.create(TextNode.prototype);
  // (`constructor` stays TextNode: a bound text node prints as any other in snapshots.) Its
  // `seq` is 0: setting its own text is all it does, so its order among the bindings a
  // setData runs does not matter.
  Object.assign(BoundText.prototype, { constructor: TextNode, run: runText, seq: 0, dead: false, teardown: null });
  function buildText(d, sc, block, parent) {
    const v = d.v;
    if (v.f === undefined) return new TextNode(sc.f.view, parent, v.v);
    if (!v.p.length) return new TextNode(sc.f.view, parent, toText(ev(v, sc, null)));
    return new BoundText(sc.f.view, parent, v, sc, block);
  }

  const dashToCamel = (s) => (s.indexOf('-') < 0 ? s : s.replace(/-([a-z])/g, (_, c) => c.toUpperCase()));
  view.dashToCamel = dashToCamel;

  // Attribute kinds: where a value goes (key is the attribute name for the others).
  const ID = 1;
  const CLASS = 2;
  const STYLE = 3;
  const SLOT = 4;
  function apply(n, key, x) {
    switch (key) {
      case ID:
        n.id = toText(x);
        if (n.comp) n.comp.inst.id = n.id;
        return;
      case CLASS: n.cls = toText(x); return;
      case STYLE: n.style = toText(x); return;
      case SLOT: n.slot = toText(x); return;
      default: setAttr(n, key, x);
    }
  }
  // A property a component host sets at creation: `initProps` is [name, value, ...], the
  // last value of a name kept.
  function initProp(n, name, v) {
    const init = n.initProps || (n.initProps = []);
    for (let i = 0; i < init.length; i += 2) {
      if (init[i] === name) {
        init[i + 1] = v;
        return;
      }
    }
    init.push(name, v);
  }
  view.initProp = initProp;
  // Other attributes: a custom component's properties, its external classes, or attributes.
  function setAttr(n, name, v) {
    const norm = n.compInfo !== null ? n.compInfo.norm : null;
    if (norm) {
      const prop = norm.props[name] ? name : norm.props[dashToCamel(name)] ? dashToCamel(name) : null;
      if (prop) {
        if (n.comp) internal.setProperties(n.comp.inst, { [prop]: internal.copyValue(v) });
        else initProp(n, prop, v);
        return;
      }
      if (norm.externalClasses.includes(name)) {
        (n.ext || (n.ext = {}))[name] = v;
        return;
      }
    }
    view.ownAttrs(n)[name] = v;
    if (n.props) view.builtinAttr(n, name);
  }
  function runAttr(b) { apply(b.node, b.key, ev(b.v, b.sc, b.node.line)); }
  // An attribute's binding: a Binding whose `run` is on its prototype (a field fewer each).
  function AttrBinding(node, v, sc, key) {
    this.seq = ++nextSeq;
    this.node = node;
    this.v = v;
    this.sc = sc;
    this.key = key;
  }
  AttrBinding.prototype = Object.create(Binding.prototype);
  AttrBinding.prototype.run = runAttr;
  function bindAttr(block, sc, v, node, key) {
    const b = new AttrBinding(node, v, sc, key);
    block.bindings.push(b);
    register(b, sc, v, block);
    return b;
  }
  function attr(n, v, sc, block, key) {
    apply(n, key, ev(v, sc, n.line));
    if (v.f !== undefined && v.p.length) bindAttr(block, sc, v, n, key);
  }
  function runData(b) {
    const x = ev(b.v, b.sc, b.node.line);
    view.ownDataset(b.node)[b.key] = x;
    if (b.node.comp) b.node.comp.inst.dataset = b.node.dataset;
  }
  function runMark(b) { b.node.marks[b.key] = ev(b.v, b.sc, b.node.line); }
  function runListener(b) { b.key.value = ev(b.v, b.sc, b.node.line); }
  function keyed(n, v, sc, block, run, key) {
    if (v.f !== undefined && v.p.length) run(bind(block, sc, v, run, n, key));
    else run({ node: n, v, sc, key });
  }

  // ---- elements -------------------------------------------------------------------------
  // An element is built by reading its description, until it has been built HOT times: then
  // by the builder the compiler wrote for it (`bi`: its steps and its element children's
  // written out, codegen.rs), compiled at that moment. Compiling costs more than reading an
  // element a few times; a list's rows or a component's template repay it at once.
  const HOT = typeof native.viewHot === 'number' ? native.viewHot : 8; // (tests: FTRUN_VIEW_HOT)
  function buildElement(d, sc, block, parent) {
    if (d.b !== undefined) return d.b(d, sc, block, parent);
    if (d.bi !== undefined) {
      const uses = d.uses === undefined ? 1 : d.uses + 1;
      d.uses = uses;
      if (uses > HOT) {
        d.b = native.viewBuilder(sc.f.unit.key, d.bi)(R);
        return d.b(d, sc, block, parent);
      }
    }
    const n = el(d, sc, parent);
    if (d.id) attr(n, d.id, sc, block, ID);
    if (d.cls) attr(n, d.cls, sc, block, CLASS);
    if (d.st) attr(n, d.st, sc, block, STYLE);
    if (d.slot) attr(n, d.slot, sc, block, SLOT);
    const a = d.a;
    for (let i = 0; i < a.length; i++) attr(n, a[i][1], sc, block, a[i][0]);
    rest(n, d, sc, block);
    if (d.c.length) {
      n.frag = build(d.c, sc, block, n);
      n.children = childrenOf(n.frag);
    }
    if (n.compInfo !== null) component(n, d, sc, block);
    return n;
  }

  // What builders call, and the steps the two ways share.
  // The node for description `D`, marked as a custom component's host or a placeholder. The
  // component a tag names is kept on the description for the definition (`meta`) that
  // asked last: a description belongs to one file, used by a few definitions at most.
  function el(D, sc, parent) {
    const v = sc.f.view;
    let info;
    if (D.m === v.meta && v.generics === null) info = D.i;
    else {
      info = v.componentFor(D.t, D, sc);
      if (v.generics === null) {
        D.m = v.meta;
        D.i = info;
      }
    }
    const n = new VNode(D.t, v, parent);
    n.line = D.l;
    if (info !== null) {
      if (info.norm) {
        n.compInfo = info;
      } else {
        n.placeholder = true;
      }
    }
    return n;
  }
  // data-*, mark:*, events and model: of an element.
  function rest(n, d, sc, block) {
    if (d.ds) for (const [name, val] of d.ds) keyed(n, val, sc, block, runData, name);
    if (d.mk) {
      n.marks = {};
      for (const [name, val] of d.mk) keyed(n, val, sc, block, runMark, name);
    }
    if (d.ev) {
      n.listeners = d.ev.map(([type, flags, val]) => {
        const l = { type, flags, value: undefined };
        keyed(n, val, sc, block, runListener, l);
        return l;
      });
    }
    if (d.mo) n.models = d.mo.map(([prop, field]) => [dashToCamel(prop), field]);
  }
  // A custom component's host, its attributes and content built: the component itself.
  function component(n, d, sc, block) {
    const v = sc.f.view;
    const info = n.compInfo;
    const generics = d.g ? resolveGenerics(v, d.g, sc, d.l) : null;
    createComponentView(n, info, v, generics);
    (block.comps || (block.comps = [])).push(n.comp);
  }
  Object.assign(R, {
    el, fail, ba: bindAttr, rest, TN: TextNode, BT: BoundText, text: buildText, one: buildOne, kids: childrenOf,
    ap: apply, sa: setAttr, at: attr, comp: component,
  });

  function resolveGenerics(v, list, sc, l) {
    const out = Object.create(null);
    for (const [name, tag] of list) {
      const info = v.componentFor(tag, { l, t: tag }, sc);
      if (!info || !info.norm) throw viewError(sc.f.unit.file, l, `generic:${name}="${tag}": <${tag}> is not a custom component in usingComponents`);
      out[name] = info;
    }
    return out;
  }

  // wx:for — arrays, objects (index is the key), strings (characters), numbers (0..n-1).
  function itemAt(list, index) {
    return typeof list === 'number' ? index : typeof list === 'string' ? list[index] : list === null || list === undefined ? undefined : list[index];
  }
  function indexesOf(list) {
    if (Array.isArray(list)) return list.length;
    if (typeof list === 'string') return Array.from(list);
    if (typeof list === 'number') return Number.isSafeInteger(list) && list > 0 ? list : 0;
    if (list !== null && typeof list === 'object') return Object.keys(list);
    return 0;
  }
  // [item, index] pairs, without building them for the common array case.
  function forEachEntry(list, fn) {
    const idx = indexesOf(list);
    if (typeof idx === 'number') {
      for (let i = 0; i < idx; i++) fn(typeof list === 'number' ? i : list[i], i, i);
    } else if (typeof list === 'string') {
      for (let i = 0; i < idx.length; i++) fn(idx[i], i, i);
    } else {
      for (let i = 0; i < idx.length; i++) fn(list[idx[i]], idx[i], i);
    }
  }
  // A row's key as it is in the item (compared as text: `keyOf`), turned into text only when
  // rows are matched again.
  function rawKey(keyName, item) {
    if (!keyName) return null;
    return keyName === '*this' ? item : item === null || item === undefined ? undefined : item[keyName];
  }
  const keyOf = (keyName, item) => (keyName ? toText(rawKey(keyName, item)) : null);

  // A row of a wx:for: its block, scope (item and index in the last two scope slots) and
  // dependency map (`own`, made by `ownOf` when first needed).
  // The row is its own scope (`f`, `s`, `deps`: the frame's map, then the row of each level
  // down to this one), one object fewer a row, and a Block by its fields and prototype (not a
  // subclass: QuickJS's derived constructors cost a row more).
  class Row {
    constructor(sc, item, index, key, pos) {
      this.bindings = [];
      // Array literals where they do (a row of a top-level list, in a file without WXS): one
      // allocation each instead of a copy that grows.
      const up = sc.s;
      let s;
      if (up.length === 0) s = [item, index];
      else {
        s = up.slice();
        s.push(item, index);
      }
      this.f = sc.f;
      this.s = s;
      this.deps = sc.deps.length === 1 ? [sc.deps[0], this] : sc.deps.concat([this]);
      this.key = key;
      this.item = item;
      this.index = index;
      this.pos = pos;
    }
    set(item, index) {
      const s = this.s;
      s[s.length - 2] = item;
      s[s.length - 1] = index;
      this.item = item;
      this.index = index;
    }
  }
  // The row's dependency map, with the bindings made or noted since it was last asked for.
  function ownOf(row) {
    if (row.own === null) row.own = newDeps();
    const level = row.deps.length - 1;
    const own = row.own;
    const add = (b) => {
      const keys = b.v.r;
      if (b.dead || keys === undefined) return; // (a binding that reads no data path)
      for (let j = 0; j < keys.length; j += 2) if (keys[j] === level) addDep(own, keys[j + 1], b);
    };
    const made = row.bindings;
    for (let i = row.scanned; i < made.length; i++) add(made[i]);
    row.scanned = made.length;
    const pend = row.pend;
    if (pend !== null) {
      row.pend = null;
      const seen = new Set();
      for (let i = 0; i < pend.length; i++) {
        if (seen.has(pend[i])) continue;
        seen.add(pend[i]);
        add(pend[i]);
      }
    }
    return own;
  }
  Object.assign(Row.prototype, { own: null, pend: null, scanned: 0, dyn: true, parts: null, dead: false, comps: null, destroy: Block.prototype.destroy });

  // `byIndex` with `row` added when its index is not its position (made on the first).
  function indexed(byIndex, row, pos) {
    if (row.index === pos) return byIndex;
    const map = byIndex || new Map();
    map.set(String(row.index), row);
    return map;
  }
  // The row of index `key` (a path segment: a number, or text for an object's key).
  function rowAt(h, key) {
    if (h.byIndex) return h.byIndex.get(String(key));
    const row = h.parts[key];
    return row !== undefined && String(row.index) === String(key) ? row : undefined;
  }

  function buildFor(d, sc, block, parent) {
    // `byIndex`: rows by their index as text, only where an index is not the row's position
    // (an object's keys); an array's, a string's or a number's row i is `parts[i]`.
    const h = { dyn: true, parts: EMPTY, byIndex: null };
    // A row of one element (the usual case) is that element's builder's work.
    const one = d.c.length === 1 && d.c[0].k === 1 ? d.c[0] : null;
    const make = (item, index, pos) => {
      const row = new Row(sc, item, index, rawKey(d.key, item), pos);
      row.parts = one !== null ? [buildElement(one, row, row, parent)] : build(d.c, row, row, parent);
      return row;
    };
    // A row for each item (the first render, or a list that had none).
    const fill = () => {
      const list = ev(d.list, sc, d.l);
      if (Array.isArray(list)) {
        const parts = new Array(list.length);
        for (let i = 0; i < list.length; i++) parts[i] = make(list[i], i, i);
        h.parts = parts;
        h.byIndex = null;
        return;
      }
      const parts = [];
      let byIndex = null;
      forEachEntry(list, (item, index, pos) => {
        const row = make(item, index, pos);
        parts.push(row);
        byIndex = indexed(byIndex, row, pos);
      });
      h.parts = parts;
      h.byIndex = byIndex;
    };
    fill();
    // The list's items matched to the rows there are (by key, else by position).
    const rediff = (refreshAll) => {
      const old = h.parts;
      if (old.length === 0) {
        fill();
        if (h.parts.length) {
          restructure(parent, sc.f.view);
          attachNew(h.parts);
        }
        return;
      }
      let pool = null;
      if (d.key) {
        pool = new Map();
        for (const row of old) {
          const key = toText(row.key);
          const a = pool.get(key);
          if (a) a.push(row);
          else pool.set(key, [row]);
        }
      }
      const next = [];
      let byIndex = null;
      const used = new Set();
      const fresh = [];
      const kept = []; // reused rows, in their new order (their `pos` still the old one)
      let moved = false;
      forEachEntry(ev(d.list, sc, d.l), (item, index, pos) => {
        let row = null;
        if (pool) {
          const a = pool.get(keyOf(d.key, item));
          if (a && a.length) row = a.shift();
        } else if (pos < old.length) {
          row = old[pos];
        }
        if (row) {
          used.add(row);
          if (pool) kept.push(row);
          const same = row.item === item;
          const sameIndex = row.index === index;
          row.set(item, index);
          row.key = rawKey(d.key, item);
          if (refreshAll || !same) trigger(ownOf(row), [EMPTY]);
          else if (!sameIndex) trigger(ownOf(row), [['#index']]);
        } else {
          row = make(item, index, pos);
          fresh.push(row);
        }
        if (old[pos] !== row) moved = true;
        next.push(row);
        byIndex = indexed(byIndex, row, pos);
      });
      for (const row of old) {
        if (!used.has(row)) {
          row.destroy();
          moved = true;
        }
      }
      h.parts = next;
      h.byIndex = byIndex;
      if (moved || next.length !== old.length) restructure(parent, sc.f.view);
      if (fresh.length) attachNew(fresh);
      // Rows a keyed update moved (those outside the longest run that kept its order) keep
      // their components, which hear `moved`.
      if (kept.length > 1) {
        const stay = longestIncreasing(kept.map((r) => r.pos));
        kept.forEach((row, i) => { if (!stay.has(i) && row.comps) for (const c of row.comps) movedTree(c); });
      }
      next.forEach((row, pos) => { row.pos = pos; });
    };
    const b = bind(block, sc, d.list, (_, rests) => {
      const direct = [];
      let structural = false;
      for (const r of rests) {
        // Without a plain list path, or for the list itself: every row may have changed.
        if (!d.lp || r === null || r.length === 0) return rediff(true);
        const row = rowAt(h, r[0]);
        if (!row || (r.length > 1 && d.key && d.key !== '*this' && String(r[1]) === d.key)) structural = true;
        else direct.push([row, r.length === 1 ? null : r.slice(1)]);
      }
      if (structural) return rediff(false);
      for (const [row, rest] of direct) {
        if (row.dead) continue;
        if (rest === null) {
          // One row replaced: same key, new item; another key moves rows.
          const item = itemAt(ev(d.list, sc, d.l), row.index);
          if (d.key && keyOf(d.key, item) !== toText(row.key)) return rediff(false);
          row.set(item, row.index);
          trigger(ownOf(row), [EMPTY]);
        } else {
          trigger(ownOf(row), [rest]);
        }
      }
    }, null, null);
    b.teardown = () => { for (const row of h.parts) row.destroy(); };
    return h;
  }

  function buildIf(d, sc, block, parent) {
    const h = { dyn: true, parts: EMPTY, branch: -1, block: null };
    const pick = () => {
      for (let i = 0; i < d.b.length; i++) if (ev(d.b[i][0], sc, d.l)) return i;
      return d.e ? d.b.length : -1;
    };
    const show = (i) => {
      h.branch = i;
      h.block = new Block();
      const kids = i < 0 ? EMPTY : i < d.b.length ? d.b[i][1] : d.e;
      h.parts = kids.length ? build(kids, sc, h.block, parent) : EMPTY;
    };
    show(pick());
    const deps = [];
    for (const [cond] of d.b) if (cond.f !== undefined) deps.push(...cond.p);
    const b = bind(block, sc, { p: deps }, () => {
      const i = pick();
      if (i === h.branch) return;
      h.block.destroy();
      show(i);
      restructure(parent, sc.f.view);
      attachNew(h.parts);
    }, null, null);
    b.teardown = () => h.block.destroy();
    return h;
  }

  // <template is data>: its own data scope (only `data`'s keys and its file's WXS modules).
  function buildTemplate(d, sc, block, parent) {
    const h = { dyn: true, parts: EMPTY, block: null, name: undefined, tsc: null };
    const render = () => {
      const name = ev(d.is, sc, d.l);
      h.name = name;
      h.block = new Block();
      h.parts = EMPTY;
      h.tsc = null;
      const found = findTemplate(sc.f.unit, name);
      if (!found) {
        const text = `template "${toText(name)}" is not defined in ${sc.f.unit.file} or the files it imports`;
        if (d.is.f === undefined) throw viewError(sc.f.unit.file, d.l, text);
        internal.warnOnce(`tmpl:${sc.f.unit.file}:${name}`, `${sc.f.unit.file}:${d.l.join(':')}: ${text}`);
        return;
      }
      const data = ev(d.data, sc, d.l);
      h.tsc = frameScope(sc.f.view, found.unit, data !== null && typeof data === 'object' ? data : {}, newDeps());
      h.parts = build(found.t.c, h.tsc, h.block, parent);
    };
    render();
    const deps = (d.is.p || []).concat(d.data.p || []);
    const b = bind(block, sc, { p: deps }, () => {
      if (ev(d.is, sc, d.l) !== h.name || !h.tsc) {
        h.block.destroy();
        render();
        restructure(parent, sc.f.view);
        attachNew(h.parts);
        return;
      }
      const data = ev(d.data, sc, d.l);
      h.tsc.f.d = data !== null && typeof data === 'object' ? data : {};
      trigger(h.tsc.deps[0], [EMPTY]);
    }, null, null);
    b.teardown = () => h.block.destroy();
    return h;
  }

  // <include>: the file's body with the includer's data (not its wx:for items).
  function buildInclude(d, sc, block, parent) {
    const u = loadUnit(d.src);
    if (!u) throw viewError(sc.f.unit.file, d.l, `include: ${d.src} not found`);
    const isc = frameScope(sc.f.view, u, sc.f.d, sc.deps[0]);
    return { dyn: true, parts: build(u.body, isc, block, parent) };
  }

  function buildSlot(d, sc, block, parent) {
    const n = new VNode('slot', sc.f.view, parent);
    n.line = d.l;
    keyed(n, d.name, sc, block, (b) => { b.node.slotName = toText(ev(b.v, b.sc, b.node.line)); }, null);
    if (d.id) attr(n, d.id, sc, block, ID);
    return n;
  }

  function buildBlock(d, sc, block, parent) {
    const h = { dyn: true, parts: build(d.c || EMPTY, sc, block, parent) };
    if (d.slot) {
      const name = toText(ev(d.slot, sc, d.l));
      for (const n of flatten(h.parts, [])) n.slot = name;
    }
    return h;
  }

  // ---- pages and components -------------------------------------------------------------
  const jsonCache = new Map();
  function readJson(path) {
    if (jsonCache.has(path)) return jsonCache.get(path);
    let json = {};
    if (native.fileKind(path) === 1) {
      try {
        json = JSON.parse(native.readText(path)) || {};
      } catch (e) {
        internal.reportError(new SyntaxError(`${path}: invalid JSON: ${e.message}`), `reading ${path}`);
      }
    }
    jsonCache.set(path, json);
    return json;
  }
  const appUsing = () => {
    const a = internal.launchInfo && internal.launchInfo.appJson;
    return (a && a.usingComponents) || {};
  };

  // Components every template may use (miniprogram-simulate's `load({ id })`).
  view.globals = new Map();

  // What every instance of a page or component definition shares.
  function metaOf(kind, is, norm, json) {
    const opts = (norm && norm.options) || {};
    const iso = opts.styleIsolation || json.styleIsolation;
    return {
      kind,
      is,
      norm,
      json,
      lazyUsing: null, // tag -> () => info (miniprogram-simulate's usingComponents)
      dir: internal.dirname(is),
      resolved: new Map(), // tag -> component info (or null)
      multipleSlots: !!opts.multipleSlots,
      virtualHost: kind === 'component' && !!opts.virtualHost,
      isolation: kind === 'page' ? iso || 'shared' : iso || (opts.addGlobalClass ? 'apply-shared' : 'isolated'),
      externalClasses: norm ? norm.externalClasses : EMPTY,
      unit: undefined, // the compiled template, loaded by the first instance
    };
  }

  class View {
    constructor(meta, inst, host, owner, generics) {
      this.meta = meta;
      this.inst = inst;
      this.host = host;
      this.owner = owner;
      if (generics) this.generics = generics;
    }
    // The page's view (a field fewer on each of thousands of component views).
    get page() { return this.owner ? this.owner.page : this; }

    get kind() { return this.meta.kind; }
    get is() { return this.meta.is; }
    get norm() { return this.meta.norm; }
    get json() { return this.meta.json; }
    get dir() { return this.meta.dir; }
    get multipleSlots() { return this.meta.multipleSlots; }
    get virtualHost() { return this.meta.virtualHost; }
    get isolation() { return this.meta.isolation; }
    get externalClasses() { return this.meta.externalClasses; }
    // The class prefix of an isolated component: the tag its user wrote (miniprogram-simulate:
    // the tag the component was registered with).
    get prefix() {
      const meta = this.meta;
      if (meta.kind === 'page') return '';
      return meta.classPrefix !== undefined ? meta.classPrefix : meta.tagName || this.host.tag;
    }

    // A component whose template holds no other component has nothing to run when it is
    // built: its tree is built when first looked at (a query, an event, printing), with the
    // data of that moment. `ftrun check` builds everything at once (`view.eager`).
    render() {
      const meta = this.meta;
      if (meta.unit === undefined) meta.unit = loadUnit(meta.is + '.wxml');
      const unit = meta.unit;
      this.inst.__ftView = this;
      if (!unit) return;
      if (!view.eager && this.meta.kind === 'component' && isLeaf(this, unit)) {
        this.lazy = true;
        return;
      }
      this.build();
    }
    // Its bindings (`deps`) and what its template built (`block`), made when it is built.
    build() {
      this.unit = this.meta.unit;
      this.lazy = false;
      this.deps = newDeps();
      this.block = new Block();
      this.frag = build(this.unit.body, frameScope(this, this.unit, this.inst.data, this.deps), this.block, null);
      this._shadow = childrenOf(this.frag);
    }
    get shadow() {
      if (this.lazy) this.build();
      return this._shadow;
    }
    set shadow(v) { this._shadow = v; }

    // After the instance's data changed at `paths`.
    update(paths) {
      if (!this.dead && this.unit && !this.lazy) trigger(this.deps, paths);
    }

    // model:prop on the host: the component's own change of that property reaches the user.
    afterOwnUpdate(paths) {
      const host = this.host;
      if (!host || !host.models || !this.owner) return;
      for (const [prop, field] of host.models) {
        if (paths.some((p) => p.length === 1 && p[0] === prop)) this.owner.inst.setData({ [field]: this.inst.data[prop] });
      }
    }

    // The custom component a tag names here, or null for a built-in or unknown tag.
    componentFor(tag, d, sc) {
      if (this.generics && this.generics[tag]) return this.generics[tag];
      if (view.BUILTIN.has(tag)) return null;
      const meta = this.meta;
      if (meta.resolved.has(tag)) return meta.resolved.get(tag);
      if (meta.lazyUsing && meta.lazyUsing[tag]) {
        const found = meta.lazyUsing[tag]();
        meta.resolved.set(tag, found);
        return found;
      }
      const using = meta.json.usingComponents || {};
      let ref = using[tag];
      let dir = meta.dir;
      if (ref === undefined && appUsing()[tag] !== undefined) {
        ref = appUsing()[tag];
        dir = '';
      }
      const file = sc ? sc.f.unit.file : meta.is + '.wxml';
      let info = null;
      const generic = meta.json.componentGenerics && meta.json.componentGenerics[tag];
      if (ref === undefined && generic) {
        const dflt = generic && typeof generic === 'object' && generic.default;
        if (!dflt) throw viewError(file, d.l, `<${tag}> is a generic (componentGenerics) with no default, and the user gave no generic:${tag}`);
        ref = dflt;
      }
      if (ref === undefined && view.globals.has(tag)) {
        info = view.globals.get(tag);
        meta.resolved.set(tag, info);
        return info;
      }
      if (ref === undefined) {
        internal.warnOnce(`tag:${file}:${tag}`, `${file}:${d.l.join(':')}: <${tag}> is neither a built-in component nor in usingComponents; shown as a plain element`);
      } else {
        info = resolveComponent(String(ref), dir, tag, file, d.l);
      }
      meta.resolved.set(tag, info);
      return info;
    }

    slots() {
      const out = [];
      const walk = (list) => {
        for (const n of list) {
          if (n.tag === 'slot' && n.slotName !== null && n.owner === this) out.push(n);
          if (!n.isText) walk(n.children);
        }
      };
      walk(this.shadow);
      return out;
    }
    slotFirst(slot) {
      const name = this.meta.multipleSlots ? slot.slotName || '' : null;
      return this.slotNamed(name) === slot;
    }
    // The <slot> content named `name` goes to (any slot when the component has one).
    slotNamed(name) {
      for (const s of this.slots()) if (name === null || (s.slotName || '') === name) return s;
      return null;
    }

    attach() {
      if (this.pending) {
        this.pending = false;
        view.unattached--;
      }
      this.attached = true;
      if (!this.meta.norm || this.meta.norm.lifetimes.attached.length) internal.runLifetime(this.inst, 'attached');
      if (this.meta.norm && this.meta.hasRelations !== false) {
        this.meta.hasRelations = Object.keys(this.meta.norm.relations).length > 0;
        if (this.meta.hasRelations) {
          view.need('relations');
          view.linkRelations(this);
        }
      }
    }
    ready() {
      if (!this.dead && (!this.meta.norm || this.meta.norm.lifetimes.ready.length)) internal.runLifetime(this.inst, 'ready');
    }
    detach() {
      if (this.dead) return;
      this.dead = true;
      if (this.pending) {
        this.pending = false;
        view.unattached--;
      }
      // Components of the tree in document order, each after what it contains.
      if (!this.lazy) detachTree(this._shadow);
      if (this.block) this.block.destroy();
      if (this.meta.kind === 'component' && this.attached) {
        internal.runLifetime(this.inst, 'detached');
        if (this.links) view.unlinkRelations(this);
      }
      this.attached = false;
    }
  }
  Object.assign(View.prototype, { deps: null, block: null, unit: null, frag: EMPTY, _shadow: EMPTY, lazy: false, generics: null, attached: false, pending: false, dead: false, links: null, openedAt: 0, unready: null, tabBar: undefined, wxsState: null });
  view.View = View;

  // Whether a component's template creates no component (nor templates or includes, which
  // might): decided once per definition.
  function isLeaf(v, unit) {
    const meta = v.meta;
    if (meta.leaf === undefined) {
      const scan = (descs) => descs.every((d) => {
        if (d.k === 4 || d.k === 5) return false;
        if (d.k === 1 && (v.componentFor(d.t, d, null) !== null || (d.g && d.g.length))) return false;
        if (d.k === 3) return d.b.every((b) => scan(b[1])) && (!d.e || scan(d.e));
        return !d.c || scan(d.c);
      });
      meta.leaf = scan(unit.body);
    }
    return meta.leaf && !v.generics;
  }

  // Indexes of a longest strictly increasing subsequence of `a` (patience sorting).
  function longestIncreasing(a) {
    const tails = [];
    const prev = new Array(a.length);
    for (let i = 0; i < a.length; i++) {
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (a[tails[mid]] < a[i]) lo = mid + 1;
        else hi = mid;
      }
      prev[i] = lo > 0 ? tails[lo - 1] : -1;
      tails[lo] = i;
    }
    const out = new Set();
    for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) out.add(i);
    return out;
  }

  // `moved` for a component and those inside it, each after what it contains.
  function movedTree(v) {
    if (v.dead || !v.attached) return;
    if (!v.lazy) for (const c of view.componentsOf(v)) if (c.meta.norm.lifetimes.moved.length) internal.runLifetime(c.inst, 'moved');
    if (v.meta.norm.lifetimes.moved.length) internal.runLifetime(v.inst, 'moved');
  }

  function detachTree(nodes) {
    for (const n of nodes) {
      if (n.isText) continue;
      detachTree(n.children);
      if (n.comp && n.comp.meta.kind === 'component') n.comp.detach();
    }
  }

  const componentCache = new Map();
  function resolveComponent(ref, dir, tag, file, l) {
    const key = dir + '|' + ref;
    if (componentCache.has(key)) return componentCache.get(key);
    if (/^plugin(-private)?:\/\//.test(ref)) {
      throw viewError(file, l, `<${tag}> is a plugin component (${ref}); ftrun does not run plugins`);
    }
    const lib = internal.extendedLib(ref);
    if (lib && !internal.resolvable(ref, dir)) {
      internal.warnOnce('extlib:' + lib, `components of the extended library '${lib}' (app.json useExtendedLib) come with the WeChat client; ftrun leaves them out`);
      const info = { placeholder: true, norm: null };
      componentCache.set(key, info);
      return info;
    }
    let path;
    try {
      path = internal.loadComponent(ref, dir);
    } catch (e) {
      if (internal.isFatal(e)) throw e;
      throw viewError(file, l, `<${tag}>: component "${ref}" cannot be loaded: ${e && e.message}`);
    }
    const def = path && internal.components[path];
    if (!def) throw viewError(file, l, `<${tag}>: ${path || ref} did not call Component()`);
    const info = componentInfo(path, def);
    componentCache.set(key, info);
    return info;
  }
  function componentInfo(path, def) {
    const is = path.replace(/\.(js|ts)$/, '');
    const norm = internal.normalizeComponent(def, is);
    return { is, norm, meta: metaOf('component', is, norm, readJson(is + '.json')) };
  }

  // A component instance on `host`: created with the properties its user set, its template
  // rendered (its own components first), then `created`; attached comes with the tree.
  function createComponentView(host, info, owner, generics) {
    const norm = info.norm;
    const inst = internal.newComponentInstance(norm, host.id, host.dataset);
    const cv = new View(info.meta, inst, host, owner, generics);
    host.comp = cv;
    // One with nothing to run when attached (nor later because it was) is attached now;
    // the others wait for attachNew, which looks for them only while there are any.
    const meta = info.meta;
    if (meta.quiet === undefined ? quietMeta(meta) : meta.quiet) cv.attached = true;
    else {
      cv.pending = true;
      view.unattached++;
    }
    // Observers hear of the properties set at creation (only when there are observers).
    const heard = norm.observers.length > 0 || norm.propObservers;
    let set = null;
    const init = host.initProps;
    for (let i = 0; init !== null && i < init.length; i += 2) {
      const name = init[i];
      const before = inst.data[name];
      const p = norm.props[name];
      const v = init[i + 1];
      // (Text for a String property is kept as it is: the conversion's answer, without it.)
      inst.data[name] = typeof v === 'string' && p.type === String ? v : internal.coerceProperty(p, internal.copyValue(v), name, info.is);
      if (heard) (set || (set = [])).push([name, before]);
    }
    host.initProps = null;
    cv.render();
    if (norm.lifetimes.created.length) internal.runLifetime(inst, 'created');
    if (set) internal.announceProperties(inst, set);
    return cv;
  }

  // Lifetimes of components new in the tree: attached parents first, ready children first
  // (at once, or returned for the page's first render). `nodes` may hold the `dyn` holders
  // of wx:for rows, wx:if and templates.
  view.unattached = 0; // components created and waiting for attachNew
  function attachNew(nodes, deferReady) {
    if (view.unattached === 0) return EMPTY;
    const pre = [];
    const post = [];
    walkNew(nodes, pre, post);
    for (let i = 0; i < pre.length; i++) if (!pre[i].dead) pre[i].attach();
    if (deferReady) return post;
    for (let i = 0; i < post.length; i++) post[i].ready();
    return EMPTY;
  }
  function quietMeta(meta) {
    const norm = meta.norm;
    const l = norm.lifetimes;
    meta.quiet = !l.attached.length && !l.ready.length && !l.detached.length && !l.moved.length && !Object.keys(norm.relations).length;
    return meta.quiet;
  }
  function walkNew(nodes, pre, post) {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.dyn === true) {
        walkNew(n.parts, pre, post);
        continue;
      }
      if (n.isText) continue;
      const c = n.comp;
      const kids = n.children;
      // (The nodes walked are new: so are the components in them.)
      if (c !== null && c.meta.kind === 'component' && !c.dead) {
        const waits = c.pending;
        if (waits) pre.push(c);
        if (!c.lazy) walkNew(c._shadow, pre, post);
        if (kids.length) walkNew(kids, pre, post);
        if (waits) post.push(c);
      } else if (kids.length > 1 || (kids.length === 1 && !kids[0].isText)) {
        walkNew(kids, pre, post);
      }
    }
  }
  view.attachNew = attachNew;
  view.metaOf = metaOf;
  view.createComponentView = createComponentView;

  // Every component view of a page, parents first.
  view.componentsOf = function (v) {
    const out = [];
    const walk = (nodes) => {
      for (const n of nodes) {
        if (n.isText) continue;
        if (n.comp && n.comp.meta.kind === 'component') {
          out.push(n.comp);
          if (!n.comp.lazy) walk(n.comp._shadow);
        }
        walk(n.children);
      }
    };
    walk(v.shadow);
    return out;
  };

  // ---- what loads on first use ----------------------------------------------------------
  // Instance methods and wx APIs of the lazily loaded parts: the first call loads the file,
  // which puts the real function in place of the stand-in.
  const LAZY = {
    query: ['selectComponent', 'selectAllComponents', 'selectOwnerComponent', 'createSelectorQuery', 'createIntersectionObserver',
      'createMediaQueryObserver', 'animate', 'clearAnimation', 'applyAnimatedStyle', 'clearAnimatedStyle', 'getRelationNodes'],
    events: ['triggerEvent'],
    relations: ['getTabBar'],
  };
  const base = internal.instanceBase;
  for (const file of Object.keys(LAZY)) {
    for (const name of LAZY[file]) {
      const standIn = function (...args) {
        view.need(file);
        return base[name] === standIn ? undefined : base[name].apply(this, args);
      };
      base[name] = standIn;
    }
  }
  // (A test file's runtime renders components too, and has no `wx`.)
  for (const name of internal.defineApi ? ['createSelectorQuery', 'createIntersectionObserver'] : []) {
    internal.defineApi(name, function (...args) {
      view.need('query');
      return internal.ft[name].apply(this, args);
    }, 'sync');
  }

  // ---- hooks of js/app.js -----------------------------------------------------------------
  internal.renderPage = function (page) {
    const route = page.route;
    const host = new VNode('page', null, null);
    const pv = new View(metaOf('page', route, page.__ftNorm || null, readJson(route + '.json')), page, host, null, null);
    host.comp = pv;
    pv.openedAt = Date.now();
    pv.render();
    pv.unready = attachNew(pv.shadow, true);
  };

  internal.pageEvent = function (page, what) {
    const pv = page.__ftView;
    if (!pv) return;
    if (what === 'unload') {
      pv.detach();
      return;
    }
    if (what === 'ready') {
      for (const v of pv.unready || EMPTY) v.ready();
      pv.unready = null;
      return;
    }
    for (const c of view.componentsOf(pv)) internal.runLifetime(c.inst, what, [], 'page');
  };

  // A registered component on its own (`ftrun test`'s app.mount): created with `props`, its
  // template rendered, attached and ready.
  internal.mountComponent = function (ref, props) {
    const path = internal.loadComponent(ref, '');
    const def = path && internal.components[path];
    if (!def) throw new Error(`${ref}: ${path || ref} did not register a Component()`);
    const info = componentInfo(path, def);
    const host = new VNode(info.is.split('/').pop(), null, null);
    for (const k of Object.keys(props || {})) {
      const name = info.norm.props[k] ? k : dashToCamel(k);
      if (info.norm.props[name]) initProp(host, name, props[k]);
    }
    const cv = createComponentView(host, info, null, null);
    attachNew([host]);
    cv.inst.__ftDetach = () => cv.detach();
    return cv.inst;
  };
})
