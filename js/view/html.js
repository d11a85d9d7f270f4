// `ftrun render --html/--png`: the composed page tree as HTML the way WeChat's web view holds it:
// built-in components as `wx-*` elements (their default looks are assets/render/wechat.css),
// custom components under their own tag with their shadow content, classes with their
// isolation prefixes, `rpx` in inline styles as `vw`. Which stylesheets apply (the page's and
// each component's, with its prefix) goes with it; src/view/html.rs compiles them and makes
// the document. Loaded on first use.
(function (native, internal) {
  'use strict';
  const view = internal.view;
  view.need('serialize');
  view.need('builtins');

  const esc = view.escapeText;
  const escAttr = view.escapeAttr;
  // Boolean attributes as the built-ins' state has them (builtins.js: JS truthiness).
  const truthy = view.truthy;
  const text = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));

  // Attributes that become HTML attributes as they are (WXSS attribute selectors match them).
  const KEPT = new Set(['type', 'size', 'mode', 'plain', 'disabled', 'checked', 'hover-class', 'placeholder', 'open-type', 'loading']);

  view.pageHtml = function (pv) {
    const sheets = [];
    const seen = new Set();
    const sheet = (v) => {
      const path = String(v.is).replace(/^\//, '') + '.wxss';
      const prefix = v.kind === 'page' ? '' : v.isolation === 'shared' ? '' : v.prefix;
      const key = path + '\n' + prefix;
      if (!seen.has(key)) { seen.add(key); sheets.push({ path, prefix }); }
    };
    const out = [];
    element(pv.host, out, sheet);
    // A tab page shows its custom tab bar whether or not the page asked for it (getTabBar).
    const appJson = internal.launchInfo && internal.launchInfo.appJson;
    const tabs = appJson && appJson.tabBar && appJson.tabBar.custom && appJson.tabBar.list;
    const route = pv.inst && pv.inst.route;
    if (pv.tabBar === undefined && Array.isArray(tabs) && tabs.some((t) => String(t.pagePath || '').replace(/^\//, '') === route)) {
      view.need('relations');
      pv.inst.getTabBar();
    }
    let tabBar = null;
    if (pv.tabBar && pv.tabBar.__ftView) {
      const bar = [];
      element(pv.tabBar.__ftView.host, bar, sheet);
      tabBar = bar.join('');
    }
    sheet(pv);
    return { body: out.join(''), sheets, tabBar };
  };

  function element(node, out, sheet) {
    if (node.isText) {
      out.push(esc(node.text));
      return;
    }
    if (node.comp) sheet(node.comp);
    const builtin = !node.comp || node.tag === 'page';
    // A component named like an HTML element (`ul`, `header`) must not become one.
    const name = builtin ? 'wx-' + node.tag : node.tag.includes('-') ? node.tag : 'ftrun-' + node.tag;
    const attrs = [];
    for (const [k, v] of view.attributes(node)) {
      if (k === 'style') attrs.push(['style', native.rpxToVw(text(v))]);
      else if (k === 'id' || k === 'class' || k.startsWith('data-')) attrs.push([k, text(v)]);
      else if (k === 'hidden') attrs.push(['hidden', true]);
      else if (builtin && KEPT.has(k) && truthy(v)) attrs.push([k, v === true ? true : text(v)]);
    }
    if (node.placeholder) attrs.push(['data-ftrun-placeholder', node.tag]);
    let open = '<' + name;
    for (const [k, v] of attrs) open += v === true ? ` ${k}` : ` ${k}="${escAttr(v)}"`;
    out.push(open + '>');
    const inner = builtin && BUILTINS[node.tag];
    if (inner) inner(node, out, sheet);
    else children(node, out, sheet);
    out.push(`</${name}>`);
  }

  const prop = (node, name) => view.prop(node, name);
  function children(node, out, sheet) {
    for (const c of view.composedChildren(node)) element(c, out, sheet);
  }

  // What a built-in shows inside its element, beyond its children.
  const BUILTINS = {
    image(node, out) {
      const src = text(prop(node, 'src'));
      const mode = text(prop(node, 'mode')) || 'scaleToFill';
      const url = src ? native.renderAsset(src, node.owner ? node.owner.dir : '') : '';
      if (url) out.push(`<img src="${escAttr(url)}" data-mode="${escAttr(mode)}" alt="">`);
    },
    input(node, out) {
      const value = text(prop(node, 'value'));
      if (value) out.push(`<span class="wx-input-value">${esc(prop(node, 'password') ? '•'.repeat(value.length) : value)}</span>`);
      else out.push(`<span class="wx-input-placeholder">${esc(text(prop(node, 'placeholder')))}</span>`);
    },
    textarea(node, out) {
      const value = text(prop(node, 'value'));
      if (value) out.push(`<span class="wx-input-value">${esc(value)}</span>`);
      else out.push(`<span class="wx-input-placeholder">${esc(text(prop(node, 'placeholder')))}</span>`);
    },
    switch(node, out) {
      const on = truthy(prop(node, 'checked'));
      const color = text(prop(node, 'color')) || '#04BE02';
      out.push(`<span class="wx-switch-input${on ? ' wx-switch-input-checked' : ''}"${on ? ` style="background-color:${escAttr(color)};border-color:${escAttr(color)}"` : ''}></span>`);
    },
    checkbox(node, out, sheet) {
      const on = truthy(prop(node, 'checked'));
      out.push(`<span class="wx-checkbox-input${on ? ' wx-checkbox-input-checked' : ''}" style="color:${escAttr(text(prop(node, 'color')) || '#09BB07')}"></span>`);
      children(node, out, sheet);
    },
    radio(node, out, sheet) {
      const on = truthy(prop(node, 'checked'));
      const color = text(prop(node, 'color')) || '#09BB07';
      out.push(`<span class="wx-radio-input${on ? ' wx-radio-input-checked' : ''}"${on ? ` style="background-color:${escAttr(color)};border-color:${escAttr(color)}"` : ''}></span>`);
      children(node, out, sheet);
    },
    icon(node, out) {
      const type = text(prop(node, 'type'));
      const size = Number(prop(node, 'size')) || 23;
      const color = text(prop(node, 'color'));
      out.push(`<span class="wx-icon-${escAttr(type)}" style="width:${size}px;height:${size}px${color ? `;background-color:${escAttr(color)}` : ''}"></span>`);
    },
    progress(node, out) {
      const percent = Math.max(0, Math.min(100, Number(prop(node, 'percent')) || 0));
      const color = text(prop(node, 'activeColor') || prop(node, 'active-color') || prop(node, 'color')) || '#09BB07';
      out.push(`<span class="wx-progress-bar"><span style="width:${percent}%;background-color:${escAttr(color)}"></span></span>`);
    },
    slider(node, out) {
      const min = Number(prop(node, 'min')) || 0;
      const max = Number(prop(node, 'max')) || 100;
      const value = Number(prop(node, 'value')) || 0;
      const percent = max > min ? ((value - min) / (max - min)) * 100 : 0;
      out.push(`<span class="wx-slider-track"><span style="width:${percent}%"></span></span>`);
    },
    // Only the current item shows, as on a phone before any swipe.
    swiper(node, out, sheet) {
      const current = Number(prop(node, 'current')) || 0;
      let i = 0;
      for (const c of view.composedChildren(node)) {
        if (c.isText) continue;
        if (c.tag === 'swiper-item' && i++ !== current) continue;
        element(c, out, sheet);
      }
    },
  };
})
