// Built-in components (loaded on first use): their documented default properties, the state a test reads (input
// value, checkbox checked, swiper current...), and what they do when used: typing, toggling,
// form submit and reset, navigator taps.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  view.need('events');



  // Documented defaults, by attribute name as written in WXML.
  const DEFAULTS = {
    view: { 'hover-class': 'none', 'hover-stop-propagation': false, 'hover-start-time': 50, 'hover-stay-time': 400 },
    text: { 'user-select': false, selectable: false, space: '', decode: false },
    image: { src: '', mode: 'scaleToFill', webp: false, 'lazy-load': false, 'show-menu-by-longpress': false },
    button: { size: 'default', type: 'default', plain: false, disabled: false, loading: false, 'form-type': '', 'open-type': '', 'hover-class': 'button-hover' },
    input: { value: '', type: 'text', password: false, placeholder: '', disabled: false, maxlength: 140, focus: false, 'confirm-type': 'done' },
    textarea: { value: '', placeholder: '', disabled: false, maxlength: 140, focus: false, 'auto-height': false, 'confirm-type': 'return' },
    checkbox: { value: '', checked: false, disabled: false, color: '#09BB07' },
    radio: { value: '', checked: false, disabled: false, color: '#09BB07' },
    switch: { checked: false, disabled: false, type: 'switch', color: '#04BE02' },
    slider: { min: 0, max: 100, step: 1, value: 0, disabled: false, 'show-value': false },
    swiper: { current: 0, autoplay: false, interval: 5000, duration: 500, circular: false, vertical: false, 'indicator-dots': false },
    'scroll-view': { 'scroll-x': false, 'scroll-y': false, 'scroll-top': 0, 'scroll-left': 0, 'upper-threshold': 50, 'lower-threshold': 50 },
    picker: { mode: 'selector', value: 0, range: [], disabled: false },
    'picker-view': { value: [] },
    navigator: { url: '', 'open-type': 'navigate', delta: 1, 'hover-class': 'navigator-hover', target: 'self' },
    progress: { percent: 0, 'show-info': false, 'stroke-width': 6, active: false },
    icon: { type: '', size: 23, color: '' },
    form: { 'report-submit': false },
    'rich-text': { nodes: [], space: '' },
    'movable-view': { x: 0, y: 0, direction: 'none', disabled: false },
  };

  // A built-in's state: what the user changed (typed, toggled, swiped), else what the
  // template says, else the documented default. A template attribute that changes again
  // resets the state it names.
  const camelToDash = (s) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
  function prop(node, name) {
    if (node.props !== null && name in node.props) return node.props[name];
    if (name in node.attrs) return node.attrs[name];
    const d = DEFAULTS[node.tag];
    return d && name in d ? d[name] : undefined;
  }
  const setProp = (node, name, v) => { (node.props || (node.props = {}))[name] = v; };
  view.prop = prop;
  view.builtinAttr = function (node, name) {
    delete node.props[name];
    if (name === 'scroll-top') delete node.props.scrollTop;
  };

  // automator's element.property(name): a built-in's state, a component's properties.
  view.property = function (node, name) {
    if (node.comp && node.comp.kind === 'component') {
      const data = node.comp.inst.data;
      const key = view.dashToCamel(name);
      return key in data ? data[key] : undefined;
    }
    if (name === 'scrollTop' || name === 'scroll-top') return Number(prop(node, 'scrollTop') ?? prop(node, 'scroll-top')) || 0;
    for (const k of [name, camelToDash(name), view.dashToCamel(name)]) {
      const v = prop(node, k);
      if (v !== undefined) return v;
    }
    if (name === 'id') return node.id;
    return undefined;
  };

  // Boolean attributes are JS truthiness: `checked="false"` is a non-empty string, so true.
  const truthy = (v) => !!v;
  view.truthy = truthy;
  view.disabled = (node) => truthy(prop(node, 'disabled'));

  // Nearest ancestor (in the tree the node was written in, then its host's) with `tag`.
  function ancestor(node, tag) {
    let n = node;
    while (n) {
      n = n.parent || (n.owner && n.owner.kind === 'component' ? n.owner.host : null);
      if (n && n.tag === tag) return n;
    }
    return null;
  }
  // Nodes under `root` as shown (component shadow trees included).
  function descendants(root, out) {
    for (const c of view.composedChildren(root)) {
      if (c.isText) continue;
      out.push(c);
      descendants(c, out);
    }
    return out;
  }
  view.descendants = (root) => descendants(root, []);
  view.setProp = setProp;

  const fire = (node, type, detail) => view.dispatch(node, type, { detail });

  function writeModel(node, prop, value) {
    if (!node.models) return;
    for (const [p, field] of node.models) if (p === prop && node.owner && node.owner.inst) node.owner.inst.setData({ [field]: value });
  }

  // automator's element.input(value): the value typed, `input` fired (a handler that returns
  // a value replaces it, as in WeChat), model:value written back.
  view.input = function (node, value) {
    if (node.tag !== 'input' && node.tag !== 'textarea') throw new Error(`input() works on <input> and <textarea>, not <${node.tag}>`);
    if (view.disabled(node)) return;
    let v = String(value);
    const max = Number(prop(node, 'maxlength'));
    if (max >= 0 && v.length > max) v = v.slice(0, max);
    setProp(node, 'value', v);
    const r = fire(node, 'input', { value: v, cursor: v.length, keyCode: 0 });
    if (r !== undefined && r !== null && typeof r !== 'object') setProp(node, 'value', String(r));
    writeModel(node, 'value', prop(node, 'value'));
  };

  // What a tap does besides its events.
  view.tapAction = function (node) {
    if (view.disabled(node)) return;
    switch (node.tag) {
      case 'checkbox': return toggleCheckbox(node);
      case 'radio': return selectRadio(node);
      case 'switch': {
        setProp(node, 'checked', !truthy(prop(node, 'checked')));
        writeModel(node, 'checked', prop(node, 'checked'));
        return fire(node, 'change', { value: prop(node, 'checked') });
      }
      case 'button': {
        const type = prop(node, 'form-type');
        const form = (type === 'submit' || type === 'reset') && ancestor(node, 'form');
        if (form) return type === 'submit' ? view.submit(form) : view.reset(form);
        return undefined;
      }
      case 'navigator': return navigate(node);
      case 'label': {
        const target = labelTarget(node);
        return target ? view.tapAction(target) : undefined;
      }
      default: return undefined;
    }
  };

  function toggleCheckbox(node) {
    setProp(node, 'checked', !truthy(prop(node, 'checked')));
    const group = ancestor(node, 'checkbox-group');
    if (!group) return undefined;
    const value = descendants(group, []).filter((n) => n.tag === 'checkbox' && truthy(prop(n, 'checked'))).map((n) => view.toText(prop(n, 'value')));
    return fire(group, 'change', { value });
  }
  function selectRadio(node) {
    if (truthy(prop(node, 'checked'))) return undefined;
    const group = ancestor(node, 'radio-group');
    if (group) for (const r of descendants(group, [])) if (r.tag === 'radio') setProp(r, 'checked', false);
    setProp(node, 'checked', true);
    return group ? fire(group, 'change', { value: view.toText(prop(node, 'value')) }) : undefined;
  }
  function labelTarget(label) {
    const forId = label.attrs.for;
    if (forId) {
      const all = view.descendants(label.owner.host || label);
      return all.find((n) => n.id === forId) || null;
    }
    return descendants(label, []).find((n) => ['checkbox', 'radio', 'switch', 'button'].includes(n.tag)) || null;
  }

  function navigate(node) {
    const url = view.toText(prop(node, 'url'));
    const type = prop(node, 'open-type');
    const ft = internal.ft;
    const done = (o) => Object.assign(o, { fail() {} });
    switch (type) {
      case 'redirect': return ft.redirectTo(done({ url }));
      case 'switchTab': return ft.switchTab(done({ url }));
      case 'reLaunch': return ft.reLaunch(done({ url }));
      case 'navigateBack': return ft.navigateBack(done({ delta: Number(prop(node, 'delta')) || 1 }));
      case 'exit': return undefined;
      default: return url ? ft.navigateTo(done({ url })) : undefined;
    }
  }

  // The value a form field contributes to its form, or undefined for a node that is none.
  function fieldValue(n) {
    if (n.comp && n.comp.kind === 'component') {
      return n.comp.inst.hasBehavior('wx://form-field') ? n.comp.inst.data.value : undefined;
    }
    switch (n.tag) {
      case 'input': case 'textarea': return view.toText(prop(n, 'value'));
      case 'switch': return truthy(prop(n, 'checked'));
      case 'slider': return Number(prop(n, 'value')) || 0;
      case 'picker': case 'picker-view': return prop(n, 'value');
      case 'checkbox-group':
        return descendants(n, []).filter((c) => c.tag === 'checkbox' && truthy(prop(c, 'checked'))).map((c) => view.toText(prop(c, 'value')));
      case 'radio-group': {
        const r = descendants(n, []).find((c) => c.tag === 'radio' && truthy(prop(c, 'checked')));
        return r ? view.toText(prop(r, 'value')) : '';
      }
      default: return undefined;
    }
  }
  function fieldName(n) {
    if (n.comp && n.comp.kind === 'component') return n.comp.inst.data.name;
    return n.attrs.name;
  }

  view.submit = function (form) {
    const value = {};
    for (const n of descendants(form, [])) {
      const name = fieldName(n);
      if (name === undefined || name === null || name === '') continue;
      const v = fieldValue(n);
      if (v !== undefined) value[name] = v;
    }
    return fire(form, 'submit', { value, target: { id: form.id, dataset: Object.assign({}, form.dataset) } });
  };

  // Fields back to what their attributes say (or the defaults).
  view.reset = function (form) {
    for (const n of descendants(form, [])) {
      if (n.props === null) continue;
      delete n.props.value;
      delete n.props.checked;
    }
    return fire(form, 'reset', {});
  };

  view.swipeTo = function (node, index) {
    if (node.tag !== 'swiper') throw new Error(`swipeTo() works on <swiper>, not <${node.tag}>`);
    const current = Number(index) || 0;
    setProp(node, 'current', current);
    const items = view.composedChildren(node).filter((c) => c.tag === 'swiper-item');
    const item = items[current];
    fire(node, 'change', { current, currentItemId: item ? item.attrs['item-id'] || '' : '', source: 'touch' });
  };
  view.slideTo = function (node, value) {
    if (node.tag !== 'slider') throw new Error(`slideTo() works on <slider>, not <${node.tag}>`);
    setProp(node, 'value', Number(value) || 0);
    writeModel(node, 'value', prop(node, 'value'));
    fire(node, 'change', { value: prop(node, 'value') });
  };
  view.scrollTo = function (node, x, y) {
    const left = Number(x) || 0;
    const top = Number(y) || 0;
    const dx = left - view.property(node, 'scrollLeft');
    const dy = top - view.property(node, 'scrollTop');
    setProp(node, 'scrollLeft', left);
    setProp(node, 'scrollTop', top);
    fire(node, 'scroll', { scrollLeft: left, scrollTop: top, scrollHeight: 0, scrollWidth: 0, deltaX: dx, deltaY: dy });
  };
})
