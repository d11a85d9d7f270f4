// Component relations (parent/child, ancestor/descendant): linked when the child side is
// attached, unlinked when it is detached, other end's callback first, as WeChat does; and
// getTabBar() for a custom tab bar.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  const OPPOSITE = { parent: 'child', child: 'parent', ancestor: 'descendant', descendant: 'ancestor' };

  // Relations of `v` as [key, spec, resolved path].
  function relationsOf(v) {
    const rel = v.norm && v.norm.relations;
    if (!rel) return [];
    return Object.keys(rel).map((key) => {
      const target = key.startsWith('/') ? key.slice(1) : internal.normalize((v.dir ? v.dir + '/' : '') + key);
      return [key, rel[key] || {}, target && target.replace(/\.(js|ts)$/, '')];
    });
  }
  // Whether relation `r` of one side names view `other`.
  const names = (r, other) => (r[1].target ? other.norm && other.norm.behaviors.has(r[1].target) : r[2] === other.is);

  const up = (v) => {
    const host = v.host;
    let n = host && (host.parent || (host.owner && host.owner.kind === 'component' ? host.owner.host : null));
    while (n) {
      if (n.comp && n.comp.kind === 'component') return n.comp;
      n = n.parent || (n.owner && n.owner.kind === 'component' ? n.owner.host : null);
    }
    return null;
  };

  function fire(v, r, other, what) {
    let fn = r[1][what];
    if (typeof fn === 'string') fn = v.inst[fn];
    internal.safeCall(fn, v.inst, [other.inst], `Component[${v.is}].relations['${r[0]}'].${what}`);
  }

  function link(child, cr, parent, pr) {
    (child.links || (child.links = [])).push({ rel: cr, other: parent });
    (parent.links || (parent.links = [])).push({ rel: pr, other: child });
    fire(parent, pr, child, 'linked');
    fire(child, cr, parent, 'linked');
  }

  view.linkRelations = function (v) {
    for (const r of relationsOf(v)) {
      const type = r[1].type;
      if (type !== 'parent' && type !== 'ancestor') continue;
      for (let a = up(v); a; a = up(a)) {
        const back = names(r, a) && relationsOf(a).find((ar) => ar[1].type === OPPOSITE[type] && names(ar, v));
        if (back) {
          link(v, r, a, back);
          break;
        }
        if (type === 'parent') break;
      }
    }
  };

  view.unlinkRelations = function (v) {
    for (const l of v.links || []) {
      const other = l.other;
      const back = (other.links || []).find((x) => x.other === v);
      if (!back) continue;
      other.links = other.links.filter((x) => x !== back);
      fire(other, back.rel, v, 'unlinked');
      fire(v, l.rel, other, 'unlinked');
    }
    v.links = [];
  };

  view.relationNodes = function (inst, key) {
    const v = inst.__ftView;
    if (!v || !v.links) return [];
    return v.links.filter((l) => l.rel[0] === key).map((l) => l.other.inst);
  };

  // The custom tab bar (app.json tabBar.custom) of a page: one instance per page, on its own.
  internal.instanceBase.getTabBar = function () {
    const info = internal.launchInfo && internal.launchInfo.appJson;
    if (!info || !info.tabBar || !info.tabBar.custom) return null;
    const pv = this.__ftView && this.__ftView.page;
    if (!pv) return null;
    if (pv.tabBar === undefined) {
      pv.tabBar = null;
      if (native.fileKind('custom-tab-bar/index.js') === 1 || native.fileKind('custom-tab-bar/index.ts') === 1) {
        pv.tabBar = internal.mountComponent('/custom-tab-bar/index', {});
      }
    }
    return pv.tabBar;
  };
})
