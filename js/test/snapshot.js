// Snapshots as Jest keeps them: `toMatchSnapshot`, `toMatchInlineSnapshot`,
// `toThrowErrorMatchingSnapshot` (and inline), property matchers, `__snapshots__/<file>.snap`
// in Jest's format with Jest's pretty-format output, `-u` and `--ci`, obsolete snapshots.
// Rendered trees print as markup: simulate's toJSON() trees, automator elements as WXML.
(function (native, internal) {
  'use strict';

  // ---- pretty-format, as Jest 29 prints snapshots ----------------------------------------
  // (printBasicPrototype off, printFunctionName off, escapeRegex on, escapeString off, keys
  // sorted, trailing commas, two-space indent.)
  const plugins = [];
  internal.snapshotPlugins = plugins;
  const JC = Symbol.for('j-component.json');

  function printKey(k) {
    return typeof k === 'symbol' ? k.toString() : JSON.stringify(String(k)).replace(/\\"/g, '"').replace(/^"|"$/g, '"');
  }
  function printString(s) { return `"${s}"`; }
  const regexEscape = (re) => {
    const src = re.source.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
    return `/${src}/${re.flags}`;
  };
  function format(v, indent, seen) {
    for (const p of plugins) if (p.test(v)) return p.print(v, (x) => format(x, indent + '  ', seen), indent);
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    switch (typeof v) {
      case 'string': return printString(v);
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return `${v}n`;
      case 'boolean': return String(v);
      case 'symbol': return v.toString();
      case 'function':
        if (v._isMockFunction) return printMock(v, indent, seen);
        return '[Function]';
      default: break;
    }
    if (internal.isAsymmetric && internal.isAsymmetric(v)) return v.label;
    if (seen.includes(v)) return '[Circular]';
    if (v instanceof Date) return isNaN(v) ? 'Date { NaN }' : v.toISOString();
    if (v instanceof RegExp) return regexEscape(v);
    if (v instanceof Error) return `[${v.name || 'Error'}: ${v.message}]`;
    const inner = indent + '  ';
    const next = seen.concat([v]);
    const block = (open, items, close) => (items.length ? `${open}\n${items.map((x) => inner + x + ',').join('\n')}\n${indent}${close}` : `${open}${close}`);
    if (Array.isArray(v)) return block('[', v.map((x) => format(x, inner, next)), ']');
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return block(`${v.constructor.name} [`, Array.from(v).map((x) => format(x, inner, next)), ']');
    if (v instanceof Map) return block('Map {', Array.from(v).map(([k, x]) => `${format(k, inner, next)} => ${format(x, inner, next)}`), '}');
    if (v instanceof Set) return block('Set {', Array.from(v).map((x) => format(x, inner, next)), '}');
    if (Object.prototype.toString.call(v) === '[object Arguments]') return block('Arguments [', Array.from(v).map((x) => format(x, inner, next)), ']');
    const proto = Object.getPrototypeOf(v);
    const name = proto === null ? 'Object ' : proto === Object.prototype ? '' : `${(v.constructor && v.constructor.name) || 'Object'} `;
    const keys = Object.keys(v).sort().concat(Object.getOwnPropertySymbols(v).filter((s) => Object.getOwnPropertyDescriptor(v, s).enumerable));
    return block(`${name}{`, keys.map((k) => `${printKey(k)}: ${format(v[k], inner, next)}`), '}');
  }
  function printMock(fn, indent, seen) {
    const calls = fn.mock && fn.mock.calls ? fn.mock.calls : [];
    const head = fn.getMockName && fn.getMockName() !== 'jest.fn()' ? `[MockFunction ${fn.getMockName()}]` : '[MockFunction]';
    if (!calls.length) return head;
    const body = { calls, results: fn.mock.results };
    return `${head} ${format(body, indent, seen)}`;
  }
  const prettyFormat = (v) => format(v, '', []);
  internal.prettyFormat = prettyFormat;

  // simulate's toJSON() trees (its jest-snapshot-plugin): markup, attributes sorted, non-string
  // values as "{{...}}", then the events.
  function printMarkupTree(node, printValue, indent) {
    const inner = indent + '  ';
    const attrs = node.attrs.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((a) => `${a.name}=${typeof a.value === 'string' ? `"${a.value}"` : `"{{${printValue(a.value)}}}"`}`);
    const events = Object.keys(node.event || {}).sort().map((k) => {
      const e = node.event[k];
      return `${e.isCapture ? 'capture-' : ''}${e.isMutated ? 'mut-' : ''}${e.isCatch ? 'catch' : 'bind'}:${e.name}="${e.handler}"`;
    });
    const props = attrs.concat(events);
    const open = props.length ? `<${node.tagName}\n${props.map((p) => inner + p).join('\n')}\n${indent}` : `<${node.tagName}`;
    if (!node.children.length) return `${open}/>`;
    const kids = node.children.map((c) => (typeof c === 'string' ? inner + c : inner + printMarkupTree(c, printValue, inner)));
    return `${open}>\n${kids.join('\n')}\n${indent}</${node.tagName}>`;
  }
  plugins.push({
    test: (v) => v !== null && typeof v === 'object' && v.$$typeof === JC,
    print: (v, printValue, indent) => printMarkupTree(v, printValue, indent),
  });
  internal.simulateSnapshotPlugin = {
    test: (v) => v !== null && typeof v === 'object' && v.$$typeof === JC,
    serialize: (v, config, indentation) => printMarkupTree(v, prettyFormat, indentation || ''),
    print: (v) => printMarkupTree(v, prettyFormat, ''),
  };
  // expect.addSnapshotSerializer(plugin): pretty-format plugins (`test` and `serialize`/`print`).
  internal.addSnapshotSerializer = (p) => {
    if (!p || typeof p.test !== 'function') throw new TypeError('addSnapshotSerializer: a plugin has test() and serialize() or print()');
    plugins.unshift({
      test: p.test,
      print: (v, printValue, indent) => (typeof p.serialize === 'function'
        ? p.serialize(v, { indent: '  ', spacingOuter: '\n', spacingInner: ' ' }, indent, 0, [], (x) => printValue(x))
        : p.print(v, printValue, (s) => s)),
    });
  };

  // ---- the file's snapshots ---------------------------------------------------------------
  const HEADER = '// Jest Snapshot v1, https://goo.gl/fbAQLP';
  const addBreaks = (s) => (s.includes('\n') ? `\n${s}\n` : s);
  const backtick = (s) => '`' + s.replace(/`|\\|\$\{/g, '\\$&') + '`';
  function naturalCompare(a, b) {
    const re = /(\d+)|(\D+)/g;
    const pa = String(a).match(re) || [];
    const pb = String(b).match(re) || [];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const x = pa[i];
      const y = pb[i];
      if (x === y) continue;
      const nx = /^\d/.test(x);
      const ny = /^\d/.test(y);
      if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
      return x < y ? -1 : 1;
    }
    return pa.length - pb.length;
  }

  const state = {
    options: { update: false, ci: false, filtered: false },
    data: null, // key -> stored text (loaded on first use)
    existed: false,
    counters: new Map(),
    checked: new Set(),
    counts: { added: 0, matched: 0, unmatched: 0, updated: 0 },
    dirty: false,
    inline: [], // { line, column, text, matchers }
  };
  const snapPath = () => {
    const f = internal.testFile.file;
    const dir = internal.dirname(f);
    return `${dir ? dir + '/' : ''}__snapshots__/${f.split('/').pop()}.snap`;
  };
  function load() {
    if (state.data) return state.data;
    state.data = Object.create(null);
    const text = native.snapshotRead(snapPath());
    if (text !== null && text !== undefined) {
      state.existed = true;
      const exports = Object.create(null);
      try {
        new Function('exports', text)(exports);
      } catch (e) {
        throw new Error(`${snapPath()}: cannot read the snapshot file: ${e.message}`);
      }
      for (const k of Object.keys(exports)) state.data[k] = exports[k];
    }
    return state.data;
  }

  internal.snapshotBegin = (options) => { Object.assign(state.options, options || {}); };
  internal.snapshotTestBegin = () => {};

  // The next key for the running test: "describe test[: hint] N".
  function nextKey(hint) {
    const name = internal.currentTestName || '';
    const base = hint ? `${name}: ${hint}` : name;
    const n = (state.counters.get(base) || 0) + 1;
    state.counters.set(base, n);
    return `${base} ${n}`;
  }

  // What a snapshot shows for `value` with `matchers` (property matchers) in place.
  function withMatchers(value, matchers) {
    if (!matchers || typeof value !== 'object' || value === null) return value;
    const out = Array.isArray(value) ? value.slice() : Object.assign(Object.create(Object.getPrototypeOf(value)), value);
    for (const k of Object.keys(matchers)) {
      const m = matchers[k];
      out[k] = m !== null && typeof m === 'object' && !(internal.isAsymmetric && internal.isAsymmetric(m)) && typeof value[k] === 'object' ? withMatchers(value[k], m) : m;
    }
    return out;
  }
  function matcherFailure(name, matchers, value) {
    return `expect(received).${name}(properties)\n\n${internal.matcherText.diff(matchers, value)}`;
  }

  function snapshotDiff(stored, received) {
    const a = stored.split('\n');
    const b = received.split('\n');
    const lines = lcsDiff(a, b);
    const minus = lines.filter((l) => l[0] === '-').length;
    const plus = lines.filter((l) => l[0] === '+').length;
    return `- Snapshot  - ${minus}\n+ Received  + ${plus}\n\n${lines.join('\n')}`;
  }
  function lcsDiff(a, b) {
    if (a.length * b.length > 250000) return a.map((l) => '- ' + l).concat(b.map((l) => '+ ' + l));
    const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    const out = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) { out.push('  ' + a[i]); i++; j++; }
      else if (i < a.length && (j >= b.length || dp[i + 1][j] >= dp[i][j + 1])) { out.push('- ' + a[i]); i++; }
      else { out.push('+ ' + b[j]); j++; }
    }
    return out;
  }

  // toMatchSnapshot(propertyMatchers?, hint?)
  function matchSnapshot(name, received, args, not) {
    if (not) return [true, () => `${name} cannot be used with .not`];
    let matchers = null;
    let hint = '';
    if (args.length && typeof args[0] === 'object' && args[0] !== null) {
      matchers = args[0];
      hint = args[1] || '';
    } else if (args.length) {
      hint = typeof args[0] === 'string' ? args[0] : '';
    }
    if (matchers && !internal.matchesObject(received, matchers)) return [false, () => matcherFailure(name, matchers, received)];
    const key = nextKey(hint);
    state.checked.add(key);
    const data = load();
    const text = addBreaks(prettyFormat(withMatchers(received, matchers)));
    const stored = data[key];
    if (stored === undefined) {
      if (state.options.ci && !state.options.update) {
        return [false, () => `expect(received).${name}()\n\nNew snapshot was not written. The update flag must be explicitly passed to write a new snapshot (--ci).\n\nSnapshot name: \`${key}\`\n\nReceived: ${prettyFormat(received)}`];
      }
      data[key] = text;
      state.counts.added++;
      state.dirty = true;
      return [true, () => ''];
    }
    if (stored === text) {
      state.counts.matched++;
      return [true, () => ''];
    }
    if (state.options.update) {
      data[key] = text;
      state.counts.updated++;
      state.dirty = true;
      return [true, () => ''];
    }
    state.counts.unmatched++;
    return [false, () => `expect(received).${name}(${hint ? JSON.stringify(hint) : ''})\n\nSnapshot name: \`${key}\`\n\n${snapshotDiff(stored.replace(/^\n|\n$/g, ''), text.replace(/^\n|\n$/g, ''))}`];
  }

  // An inline snapshot as written, without the indentation the file added.
  function stripIndentation(s) {
    const lines = s.split('\n');
    if (lines.length < 3 || lines[0].trim() !== '' || lines[lines.length - 1].trim() !== '') return s;
    const body = lines.slice(1, -1);
    const pad = Math.min(...body.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
    return body.map((l) => l.slice(pad)).join('\n');
  }
  // toMatchInlineSnapshot(propertyMatchers?, inline?)
  function matchInline(name, received, args, not, location) {
    if (not) return [true, () => `${name} cannot be used with .not`];
    let matchers = null;
    let inline;
    if (args.length && typeof args[0] === 'object' && args[0] !== null) {
      matchers = args[0];
      inline = args[1];
    } else {
      inline = args[0];
    }
    if (matchers && !internal.matchesObject(received, matchers)) return [false, () => matcherFailure(name, matchers, received)];
    const text = prettyFormat(withMatchers(received, matchers));
    const key = nextKey('');
    state.checked.add(key);
    const at = location && /:(\d+):(\d+)$/.exec(location);
    const record = () => { if (at) state.inline.push({ line: +at[1], column: +at[2], text, matchers: !!matchers }); };
    if (inline === undefined) {
      if (state.options.ci && !state.options.update) return [false, () => `expect(received).${name}()\n\nNew snapshot was not written (--ci).\n\nReceived: ${text}`];
      record();
      state.counts.added++;
      return [true, () => ''];
    }
    const stored = stripIndentation(String(inline));
    if (stored === text) {
      state.counts.matched++;
      return [true, () => ''];
    }
    if (state.options.update) {
      record();
      state.counts.updated++;
      return [true, () => ''];
    }
    state.counts.unmatched++;
    return [false, () => `expect(received).${name}()\n\nSnapshot name: \`${key}\`\n\n${snapshotDiff(stored, text)}`];
  }

  const thrownOf = (r, thrown) => {
    if (thrown !== undefined) return { threw: true, error: thrown };
    if (typeof r !== 'function') return { threw: false };
    try { r(); return { threw: false }; } catch (e) { return { threw: true, error: e }; }
  };
  const errorText = (e) => (e && typeof e === 'object' && 'message' in e ? e.message : String(e));

  const m = internal.matchers;
  m.toMatchSnapshot = (r, e, not, args) => matchSnapshot('toMatchSnapshot', r, args, not);
  m.toMatchInlineSnapshot = (r, e, not, args, thrown, location) => matchInline('toMatchInlineSnapshot', r, args, not, location);
  m.toThrowErrorMatchingSnapshot = (r, e, not, args, thrown) => {
    const t = thrownOf(r, thrown);
    if (!t.threw) return [false, () => 'expect(received).toThrowErrorMatchingSnapshot()\n\nReceived function did not throw'];
    return matchSnapshot('toThrowErrorMatchingSnapshot', errorText(t.error), args, not);
  };
  m.toThrowErrorMatchingInlineSnapshot = (r, e, not, args, thrown, location) => {
    const t = thrownOf(r, thrown);
    if (!t.threw) return [false, () => 'expect(received).toThrowErrorMatchingInlineSnapshot()\n\nReceived function did not throw'];
    return matchInline('toThrowErrorMatchingInlineSnapshot', errorText(t.error), args, not, location);
  };

  // After the file's last test: the .snap file written (or removed), inline snapshots put in
  // the test file, and the counts for the summary.
  internal.snapshotFinish = function () {
    const data = state.data;
    const obsolete = [];
    if (!state.options.filtered) {
      const stored = data || (native.snapshotRead(snapPath()) !== null ? load() : null);
      if (stored) for (const k of Object.keys(stored)) if (!state.checked.has(k)) obsolete.push(k);
    }
    let removed = 0;
    let fileRemoved = false;
    if (state.options.update && obsolete.length) {
      for (const k of obsolete) delete state.data[k];
      removed = obsolete.length;
      state.dirty = true;
    }
    if (state.dirty && state.data) {
      const keys = Object.keys(state.data).sort(naturalCompare);
      if (!keys.length) {
        native.snapshotRemove(snapPath());
        fileRemoved = state.existed;
      } else {
        const body = keys.map((k) => `exports[${backtick(k)}] = ${backtick(state.data[k])};`).join('\n\n');
        native.snapshotWrite(snapPath(), `${HEADER}\n\n${body}\n`);
      }
    }
    if (state.inline.length) native.inlineSnapshotsWrite(internal.testFile.file, JSON.stringify(state.inline));
    const c = state.counts;
    native.snapshotSummary(JSON.stringify({
      added: c.added, matched: c.matched, unmatched: c.unmatched, updated: c.updated,
      obsolete: state.options.update ? 0 : obsolete.length, removed, fileAdded: !state.existed && state.dirty && !fileRemoved && !!state.data && Object.keys(state.data).length > 0, fileRemoved,
      obsoleteKeys: state.options.update ? [] : obsolete,
    }));
  };
})
