// `ftrun check`: load every page (main package and subpackages) with its components, run its
// onLoad/onShow/onReady with an empty query, and say for each: ok, error (file:line), or
// skipped (missing file, TypeScript only, unbuilt npm package, extended library).
(function (native, internal) {
  'use strict';

  // In a check every error belongs to a page; none stops the check.
  internal.isFatal = () => false;
  let bucket = null;
  internal.uncaughtHandlers.push((e) => {
    if (bucket) bucket.push(e);
    return false; // still printed (with --output)
  });

  const location = (e) => (e && e.ftLocation) || internal.appLocation(e && e.stack) || '';

  function npmPackage(e) {
    const m = e && e.code === 'MODULE_NOT_FOUND' && /^module '([^'./][^']*)'/.exec(e.message);
    if (!m) return null;
    return m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
  }

  function skipReason(e, info) {
    const pkg = npmPackage(e);
    if (!pkg) return null;
    const ext = (info.appJson && info.appJson.useExtendedLib) || {};
    if (Object.keys(ext).some((lib) => pkg === lib || pkg === `${lib}-miniprogram` || pkg.startsWith(`${lib}-`))) {
      return `extended library '${pkg}' (provided by the WeChat client, not in the bundle)`;
    }
    if (native.fileKind('node_modules/' + pkg) === 2) {
      return `unbuilt npm package '${pkg}' (run "Build npm" in the developer tool)`;
    }
    return null;
  }

  function describe(e) {
    const text = e && e.ftMessage ? e.ftMessage : internal.describeError(e).split('\n')[0];
    const loc = location(e);
    return loc ? `${loc} ${text}` : text;
  }

  function verdict(errors, info) {
    if (!errors.length) return { status: 'ok' };
    for (const e of errors) {
      const skip = skipReason(e, info);
      if (skip) return { status: 'skipped', reason: skip };
    }
    return { status: 'error', reason: describe(errors[0]) };
  }

  internal.events.check = function (info) {
    internal.launchInfo = info;
    const results = [];
    const timed = (fn) => {
      const t = native.monotonicMs();
      fn();
      return native.monotonicMs() - t;
    };
    bucket = [];
    const appMs = timed(() => {
      const appFile = internal.pageFile('app') || 'app.js';
      try { internal.loadModule(appFile); } catch (e) { internal.reportError(e, `loading ${appFile}`); }
    });
    const appErrors = bucket;
    if (!internal.app) internal.app = {};
    const opts = { path: info.entry, query: {}, scene: info.launch.scene, referrerInfo: {} };
    internal.launchOptions = opts;
    bucket = appErrors;
    internal.safeCall(internal.app.onLaunch, internal.app, [Object.assign({}, opts)], 'App.onLaunch');
    internal.safeCall(internal.app.onShow, internal.app, [Object.assign({}, opts)], 'App.onShow');
    results.push(Object.assign({ page: 'app.js', ms: appMs }, verdict(appErrors, info)));

    for (const route of info.allPages) {
      const file = internal.pageFile(route) || route + '.js';
      if (native.fileKind(file) !== 1) {
        const ts = native.fileKind(route + '.ts') === 1;
        results.push({ page: route, status: 'skipped', reason: ts ? 'TypeScript only (no compiled .js)' : `missing file ${file}`, ms: 0 });
        continue;
      }
      bucket = [];
      const ms = timed(() => {
        internal.loadingRoute = route;
        try { internal.loadModule(file); } catch (e) { internal.reportError(e, `loading ${file}`); }
        internal.loadingRoute = null;
        // App-level components resolve from the root, the page's own from its folder.
        const appRefs = (info.appJson && info.appJson.usingComponents) || {};
        const pageRefs = internal.usingComponents(route + '.json');
        for (const [refs, dir] of [[appRefs, ''], [pageRefs, internal.dirname(route)]]) {
          for (const name of Object.keys(refs)) {
            try { internal.loadComponent(refs[name], dir); } catch (e) { internal.reportError(e, `component '${name}'`); }
          }
        }
        if (!bucket.length) {
          while (internal.pageStack.length) {
            const p = internal.pageStack.pop();
            internal.safeCall(() => p.__ftHook('onUnload', []));
          }
          try { internal.openPage(route, {}); } catch (e) { internal.reportError(e, `opening ${route}`); }
        }
      });
      results.push(Object.assign({ page: route, ms }, verdict(bucket, info)));
    }
    bucket = null;
    native.checkResults(JSON.stringify(results));
  };
})
