// `ftrun check`: load every page (main package and subpackages) with its components, run its
// onLoad/onShow/onReady with an empty query, and say for each: ok, error (file:line), or
// skipped (missing file, TypeScript only, unbuilt npm package, extended library).
//
// Time is virtual here: the app's timers wait in a queue of their own, and after each step
// (app.js with onLaunch, then each page) those due within a window of virtual time run at
// once, with the microtasks and host events they lead to. Timers still set after the window
// (an endless interval, a long poll) are listed under the page that set them, with where,
// and cancelled: nothing holds the check, and an error a timer throws belongs to its page.
(function (native, internal) {
  'use strict';
  // Every template is built at once, so its errors are found now (js/view/render.js).
  internal.view.eager = true;

  // In a check every error belongs to a page; none stops the check.
  internal.isFatal = () => false;
  let bucket = null;
  internal.uncaughtHandlers.push((e) => {
    if (bucket) bucket.push(e);
    return false; // still printed (with --output)
  });

  const location = (e) => (e && e.ftLocation) || internal.appLocation(e && e.stack) || '';

  // Dependencies the bundle's package.json declares (npm packages the developer tool builds).
  let declared = null;
  function dependencies() {
    if (declared) return declared;
    declared = new Set();
    if (native.fileKind('package.json') === 1) {
      try {
        const pkg = JSON.parse(native.readText('package.json'));
        for (const k of ['dependencies', 'devDependencies']) Object.keys(pkg[k] || {}).forEach((d) => declared.add(d));
      } catch (_) { /* not ours to judge here */ }
    }
    return declared;
  }

  // The npm package a missing module is: a bare request, or a relative one whose last part
  // is a declared dependency (the tool builds some packages next to the code using them).
  function npmPackage(e) {
    const m = e && e.code === 'MODULE_NOT_FOUND' && /^module '([^']*)'/.exec(e.message);
    if (!m) return null;
    const request = m[1];
    if (/^[./]/.test(request)) {
      const last = request.split('/').pop();
      return dependencies().has(last) ? last : null;
    }
    return request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  }

  function skipReason(e, info) {
    const pkg = npmPackage(e);
    if (!pkg) return null;
    if (internal.extendedLib(pkg)) {
      return `extended library '${pkg}' (provided by the WeChat client, not in the bundle)`;
    }
    if (native.fileKind('node_modules/' + pkg) === 2 || dependencies().has(pkg)) {
      return `unbuilt npm package '${pkg}' (run "Build npm" in the developer tool)`;
    }
    return null;
  }

  function describe(e) {
    const text = e && e.ftMessage ? e.ftMessage : internal.describeError(e).split('\n')[0];
    const loc = location(e);
    return loc ? `${loc} ${text}` : text;
  }

  // The cause of a row, for machines (`--json`): why it is not ok.
  function causeOf(e, info) {
    const pkg = npmPackage(e);
    if (pkg) {
      const skip = skipReason(e, info) || '';
      if (skip.startsWith('extended')) return 'extended library';
      if (skip.startsWith('unbuilt')) return 'unbuilt npm';
    }
    if (e && e.code === 'MODULE_NOT_FOUND') return 'module not found';
    return 'app error';
  }

  function where(loc) {
    const m = /^(.*?)(?::(\d+):(\d+))?$/.exec(loc || '');
    return m && m[1] ? { file: m[1], line: m[2] ? +m[2] : undefined, column: m[3] ? +m[3] : undefined } : {};
  }

  function verdict(errors, info) {
    if (!errors.length) return { status: 'ok' };
    for (const e of errors) {
      const skip = skipReason(e, info);
      if (skip) return { status: 'skipped', reason: skip, cause: causeOf(e, info), message: skip };
    }
    const e = errors[0];
    const message = e && e.ftMessage ? e.ftMessage : internal.describeError(e).split('\n')[0];
    return Object.assign({ status: 'error', reason: describe(e), cause: causeOf(e, info), message }, where(location(e)));
  }

  // ---- virtual timers --------------------------------------------------------------------
  const WINDOW_MS = 3000; // virtual time each step may run its timers for
  const realSetTimeout = globalThis.setTimeout;
  let now = 0;
  let nextId = 1;
  const timers = new Map(); // id -> { due, fn, args, every, owner, at }
  let owner = null; // the row being checked
  function add(fn, ms, args, repeat) {
    const id = nextId++;
    const delay = Math.max(0, Number(ms) || 0);
    const at = internal.appLocation(new Error().stack) || '';
    timers.set(id, { due: now + delay, fn, args, every: repeat ? Math.max(1, delay) : 0, owner, at, repeat });
    return id;
  }
  const clear = (id) => { timers.delete(Number(id)); };
  internal.defineGlobal('setTimeout', (fn, ms, ...args) => add(fn, ms, args, false));
  internal.defineGlobal('setInterval', (fn, ms, ...args) => add(fn, ms, args, true));
  internal.defineGlobal('clearTimeout', clear);
  internal.defineGlobal('clearInterval', clear);

  // Real turns of the event loop until no host work (an offline request, a storage commit) is
  // left: microtasks drain and host events are delivered.
  const tick = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));
  async function turn() {
    await tick(0);
    for (let waited = 0; native.pendingWork() > 0 && waited < 5000; waited++) await tick(1);
  }

  // Runs the step's timers due within the window, in due order, with what they lead to. A
  // chain of timers that never lets virtual time pass (an animation loop over a zero width)
  // stops after MAX_TIMERS; what it left is listed like any other leftover.
  const MAX_TIMERS = 1000;
  async function settle() {
    const end = now + WINDOW_MS;
    await turn();
    for (let fired = 0; fired < MAX_TIMERS; fired++) {
      let first = null;
      for (const [id, t] of timers) if (!first || t.due < first[1].due) first = [id, t];
      if (!first || first[1].due > end) break;
      const [id, t] = first;
      now = Math.max(now, t.due);
      if (t.every) t.due = now + t.every;
      else timers.delete(id);
      if (typeof t.fn === 'function') internal.safeCall(t.fn, undefined, t.args, 'timer callback');
      // Microtasks after each timer; a real turn of the loop when host work is under way
      // (and now and then, for events already delivered to the queue).
      if (native.pendingWork() > 0 || fired % 64 === 63) await turn();
      else await null;
    }
    now = end;
    await turn();
  }

  // Timers still set once a step settled: listed as its warnings, then cancelled.
  // Grouped by where they were set: "setTimeout at a.js:3:5 (×40)".
  function leftovers(row) {
    const counts = new Map();
    let total = 0;
    for (const [id, t] of timers) {
      if (t.owner !== row) continue;
      const where = `${t.repeat ? 'setInterval' : 'setTimeout'} at ${t.at || 'an unknown place'}`;
      counts.set(where, (counts.get(where) || 0) + 1);
      total++;
      timers.delete(id);
    }
    const list = Array.from(counts, ([where, n]) => (n > 1 ? `${where} (×${n})` : where));
    return { total, list };
  }

  async function step(row, errors, info, fn) {
    owner = row;
    bucket = errors;
    const t = native.monotonicMs();
    fn();
    await settle();
    row.ms = native.monotonicMs() - t;
    Object.assign(row, verdict(errors, info));
    const live = leftovers(row);
    if (live.total) {
      row.warnings = live.list;
      const text = `${live.total} timer${live.total > 1 ? 's' : ''} still set (cancelled): ${live.list.join(', ')}`;
      row.reason = row.reason ? `${row.reason}; ${text}` : text;
    }
    bucket = null;
    owner = null;
  }

  internal.events.check = function (info) {
    internal.launchInfo = info;
    run(info).then((results) => native.checkResults(JSON.stringify(results)),
      (e) => native.checkResults(JSON.stringify([{ page: '(check)', status: 'error', reason: String(e && e.stack || e), ms: 0 }])));
  };

  async function run(info) {
    const results = [];
    const appFile = internal.pageFile('app') || 'app.js';
    const appRow = { page: 'app.js' };
    // App.onLaunch's own async work settles before any page, as a user opens pages later.
    await step(appRow, [], info, () => {
      try { internal.loadModule(appFile); } catch (e) { internal.reportError(e, `loading ${appFile}`); }
      if (!internal.app) internal.app = {};
      const opts = { path: info.entry, query: {}, scene: info.launch.scene, referrerInfo: {} };
      internal.launchOptions = opts;
      internal.safeCall(internal.app.onLaunch, internal.app, [Object.assign({}, opts)], 'App.onLaunch');
      internal.safeCall(internal.app.onShow, internal.app, [Object.assign({}, opts)], 'App.onShow');
    });
    results.push(appRow);

    for (const route of info.allPages) {
      const file = internal.pageFile(route) || route + '.js';
      if (native.fileKind(file) !== 1) {
        const ts = native.fileKind(route + '.ts') === 1;
        results.push({
          page: route, status: 'skipped', ms: 0, file: ts ? route + '.ts' : file,
          reason: ts ? 'TypeScript only (no compiled .js)' : `missing file ${file}`,
          cause: ts ? 'TypeScript only' : 'missing file',
          message: ts ? `${route}.ts has no compiled .js` : `${file} does not exist`,
        });
        continue;
      }
      const row = { page: route };
      const errors = [];
      await step(row, errors, info, () => {
        internal.loadingRoute = route;
        try { internal.loadModule(file); } catch (e) { internal.reportError(e, `loading ${file}`); }
        internal.loadingRoute = null;
        // App-level components resolve from the root, the page's own from its folder.
        const appRefs = (info.appJson && info.appJson.usingComponents) || {};
        const pageRefs = internal.usingComponents(route + '.json');
        for (const [refs, dir] of [[appRefs, ''], [pageRefs, internal.dirname(route)]]) {
          for (const name of Object.keys(refs)) {
            // An extended library's components are placeholders in the tree (js/view/render.js).
            if (internal.extendedLib(refs[name]) && !internal.resolvable(refs[name], dir)) continue;
            try { internal.loadComponent(refs[name], dir); } catch (e) { internal.reportError(e, `component '${name}'`); }
          }
        }
        if (!errors.length) {
          while (internal.pageStack.length) {
            const p = internal.pageStack.pop();
            internal.safeCall(() => p.__ftHook('onUnload', []));
          }
          try { internal.openPage(route, {}); } catch (e) { internal.reportError(e, `opening ${route}`); }
        }
      });
      results.push(row);
    }
    return results;
  }
})
