// The tree as text: what a node shows (automator's text()), WXML (wxml(), outerWxml(),
// `ftrun render`) and JSON (`ftrun render --json`). Loaded on first use.
(function (native, internal) {
  'use strict';
  const view = internal.view;

  // ---- text as shown ----------------------------------------------------------------------
  const INLINE = new Set(['text', 'label', 'icon', 'image', 'button', 'switch', 'checkbox', 'radio', 'input', 'textarea', 'slider', 'progress', 'rich-text']);
  view.isHidden = (n) => !n.isText && !!n.attrs.hidden;

  // The text a node shows (as automator's text(), the DOM innerText): hidden nodes left out,
  // block elements on lines of their own, whitespace collapsed except inside <text>.
  view.textOf = function (node) {
    const parts = [];
    walkText(node, parts, node.tag === 'text');
    return parts.join('').replace(/ *\n */g, '\n').replace(/\n{2,}/g, '\n').replace(/^\n+|\n+$/g, '').replace(/^ +| +$/g, '');
  };
  function walkText(node, out, pre) {
    if (node.isText) {
      out.push(pre ? node.text : node.text.replace(/\s+/g, ' '));
      return;
    }
    if (view.isHidden(node)) return;
    if (node.tag === 'input' || node.tag === 'textarea') return;
    // Custom component nodes are inline (WeChat gives them no display of their own).
    const block = !INLINE.has(node.tag) && !node.comp && !node.placeholder;
    if (block) out.push('\n');
    const inPre = pre || node.tag === 'text';
    for (const c of view.composedChildren(node)) walkText(c, out, inPre);
    if (block) out.push('\n');
  }

  // ---- serialisation ----------------------------------------------------------------------
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const escAttr = (s) => esc(s).replace(/"/g, '&quot;');
  view.escapeText = esc;
  view.escapeAttr = escAttr;

  function attrValue(v) {
    if (typeof v === 'string') return v;
    if (v === undefined) return '';
    let json;
    try { json = JSON.stringify(v); } catch (_) { json = String(v); }
    return `{{${json === undefined ? String(v) : json}}}`;
  }
  // The attributes a node shows, in a stable order: id, class, style, then as written.
  view.attributes = function (node) {
    const out = [];
    if (node.id) out.push(['id', node.id]);
    const cls = view.domClass(node);
    if (cls) out.push(['class', cls]);
    if (node.style) out.push(['style', String(node.style)]);
    for (const name in node.attrs) {
      const v = node.attrs[name];
      if (v === undefined || v === null || (name === 'hidden' && !v)) continue;
      out.push([name, v]);
    }
    for (const k in node.dataset) out.push(['data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), node.dataset[k]]);
    return out;
  }
  function openTag(node) {
    let s = '<' + node.tag;
    for (const [name, v] of view.attributes(node)) s += v === true ? ` ${name}` : ` ${name}="${escAttr(attrValue(v))}"`;
    return s;
  }
  const showText = (node) => node.text.trim();

  // Compact WXML of a node's composed content (automator's wxml()) or of the node itself.
  view.innerWxml = function (node) {
    return view.composedChildren(node).map(view.outerWxml).join('');
  };
  view.outerWxml = function (node) {
    if (node.isText) return esc(node.text);
    return `${openTag(node)}>${view.innerWxml(node)}</${node.tag}>`;
  };

  // Indented WXML for `ftrun render`: one node per line, text trimmed, empty text left out.
  view.printTree = function (node) {
    const lines = [];
    print(node, '', lines);
    return lines.join('\n');
  };
  function print(node, indent, lines) {
    if (node.isText) {
      const t = showText(node);
      if (t) lines.push(indent + esc(t).replace(/\n\s*/g, '\n' + indent));
      return;
    }
    const kids = view.composedChildren(node);
    const texts = kids.filter((k) => !k.isText || showText(k));
    if (!texts.length) { lines.push(`${openTag(node)}></${node.tag}>`.replace(/^/, indent)); return; }
    if (texts.length === 1 && texts[0].isText && !showText(texts[0]).includes('\n')) {
      lines.push(`${indent}${openTag(node)}>${esc(showText(texts[0]))}</${node.tag}>`);
      return;
    }
    lines.push(`${indent}${openTag(node)}>`);
    for (const k of texts) print(k, indent + '  ', lines);
    lines.push(`${indent}</${node.tag}>`);
  }

  // The composed tree as JSON: { tag, attrs, children } with text as strings.
  view.toJSON = function (node) {
    if (node.isText) return showText(node);
    const attrs = {};
    for (const [k, v] of view.attributes(node)) attrs[k] = v;
    const children = view.composedChildren(node).map(view.toJSON).filter((c) => c !== '');
    const out = { tag: node.tag, attrs, children };
    if (node.comp && node.tag !== 'page') out.component = node.comp.is;
    return out;
  };
})
