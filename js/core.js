// The mini-program conventions, written once: globals, error reporting, the host dispatcher,
// native ops as Promises, and the success/fail/complete-or-Promise adapter with errMsg.
(function (native, internal) {
  'use strict';
  const g = globalThis;

  // Apps wrap some globals (Page, App...), so every global is writable and configurable.
  internal.defineGlobal = function (name, value) {
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  };
  internal.defineGlobal('global', g);

  // js/codeframe.js, loaded at the first error report; never a reason for the report to fail
  // (a heap out of memory cannot load it).
  function haveCodeFrames() {
    try { internal.loadLazy('codeframe.js'); } catch (_) { /* reported without a frame */ }
    return typeof internal.codeFrame === 'function';
  }

  // Prelude files run on first use (src/engine LAZY_JS), once.
  const lazyLoaded = new Set();
  internal.loadLazy = function (name) {
    if (lazyLoaded.has(name)) return;
    lazyLoaded.add(name);
    native.loadLazy(name, native, internal);
  };

  // ---- error reporting -------------------------------------------------------------------

  // Compile errors and the timeout interrupt are not the app's to handle: they stop the run.
  internal.isFatal = function (e) {
    return !!(e && typeof e === 'object' && e.ftCompileError === true);
  };

  // One stack line, parsed: `at fn (file:L:C)` or `at file:L:C`. Every frame reader uses this.
  internal.parseFrame = function (line) {
    const m = /^\s*at (?:(.*?) \()?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) return null;
    const file = m[2];
    return { fn: m[1], file, line: +m[3], column: +m[4], where: `${file}:${m[3]}:${m[4]}` };
  };
  // Stack lines worth showing: not ftrun's prelude, not the native apply/call it uses.
  internal.isAppFrame = (l) => l.trim() !== '' && !l.includes('ftrun:js/') && !/^\s*at (apply|call) \(native\)$/.test(l);

  // `file:line:column` of the first app frame of a stack, or undefined.
  internal.appLocation = function (stack) {
    for (const line of String(stack || '').split('\n')) {
      if (!internal.isAppFrame(line)) continue;
      const f = internal.parseFrame(line);
      if (f) return f.where;
    }
    return undefined;
  };

  // "Name: message" and the stack, without ftrun's own frames.
  internal.describeError = function (e) {
    if (e && typeof e === 'object' && ('stack' in e || 'message' in e)) {
      let name = 'Error';
      try { name = e.name || (e.constructor && e.constructor.name) || 'Error'; } catch (_) {}
      const message = haveCodeFrames() ? internal.namedMessage(e) : e.message;
      const head = message === undefined || message === '' ? String(name) : `${name}: ${message}`;
      const stack = typeof e.stack === 'string' ? e.stack : '';
      const frames = stack.split('\n').filter(internal.isAppFrame);
      return frames.length ? head + '\n' + frames.join('\n') : head;
    }
    if (e === null && native.outOfMemory()) return 'InternalError: out of memory';
    return internal.inspect(e);
  };

  // The code frame under an error report, after a blank line (nothing when there is none).
  function withFrame(e) {
    const frame = haveCodeFrames() ? internal.codeFrame(e) : '';
    return frame ? '\n\n' + frame : '';
  }
  internal.withFrame = withFrame;

  // A failed expect's report: its message, the frame at the matcher, and `file:line:column`.
  internal.assertionReport = function (e) {
    const m = haveCodeFrames() ? internal.matcherFrame(e.at, e.matcher) : { frame: '' };
    const location = m.column && e.location ? e.location.replace(/:\d+$/, ':' + m.column) : e.location;
    return { error: e.message + (m.frame ? '\n\n' + m.frame : ''), location };
  };

  const errorListeners = [];
  const rejectionListeners = [];
  internal.errorListeners = errorListeners;
  internal.rejectionListeners = rejectionListeners;
  let reporting = false;

  // App.<hook> first, then the wx.on<Event> listeners; one that throws is reported and the
  // others still run.
  function notify(listeners, appHook, arg) {
    const app = internal.app;
    const calls = listeners.map((fn) => [undefined, fn]);
    if (app && typeof app[appHook] === 'function') calls.unshift([app, app[appHook]]);
    for (const [self, fn] of calls) {
      try {
        fn.call(self, arg);
      } catch (e2) {
        if (internal.isFatal(e2)) throw e2;
        native.reportError(`Uncaught (in ${appHook}) ${internal.describeError(e2)}`);
      }
    }
  }

  // Who hears of an uncaught error or unhandled rejection before it is printed: the test
  // framework (it fails the test running now) and `ftrun check` (it files the error under the
  // page being loaded). A handler returns true when it took the error, which is then not printed.
  internal.uncaughtHandlers = [];
  const handled = (e) => internal.uncaughtHandlers.some((h) => h(e) === true);

  // An uncaught error in app code: printed, App.onError / wx.onError called, the run goes on.
  internal.reportError = function (e, where) {
    if (internal.isFatal(e)) throw e;
    if (handled(e)) return;
    const text = internal.describeError(e) + (where ? `\n    (in ${where})` : '');
    native.reportError('Uncaught ' + text + withFrame(e));
    if (reporting) return;
    reporting = true;
    try { notify(errorListeners, 'onError', text); } finally { reporting = false; }
  };

  internal.reportRejection = function (reason, promise) {
    if (handled(reason)) return;
    native.reportError('Unhandled promise rejection: ' + internal.describeError(reason) + withFrame(reason));
    if (reporting) return;
    reporting = true;
    try { notify(rejectionListeners, 'onUnhandledRejection', { reason, promise }); } finally { reporting = false; }
  };

  // Calls app code; an exception is reported and the caller goes on.
  // `ftrun run --timeline`: (ph 'B' | 'E' | 'i', lane, name) recorded by the host; null when off.
  internal.timeline = native.timelineOn() ? native.timelineEvent : null;

  // A lifecycle the app does not define is still a moment worth seeing on a timeline.
  const LIFECYCLE = /^(App|Page\[|Component\[)/;
  internal.safeCall = function (fn, self, args, where) {
    if (typeof fn !== 'function') {
      if (internal.timeline && LIFECYCLE.test(where)) internal.timeline('i', 'lifecycle', where);
      return undefined;
    }
    const tl = internal.timeline !== null && where !== 'microtask' ? internal.timeline : null;
    const lane = tl && (where === 'timer callback' ? 'timers' : 'lifecycle');
    if (tl) tl('B', lane, where);
    try {
      return fn.apply(self, args || []);
    } catch (e) {
      internal.reportError(e, where);
      return undefined;
    } finally {
      if (tl) tl('E', lane, where);
    }
  };

  internal.warnOnceSeen = new Set();
  internal.warnOnce = function (key, text) {
    if (internal.warnOnceSeen.has(key)) return;
    internal.warnOnceSeen.add(key);
    native.print(2, 'warning: ' + text);
  };

  // ---- the host dispatcher: every call from the Rust event loop enters here ----------------
  internal.events = Object.create(null);
  const ops = new Map();
  internal.events.op = function (id, res) {
    const op = ops.get(id);
    if (!op) return;
    ops.delete(id);
    if (res.ok) op.resolve(res.value);
    else op.reject(internal.fail(res.error));
  };
  internal.events.rejection = function (reason, promise) {
    internal.reportRejection(reason, promise);
  };
  // A native op that finishes later: the Promise settles when the host sends OpDone.
  internal.awaitOp = function (id) {
    return new Promise((resolve, reject) => ops.set(id, { resolve, reject }));
  };
  native.setDispatcher(function (kind, a, b) {
    const handler = internal.events[kind];
    if (!handler) throw new Error(`ftrun: no handler for host event '${kind}'`);
    if (kind === 'op' || kind === 'timer' || kind === 'rejection') handler(a, b);
    else handler(b);
  });

  // ---- the async API convention ------------------------------------------------------------
  // A failure with a reason: `<api>:fail <reason>`.
  class ApiFailure {
    constructor(reason) { this.reason = reason; }
  }
  internal.fail = (reason) => new ApiFailure(reason);

  function failReason(e) {
    if (e instanceof ApiFailure) return e.reason;
    if (e && typeof e === 'object' && typeof e.message === 'string') return e.message;
    return String(e);
  }

  function callbackOf(options, key) {
    return options && typeof options[key] === 'function' ? options[key] : null;
  }

  // Runs `impl(options)` (a value, or a Promise, or a thrown `internal.fail(...)`) under the
  // convention: success/fail then complete, never before the call returns; or a Promise when
  // no callback is given. Results carry `errMsg`.
  internal.invoke = function (name, impl, options) {
    let p;
    try {
      p = Promise.resolve(impl(options || {}));
    } catch (e) {
      if (internal.isFatal(e)) throw e;
      p = Promise.reject(e);
    }
    const settled = p.then(
      (value) => ({ ok: true, res: Object.assign({}, value, { errMsg: `${name}:ok` }) }),
      (e) => {
        if (internal.isFatal(e)) throw e;
        return { ok: false, res: { errMsg: `${name}:fail ${failReason(e)}` } };
      },
    );
    const success = callbackOf(options, 'success');
    const fail = callbackOf(options, 'fail');
    const complete = callbackOf(options, 'complete');
    if (!success && !fail && !complete) {
      return settled.then((r) => (r.ok ? r.res : Promise.reject(r.res)));
    }
    settled.then((r) => {
      internal.safeCall(r.ok ? success : fail, options, [r.res], `${name} ${r.ok ? 'success' : 'fail'} callback`);
      internal.safeCall(complete, options, [r.res], `${name} complete callback`);
    });
    return undefined;
  };

  // ---- value formatting (console and reports) ----------------------------------------------
  internal.inspect = function (v) {
    switch (typeof v) {
      case 'string': return v;
      case 'undefined': return 'undefined';
      case 'function': return `[Function: ${v.name || '(anonymous)'}]`;
      case 'symbol': return v.toString();
      case 'bigint': return `${v}n`;
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'boolean': return String(v);
    }
    if (v === null) return 'null';
    if (v instanceof Error) return internal.describeError(v);
    const seen = new Set();
    try {
      const text = JSON.stringify(v, function (key, val) {
        if (typeof val === 'undefined') return key === '' ? val : '[undefined]';
        if (typeof val === 'function') return `[Function: ${val.name || '(anonymous)'}]`;
        if (typeof val === 'bigint') return `${val}n`;
        if (typeof val === 'symbol') return val.toString();
        if (val instanceof Error) return internal.describeError(val);
        if (val instanceof Map) return { '[Map]': Array.from(val.entries()) };
        if (val instanceof Set) return { '[Set]': Array.from(val.values()) };
        if (val && typeof val === 'object') {
          if (seen.has(val)) return '[Circular]';
          seen.add(val);
        }
        return val;
      });
      return text === undefined ? String(v) : text.replace(/"\[undefined\]"/g, 'undefined');
    } catch (_) {
      return Object.prototype.toString.call(v);
    }
  };
})
