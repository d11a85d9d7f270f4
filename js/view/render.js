// Rendering: compiled WXML units (src/view/codegen.rs) instantiated into the tree, with the
// bindings each `{{ }}` needs, registered by the data paths they read. A setData triggers only
// the bindings at, above or below the paths it wrote; a `wx:for` over a plain data path sends a
// change of one item to that item's own bindings. Pages and components each own a View: their
// template's tree, their bindings, their lifetimes.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  const { VNode } = view;

  // ---- helpers the compiled expressions call (`R`) ---------------------------------------
  // WXML calls only WXS functions: a method of data (`{{s.toUpperCase()}}`) is undefined, as
  // on a phone. Built-in methods are told apart by identity.
  const BUILTIN_FNS = new Set();
  for (const o of [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, Function.prototype, Date.prototype, RegExp.prototype, Math, JSON, Object, Array, String, Number, Date, Promise.prototype]) {
    for (const k of Object.getOwnPropertyNames(o)) {
      try { const v = o[k]; if (typeof v === 'function') BUILTIN_FNS.add(v); } catch (_) { /* accessors of prototypes */ }
    }
  }
  const callable = (f) => typeof f === 'function' && !BUILTIN_FNS.has(f);
  const toText = (v) => {
    if (v === undefined || v === null) return '';
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
    units.set(path, u);
    return u;
  }
  view.loadUnit = loadUnit;

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

  // ---- dependency tries: bindings by the data paths they read -----------------------------
  const trieNode = () => ({ b: null, c: null });
  function trieAdd(root, path, from, binding) {
    let n = root;
    for (let i = from; i < path.length; i++) {
      const k = String(path[i]);
      if (!n.c) n.c = new Map();
      let m = n.c.get(k);
      if (!m) n.c.set(k, (m = trieNode()));
      n = m;
    }
    if (!n.b) n.b = new Set();
    n.b.add(binding);
    (binding.regs || (binding.regs = [])).push(n);
  }
  const addHit = (hits, b, rest) => {
    const r = hits.get(b);
    if (r) r.push(rest);
    else hits.set(b, [rest]);
  };
  function collectAll(n, hits) {
    if (n.c) {
      for (const m of n.c.values()) {
        if (m.b) for (const b of m.b) addHit(hits, b, null);
        collectAll(m, hits);
      }
    }
  }
  // Bindings a change at `path` reaches: those at each prefix (with the rest of the path) and
  // every one below it (null: their whole value may have changed).
  function collect(root, path, hits) {
    let n = root;
    for (let i = 0; ; i++) {
      if (n.b) for (const b of n.b) addHit(hits, b, i === 0 ? path : path.slice(i));
      if (i === path.length) return collectAll(n, hits);
      const m = n.c && n.c.get(String(path[i]));
      if (!m) return;
      n = m;
    }
  }
  function trigger(root, paths) {
    const hits = new Map();
    for (const p of paths) collect(root, p, hits);
    if (!hits.size) return;
    const list = Array.from(hits.keys());
    if (list.length > 1) list.sort((a, b) => a.seq - b.seq);
    for (const b of list) if (!b.dead) b.run(hits.get(b));
  }

  // ---- blocks: what a piece of template created, to destroy together ----------------------
  let nextSeq = 0;
  class Block {
    constructor(parent) {
      this.bindings = [];
      this.subs = null;
      this.comps = null;
      this.parent = parent;
      this.dead = false;
      if (parent) (parent.subs || (parent.subs = new Set())).add(this);
    }
    destroy() {
      this.dead = true;
      if (this.parent && this.parent.subs) this.parent.subs.delete(this);
      this.teardown();
    }
    teardown() {
      if (this.subs) for (const s of this.subs) { s.dead = true; s.teardown(); }
      for (const b of this.bindings) {
        b.dead = true;
        if (b.regs) for (const n of b.regs) n.b.delete(b);
      }
      if (this.comps) for (const c of this.comps) c.detach();
    }
  }
  // A binding: `run(rests)` re-evaluates it; registered under each of its data paths.
  function bind(block, sc, paths, run) {
    const b = { seq: ++nextSeq, dead: false, regs: null, run };
    block.bindings.push(b);
    for (const p of paths) {
      const head = p[0];
      if (typeof head === 'string') {
        trieAdd(sc.tries[0], p, 0, b);
      } else {
        const j = head - sc.nwxs;
        const trie = sc.tries[1 + (j >> 1)];
        if (!trie) continue;
        if (j & 1) trieAdd(trie, ['#index'], 0, b);
        else trieAdd(trie, p, 1, b);
      }
    }
    return b;
  }

  function ev(v, sc, l) {
    if (v.f === undefined) return v.v;
    try {
      return v.f(sc.d, sc.s);
    } catch (e) {
      if (internal.isFatal(e)) throw e;
      internal.reportError(e, `${sc.unit.file}:${l ? l.join(':') : ''}`);
      return undefined;
    }
  }

  // ---- building --------------------------------------------------------------------------
  // Parts: real nodes, or `{ dyn: true, parts }` holders of wx:if / wx:for / template content.
  function flatten(parts, out) {
    for (const p of parts) {
      if (p.dyn) flatten(p.parts, out);
      else out.push(p);
    }
    return out;
  }
  function restructure(parent, v) {
    if (parent) parent.children = flatten(parent.frag, []);
    else v.shadow = flatten(v.frag, []);
  }

  function build(descs, sc, block, parent) {
    const parts = [];
    for (const d of descs) {
      switch (d.k) {
        case 0: parts.push(buildText(d, sc, block, parent)); break;
        case 1: parts.push(buildElement(d, sc, block, parent)); break;
        case 2: parts.push(buildFor(d, sc, block, parent)); break;
        case 3: parts.push(buildIf(d, sc, block, parent)); break;
        case 4: parts.push(buildTemplate(d, sc, block, parent)); break;
        case 5: parts.push(buildInclude(d, sc, block, parent)); break;
        case 6: parts.push(buildSlot(d, sc, block, parent)); break;
        default: parts.push(buildBlock(d, sc, block, parent)); break;
      }
    }
    return parts;
  }

  function buildText(d, sc, block, parent) {
    const n = new VNode('#text', sc.view);
    n.parent = parent;
    n.text = toText(ev(d.v, sc, d.l));
    if (d.v.f !== undefined && d.v.p.length) bind(block, sc, d.v.p, () => { n.text = toText(ev(d.v, sc, d.l)); });
    return n;
  }

  // An attribute value: applied now, and again whenever a path it reads changes.
  function attr(node, v, sc, block, l, apply) {
    apply(node, ev(v, sc, l));
    if (v.f !== undefined && v.p.length) bind(block, sc, v.p, () => apply(node, ev(v, sc, l)));
  }
  const dashToCamel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  view.dashToCamel = dashToCamel;

  const setId = (n, v) => {
    n.id = toText(v);
    if (n.comp) n.comp.inst.id = n.id;
  };
  const setClass = (n, v) => { n.cls = toText(v); };
  const setStyle = (n, v) => { n.style = toText(v); };
  const setSlot = (n, v) => { n.slot = toText(v); };
  // Other attributes: a custom component's properties, its external classes, or attributes.
  function setAttr(n, name, v) {
    const norm = n.compNorm;
    if (norm) {
      const prop = norm.props[name] ? name : norm.props[dashToCamel(name)] ? dashToCamel(name) : null;
      if (prop) {
        if (n.comp) internal.setProperties(n.comp.inst, { [prop]: internal.copyValue(v) });
        else n.initProps[prop] = v;
        return;
      }
      if (norm.externalClasses.includes(name)) {
        (n.ext || (n.ext = {}))[name] = v;
        return;
      }
    }
    n.attrs[name] = v;
    if (n.props) view.builtinAttr(n, name, v);
  }

  function buildElement(d, sc, block, parent) {
    const v = sc.view;
    const info = v.componentFor(d.t, d, sc);
    const n = new VNode(d.t, v);
    n.parent = parent;
    n.line = d.l;
    if (info && info.norm) {
      n.compNorm = info.norm;
      n.initProps = Object.create(null);
    } else if (info && info.placeholder) {
      n.placeholder = true;
    }
    if (!info) view.initBuiltin(n);
    if (d.id) attr(n, d.id, sc, block, d.l, setId);
    if (d.cls) attr(n, d.cls, sc, block, d.l, setClass);
    if (d.st) attr(n, d.st, sc, block, d.l, setStyle);
    if (d.slot) attr(n, d.slot, sc, block, d.l, setSlot);
    for (const [name, val] of d.a) attr(n, val, sc, block, d.l, (node, x) => setAttr(node, name, x));
    if (d.ds) for (const [name, val] of d.ds) attr(n, val, sc, block, d.l, (node, x) => { node.dataset[name] = x; });
    if (d.mk) {
      n.marks = {};
      for (const [name, val] of d.mk) attr(n, val, sc, block, d.l, (node, x) => { node.marks[name] = x; });
    }
    if (d.ev) {
      n.listeners = d.ev.map(([type, flags, val]) => {
        const l = { type, flags, value: undefined };
        attr(n, val, sc, block, d.l, (node, x) => { l.value = x; });
        return l;
      });
    }
    if (d.mo) n.models = d.mo.map(([prop, field]) => [dashToCamel(prop), field]);
    n.frag = build(d.c, sc, block, n);
    n.children = flatten(n.frag, []);
    if (info && info.norm) {
      const generics = d.g ? resolveGenerics(v, d.g, sc, d.l) : null;
      createComponentView(n, info, v, generics);
      (block.comps || (block.comps = [])).push(n.comp);
    }
    return n;
  }

  function resolveGenerics(v, list, sc, l) {
    const out = Object.create(null);
    for (const [name, tag] of list) {
      const info = v.componentFor(tag, { l, t: tag }, sc);
      if (!info || !info.norm) throw viewError(sc.unit.file, l, `generic:${name}="${tag}": <${tag}> is not a custom component in usingComponents`);
      out[name] = info;
    }
    return out;
  }

  // wx:for — arrays, objects (index is the key), strings (characters), numbers (0..n-1).
  function entriesOf(list) {
    if (Array.isArray(list)) return list.map((item, i) => [item, i]);
    if (typeof list === 'string') return Array.from(list).map((c, i) => [c, i]);
    if (typeof list === 'number') return Number.isSafeInteger(list) && list > 0 ? Array.from({ length: list }, (_, i) => [i, i]) : [];
    if (list !== null && typeof list === 'object') return Object.keys(list).map((k) => [list[k], k]);
    return [];
  }
  function keyOf(keyName, item) {
    if (!keyName) return null;
    const k = keyName === '*this' ? item : item === null || item === undefined ? undefined : item[keyName];
    return toText(k);
  }

  function buildFor(d, sc, block, parent) {
    const h = { dyn: true, parts: [], byIndex: new Map() };
    const fb = new Block(block);
    const make = (item, index) => {
      const trie = trieNode();
      const s = sc.s.slice();
      s.push(item, index);
      const isc = { view: sc.view, unit: sc.unit, d: sc.d, s, tries: sc.tries.concat([trie]), nwxs: sc.nwxs };
      const ib = new Block(fb);
      const it = { dyn: true, parts: null, block: ib, sc: isc, trie, key: keyOf(d.key, item), item, index };
      it.parts = build(d.c, isc, ib, parent);
      return it;
    };
    for (const [item, index] of entriesOf(ev(d.list, sc, d.l))) {
      const it = make(item, index);
      h.parts.push(it);
      h.byIndex.set(String(index), it);
    }
    const setItem = (it, item, index) => {
      const s = it.sc.s;
      s[s.length - 2] = item;
      s[s.length - 1] = index;
      it.item = item;
      it.index = index;
    };
    // The list's items matched to the rows there are (by key, else by position).
    const rediff = (refreshAll) => {
      const entries = entriesOf(ev(d.list, sc, d.l));
      const old = h.parts;
      let pool = null;
      if (d.key) {
        pool = new Map();
        for (const it of old) {
          const a = pool.get(it.key);
          if (a) a.push(it);
          else pool.set(it.key, [it]);
        }
      }
      const next = [];
      const byIndex = new Map();
      const used = new Set();
      const fresh = [];
      let moved = false;
      entries.forEach(([item, index], pos) => {
        let it = null;
        if (pool) {
          const a = pool.get(keyOf(d.key, item));
          if (a && a.length) it = a.shift();
        } else if (pos < old.length) {
          it = old[pos];
        }
        if (it) {
          used.add(it);
          const same = it.item === item;
          const sameIndex = it.index === index;
          setItem(it, item, index);
          it.key = keyOf(d.key, item);
          if (refreshAll || !same) trigger(it.trie, [[]]);
          else if (!sameIndex) trigger(it.trie, [['#index']]);
        } else {
          it = make(item, index);
          fresh.push(it);
        }
        if (old[pos] !== it) moved = true;
        next.push(it);
        byIndex.set(String(index), it);
      });
      for (const it of old) {
        if (!used.has(it)) {
          it.block.destroy();
          moved = true;
        }
      }
      h.parts = next;
      h.byIndex = byIndex;
      if (moved || next.length !== old.length) restructure(parent, sc.view);
      if (fresh.length) attachNew(flatten(fresh, []));
    };
    if (d.list.f !== undefined && d.list.p.length) {
      bind(block, sc, d.list.p, (rests) => {
        const direct = [];
        let structural = false;
        for (const r of rests) {
          // Without a plain list path, or for the list itself: every row may have changed.
          if (!d.lp || r === null || r.length === 0) return rediff(true);
          const it = h.byIndex.get(String(r[0]));
          if (!it || (r.length > 1 && d.key && d.key !== '*this' && String(r[1]) === d.key)) structural = true;
          else direct.push([it, r.length === 1 ? null : r.slice(1)]);
        }
        if (structural) return rediff(false);
        for (const [it, rest] of direct) {
          if (it.block.dead) continue;
          if (rest === null) {
            // One row replaced: same key, new item; another key moves rows.
            const list = ev(d.list, sc, d.l);
            const item = list === null || list === undefined ? undefined : list[it.index];
            if (d.key && keyOf(d.key, item) !== it.key) return rediff(false);
            setItem(it, item, it.index);
            trigger(it.trie, [[]]);
          } else {
            trigger(it.trie, [rest]);
          }
        }
      });
    }
    return h;
  }

  function buildIf(d, sc, block, parent) {
    const h = { dyn: true, parts: [], branch: -1, block: null };
    const pick = () => {
      for (let i = 0; i < d.b.length; i++) if (ev(d.b[i][0], sc, d.l)) return i;
      return d.e ? d.b.length : -1;
    };
    const show = (i) => {
      h.branch = i;
      h.block = new Block(block);
      const kids = i < 0 ? [] : i < d.b.length ? d.b[i][1] : d.e;
      h.parts = build(kids, sc, h.block, parent);
    };
    show(pick());
    const deps = [];
    for (const [cond] of d.b) if (cond.f !== undefined) deps.push(...cond.p);
    if (deps.length) {
      bind(block, sc, deps, () => {
        const i = pick();
        if (i === h.branch) return;
        h.block.destroy();
        show(i);
        restructure(parent, sc.view);
        attachNew(flatten(h.parts, []));
      });
    }
    return h;
  }

  // <template is data>: its own data scope (only `data`'s keys and its file's WXS modules).
  function buildTemplate(d, sc, block, parent) {
    const h = { dyn: true, parts: [], block: null, name: undefined, tsc: null };
    const render = () => {
      const name = ev(d.is, sc, d.l);
      h.name = name;
      h.block = new Block(block);
      h.parts = [];
      const found = findTemplate(sc.unit, name);
      if (!found) {
        const text = `template "${toText(name)}" is not defined in ${sc.unit.file} or the files it imports`;
        if (d.is.f === undefined) throw viewError(sc.unit.file, d.l, text);
        internal.warnOnce(`tmpl:${sc.unit.file}:${name}`, `${sc.unit.file}:${d.l.join(':')}: ${text}`);
        return;
      }
      const data = ev(d.data, sc, d.l);
      const trie = trieNode();
      h.tsc = { view: sc.view, unit: found.unit, d: data !== null && typeof data === 'object' ? data : {}, s: unitWxs(found.unit).slice(), tries: [trie], nwxs: found.unit.wxs.length };
      h.parts = build(found.t.c, h.tsc, h.block, parent);
    };
    render();
    const deps = (d.is.p || []).concat(d.data.p || []);
    if (deps.length) {
      bind(block, sc, deps, () => {
        if (ev(d.is, sc, d.l) !== h.name || !h.tsc) {
          h.block.destroy();
          render();
          restructure(parent, sc.view);
          attachNew(flatten(h.parts, []));
          return;
        }
        const data = ev(d.data, sc, d.l);
        h.tsc.d = data !== null && typeof data === 'object' ? data : {};
        trigger(h.tsc.tries[0], [[]]);
      });
    }
    return h;
  }

  function buildInclude(d, sc, block, parent) {
    const u = loadUnit(d.src);
    if (!u) throw viewError(sc.unit.file, d.l, `include: ${d.src} not found`);
    const isc = { view: sc.view, unit: u, d: sc.d, s: unitWxs(u).slice(), tries: [sc.tries[0]], nwxs: u.wxs.length };
    return { dyn: true, parts: build(u.body, isc, block, parent) };
  }

  function buildSlot(d, sc, block, parent) {
    const n = new VNode('slot', sc.view);
    n.parent = parent;
    n.slotName = '';
    attr(n, d.name, sc, block, d.l, (node, x) => { node.slotName = toText(x); });
    if (d.id) attr(n, d.id, sc, block, d.l, setId);
    return n;
  }

  function buildBlock(d, sc, block, parent) {
    const h = { dyn: true, parts: build(d.c || [], sc, block, parent) };
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

  class View {
    constructor(o) {
      this.kind = o.kind; // 'page' | 'component'
      this.inst = o.inst;
      this.norm = o.norm || null;
      this.is = o.is;
      this.host = o.host;
      this.owner = o.owner || null;
      this.page = this.owner ? this.owner.page : this;
      this.json = o.json || {};
      this.dir = internal.dirname(o.is);
      this.generics = o.generics || null;
      this.trie = trieNode();
      this.block = new Block(null);
      this.frag = [];
      this.shadow = [];
      this.unit = null;
      const opts = (this.norm && this.norm.options) || {};
      this.multipleSlots = !!opts.multipleSlots;
      this.virtualHost = this.kind === 'component' && !!opts.virtualHost;
      const iso = opts.styleIsolation || this.json.styleIsolation;
      this.isolation = this.kind === 'page' ? iso || 'shared' : iso || (opts.addGlobalClass ? 'apply-shared' : 'isolated');
      this.prefix = this.kind === 'page' ? '' : o.host.tag;
      this.externalClasses = this.norm ? this.norm.externalClasses : [];
      this.attached = false;
      this.dead = false;
      this.resolved = new Map();
    }

    render() {
      const unit = (this.unit = loadUnit(this.is + '.wxml'));
      this.inst.__ftView = this;
      if (!unit) return;
      const sc = { view: this, unit, d: this.inst.data, s: unitWxs(unit).slice(), tries: [this.trie], nwxs: unit.wxs.length };
      this.frag = build(unit.body, sc, this.block, null);
      this.shadow = flatten(this.frag, []);
    }

    // After the instance's data changed at `paths`.
    update(paths) {
      if (!this.dead && this.unit) trigger(this.trie, paths);
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
      if (this.resolved.has(tag)) return this.resolved.get(tag);
      const using = this.json.usingComponents || {};
      let ref = using[tag];
      let dir = this.dir;
      if (ref === undefined && appUsing()[tag] !== undefined) {
        ref = appUsing()[tag];
        dir = '';
      }
      const file = sc ? sc.unit.file : this.is + '.wxml';
      let info = null;
      const generic = this.json.componentGenerics && this.json.componentGenerics[tag];
      if (ref === undefined && generic) {
        const dflt = generic && typeof generic === 'object' && generic.default;
        if (!dflt) throw viewError(file, d.l, `<${tag}> is a generic (componentGenerics) with no default, and the user gave no generic:${tag}`);
        ref = dflt;
      }
      if (ref === undefined) {
        internal.warnOnce(`tag:${file}:${tag}`, `${file}:${d.l.join(':')}: <${tag}> is neither a built-in component nor in usingComponents; shown as a plain element`);
      } else {
        info = resolveComponent(String(ref), dir, tag, file, d.l);
      }
      this.resolved.set(tag, info);
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
      const name = this.multipleSlots ? slot.slotName || '' : null;
      return this.slotNamed(name) === slot;
    }
    // The <slot> content named `name` goes to (any slot when the component has one).
    slotNamed(name) {
      for (const s of this.slots()) if (name === null || (s.slotName || '') === name) return s;
      return null;
    }

    attach() {
      this.attached = true;
      internal.runLifetime(this.inst, 'attached');
      if (view.linkRelations) view.linkRelations(this);
    }
    ready() {
      if (!this.dead) internal.runLifetime(this.inst, 'ready');
    }
    detach() {
      if (this.dead) return;
      this.dead = true;
      // Components of the tree in document order, each after what it contains.
      detachTree(this.shadow);
      this.block.destroy();
      if (this.kind === 'component' && this.attached) {
        internal.runLifetime(this.inst, 'detached');
        if (view.unlinkRelations) view.unlinkRelations(this);
      }
      this.attached = false;
    }
  }
  view.View = View;

  function detachTree(nodes) {
    for (const n of nodes) {
      if (n.isText) continue;
      detachTree(n.children);
      if (n.comp && n.comp.kind === 'component') n.comp.detach();
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
      const info = { placeholder: true };
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
    const is = path.replace(/\.(js|ts)$/, '');
    const info = { is, norm: internal.normalizeComponent(def, is), json: readJson(is + '.json') };
    componentCache.set(key, info);
    return info;
  }

  // A component instance on `host`: created, with the properties its user set, its template
  // rendered (its own components first), then `created`; attached comes with the tree.
  function createComponentView(host, info, owner, generics) {
    const inst = internal.newComponentInstance(info.norm);
    const cv = new View({ kind: 'component', inst, norm: info.norm, is: info.is, host, owner, json: info.json, generics });
    host.comp = cv;
    inst.id = host.id;
    inst.dataset = host.dataset;
    inst.__ftPageId = owner && owner.inst ? owner.page.inst.__ftPageId : 0;
    const set = [];
    for (const name in host.initProps) {
      const before = inst.data[name];
      inst.data[name] = internal.coerceProperty(info.norm.props[name], internal.copyValue(host.initProps[name]), name, info.is);
      set.push([name, before]);
    }
    host.initProps = null;
    cv.render();
    internal.runLifetime(inst, 'created');
    if (set.length) internal.announceProperties(inst, set);
    return cv;
  }

  // Lifetimes of components new in the tree: attached parents first, ready children first
  // (at once, or returned for the page's first render).
  function attachNew(nodes, deferReady) {
    const pre = [];
    const post = [];
    walkNew(nodes, pre, post);
    for (const v of pre) if (!v.dead) v.attach();
    if (deferReady) return post;
    for (const v of post) v.ready();
    return [];
  }
  function walkNew(nodes, pre, post) {
    for (const n of nodes) {
      if (n.isText) continue;
      const c = n.comp;
      if (c && c.kind === 'component' && !c.attached && !c.dead) {
        pre.push(c);
        walkNew(c.shadow, pre, post);
        walkNew(n.children, pre, post);
        post.push(c);
      } else {
        walkNew(n.children, pre, post);
      }
    }
  }
  view.attachNew = attachNew;

  // Every component view of a page, parents first.
  view.componentsOf = function (v) {
    const out = [];
    const walk = (nodes) => {
      for (const n of nodes) {
        if (n.isText) continue;
        if (n.comp && n.comp.kind === 'component') {
          out.push(n.comp);
          walk(n.comp.shadow);
        }
        walk(n.children);
      }
    };
    walk(v.shadow);
    return out;
  };

  // ---- hooks of js/app.js -----------------------------------------------------------------
  internal.renderPage = function (page) {
    const route = page.route;
    const host = new VNode('page', null);
    const pv = new View({ kind: 'page', inst: page, norm: page.__ftNorm || null, is: route, host, json: readJson(route + '.json') });
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
      for (const v of pv.unready || []) v.ready();
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
    const is = path.replace(/\.(js|ts)$/, '');
    const host = new VNode(is.split('/').pop(), null);
    const info = { is, norm: internal.normalizeComponent(def, is), json: readJson(is + '.json') };
    host.initProps = Object.create(null);
    for (const k of Object.keys(props || {})) host.initProps[info.norm.props[k] ? k : dashToCamel(k)] = props[k];
    for (const k of Object.keys(host.initProps)) if (!info.norm.props[k]) delete host.initProps[k];
    const cv = createComponentView(host, info, null, null);
    attachNew([host]);
    cv.inst.__ftDetach = () => cv.detach();
    return cv.inst;
  };
})
