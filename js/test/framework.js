// describe/test/it, hooks, .only/.skip/.each, async tests, per-test timeouts, and the run itself.
// Results go to the host one by one (native.testResult) so an interrupted run can resume.
(function (native, internal) {
  'use strict';

  const newSuite = (name, parent, mode) => ({ name, parent, mode, children: [], hooks: { beforeAll: [], beforeEach: [], afterEach: [], afterAll: [] } });
  const root = newSuite('', null, null);
  let current = root;
  let collecting = true;

  function describe(name, fn, mode) {
    if (typeof fn !== 'function') throw new TypeError(`describe('${name}'): the second argument must be a function`);
    const suite = newSuite(String(name), current, mode || null);
    current.children.push({ suite });
    const prev = current;
    current = suite;
    try {
      const r = fn();
      if (r && typeof r.then === 'function') throw new Error(`describe('${name}') must not be async: declare tests synchronously`);
    } finally {
      current = prev;
    }
  }
  function test(name, fn, timeout, mode) {
    if (!collecting) throw new Error(`test('${name}') declared while tests run: declare tests at the top level or in describe()`);
    current.children.push({ test: { name: String(name), fn, timeout, mode: mode || (fn ? null : 'todo'), suite: current } });
  }
  // test.each(table)(name, fn): one test per row; the row's items are fn's arguments and fill
  // the name's %s %d %i %f %j %o %p %# placeholders (an object row fills $key and $a.b).
  function rowTitle(name, row, index, template) {
    const args = Array.isArray(row) ? row : [row];
    let next = 0;
    let title = String(name);
    if (!template) {
      title = title.replace(/%([sdifjoOp#%])/g, (whole, k) => {
        if (k === '%') return '%';
        if (k === '#') return String(index);
        if (next >= args.length) return whole;
        const v = args[next++];
        if (k === 'd' || k === 'i') return String(k === 'i' ? Math.trunc(Number(v)) : Number(v));
        if (k === 'f') return String(Number(v));
        if (k === 'j') return JSON.stringify(v);
        return typeof v === 'string' && k === 's' ? v : internal.inspect(v);
      });
    }
    if (row && typeof row === 'object' && !Array.isArray(row)) {
      title = title.replace(/\$([A-Za-z_][\w.]*)/g, (whole, path) => {
        let v = row;
        for (const part of path.split('.')) {
          if (v === null || v === undefined || !(part in Object(v))) return whole;
          v = v[part];
        }
        return v === null || (typeof v !== 'object' && typeof v !== 'function') ? String(v) : internal.inspect(v);
      }).replace('$#', String(index));
    }
    return title;
  }
  // test.each`a | b ${1} | ${2}`: the first line names the columns, the values fill rows of
  // that many; each row is an object (as Jest builds it).
  function templateRows(strings, values) {
    const headings = strings[0].split('|').map((h) => h.trim()).filter(Boolean);
    if (!headings.length || strings.slice(1).some((s) => s.trim() !== '' && s.replace(/[|\s]/g, '') !== '')) {
      throw new Error('.each`...`: the table must start with a line of column names separated by |, then only ${value} cells');
    }
    if (values.length % headings.length !== 0) {
      const missing = headings.length - (values.length % headings.length);
      throw new Error(`.each\`...\`: not enough values for the headings ${headings.join(' | ')}: ` +
        `${values.length} values given, ${missing} more needed to fill the last row`);
    }
    const rows = [];
    for (let i = 0; i < values.length; i += headings.length) {
      const row = {};
      headings.forEach((h, k) => { row[h] = values[i + k]; });
      rows.push(row);
    }
    return rows;
  }
  const eachOf = (base, mode) => (table, ...values) => {
    let rows = table;
    let template = false;
    if (Array.isArray(table) && Array.isArray(table.raw)) {
      rows = templateRows(table, values);
      template = true;
    } else if (!Array.isArray(table)) {
      throw new TypeError('.each(table): the table must be an array of rows, or a tagged template (.each`a | b ...`)');
    }
    return (name, fn, timeout) => rows.forEach((row, i) => base(rowTitle(name, row, i, template),
      fn && ((...more) => fn(...(Array.isArray(row) ? row : [row]), ...more)), timeout, mode));
  };
  const withModes = (base) => {
    const f = (name, fn, timeout) => base(name, fn, timeout, null);
    f.only = (name, fn, timeout) => base(name, fn, timeout, 'only');
    f.skip = (name, fn, timeout) => base(name, fn, timeout, 'skip');
    f.each = eachOf(base, null);
    f.only.each = eachOf(base, 'only');
    f.skip.each = eachOf(base, 'skip');
    return f;
  };
  const describeApi = withModes((name, fn, _t, mode) => describe(name, fn, mode));
  const testApi = withModes(test);
  testApi.todo = (name) => test(name, null, undefined, 'todo');
  // test.concurrent runs in turn here (files already run in parallel); test.failing passes
  // when its body fails.
  testApi.concurrent = withModes(test);
  testApi.failing = withModes((name, fn, timeout, mode) => test(name, fn && failing(fn), timeout, mode));
  function failing(fn) {
    const body = function (...args) {
      return Promise.resolve().then(() => fn.apply(this, args)).then(
        () => { throw new Error('Failing test passed even though it was supposed to fail. Remove `.failing` to remove this error.'); },
        () => undefined,
      );
    };
    return body;
  }
  const hook = (kind) => (fn, timeout) => current.hooks[kind].push({ fn, timeout });

  internal.defineGlobal('describe', describeApi);
  internal.defineGlobal('test', testApi);
  internal.defineGlobal('it', testApi);
  internal.defineGlobal('xit', testApi.skip);
  internal.defineGlobal('xtest', testApi.skip);
  internal.defineGlobal('fit', testApi.only);
  internal.defineGlobal('xdescribe', describeApi.skip);
  internal.defineGlobal('fdescribe', describeApi.only);
  internal.defineGlobal('beforeAll', hook('beforeAll'));
  internal.defineGlobal('beforeEach', hook('beforeEach'));
  internal.defineGlobal('afterEach', hook('afterEach'));
  internal.defineGlobal('afterAll', hook('afterAll'));

  // ---- console output is kept per test and shown when it fails ------------------------------
  let output = [];
  const keep = (...args) => output.push(internal.formatArgs(args));
  const console = globalThis.console;
  for (const k of ['log', 'info', 'debug', 'warn', 'error', 'dir', 'table']) console[k] = keep;

  function chain(suite) {
    const out = [];
    for (let s = suite; s; s = s.parent) out.unshift(s);
    return out;
  }
  function fullName(t) {
    return chain(t.suite).map((s) => s.name).filter(Boolean).concat([t.name]).join(' › ');
  }
  function flatten(suite, out) {
    for (const c of suite.children) {
      if (c.suite) flatten(c.suite, out);
      else out.push(c.test);
    }
    return out;
  }

  // ---- results go to the host one by one ----------------------------------------------------
  // As JSON text. JSON.stringify leaves a lone surrogate (a test named '🎉'.slice(0, 1)) as an
  // escape no JSON reader accepts; it is sent as the text `\ud83c` instead, so the test is still
  // reported (under that escaped name), never dropped.
  const toJson = (v) => JSON.stringify(v).replace(/(?<!\\)((?:\\\\)*)\\u(d[89a-f][0-9a-f]{2})/gi, '$1\\\\u$2');
  const send = (result) => native.testResult(toJson(result));

  // `file:L:C` in the test file, as the user named the file (it is loaded by its bundle path).
  internal.displayLocation = function (loc) {
    const f = internal.testFile;
    return loc && f && loc.startsWith(f.file + ':') ? f.display + loc.slice(f.file.length) : loc;
  };

  // ---- uncaught errors fail the hook or test running now (as Jest 30 does) -------------------
  // A timer callback that throws, an expect that fails inside a timer of a `done` test, a
  // rejection nobody handles: each finishes what is running with that error. Between the parts
  // of a test it is kept for that test; outside any test it is reported as a failure of its own.
  let running = null; // `finish` of the hook or test body running now
  let testErrors = null; // errors caught while a test is on, between its parts
  internal.uncaughtHandlers.push((e) => {
    if (running) running(e);
    else if (testErrors) testErrors.push(e);
    else send(Object.assign({ name: '(file) uncaught error outside any test', status: 'failed', durationMs: 0 }, describeFailure(e)));
    return true;
  });

  // Runs fn (maybe async, maybe taking `done`) with a timeout; resolves or rejects.
  function runWithTimeout(fn, self, ms, what) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err) => {
        if (settled) return;
        settled = true;
        if (running === finish) running = null;
        internal.realTimers.clearTimeout(timer);
        err ? reject(err) : resolve();
      };
      running = finish;
      internal.currentTimeout = ms;
      const timer = internal.realTimers.setTimeout(() => finish(new Error(`${what} timed out after ${ms} ms (it never settled; pass a longer timeout as the third argument)`)), ms);
      native.hookDeadline(ms);
      try {
        if (fn.length > 0) {
          fn.call(self, (err) => finish(err ? (err instanceof Error ? err : new Error(String(err))) : undefined));
        } else {
          Promise.resolve(fn.call(self)).then(() => finish(), (e) => finish(e || new Error('rejected')));
        }
      } catch (e) {
        finish(e);
      }
    });
  }

  function describeFailure(e) {
    if (e instanceof internal.AssertionError) return internal.assertionReport(e);
    const location = internal.appLocation(e && typeof e === 'object' ? e.stack : '');
    return { error: internal.describeError(e) + internal.withFrame(e), location: internal.displayLocation(location) };
  }

  internal.events['test:run'] = function (payload) {
    internal.testFile = { file: payload.file, display: payload.display || payload.file };
    internal.snapshotBegin(payload.snapshot);
    internal.launchDefaults = payload.launchDefaults || {};
    internal.verboseOutput = !!payload.verbose;
    try {
      internal.runHoistedMocks(payload.file);
      internal.loadModule(payload.file);
    } catch (e) {
      if (internal.isFatal(e)) throw e;
      collecting = false;
      native.testPlan('["(file) top level"]');
      const f = describeFailure(e);
      send({ name: '(file) top level', status: 'failed', error: 'the test file threw while loading:\n' + f.error, location: f.location, durationMs: 0 });
      return;
    }
    collecting = false;
    // A script that declares no test (automator scripts chaining `launch().then(...)` at the
    // top level) is a test of its own: it passes when its work is done, and an error it leaves
    // uncaught fails it.
    if (!flatten(root, []).length) {
      root.children.push({ test: { name: '(file) script', fn: settleScript, timeout: undefined, mode: null, suite: root } });
    }
    const all = flatten(root, []);
    const only = all.some((t) => t.mode === 'only' || chain(t.suite).some((s) => s.mode === 'only'));
    let filter = null;
    if (payload.filter) {
      try { filter = new RegExp(payload.filter); } catch (_) { filter = { test: (s) => s.includes(payload.filter) }; }
    }
    const planned = all.filter((t) => !filter || filter.test(fullName(t)));
    native.testPlan(toJson(planned.map(fullName)));
    const skipped = (t) => t.mode === 'skip' || t.mode === 'todo' || chain(t.suite).some((s) => s.mode === 'skip') ||
      (only && t.mode !== 'only' && !chain(t.suite).some((s) => s.mode === 'only'));
    runAll(planned, payload.startAt || 0, payload.timeout || 5000, skipped);
  };

  // What a script started at its top level that only a test may do (launching an app): held
  // until the script's own test runs.
  const deferred = [];
  internal.deferToScript = (start) => {
    if (!collecting) return false;
    deferred.push(start);
    return true;
  };
  // Runs what was held, then waits until the file's own timers are done (promise chains
  // finish before any timer).
  async function settleScript() {
    const own = native.timerCount(); // this test's timeout
    for (const start of deferred.splice(0)) start();
    // A turn of the loop runs every microtask queued before it; stop at one that leaves no
    // timer of the script's behind.
    do {
      await new Promise((resolve) => internal.realTimers.setTimeout(resolve, 1));
    } while (native.timerCount() > own);
  }

  async function runAll(tests, startAt, defaultTimeout, skipped) {
    const entered = [];
    const hookFailures = new Map(); // suite -> error from its beforeAll
    async function runHooks(list, self, what) {
      for (const h of list) await runWithTimeout(h.fn, self, h.timeout || defaultTimeout, what);
    }
    // A suite's scope (apps launched and routes declared in its beforeAll) lasts until its
    // afterAll has run.
    async function leaveTo(depth) {
      while (entered.length > depth) {
        const s = entered.pop();
        try { await runHooks(s.hooks.afterAll, undefined, 'afterAll hook'); } catch (e) {
          send(Object.assign({ name: `${s.name || '(top level)'} › afterAll`, status: 'failed', durationMs: 0 }, describeFailure(e)));
        }
        native.scopeEnd();
      }
    }
    for (let i = startAt; i < tests.length; i++) {
      const t = tests[i];
      const name = fullName(t);
      const suites = chain(t.suite);
      const ancestors = suites.map((s) => s.name).filter(Boolean);
      if (skipped(t)) {
        send({ name, ancestors, title: t.name, status: 'skipped', durationMs: 0 });
        continue;
      }
      let common = 0;
      while (common < entered.length && common < suites.length && entered[common] === suites[common]) common++;
      await leaveTo(common);
      for (const s of suites.slice(common)) {
        entered.push(s);
        native.scopeBegin();
        try { await runHooks(s.hooks.beforeAll, undefined, 'beforeAll hook'); } catch (e) { hookFailures.set(s, e); }
      }
      const timeout = t.timeout || internal.defaultTimeout || defaultTimeout;
      internal.currentTimeout = timeout;
      native.testBegin(i, timeout);
      // Jest's name for snapshot keys: the describe blocks and the test, joined by spaces.
      internal.currentTestName = suites.map((x) => x.name).filter(Boolean).concat([t.name]).join(' ');
      output = [];
      testErrors = [];
      const started = native.monotonicMs();
      let failure = null;
      const ctx = {};
      try {
        const before = suites.find((s) => hookFailures.has(s));
        if (before) throw hookFailures.get(before);
        for (const s of suites) await runHooks(s.hooks.beforeEach, ctx, 'beforeEach hook');
        // jest.retryTimes(n): a failing body runs again, up to n more times.
        for (let attempt = 0; ; attempt++) {
          internal.assertions = { count: 0, expected: null, needed: false };
          native.hookDeadline(timeout);
          try {
            await runWithTimeout(t.fn, ctx, timeout, 'test');
            internal.checkAssertions();
            break;
          } catch (e) {
            if (attempt >= (internal.retryTimes || 0)) throw e;
          }
        }
      } catch (e) {
        failure = e;
      }
      for (const s of suites.slice().reverse()) {
        try { await runHooks(s.hooks.afterEach, ctx, 'afterEach hook'); } catch (e) { if (!failure) failure = e; }
      }
      if (!failure && testErrors.length) failure = testErrors[0];
      testErrors = null;
      const result = { name, ancestors, title: t.name, status: failure ? 'failed' : 'passed', durationMs: native.monotonicMs() - started };
      if (failure) Object.assign(result, describeFailure(failure), { output });
      else if (internal.verboseOutput && output.length) result.output = output;
      native.testEnd();
      send(result);
    }
    await leaveTo(0);
    // The files this test file required (for --watch: a change to one re-runs it).
    native.testDeps(toJson(Object.keys(internal.moduleCache)));
    try {
      internal.snapshotFinish();
    } catch (e) {
      send(Object.assign({ name: '(file) snapshots', status: 'failed', durationMs: 0 }, describeFailure(e)));
    }
  }
})
