// Component definitions and instances, for custom components and pages alike: behaviors merged
// as WeChat merges them, properties with WeChat's type coercion, data observers, property
// observers, setData with data paths (re-rendering what it touched when the view layer is on).
(function (native, internal) {
  'use strict';

  // ---- data paths: 'a.b', 'list[1]', 'a.list[0].x' -----------------------------------------
  function parsePath(key) {
    const parts = [];
    const re = /([^.[\]]+)|\[(\d+)\]/g;
    let m;
    let last = 0;
    while ((m = re.exec(key)) !== null) {
      const between = key.slice(last, m.index);
      if (between !== '' && between !== '.') throw new Error(`setData: invalid data path '${key}'`);
      parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
      last = re.lastIndex;
    }
    if (!parts.length || last !== key.length) throw new Error(`setData: invalid data path '${key}'`);
    return parts;
  }
  internal.parseDataPath = parsePath;

  function setPath(data, parts, value) {
    let obj = data;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (obj[p] === null || typeof obj[p] !== 'object') obj[p] = typeof parts[i + 1] === 'number' ? [] : {};
      obj = obj[p];
    }
    obj[parts[parts.length - 1]] = value;
  }

  function valueAtPath(data, parts) {
    let v = data;
    for (const p of parts) {
      if (v === null || v === undefined) return undefined;
      v = v[p];
    }
    return v;
  }
  internal.valueAtPath = valueAtPath;

  // ---- observers: { 'a, b.c, d.**, **': fn } fire when a setData touches one of their fields --
  function observerField(text) {
    const f = text.trim();
    if (f === '**') return { all: true, parts: [] };
    const deep = f.endsWith('.**');
    return { all: false, parts: parsePath(deep ? f.slice(0, -3) : f).map(String) };
  }
  // A change at `changed` touches a field at, above or below it.
  function touches(field, changed) {
    if (field.all) return true;
    const n = Math.min(field.parts.length, changed.length);
    for (let i = 0; i < n; i++) if (field.parts[i] !== String(changed[i])) return false;
    return true;
  }
  function runObservers(inst, changed) {
    const list = inst.__ftObservers;
    if (!list || !list.length) return;
    for (const [fields, observer] of list) {
      if (fields.some((f) => changed.some((c) => touches(f, c)))) {
        const fn = typeof observer === 'string' ? inst[observer] : observer;
        const args = fields.map((f) => (f.all ? inst.data : valueAtPath(inst.data, f.parts)));
        internal.safeCall(fn, inst, args, `observer '${fields.map((f) => (f.all ? '**' : f.parts.join('.'))).join(', ')}'`);
      }
    }
  }

  // setData for pages and components: data paths written at once, data observers, then the
  // view updated where those paths are read, property observers, and the callback after that.
  internal.setData = function setData(patch, callback) {
    if (patch === null || typeof patch !== 'object') throw new TypeError('setData expects an object');
    if (this.data === null || typeof this.data !== 'object') this.data = {};
    applyData(this, patch, null);
    if (typeof callback === 'function') {
      Promise.resolve().then(() => internal.safeCall(callback, this, [], 'setData callback'));
    }
  };

  // `coerce` (name, value) → value: used for values a parent passes to properties.
  function applyData(inst, patch, coerce) {
    const norm = inst.__ftNorm;
    const changed = [];
    let old = null;
    for (const key of Object.keys(patch)) {
      const parts = parsePath(key);
      let value = patch[key];
      if (value === undefined && parts.length === 1) {
        // WeChat skips undefined values of setData (with a warning in the IDE).
        continue;
      }
      const top = parts[0];
      if (norm && norm.props[top]) {
        if (coerce && parts.length === 1) value = coerce(top, value);
        if (norm.props[top].observer) (old || (old = new Map())).has(top) || old.set(top, inst.data[top]);
      }
      setPath(inst.data, parts, value);
      changed.push(parts);
    }
    if (!changed.length) return;
    runObservers(inst, changed);
    const view = inst.__ftView;
    if (view) view.update(changed);
    if (old) {
      for (const [name, before] of old) {
        const now = inst.data[name];
        if (now === before) continue;
        let fn = norm.props[name].observer;
        if (typeof fn === 'string') fn = inst[fn];
        internal.safeCall(fn, inst, [now, before, [name]], `property '${name}' observer`);
      }
    }
    if (view) view.afterOwnUpdate(changed);
  }

  // Values a parent passes to a component's properties (or a page's query to a Component page).
  internal.setProperties = function (inst, values) {
    const norm = inst.__ftNorm;
    applyData(inst, values, (name, v) => coerce(norm.props[name], v, name, inst.is));
  };

  // Properties a parent set at creation (already in data): their data observers run, and
  // each property observer whose value differs from the default.
  internal.announceProperties = function (inst, set) {
    runObservers(inst, set.map(([name]) => [name]));
    const props = inst.__ftNorm.props;
    for (const [name, before] of set) {
      const now = inst.data[name];
      let fn = props[name].observer;
      if (!fn || now === before) continue;
      if (typeof fn === 'string') fn = inst[fn];
      internal.safeCall(fn, inst, [now, before, [name]], `property '${name}' observer`);
    }
  };

  // JSON data copied (what WeChat sends between threads); other values are kept.
  function cloneData(data) {
    if (data === undefined || data === null) return {};
    try {
      return JSON.parse(JSON.stringify(data));
    } catch (_) {
      return Object.assign({}, data);
    }
  }
  internal.cloneData = cloneData;
  const copy = (v) => (v !== null && typeof v === 'object' ? cloneData(v) : v);
  internal.copyValue = copy;

  // ---- properties -------------------------------------------------------------------------
  const TYPES = [String, Number, Boolean, Object, Array, null];
  function typeDefault(type) {
    switch (type) {
      case String: return '';
      case Number: return 0;
      case Boolean: return false;
      case Array: return [];
      default: return null; // Object and any
    }
  }
  function normProperty(spec) {
    if (spec === null || TYPES.includes(spec)) return { type: spec, optional: [], value: typeDefault(spec), observer: null };
    if (typeof spec !== 'object') return { type: null, optional: [], value: null, observer: null };
    const type = TYPES.includes(spec.type) ? spec.type : null;
    return {
      type,
      optional: Array.isArray(spec.optionalTypes) ? spec.optionalTypes : [],
      value: 'value' in spec ? spec.value : typeDefault(type),
      observer: spec.observer || null,
    };
  }
  function matches(type, v) {
    switch (type) {
      case String: return typeof v === 'string';
      case Number: return typeof v === 'number' && isFinite(v);
      case Boolean: return typeof v === 'boolean';
      case Array: return Array.isArray(v);
      case Object: return v !== null && typeof v === 'object' && !Array.isArray(v);
      default: return true;
    }
  }
  // WeChat's conversion of a value passed to a property of `p.type`.
  function coerce(p, v, name, is) {
    if (!p) return v;
    if (p.optional.length && p.optional.some((t) => matches(t, v))) return v;
    switch (p.type) {
      case String:
        if (v === null || v === undefined) return copy(p.value);
        if (typeof v === 'object') internal.warnOnce(`prop:${is}:${name}`, `${is}: property "${name}" received ${Array.isArray(v) ? 'an array' : 'an object'} where a String is expected`);
        return String(v);
      case Number:
        if (isFinite(v) && !(v !== null && typeof v === 'object' && !Array.isArray(v))) return Number(v);
        internal.warnOnce(`prop:${is}:${name}`, `${is}: property "${name}" received ${internal.inspect(v)} where a Number is expected; using its default`);
        return copy(p.value);
      case Boolean: return !!v;
      case Array: return Array.isArray(v) ? v : copy(p.value);
      case Object: return v !== null && typeof v === 'object' ? v : (v === null ? null : copy(p.value));
      default: return v === undefined ? copy(p.value) : v;
    }
  }
  internal.coerceProperty = coerce;

  // ---- definitions -----------------------------------------------------------------------
  const BUILTIN_BEHAVIORS = {
    'wx://form-field': { properties: { name: String, value: null } },
    'wx://form-field-group': {},
    'wx://form-field-button': {},
    'wx://component-export': {},
  };
  // Behaviors first (depth first, in order; each once), then the definition itself.
  function flatten(def, out, seen) {
    for (let b of def.behaviors || []) {
      const name = typeof b === 'string' ? b : null;
      if (name) b = BUILTIN_BEHAVIORS[name];
      if (b && typeof b === 'object' && !seen.has(b)) {
        seen.add(b);
        if (name) seen.add(name);
        flatten(b, out, seen);
        out.push(b);
      }
    }
    return out;
  }
  internal.flattenBehaviors = (def) => flatten(def, [], new Set()).concat([def]);

  const LIFETIMES = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
  const PAGE_LIFETIMES = ['show', 'hide', 'resize', 'routeDone'];
  const normCache = new WeakMap();

  // A definition as one flat description: what every instance of it shares.
  // Each behavior used directly gets the user's definition to edit (its definitionFilter),
  // with the filters of the behaviors it uses itself; at declaration, as WeChat does.
  internal.applyDefinitionFilters = function (def) {
    for (const b of def.behaviors || []) {
      if (!b || typeof b !== 'object' || typeof b.definitionFilter !== 'function') continue;
      const inner = (b.behaviors || []).filter((x) => x && typeof x.definitionFilter === 'function').map((x) => x.definitionFilter.bind(x));
      internal.safeCall(b.definitionFilter, b, [def, inner], 'Behavior definitionFilter');
    }
  };

  internal.normalizeComponent = function (def, is) {
    let n = normCache.get(def);
    if (n) return n;
    internal.applyDefinitionFilters(def);
    const seen = new Set();
    const layers = flatten(def, [], seen).concat([def]);
    n = {
      is,
      def,
      props: Object.create(null),
      data: {},
      methods: Object.create(null),
      lifetimes: {},
      pageLifetimes: {},
      observers: [],
      relations: Object.create(null),
      externalClasses: [],
      options: {},
      behaviors: seen,
      exportFn: null,
    };
    for (const l of LIFETIMES) n.lifetimes[l] = [];
    for (const l of PAGE_LIFETIMES) n.pageLifetimes[l] = [];
    for (const layer of layers) {
      const props = layer.properties || {};
      for (const name of Object.keys(props)) n.props[name] = normProperty(props[name]);
      const data = typeof layer.data === 'function' ? layer.data() : layer.data;
      for (const key of Object.keys(data || {})) {
        const v = data[key];
        const prev = n.data[key];
        // Objects of the same name merge; anything else is overridden by the later layer.
        n.data[key] = prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(v) && !Array.isArray(prev)
          ? Object.assign({}, prev, v) : v;
      }
      Object.assign(n.methods, layer.methods || {});
      for (const l of LIFETIMES) {
        const fn = (layer.lifetimes && layer.lifetimes[l]) || layer[l];
        if (fn) n.lifetimes[l].push(fn);
      }
      for (const l of PAGE_LIFETIMES) {
        const fn = layer.pageLifetimes && layer.pageLifetimes[l];
        if (fn) n.pageLifetimes[l].push(fn);
      }
      for (const key of Object.keys(layer.observers || {})) {
        n.observers.push([key.split(',').map(observerField), layer.observers[key]]);
      }
      Object.assign(n.relations, layer.relations || {});
      for (const c of layer.externalClasses || []) if (!n.externalClasses.includes(c)) n.externalClasses.push(c);
      Object.assign(n.options, layer.options || {});
      if (typeof layer.export === 'function') n.exportFn = layer.export;
    }
    normCache.set(def, n);
    return n;
  };

  // Methods every component and page instance has; the view layer adds its own (selectComponent,
  // triggerEvent, createSelectorQuery...).
  internal.instanceBase = {
    setData: internal.setData,
    hasBehavior(b) { return !!this.__ftNorm && this.__ftNorm.behaviors.has(b); },
    groupSetData(fn) { if (typeof fn === 'function') fn.call(this); },
    setUpdatePerformanceListener() {},
    // A component's page is its view's (js/view/render.js).
    getPageId() {
      const v = this.__ftView;
      return 'pageId:' + (this.__ftPageId || (v && v.page.inst.__ftPageId) || 0);
    },
  };

  // A new instance of a normalized definition: data copied, property defaults; methods,
  // `is` and the definition come from a prototype the definition's instances share.
  // `id` and `dataset` are the host element's (a page has none).
  internal.newComponentInstance = function (norm, id, dataset) {
    if (!norm.proto) {
      norm.proto = Object.create(internal.instanceBase);
      Object.assign(norm.proto, norm.methods);
      norm.proto.is = norm.is;
      norm.proto.__ftNorm = norm;
      norm.proto.__ftObservers = norm.observers;
      // `properties` is `data` (one field fewer on each of thousands of instances); an
      // assignment makes it the instance's own.
      Object.defineProperty(norm.proto, 'properties', {
        get() { return this.data; },
        set(v) { Object.defineProperty(this, 'properties', { value: v, writable: true, enumerable: true, configurable: true }); },
        configurable: true,
      });
      norm.hasData = Object.keys(norm.data).length > 0;
      norm.propNames = Object.keys(norm.props);
      norm.propObservers = norm.propNames.some((k) => norm.props[k].observer);
    }
    const inst = Object.create(norm.proto);
    const data = norm.hasData ? cloneData(norm.data) : {};
    const names = norm.propNames;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const v = norm.props[name].value;
      data[name] = v !== null && typeof v === 'object' ? cloneData(v) : v;
    }
    inst.id = id === undefined ? '' : id;
    inst.dataset = dataset === undefined ? {} : dataset;
    inst.data = data;
    return inst;
  };

  // Runs one lifetime of every layer on `inst` (a string names a method).
  internal.runLifetime = function (inst, name, args, group) {
    const norm = inst.__ftNorm;
    const list = norm && (group === 'page' ? norm.pageLifetimes[name] : norm.lifetimes[name]);
    if (!list) return;
    for (const fn of list) {
      const f = typeof fn === 'string' ? inst[fn] : fn;
      internal.callComponent(inst, f, args || [], `Component[${norm.is}].${group === 'page' ? 'pageLifetimes.' : ''}${name}`);
    }
  };

  // Calls a lifetime or method of a component: an error it throws is reported, and reaches
  // the component's `error` lifetime, as WeChat does.
  internal.callComponent = function (inst, fn, args, where) {
    if (typeof fn !== 'function') return undefined;
    try {
      return fn.apply(inst, args);
    } catch (e) {
      internal.reportError(e, where);
      const norm = inst.__ftNorm;
      if (norm && norm.lifetimes.error.length && !where.endsWith('.error')) internal.runLifetime(inst, 'error', [e]);
      return undefined;
    }
  };
})
