// miniprogram-simulate's API inside `ftrun test` (its docs/api.md): components loaded from their
// files or a definition, rendered by ftrun's view layer in the test file's own runtime (as
// simulate runs them in Jest's), and a DOM-like view of them shaped as simulate's jsdom shows
// them (`<wx-view class="main--index">`). Loaded on the first `require('miniprogram-simulate')`.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  for (const part of ['serialize', 'builtins', 'events', 'query', 'relations']) view.need(part);
  view.simulateClasses = true;
  const ROOT = native.testRoot();

  // ---- paths --------------------------------------------------------------------------
  // A path a test gives (absolute, or relative to the test file) as a path in the project.
  function projectPath(p) {
    let s = String(p).replace(/\\/g, '/');
    if (s === ROOT) return '';
    if (s.startsWith(ROOT + '/')) s = s.slice(ROOT.length + 1);
    else if (s.startsWith('/')) throw new Error(`miniprogram-simulate: ${p} is outside the project folder ${ROOT}`);
    else {
      const base = internal.dirname(internal.testFile.file);
      s = (base ? base + '/' : '') + s;
    }
    const norm = internal.normalize(s);
    if (norm === null) throw new Error(`miniprogram-simulate: ${p} is outside the project folder ${ROOT}`);
    return norm.replace(/\.(js|ts|json|wxml)$/, '');
  }
  function readJson(path) {
    if (native.fileKind(path) !== 1) return {};
    try {
      return JSON.parse(native.readText(path)) || {};
    } catch (e) {
      throw new SyntaxError(`${path}: invalid JSON: ${e.message}`);
    }
  }

  // ---- registration -------------------------------------------------------------------
  let captured = null; // the definition the component file being loaded gave Component()
  internal.defineGlobal('Component', function Component(def) {
    if (def === null || typeof def !== 'object') throw new TypeError('Component() expects an object');
    captured = def;
  });
  internal.defineGlobal('Behavior', function Behavior(def) {
    if (def === null || typeof def !== 'object') throw new TypeError('Behavior() expects an object');
    const b = Object.assign(Object.create(null), def, { __ftBehavior: true });
    internal.applyDefinitionFilters(b);
    return b;
  });

  const registry = new Map(); // id -> info
  const byPath = new Map(); // path -> info of its first registration (children keep its tag)
  let nextId = 1;

  // Runs a component's script afresh (simulate evaluates it at every load) and returns the
  // definition it registered.
  function definitionAt(path) {
    const file = native.fileKind(path + '.js') === 1 ? path + '.js' : native.fileKind(path + '.ts') === 1 ? path + '.ts' : null;
    if (!file) throw new Error(`miniprogram-simulate: no component at ${path} (no ${path}.js)`);
    const module = { id: file, filename: file, exports: {}, loaded: false, children: [] };
    module.require = internal.makeRequire(internal.dirname(file), file);
    captured = null;
    native.compile(file).call(module.exports, module.exports, module.require, module, internal.absolutePath(file), internal.absolutePath(internal.dirname(file)));
    const def = captured;
    captured = null;
    if (!def) throw new Error(`miniprogram-simulate: ${file} did not call Component()`);
    return def;
  }

  function info(id, is, def, json, tagName, unit) {
    const norm = internal.normalizeComponent(def, is);
    const meta = view.metaOf('component', is, norm, json);
    meta.tagName = tagName;
    if (unit) meta.unit = unit;
    const opts = def.options || {};
    if (opts.classPrefix !== undefined) meta.classPrefix = String(opts.classPrefix);
    const i = { id, is, norm, meta, tagName };
    registry.set(id, i);
    return i;
  }

  // A usingComponents entry: an id given to simulate, else a path from `dir` (`/x` from the
  // load's rootPath, by default the loaded component's folder).
  // `override` (load's usingComponents: { map, dir }) replaces entries of the same name all
  // the way down; its paths are relative to the loaded component.
  function child(ref, dir, root, tag, override) {
    const r = String(ref);
    if (registry.has(r)) return registry.get(r);
    const base = r.startsWith('/') ? root : dir;
    const path = internal.normalize((base ? base + '/' : '') + r.replace(/^\//, ''));
    if (path === null) throw new Error(`miniprogram-simulate: usingComponents '${r}' is outside the project`);
    return byPath.get(path) || registerPath(path, tag, override, root);
  }
  // Entries resolve when a template first uses the tag (simulate registers them lazily too).
  function lazyUsing(i, refs, dir, root, override) {
    i.meta.lazyUsing = Object.create(null);
    const all = Object.assign({}, refs, override ? override.map : {});
    for (const tag of Object.keys(all)) {
      const fromOverride = override && tag in override.map;
      i.meta.lazyUsing[tag] = () => child(all[tag], fromOverride ? override.dir : dir, root, tag, override);
    }
  }

  function registerPath(path, tagName, override, root) {
    const def = definitionAt(path);
    const json = readJson(path + '.json');
    const i = info(String(nextId++), path, def, json, tagName, null);
    if (!byPath.has(path)) byPath.set(path, i);
    addSheet(path + '.wxss', (def.options && def.options.classPrefix !== undefined) ? String(def.options.classPrefix) : tagName);
    lazyUsing(i, json.usingComponents || {}, internal.dirname(path), root, override);
    return i;
  }

  function registerDefinition(def) {
    const id = def.id !== undefined ? String(def.id) : String(nextId++);
    const tagName = def.tagName || (def.id !== undefined ? String(def.id) : 'main');
    const is = `simulate/${id}`;
    const unit = view.unitFromSource(`${is}.wxml`, String(def.template || ''));
    const i = info(id, is, def, {}, tagName, unit);
    // Without classPrefix a definition's classes are as written (simulate's default).
    if (i.meta.classPrefix === undefined) i.meta.classPrefix = '';
    lazyUsing(i, def.usingComponents || {}, '', '', null);
    if (def.id !== undefined) view.globals.set(String(def.id), i);
    return i;
  }

  function load(componentPath, tagName, options) {
    if (componentPath !== null && typeof componentPath === 'object') return registerDefinition(componentPath).id;
    if (tagName !== null && typeof tagName === 'object') {
      options = tagName;
      tagName = undefined;
    }
    const o = options || {};
    const path = projectPath(componentPath);
    native.testLog(`miniprogram-simulate: ftrun's own, loading ${path}${o.compiler ? ` (compiler '${o.compiler}' ignored: ftrun compiles WXML itself)` : ''}`);
    const root = o.rootPath !== undefined ? projectPath(o.rootPath) : internal.dirname(path);
    const override = o.usingComponents ? { map: o.usingComponents, dir: internal.dirname(path) } : null;
    return registerPath(path, tagName || 'main', override, root).id;
  }

  // ---- the DOM as simulate's jsdom shows it ------------------------------------------
  const tagOf = (n) => {
    // A root whose component is a virtual host is simulate's <virtual> wrapper.
    if (n.comp && n.comp.kind === 'component') return !n.parent && !n.owner && n.comp.virtualHost ? 'virtual' : n.comp.meta.tagName || n.tag;
    if (n.placeholder || !view.BUILTIN.has(n.tag)) return n.tag;
    return 'wx-' + n.tag;
  };
  // rpx as on a 375 px wide screen (750 rpx), as in the WXSS (src/view/wxss.rs).
  const rpx = (s) => String(s).replace(/(-?\d*\.?\d+)rpx/g, (_, n) => `${Math.round(Number(n) * 500) / 1000}px`);
  // Attributes simulate's DOM keeps: class (prefixed), style, data-* (as strings).
  function attrsOf(n) {
    const out = [];
    const cls = view.domClass(n);
    if (cls) out.push(['class', cls]);
    if (n.style) out.push(['style', rpx(n.style)]);
    for (const k in n.dataset) {
      const v = n.dataset[k];
      out.push(['data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), v === undefined || v === null ? String(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    }
    return out;
  }
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
  const escAttr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\u00a0/g, '&nbsp;');

  const doms = new WeakMap();
  function domOf(n) {
    let d = doms.get(n);
    if (!d) doms.set(n, (d = n.isText ? new TextDom(n) : new ElementDom(n)));
    return d;
  }

  // Children in the composed tree, plus what a test appended (attach).
  function kidsOf(d) {
    if (d._n === null) return d._appended;
    return view.composedChildren(d._n).map(domOf);
  }

  class TextDom {
    constructor(n) { this._n = n; }
    get nodeType() { return 3; }
    get nodeName() { return '#text'; }
    get textContent() { return this._n.text; }
    get data() { return this._n.text; }
    get nodeValue() { return this._n.text; }
    get parentNode() { return this._parent || null; }
    get outerHTML() { return esc(this._n.text); }
  }

  class ElementDom {
    constructor(n, tag) {
      this._n = n; // null for an element a test created
      this._tag = tag || null;
      this._appended = [];
      this._attrs = null;
      this._parent = null;
    }
    get nodeType() { return 1; }
    get tagName() { return (this._n ? tagOf(this._n) : this._tag).toUpperCase(); }
    get nodeName() { return this.tagName; }
    get localName() { return this.tagName.toLowerCase(); }
    get childNodes() { return kidsOf(this); }
    get children() { return kidsOf(this).filter((k) => k.nodeType === 1); }
    get firstChild() { return kidsOf(this)[0] || null; }
    get lastChild() { const k = kidsOf(this); return k[k.length - 1] || null; }
    get firstElementChild() { return this.children[0] || null; }
    get childElementCount() { return this.children.length; }
    get parentNode() {
      if (this._parent) return this._parent;
      const n = this._n;
      if (!n) return null;
      const p = n.parent || (n.owner && n.owner.kind === 'component' ? n.owner.host : null);
      return p ? domOf(p) : null;
    }
    get parentElement() { return this.parentNode; }
    get textContent() { return kidsOf(this).map((k) => k.textContent).join(''); }
    get innerText() { return this._n ? view.textOf(this._n) : this.textContent; }
    get attributes() {
      const list = this._n ? attrsOf(this._n) : Object.entries(this._attrs || {});
      return list.map(([name, value]) => ({ name, value }));
    }
    getAttribute(name) {
      const hit = this.attributes.find((a) => a.name === String(name).toLowerCase());
      return hit ? hit.value : null;
    }
    hasAttribute(name) { return this.getAttribute(name) !== null; }
    setAttribute(name, value) {
      if (this._n) throw new Error('miniprogram-simulate: set attributes through the component (setData), not the DOM');
      (this._attrs || (this._attrs = {}))[String(name).toLowerCase()] = String(value);
    }
    get id() { return this.getAttribute('id') || ''; }
    get className() { return this.getAttribute('class') || ''; }
    get classList() {
      const list = this.className.split(/\s+/).filter(Boolean);
      return Object.assign(list.slice(), { contains: (c) => list.includes(c), item: (i) => list[i] || null, value: this.className });
    }
    get dataset() { return this._n ? Object.assign({}, this._n.dataset) : {}; }
    get style() {
      const out = {};
      for (const decl of String(this.getAttribute('style') || '').split(';')) {
        const i = decl.indexOf(':');
        if (i > 0) out[decl.slice(0, i).trim().replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = decl.slice(i + 1).trim();
      }
      return out;
    }
    get innerHTML() { return kidsOf(this).map((k) => k.outerHTML).join(''); }
    get outerHTML() {
      const tag = this.tagName.toLowerCase();
      const attrs = this.attributes.map((a) => ` ${a.name}="${escAttr(a.value)}"`).join('');
      return `<${tag}${attrs}>${this.innerHTML}</${tag}>`;
    }
    appendChild(child) {
      if (this._n) throw new Error('miniprogram-simulate: the component tree changes through setData, not appendChild');
      if (child._parent) child._parent.removeChild(child);
      this._appended.push(child);
      child._parent = this;
      return child;
    }
    removeChild(child) {
      const i = this._appended.indexOf(child);
      if (i >= 0) this._appended.splice(i, 1);
      child._parent = null;
      return child;
    }
    querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
    querySelectorAll(selector) {
      const steps = view.parseSelector(selector);
      const out = [];
      const walk = (d) => {
        for (const k of kidsOf(d)) {
          if (k.nodeType !== 1) continue;
          if (steps.some((s) => domMatches(k, s, s.length - 1, this))) out.push(k);
          walk(k);
        }
      };
      walk(this);
      return out;
    }
    matches(selector) { return view.parseSelector(selector).some((s) => domMatches(this, s, s.length - 1, null)); }
    closest(selector) {
      for (let d = this; d; d = d.parentNode) if (d.matches(selector)) return d;
      return null;
    }
    dispatchEvent(e) {
      if (this._n && e && e.type) view.dispatch(this._n, e.type, { detail: e.detail, bubbles: !!e.bubbles, composed: !!e.composed });
      return true;
    }
  }

  // CSS selectors against the DOM as shown (tags as wx-view, classes prefixed).
  function compoundMatches(d, s) {
    if (s.tag && s.tag !== d.tagName.toLowerCase()) return false;
    if (s.id !== null && d.id !== s.id) return false;
    const cls = d.classList;
    for (const c of s.classes) if (!cls.contains(c)) return false;
    for (const a of s.attrs) {
      const v = d.getAttribute(a.name);
      if (v === null || (a.op === '=' && v !== a.value)) return false;
    }
    return true;
  }
  function domMatches(d, steps, i, scope) {
    if (!compoundMatches(d, steps[i])) return false;
    if (i === 0) return true;
    const comb = steps[i].comb;
    for (let p = d.parentNode; p && p !== scope; p = p.parentNode) {
      if (domMatches(p, steps, i - 1, scope)) return true;
      if (comb === '>') return false;
    }
    return false;
  }

  const documentObject = {
    createElement: (tag) => new ElementDom(null, String(tag).toLowerCase()),
    createTextNode: (text) => new TextDom({ text: String(text), isText: true }),
  };
  internal.simulateDocument = documentObject;

  // An instance's DOM node, as exparser gives it (`this.$$`).
  Object.defineProperty(internal.instanceBase, '$$', {
    get() { return this.__ftView && this.__ftView.host ? domOf(this.__ftView.host) : undefined; },
    configurable: true,
  });

  // ---- computed styles ---------------------------------------------------------------
  // The WXSS of every component loaded (classes under its prefix, built-in tags as wx-*),
  // cascaded by specificity and order, inline styles over them, inherited properties from
  // the parent; colours as simulate's pipeline prints them (csso keeps a name shorter than
  // its hex form, jsdom prints the rest as rgb()).
  const sheets = []; // [{ path, prefix }] in load order
  const sheetRules = new Map(); // `${path}|${prefix}` -> [{ steps, spec, order, decls }]
  let nextOrder = 0;
  function addSheet(path, prefix) {
    const key = `${path}|${prefix}`;
    if (sheetRules.has(key) || native.fileKind(path) !== 1) return;
    const list = [];
    for (const r of native.wxssRules(path)) {
      const order = nextOrder++;
      for (const sel of r.selectors) {
        const steps = sel.steps.map((st) => ({
          tag: st.tag && view.BUILTIN.has(st.tag) ? 'wx-' + st.tag : st.tag,
          id: st.id,
          classes: st.classes.map((c) => (prefix ? `${prefix}--${c}` : c)),
          attrs: st.attrs,
          comb: st.comb,
        }));
        list.push({ steps, spec: sel.specificity, order, decls: r.declarations });
      }
    }
    sheetRules.set(key, list);
    sheets.push(key);
  }
  const INHERITED = new Set(['color', 'font', 'font-family', 'font-size', 'font-style', 'font-weight', 'font-variant', 'line-height',
    'letter-spacing', 'word-spacing', 'text-align', 'text-indent', 'text-transform', 'white-space', 'visibility', 'cursor',
    'direction', 'list-style', 'list-style-type', 'quotes', 'word-break', 'word-wrap', 'overflow-wrap']);
  const camel = (p) => p.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  function declared(d) {
    const hits = [];
    for (const key of sheets) for (const r of sheetRules.get(key)) if (domMatches(d, r.steps, r.steps.length - 1, null)) hits.push(r);
    hits.sort((a, b) => a.spec[0] - b.spec[0] || a.spec[1] - b.spec[1] || a.spec[2] - b.spec[2] || a.order - b.order);
    const out = {};
    const important = {};
    for (const r of hits) {
      for (const [name, value, imp] of r.decls) {
        if (important[name] && !imp) continue;
        out[name] = value;
        if (imp) important[name] = true;
      }
    }
    for (const decl of String(d.getAttribute('style') || '').split(';')) {
      const i = decl.indexOf(':');
      if (i > 0) {
        const name = decl.slice(0, i).trim().toLowerCase();
        if (!important[name]) out[name] = decl.slice(i + 1).trim();
      }
    }
    return out;
  }
  function computed(d) {
    const own = declared(d);
    const parent = d.parentNode;
    const inherited = parent && parent.nodeType === 1 && parent._n ? computed(parent) : {};
    const out = {};
    for (const name of Object.keys(inherited)) if (INHERITED.has(name)) out[name] = inherited[name];
    for (const name of Object.keys(own)) out[name] = /color/.test(name) ? colour(own[name]) : own[name];
    return out;
  }
  function getComputedStyle(d) {
    if (!d || d.nodeType !== 1) throw new TypeError("getComputedStyle: the argument must be an element (a component's .dom)");
    const values = computed(d);
    const style = { getPropertyValue: (name) => values[String(name).toLowerCase()] || '' };
    for (const name of Object.keys(values)) style[camel(name)] = values[name];
    return new Proxy(style, { get: (t, k) => (k in t ? t[k] : typeof k === 'string' ? '' : undefined) });
  }
  globalThis.getComputedStyle = getComputedStyle;

  // CSS named colours (CSS Color 4).
  const NAMED = 'aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000 darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700 goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4 indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899 lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32 linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585 midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9 peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32'.split(' ');
  const byName = new Map();
  const byHex = new Map();
  for (let i = 0; i < NAMED.length; i += 2) {
    byName.set(NAMED[i], NAMED[i + 1]);
    if (!byHex.has(NAMED[i + 1])) byHex.set(NAMED[i + 1], NAMED[i]);
  }
  function colour(value) {
    const v = String(value).trim().toLowerCase();
    let rgb = null;
    let alpha = 1;
    let m;
    if (byName.has(v)) rgb = byName.get(v);
    else if ((m = /^#([0-9a-f]{3,8})$/.exec(v))) {
      let h = m[1];
      if (h.length === 3 || h.length === 4) h = h.split('').map((c) => c + c).join('');
      if (h.length === 8) alpha = parseInt(h.slice(6), 16) / 255;
      rgb = h.slice(0, 6);
    } else if ((m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(v))) {
      rgb = [m[1], m[2], m[3]].map((x) => Math.max(0, Math.min(255, Math.round(Number(x)))).toString(16).padStart(2, '0')).join('');
      if (m[4] !== undefined) alpha = Number(m[4]);
    } else {
      return value;
    }
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(rgb.slice(i, i + 2), 16));
    if (alpha < 1) return `rgba(${r}, ${g}, ${b}, ${Math.round(alpha * 1000) / 1000})`;
    const short = rgb[0] === rgb[1] && rgb[2] === rgb[3] && rgb[4] === rgb[5] ? `#${rgb[0]}${rgb[2]}${rgb[4]}` : `#${rgb}`;
    const name = byHex.get(rgb);
    return name && name.length < short.length ? name : `rgb(${r}, ${g}, ${b})`;
  }

  // ---- simulate.match -----------------------------------------------------------------
  // `<a b="c">text</a>` as nodes: { tag, attrs, children } or { text }.
  function parseHtml(html) {
    const root = { children: [] };
    const stack = [root];
    const re = /<!--[\s\S]*?-->|<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*(\/?)>|([^<]+)/g;
    let m;
    while ((m = re.exec(html)) !== null) {
      const top = stack[stack.length - 1];
      if (m[0].startsWith('<!--')) continue;
      if (m[1]) {
        if (stack.length > 1) stack.pop();
      } else if (m[2]) {
        const attrs = {};
        const ar = /([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
        let a;
        while ((a = ar.exec(m[3] || '')) !== null) attrs[a[1].toLowerCase()] = unescape(a[2] ?? a[3] ?? a[4] ?? '');
        const el = { tag: m[2].toLowerCase(), attrs, children: [] };
        top.children.push(el);
        if (!m[4]) stack.push(el);
      } else if (m[5]) {
        top.children.push({ text: unescape(m[5]) });
      }
    }
    return root.children;
  }
  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  function unescape(s) {
    return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, e) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return ENTITIES[e] !== undefined ? ENTITIES[e] : whole;
    });
  }
  function sameNodes(actual, expected) {
    if (actual.length !== expected.length) return false;
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i];
      const e = expected[i];
      if ((a.text === undefined) !== (e.text === undefined)) return false;
      if (e.text !== undefined) {
        if (a.text !== e.text) return false;
        continue;
      }
      if (a.tag !== e.tag) return false;
      const ka = Object.keys(a.attrs);
      if (ka.length !== Object.keys(e.attrs).length) return false;
      for (const k of ka) if (e.attrs[k] !== a.attrs[k]) return false;
      if (!sameNodes(a.children, e.children)) return false;
    }
    return true;
  }
  // Whether `dom`'s children are `html` (whitespace between tags in `html` ignored), as
  // simulate compares them: both re-parsed from markup (adjacent text merges), then tags,
  // attribute sets, text and counts.
  function match(dom, html) {
    if (!dom || dom.nodeType !== 1) return false;
    const expected = parseHtml(String(html).trim().replace(/>\s+</g, '><'));
    return sameNodes(parseHtml(dom.innerHTML), expected);
  }

  // ---- the component handle -----------------------------------------------------------
  const handles = new WeakMap();
  function handleOf(n) {
    let h = handles.get(n);
    if (!h) handles.set(n, (h = new ComponentHandle(n)));
    return h;
  }
  const isCustom = (n) => !!(n.comp && n.comp.kind === 'component');

  let touch = null; // the touchstart a tap may complete
  class ComponentHandle {
    constructor(n) { this._n = n; }
    get dom() { return domOf(this._n); }
    get instance() { return isCustom(this._n) ? this._n.comp.inst : undefined; }
    get data() { return isCustom(this._n) ? this._n.comp.inst.data : {}; }
    querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
    querySelectorAll(selector) { return view.queryUnder(this._n, selector, false).map(handleOf); }
    setData(data, callback) {
      if (!isCustom(this._n)) throw new Error(`miniprogram-simulate: <${this._n.tag}> is not a custom component: setData works on custom components`);
      this._n.comp.inst.setData(data, callback);
    }
    // Touches as a finger makes them (a touchstart then a touchend on the same node is a
    // tap); any other name is a custom event that bubbles across components.
    dispatchEvent(name, options) {
      const o = options || {};
      const type = String(name);
      const n = this._n;
      const gesture = { detail: o.detail, bubbles: true, composed: true, capturePhase: true, touches: o.touches, changedTouches: o.changedTouches };
      view.dispatch(n, type, gesture);
      if (type === 'touchstart') touch = { n, at: Date.now(), p: point(o) };
      if (type === 'touchmove' && touch && moved(touch.p, point(o))) touch = null;
      if (type === 'touchend' && touch && touch.n === n) {
        const start = touch;
        touch = null;
        if (Date.now() - start.at >= 350) view.dispatch(n, 'longpress', gesture);
        else view.dispatch(n, 'tap', Object.assign({}, gesture, { detail: { x: start.p.x, y: start.p.y } }));
        view.tapAction(n);
      }
    }
    addEventListener(name, handler, useCapture) {
      const n = this._n;
      n.listeners = (n.listeners || []).concat([{ type: String(name), flags: useCapture ? 2 : 0, value: (e) => handler.call(undefined, e), handler }]);
    }
    removeEventListener(name, handler, useCapture) {
      const n = this._n;
      if (n.listeners) n.listeners = n.listeners.filter((l) => !(l.handler === handler && l.type === String(name) && !!(l.flags & 2) === !!useCapture));
    }
    triggerLifeTime(name, args) {
      if (isCustom(this._n)) internal.runLifetime(this._n.comp.inst, String(name), [args]);
    }
    // To the component and every component inside it, as a page would.
    triggerPageLifeTime(name, args) {
      if (!isCustom(this._n)) return;
      const v = this._n.comp;
      for (const c of [v].concat(view.componentsOf(v))) internal.runLifetime(c.inst, String(name), [args], 'page');
    }
    toJSON() { return toJSON(this._n); }
  }

  const point = (o) => {
    const t = (o.touches && o.touches[0]) || (o.changedTouches && o.changedTouches[0]) || {};
    return { x: t.pageX ?? t.clientX ?? t.x ?? 0, y: t.pageY ?? t.clientY ?? t.y ?? 0 };
  };
  const moved = (a, b) => Math.abs(a.x - b.x) >= 10 || Math.abs(a.y - b.y) >= 10;

  class RootComponent extends ComponentHandle {
    attach(parent) {
      if (!parent || typeof parent.appendChild !== 'function') throw new TypeError('attach(parent): parent must be a DOM node (document.createElement)');
      parent.appendChild(this.dom);
      if (!this._attached) {
        this._attached = true;
        view.attachNew([this._n]);
      }
    }
    detach() {
      const d = this.dom;
      if (d._parent) d._parent.removeChild(d);
      if (this._n.comp) this._n.comp.detach();
    }
  }

  function render(id, properties) {
    const i = registry.get(String(id));
    if (!i) throw new Error(`miniprogram-simulate: render(${internal.inspect(id)}): no component loaded with this id`);
    const host = new view.VNode(i.tagName, null, null);
    for (const k of Object.keys(properties || {})) {
      const name = i.norm.props[k] ? k : view.dashToCamel(k);
      if (i.norm.props[name]) view.initProp(host, name, properties[k]);
    }
    view.createComponentView(host, i, null, null);
    const root = new RootComponent(host);
    handles.set(host, root);
    return root;
  }

  // The tree as j-component's toJSON gives it: template attributes as written (not a custom
  // component's properties), events, text as strings; slots and virtual nodes flattened.
  const JSON_TYPE = Symbol.for('j-component.json');
  function toJSON(n) {
    if (n.isText) return n.text;
    const attrs = [];
    if (n.id) attrs.push({ name: 'id', value: n.id });
    if (n.cls) attrs.push({ name: 'class', value: n.cls });
    if (n.style) attrs.push({ name: 'style', value: n.style });
    for (const k in n.attrs) attrs.push({ name: k, value: n.attrs[k] });
    for (const k in n.dataset) attrs.push({ name: 'data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), value: n.dataset[k] });
    const event = {};
    for (const l of n.listeners || []) {
      if (l.handler) continue;
      event[l.type] = { name: l.type, isCapture: !!(l.flags & 2), isMutated: !!(l.flags & 4), isCatch: !!(l.flags & 1), handler: typeof l.value === 'string' ? l.value : '' };
    }
    const out = { tagName: tagOf(n), attrs, event, children: view.composedChildren(n).map(toJSON) };
    Object.defineProperty(out, '$$typeof', { value: JSON_TYPE, enumerable: false });
    return out;
  }

  const simulate = {
    load,
    behavior: (def) => globalThis.Behavior(def),
    render,
    match,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Number(ms) || 0)),
    // Scrolls a scroll-view (or any node) to `destOffset` in `times` scroll events.
    scroll(component, destOffset, times, propName) {
      const n = component && component._n;
      if (!n) throw new TypeError('scroll(component, ...): pass a component from render() or querySelector()');
      const prop = propName || 'scrollTop';
      const steps = Math.max(1, Number(times) || 20);
      const from = Number(view.property(n, prop)) || 0;
      const to = Number(destOffset) || 0;
      for (let i = 1; i <= steps; i++) {
        const v = from + ((to - from) * i) / steps;
        view.setProp(n, prop, v);
        const detail = { scrollLeft: prop === 'scrollLeft' ? v : Number(view.property(n, 'scrollLeft')) || 0, scrollTop: prop === 'scrollTop' ? v : Number(view.property(n, 'scrollTop')) || 0, scrollHeight: 0, scrollWidth: 0, deltaX: 0, deltaY: 0 };
        view.dispatch(n, 'scroll', { detail });
      }
    },
  };
  internal.simulateModule = simulate;
})
