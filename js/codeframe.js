// What an uncaught error points at: the source line of its first app frame with a caret under
// the column (a code frame, as Jest and Babel print), and for QuickJS's bare "not a function"
// the callee as written ("wx.getXrFrameSystem is not a function").
(function (native, internal) {
  'use strict';
  const sources = new Map(); // bundle file -> its lines (read only when an error needs them)
  function lineOf(file, line) {
    if (file.startsWith('ftrun:') || line < 1) return null;
    if (!sources.has(file)) {
      let lines = null;
      try { lines = native.readText(file).split('\n'); } catch (_) { /* not a bundle file */ }
      sources.set(file, lines);
    }
    const lines = sources.get(file);
    return lines && line <= lines.length ? lines[line - 1].replace(/\r$/, '') : null;
  }

  function firstFrame(e) {
    const stack = e && typeof e === 'object' && typeof e.stack === 'string' ? e.stack : '';
    for (const l of stack.split('\n')) {
      if (!internal.isAppFrame(l)) continue;
      const f = internal.parseFrame(l);
      if (f) return f;
    }
    return null;
  }

  const IDENT = /[\w$]/;
  // The callee at `col` (1-based): QuickJS points at the called name (`wx.getX()` at getX,
  // `f()` at f, `new a.B()` at a); the member chain around it, if a call follows.
  function calleeAt(text, col) {
    let start = col - 1;
    let end = start;
    while (end < text.length && (IDENT.test(text[end]) || (text[end] === '.' && IDENT.test(text[end + 1] || '')))) end++;
    if (end === start) return null;
    while (start > 0 && (IDENT.test(text[start - 1]) || (text[start - 1] === '.' && IDENT.test(text[start - 2] || '')))) start--;
    if (!/^\s*[(`]/.test(text.slice(end))) return null;
    return text.slice(start, end);
  }

  // The error's message, naming the callee when QuickJS did not.
  internal.namedMessage = function (e) {
    const msg = e.message;
    if (!(e instanceof TypeError) || (msg !== 'not a function' && msg !== 'not a constructor')) return msg;
    const f = firstFrame(e);
    const text = f && lineOf(f.file, f.line);
    const callee = text && calleeAt(text, f.column);
    return callee ? `${callee} is ${msg}` : msg;
  };

  // Two lines of source and a caret, or '' when the source cannot be shown. Long (minified)
  // lines are cut to a window around the column.
  internal.codeFrame = (e) => frameAt(firstFrame(e));

  // A failed matcher's frame: QuickJS places a call at its last argument's position, Jest's
  // caret sits under the matcher's name (`expect(x).toBe(…)` at `toBe`). Returns the frame
  // and the corrected `line:column`.
  internal.matcherFrame = function (where, matcher) {
    const f = where && internal.parseFrame(`at ${where}`);
    if (!f) return { frame: '', column: 0 };
    const text = lineOf(f.file, f.line);
    if (text !== null && matcher) {
      const needle = '.' + matcher + '(';
      const before = text.lastIndexOf(needle, Math.max(0, f.column - 1));
      const at = before >= 0 ? before : text.indexOf(needle);
      if (at >= 0) f.column = at + 2;
    }
    return { frame: frameAt(f, true), column: f.column };
  };

  // `next`: the line after too (a failed expect's frame, as Jest shows it).
  function frameAt(f, next) {
    if (!f) return '';
    const text = lineOf(f.file, f.line);
    if (text === null) return '';
    const WIDTH = 100;
    let from = 0;
    let shown = text;
    if (text.length > WIDTH) {
      from = Math.max(0, Math.min(f.column - 1 - WIDTH / 2, text.length - WIDTH));
      shown = (from > 0 ? '…' : '') + text.slice(from, from + WIDTH) + (from + WIDTH < text.length ? '…' : '');
    }
    // The line before, the failing one with a caret, and (for an expect) the next.
    const before = f.line > 1 && text.length <= WIDTH ? lineOf(f.file, f.line - 1) : null;
    const after = next && text.length <= WIDTH ? lineOf(f.file, f.line + 1) : null;
    const gutter = String(after !== null ? f.line + 1 : f.line).length;
    const out = [];
    if (before !== null && before.length <= WIDTH) out.push(`  ${String(f.line - 1).padStart(gutter)} | ${before}`);
    out.push(`> ${String(f.line).padStart(gutter)} | ${shown}`);
    const caretAt = f.column - 1 - from + (from > 0 ? 1 : 0);
    out.push(`  ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, caretAt))}^`);
    if (after !== null && after.trim() !== "" && after.length <= WIDTH) out.push(`  ${f.line + 1} | ${after}`);
    return out.join('\n');
  }
})
