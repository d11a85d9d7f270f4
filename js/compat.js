// What the engines WeChat runs on (V8, JavaScriptCore) have and QuickJS lacks, that real
// bundles use: RegExp's legacy static properties (Annex B: `RegExp.$1`-`$9`, `lastMatch`,
// `input`, ...), filled from the last successful match of any regular expression, and
// grouped digits from Number#toLocaleString.
(function (native, internal) {
  'use strict';
  const nativeExec = RegExp.prototype.exec;
  let last = null; // the last successful match (its array, with .index and .input)
  Object.defineProperty(RegExp.prototype, 'exec', {
    value: function exec(text) {
      const m = nativeExec.call(this, text);
      if (m !== null) last = m;
      return m;
    },
    writable: true,
    configurable: true,
  });
  const legacy = (get) => ({ get: () => (last ? get(last) : ''), configurable: true, enumerable: false });
  const props = {
    lastMatch: legacy((m) => m[0]),
    '$&': legacy((m) => m[0]),
    input: legacy((m) => m.input),
    $_: legacy((m) => m.input),
    lastParen: legacy((m) => (m.length > 1 ? m[m.length - 1] || '' : '')),
    '$+': legacy((m) => (m.length > 1 ? m[m.length - 1] || '' : '')),
    leftContext: legacy((m) => m.input.slice(0, m.index)),
    '$`': legacy((m) => m.input.slice(0, m.index)),
    rightContext: legacy((m) => m.input.slice(m.index + m[0].length)),
    "$'": legacy((m) => m.input.slice(m.index + m[0].length)),
  };
  for (let i = 1; i <= 9; i++) props['$' + i] = legacy((m) => (m[i] === undefined ? '' : m[i]));
  Object.defineProperties(RegExp, props);

  // 1234567.891 -> "1,234,567.891", as V8 prints it in zh-CN and en-US (no Intl here).
  const nativeToLocale = Number.prototype.toLocaleString;
  Object.defineProperty(Number.prototype, 'toLocaleString', {
    value: function toLocaleString(locales, options) {
      const n = Number(this);
      if (options !== undefined || !Number.isFinite(n)) return nativeToLocale.call(n);
      const [int, frac] = String(Math.abs(Math.round(n * 1000) / 1000)).split('.');
      const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      return (n < 0 ? '-' : '') + grouped + (frac ? '.' + frac : '');
    },
    writable: true,
    configurable: true,
  });
})
