// Events: the path an event takes (the tree it was fired in, crossing into slots and out to
// hosts only when composed), capture then bubble, catch and mut-bind, the event object as
// WeChat builds it, triggerEvent, and the user's gestures (tap, longpress, touches).
(function (native, internal) {
  'use strict';
  const view = internal.view;
  view.need('builtins');
  const CATCH = 1;
  const CAPTURE = 2;
  const MUT = 4;

  // [{ node, target }] from the target up: `target` is what a listener at `node` sees (the
  // node it retargets to in its own tree).
  function eventPath(target, composed) {
    const path = [];
    const targets = [];
    let n = target;
    let t = target;
    while (n) {
      path.push({ node: n, target: t });
      const p = n.parent;
      if (p) {
        const slot = composed && p.comp && p.comp.kind === 'component' ? view.slotOf(p, n) : null;
        if (slot && view.assigned(slot).includes(n)) {
          // Into the component's shadow tree at the slot showing `n`; back out at its host.
          targets.push(t);
          t = slot;
          n = slot;
        } else {
          n = p;
        }
        continue;
      }
      const v = n.owner;
      if (!composed || !v || v.kind !== 'component' || !v.host) break;
      n = v.host;
      t = targets.length ? targets.pop() : n;
    }
    return path;
  }
  view.eventPath = eventPath;

  const targetInfo = (n) => ({ id: n.id || '', offsetLeft: 0, offsetTop: 0, dataset: Object.assign({}, n.dataset) });

  function markOf(path, upto) {
    const mark = {};
    for (let i = upto; i >= 0; i--) Object.assign(mark, path[i].node.marks);
    return mark;
  }

  function pageOpenedAt(node) {
    const v = node.owner;
    const page = v && v.page;
    return (page && page.openedAt) || 0;
  }

  // A WXS handler's view of a node (ComponentDescriptor), with what tests can observe.
  function descriptor(node) {
    const comp = node && node.comp && node.comp.kind === 'component' ? node.comp : null;
    const owner = comp || (node && node.owner);
    const state = owner ? owner.wxsState || (owner.wxsState = {}) : {};
    return {
      selectComponent: (sel) => (owner ? view.selectComponents(owner, sel, true, null) : null),
      selectAllComponents: (sel) => (owner ? view.selectComponents(owner, sel, false, null) : []),
      callMethod: (name, args) => owner && owner.inst && typeof owner.inst[name] === 'function' ? owner.inst[name](args) : undefined,
      triggerEvent: (name, detail, o) => owner && owner.host && view.dispatch(owner.host, name, Object.assign({ detail }, o)),
      setStyle: (s) => { node.style = typeof s === 'string' ? s : Object.keys(s || {}).map((k) => `${k}:${s[k]}`).join(';'); return descriptor(node); },
      addClass: (c) => { if (!view.classList(node).includes(c)) node.cls = (node.cls ? node.cls + ' ' : '') + c; return descriptor(node); },
      removeClass: (c) => { node.cls = view.classList(node).filter((x) => x !== c).join(' '); return descriptor(node); },
      hasClass: (c) => view.classList(node).includes(c),
      getDataset: () => Object.assign({}, node.dataset),
      getState: () => state,
      requestAnimationFrame: (fn) => setTimeout(fn, 16),
      getComputedStyle: () => ({}),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (id) => clearTimeout(id),
    };
  }

  function invoke(node, listener, event) {
    const value = listener.value;
    if (typeof value === 'function') {
      event.instance = descriptor(event.__node);
      return internal.safeCall(value, undefined, [event, descriptor(node.owner && node.owner.host ? node.owner.host : node)], `WXS handler of ${event.type}`);
    }
    const name = view.toText(value);
    if (!name) return undefined;
    const owner = node.owner;
    const inst = owner && owner.inst;
    const fn = inst && inst[name];
    if (typeof fn !== 'function') {
      internal.warnOnce(`handler:${owner && owner.is}:${name}`, `Component "${owner ? owner.is : '?'}" does not have a method "${name}" to handle event "${event.type}".`);
      return undefined;
    }
    return internal.callComponent(inst, fn, [event], `${owner.is}.${name} (${event.type} event)`);
  }

  // Fires `type` at `target`; returns the last value a handler returned.
  view.dispatch = function (target, type, o) {
    o = o || {};
    const path = eventPath(target, !!o.composed);
    const now = Date.now() - pageOpenedAt(target);
    let stopped = false;
    let mutDone = false;
    let result;
    const run = (i, capture) => {
      const { node, target: t } = path[i];
      if (!node.listeners) return;
      for (const l of node.listeners) {
        if (l.type !== type || !!(l.flags & CAPTURE) !== capture) continue;
        if (l.flags & MUT && mutDone) continue;
        const event = {
          type,
          timeStamp: Math.max(0, Math.round(now)),
          target: targetInfo(t),
          currentTarget: targetInfo(node),
          mark: markOf(path, i),
          detail: o.detail === undefined ? {} : o.detail,
        };
        if (o.touches) {
          event.touches = o.touches;
          event.changedTouches = o.changedTouches || o.touches;
        }
        if (mutDone) event.mut = true;
        Object.defineProperty(event, '__node', { value: t, enumerable: false });
        const r = invoke(node, l, event);
        if (r !== undefined) result = r;
        if (l.flags & MUT) mutDone = true;
        if (l.flags & CATCH) stopped = true;
      }
    };
    if (o.capturePhase) for (let i = path.length - 1; i >= 0 && !stopped; i--) run(i, true);
    const last = o.bubbles ? path.length : Math.min(1, path.length);
    for (let i = 0; i < last && !stopped; i++) run(i, false);
    return result;
  };

  internal.instanceBase.triggerEvent = function (name, detail, options) {
    const v = this.__ftView;
    if (!v || !v.host || v.kind !== 'component') return;
    const o = options || {};
    view.dispatch(v.host, String(name), { detail, bubbles: !!o.bubbles, composed: !!o.composed, capturePhase: !!o.capturePhase });
  };

  // ---- gestures --------------------------------------------------------------------------
  const touch = (o) => {
    const x = (o && o.x) || 0;
    const y = (o && o.y) || 0;
    return { identifier: 0, pageX: x, pageY: y, clientX: x, clientY: y, force: 1 };
  };
  function gesture(node, type, o, detail) {
    const touches = (o && o.touches) || [touch(o)];
    return view.dispatch(node, type, {
      bubbles: true, composed: true, capturePhase: true,
      touches: type === 'touchend' || type === 'touchcancel' ? [] : touches,
      changedTouches: (o && o.changedTouches) || touches,
      detail: detail === undefined ? (type === 'tap' || type === 'longpress' ? { x: touches[0] ? touches[0].pageX : 0, y: touches[0] ? touches[0].pageY : 0 } : {}) : detail,
    });
  }
  const hasListener = (node, type) => eventPath(node, true).some((e) => e.node.listeners && e.node.listeners.some((l) => l.type === type));
  const inert = (node) => ['button', 'checkbox', 'radio', 'switch'].includes(node.tag) && view.disabled(node);

  // A tap as a finger does it: touchstart, touchend, tap, then what the component does.
  view.tap = function (node, o) {
    if (inert(node)) return;
    gesture(node, 'touchstart', o);
    gesture(node, 'touchend', o);
    gesture(node, 'tap', o);
    view.tapAction(node);
  };
  // A press held 350 ms: longpress fires, and a tap only when nothing handles longpress.
  view.longpress = function (node, o) {
    if (inert(node)) return;
    gesture(node, 'touchstart', o);
    gesture(node, 'longpress', o);
    const handled = hasListener(node, 'longpress');
    gesture(node, 'longtap', o);
    gesture(node, 'touchend', o);
    if (!handled) {
      gesture(node, 'tap', o);
      view.tapAction(node);
    }
  };
  view.touch = (node, type, o) => gesture(node, type, o, o && o.detail);
  // A component event a user's action would cause (picker change...): no state changes.
  view.trigger = (node, type, detail) => view.dispatch(node, type, { detail, bubbles: false, composed: false });
})
