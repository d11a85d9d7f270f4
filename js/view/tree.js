// The page tree: nodes, the composed tree (shadow trees with slot content placed), text as a
// phone shows it, and WXML / JSON serialisation. Nodes are created by js/view/render.js.
(function (native, internal) {
  'use strict';
  const view = (internal.view = {});

  // A node of the tree. `parent` and `children` are the tree the node was written in (its
  // owner's template): slot content is a child of the component tag it was written inside.
  // A custom component's own template is its shadow tree (`comp.shadow`). Pages render
  // thousands of nodes, and a QuickJS object costs about 100 ns a property, so a node owns
  // three; every other field is a default on the prototype until set (see `own`).
  const EMPTY = Object.freeze([]);
  const NONE = Object.freeze({});
  view.EMPTY = EMPTY;

  // WeChat's built-in components (everything else is a custom component or unknown).
  view.BUILTIN = new Set([
    'view', 'text', 'image', 'button', 'input', 'textarea', 'scroll-view', 'swiper', 'swiper-item',
    'navigator', 'form', 'picker', 'picker-view', 'picker-view-column', 'checkbox', 'checkbox-group',
    'radio', 'radio-group', 'switch', 'slider', 'label', 'icon', 'progress', 'rich-text',
    'movable-area', 'movable-view', 'cover-view', 'cover-image', 'map', 'canvas', 'video', 'audio',
    'camera', 'live-player', 'live-pusher', 'web-view', 'ad', 'ad-custom', 'official-account',
    'open-data', 'editor', 'page-container', 'share-element', 'match-media', 'root-portal',
    'page-meta', 'navigation-bar', 'keyboard-accessory', 'channel-live', 'channel-video',
    'voip-room', 'functional-page-navigator', 'grid-view', 'list-view', 'sticky-header',
    'sticky-section', 'block', 'slot', 'store-product', 'store-home', 'xr-frame', 'aria-component',
    'span', 'snapshot', 'draggable-sheet', 'nested-scroll-header', 'nested-scroll-body',
    'open-container', 'grid-builder', 'list-builder', 'native-component', 'wxs',
  ]);

  // The parts of the view layer a page may never need (events, queries, built-ins' actions,
  // relations, serialisation) load on first use (engine LAZY_JS).
  view.need = (name) => internal.loadLazy(`view/${name}.js`);
  class VNode {
    constructor(tag, owner, parent) {
      this.tag = tag; // 'view', 'my-comp', 'slot', or 'page' for a page's root
      this.owner = owner; // the View (page or component) whose template created the node
      this.parent = parent;
    }
  }
  Object.assign(VNode.prototype, {
    children: EMPTY, // set when it has any
    isText: false,
    dyn: false, // rows of wx:for and holders of wx:if / template content are `dyn` (render.js)
    frag: null, // the parts `children` is flattened from (see render.js)
    id: '',
    cls: '', // class attribute, as evaluated
    style: '',
    attrs: NONE, // other attributes, in written order
    dataset: NONE,
    marks: null,
    listeners: null, // [{ type, flags, value }]
    props: null, // state a built-in component changed (input value, checked, current...)
    text: '',
    comp: null, // the View of a custom component's shadow tree
    slot: '', // slot="name" on slot content
    slotName: null, // name of a <slot>
    models: null, // model:prop="{{field}}" bindings
    nid: 0,
    placeholder: false, // a component WeChat provides and the bundle lacks
    compInfo: null, // the custom component the node hosts (render.js)
    initProps: null, // [name, value, ...] a component host passes at creation (render.js)
    ext: null,
    line: null,
  });
  // A text node: its text, and (when bound) the binding that keeps it current.
  function TextNode(owner, parent, text) {
    this.owner = owner;
    this.parent = parent;
    this.text = text;
  }
  TextNode.prototype = Object.create(VNode.prototype);
  Object.assign(TextNode.prototype, { constructor: TextNode, tag: '#text', isText: true });
  view.VNode = VNode;
  view.TextNode = TextNode;
  // The node's own `attrs` or `dataset`, made on first write.
  view.ownAttrs = (n) => (n.attrs === NONE ? (n.attrs = {}) : n.attrs);
  view.ownDataset = (n) => (n.dataset === NONE ? (n.dataset = {}) : n.dataset);

  // Node handles for tests and queries: an id per node handed out, weakly held by the tree.
  const byNid = new Map();
  let nextNid = 1;
  view.nidOf = function (node) {
    if (!node.nid) {
      node.nid = nextNid++;
      byNid.set(node.nid, node);
    }
    return node.nid;
  };
  view.nodeByNid = (nid) => byNid.get(nid) || null;
  view.forget = (node) => { if (node.nid) byNid.delete(node.nid); };

  // ---- composed tree --------------------------------------------------------------------
  // The nodes a <slot> shows: its host's light children for that slot name (all of them when
  // the component has one slot), only at the first slot of a name.
  view.assigned = function (slot) {
    const comp = slot.owner;
    const host = comp.host;
    if (!host || !comp.slotFirst(slot)) return [];
    if (!comp.multipleSlots) return host.children;
    const name = slot.slotName || '';
    return host.children.filter((n) => (n.slot || '') === name);
  };
  // The slot a light child of `host` is shown in, or null.
  view.slotOf = function (host, node) {
    const comp = host.comp;
    if (!comp) return null;
    const name = comp.multipleSlots ? node.slot || '' : null;
    return comp.slotNamed(name);
  };

  function expand(list, out) {
    for (const n of list) {
      if (n.tag === 'slot' && n.slotName !== null) expand(view.assigned(n), out);
      else if (n.comp && n.comp.virtualHost) expand(n.comp.shadow, out);
      else out.push(n);
    }
    return out;
  }
  // What a node shows inside it: a component its shadow tree, slots replaced by their content.
  view.composedChildren = function (node) {
    if (node.comp) return expand(node.comp.shadow, []);
    return expand(node.children, []);
  };

  // ---- classes ----------------------------------------------------------------------------
  view.classList = (node) => String(node.cls || '').split(/\s+/).filter(Boolean);

  // The class attribute as WeChat's DOM has it: inside an isolated component each class gets
  // the component's prefix (`<tag>--x`); `~x` is the page's, `^x` the parent component's; an
  // external class is replaced by what the user passed.
  view.domClass = function (node) {
    const owner = node.owner;
    const out = [];
    for (const c of view.classList(node)) {
      if (owner && owner.externalClasses && owner.externalClasses.includes(c)) {
        const host = owner.host;
        const given = host && host.ext && host.ext[c];
        if (given) for (const g of String(given).split(/\s+/).filter(Boolean)) out.push(prefixed(host.owner, g));
        continue;
      }
      if (c[0] === '~') { out.push(c.slice(1)); continue; }
      if (c[0] === '^') {
        let v = owner;
        let name = c;
        while (name[0] === '^' && v) { name = name.slice(1); v = v.host && v.host.owner; }
        out.push(prefixed(v, name));
        continue;
      }
      out.push(...prefixedAll(owner, c));
    }
    return out.join(' ');
  };
  function prefixedAll(v, c) {
    if (!v || !v.prefix) return [c];
    // miniprogram-simulate isolates every component (as its DOM shows).
    if (view.simulateClasses) return [`${v.prefix}--${c}`];
    if (v.isolation === 'shared') return [c];
    if (v.isolation === 'apply-shared' || v.isolation === 'page-apply-shared') return [c, `${v.prefix}--${c}`];
    return [`${v.prefix}--${c}`];
  }
  const prefixed = (v, c) => prefixedAll(v, c).join(' ');
})
