// App, Page, Component, Behavior, getApp, getCurrentPages; page instances with setData; and
// the cold-start lifecycle (boot).
(function (native, internal) {
  'use strict';

  internal.app = null;
  // The view layer (js/view/render.js) renders a page and hears of its show/hide/unload.
  internal.renderPage = function () {};
  internal.pageEvent = function () {};
  internal.pageStack = [];
  internal.pageDefs = Object.create(null); // route -> { kind: 'page' | 'component', def }
  internal.loadingRoute = null; // route of the page script being loaded (WeChat's __wxRoute)

  internal.defineGlobal('App', function App(options) {
    if (internal.app) throw new Error('App() has already been called: an app registers once');
    if (options === null || typeof options !== 'object') throw new TypeError('App() expects an object');
    internal.app = options;
    return options;
  });

  internal.defineGlobal('getApp', function getApp(opts) {
    if (internal.app) return internal.app;
    return opts && opts.allowDefault ? (internal.app = {}) : undefined;
  });

  internal.defineGlobal('getCurrentPages', function getCurrentPages() {
    return internal.pageStack.slice();
  });

  function register(kind, def) {
    const route = internal.loadingRoute;
    if (!route) return false;
    if (def === null || typeof def !== 'object') throw new TypeError(`${kind}() expects an object`);
    internal.pageDefs[route] = { kind, def };
    return true;
  }

  internal.defineGlobal('Page', function Page(options) {
    if (!register('page', options)) {
      throw new Error('Page() called outside a page script: call it at the top level of a page listed in app.json');
    }
  });

  internal.components = Object.create(null); // component path -> definition
  internal.loadingComponent = null;
  // A script may be both a page and a component (used by another page): whichever way it
  // is loaded first, it is registered as both, since a module runs once.
  internal.defineGlobal('Component', function Component(options) {
    const route = internal.loadingRoute;
    if (register('component', options)) {
      internal.components[internal.pageFile(route) || route + '.js'] = options;
      return;
    }
    if (options === null || typeof options !== 'object') throw new TypeError('Component() expects an object');
    const path = internal.loadingComponent;
    if (!path) return;
    internal.components[path] = options;
    const asRoute = path.replace(/\.(js|ts)$/, '');
    const pages = internal.launchInfo && internal.launchInfo.allPages;
    if (pages && pages.includes(asRoute)) internal.pageDefs[asRoute] = { kind: 'component', def: options };
  });

  internal.defineGlobal('Behavior', function Behavior(options) {
    if (options === null || typeof options !== 'object') throw new TypeError('Behavior() expects an object');
    const b = Object.assign(Object.create(null), options, { __ftBehavior: true });
    internal.applyDefinitionFilters(b);
    return b;
  });

  // ---- page instances ----------------------------------------------------------------------
  let nextPageId = 1;
  function pageBase(route, query, proto) {
    const page = Object.create(proto);
    page.route = route;
    page.__route__ = route;
    page.options = query;
    page.__ftPageId = nextPageId++;
    page.getOpenerEventChannel = () => ({ emit() {}, on() {}, once() {}, off() {} });
    return page;
  }

  function pageInstance(route, def, query) {
    const page = pageBase(route, query, internal.instanceBase);
    const data = {};
    // Pages may use behaviors too: their data and methods first, the page's own over them.
    for (const layer of internal.flattenBehaviors(def).slice(0, -1)) {
      Object.assign(data, internal.cloneData(layer.data));
      Object.assign(page, layer.methods || {});
    }
    for (const key in def) {
      if (key === 'data' || key === 'behaviors') continue;
      page[key] = def[key];
    }
    page.data = Object.assign(data, internal.cloneData(def.data));
    return {
      page,
      hook(name, args) {
        return internal.safeCall(page[name], page, args, `Page[${route}].${name}`);
      },
    };
  }

  // A page built with Component(): page hooks are its methods, lifetimes run around them.
  function componentPageInstance(route, def, query) {
    const norm = internal.normalizeComponent(def, route);
    const page = internal.newComponentInstance(norm);
    Object.assign(page, pageBase(route, query, Object.prototype));
    // The query fills the properties of the same names, converted to their types.
    for (const name of Object.keys(query)) {
      if (norm.props[name]) page.data[name] = internal.coerceProperty(norm.props[name], query[name], name, route);
    }
    const where = (name) => `Component[${route}].${name}`;
    const life = (name) => internal.runLifetime(page, name, []);
    return {
      page,
      hook(name, args) {
        switch (name) {
          case 'beforeRender':
            life('created');
            return life('attached');
          case 'onReady':
            life('ready');
            return internal.safeCall(page.onReady, page, args, where('onReady'));
          case 'onUnload':
            internal.safeCall(page.onUnload, page, args, where('onUnload'));
            return life('detached');
          default:
            return internal.safeCall(page[name], page, args, where(name));
        }
      },
    };
  }

  // ---- packages: the main one at cold start, each subpackage when a page of it first opens --
  // (WeChat downloads and runs a subpackage then); `preloadRule` loads the ones a page names
  // after that page is ready.
  const loadedPackages = new Set();
  function subpackageOf(route) {
    const subs = (internal.launchInfo && internal.launchInfo.subPackages) || [];
    return subs.find((s) => s.pages.includes(route) || route.startsWith(s.root.replace(/\/?$/, '/')));
  }
  internal.subpackageOf = subpackageOf;
  function loadPackage(sub) {
    if (loadedPackages.has(sub.root)) return;
    loadedPackages.add(sub.root);
    for (const route of sub.pages) {
      const file = internal.pageFile(route);
      if (file) loadScript(file, route);
    }
    loadComponents(sub.pages);
  }
  internal.ensurePackage = function (route) {
    const sub = subpackageOf(route);
    if (sub) loadPackage(sub);
  };
  function preloadAfter(route) {
    const rules = internal.launchInfo && internal.launchInfo.appJson && internal.launchInfo.appJson.preloadRule;
    const rule = rules && (rules[route] || rules['/' + route]);
    if (!rule || !Array.isArray(rule.packages)) return;
    const subs = internal.launchInfo.subPackages || [];
    setTimeout(() => {
      for (const name of rule.packages) {
        const raw = ((internal.launchInfo.appJson.subpackages || internal.launchInfo.appJson.subPackages || [])
          .find((s) => s.name === name || s.root === name || s.root === name + '/') || {}).root;
        const sub = subs.find((s) => s.root === name || s.root === raw || (raw && s.root === raw.replace(/\/$/, '')));
        if (sub) loadPackage(sub);
      }
    }, 0);
  }

  // A new page instance for `route`, pushed on the stack, with onLoad/onShow/onReady run.
  internal.openPage = function (route, query) {
    internal.ensurePackage(route);
    const reg = internal.pageDefs[route];
    if (!reg) {
      if (!internal.pageFile(route)) {
        const ts = native.fileKind(route + '.ts') === 1;
        throw new Error(`page "${route}" is not found: ${route}.js does not exist${ts ? ' (TypeScript only)' : ''}`);
      }
      throw new Error(`page '${route}' has not been registered: its script must call Page() or Component()`);
    }
    const inst = reg.kind === 'page' ? pageInstance(route, reg.def, query) : componentPageInstance(route, reg.def, query);
    const page = inst.page;
    // Showing reaches the page's components first (pageLifetimes.show), hiding after the
    // page; unloading detaches them.
    page.__ftHook = function (name, args) {
      if (name === 'onShow') internal.pageEvent(page, 'show');
      const r = inst.hook(name, args);
      if (name === 'onHide') internal.pageEvent(page, 'hide');
      else if (name === 'onUnload') internal.pageEvent(page, 'unload');
      return r;
    };
    internal.pageStack.push(page);
    // As in WeChat: the page's component tree is built from the initial data before onLoad
    // (components created and attached; js/view/render.js), the view's first render comes
    // after onShow (components ready), then onReady.
    if (reg.kind !== 'page') inst.hook('beforeRender', []);
    const tl = internal.timeline;
    if (tl) tl('B', 'lifecycle', `render ${route}`);
    internal.renderPage(page);
    if (tl) tl('E', 'lifecycle', `render ${route}`);
    inst.hook('onLoad', [query]);
    page.__ftHook('onShow', []);
    internal.pageEvent(page, 'ready');
    inst.hook('onReady', []);
    preloadAfter(route);
    return page;
  };

  internal.parseQuery = function (query) {
    const out = {};
    for (const pair of String(query || '').replace(/^\?/, '').split('&')) {
      if (!pair) continue;
      const i = pair.indexOf('=');
      if (i < 0) out[pair] = '';
      else out[pair.slice(0, i)] = pair.slice(i + 1);
    }
    return out;
  };

  // The `useExtendedLib` library (weui, ...) a module request belongs to, or null: the WeChat
  // client provides those (`weui-miniprogram/cell/cell`), the bundle does not.
  internal.extendedLib = function (request) {
    const info = internal.launchInfo;
    const ext = (info && info.appJson && info.appJson.useExtendedLib) || {};
    const pkg = String(request).split('/')[0];
    return Object.keys(ext).find((lib) => ext[lib] && (pkg === lib || pkg === `${lib}-miniprogram` || pkg.startsWith(`${lib}-`))) || null;
  };
  internal.resolvable = function (request, fromDir) {
    try { internal.resolve(request, fromDir, fromDir ? fromDir + '/' : 'app.json'); return true; } catch (_) { return false; }
  };

  // A page's script: `route.js`, or `route.ts` when the project compiles TypeScript.
  internal.pageFile = function (route) {
    if (native.fileKind(route + '.js') === 1) return route + '.js';
    if (internal.launchInfo && internal.launchInfo.typescript && native.fileKind(route + '.ts') === 1) return route + '.ts';
    return null;
  };

  // Runs a script at the top level of the load phase: errors are reported, loading goes on.
  function loadScript(path, route) {
    internal.loadingRoute = route;
    try {
      internal.loadModule(path);
    } catch (e) {
      internal.reportError(e, `loading ${path}`);
    } finally {
      internal.loadingRoute = null;
    }
  }

  // usingComponents of app.json and of every page's .json: load and register each script.
  function usingComponents(jsonPath) {
    if (native.fileKind(jsonPath) !== 1) return {};
    try {
      const json = JSON.parse(native.readText(jsonPath));
      return (json && typeof json.usingComponents === 'object' && json.usingComponents) || {};
    } catch (e) {
      internal.reportError(new SyntaxError(`${jsonPath}: invalid JSON: ${e.message}`), `reading ${jsonPath}`);
      return {};
    }
  }
  internal.usingComponents = usingComponents;
  internal.loadComponent = function (ref, fromDir) {
    if (typeof ref !== 'string' || /^plugin:|^plugin-private:/.test(ref)) return null;
    const path = internal.resolve(ref, fromDir, fromDir ? fromDir + '/' : 'app.json');
    if (internal.components[path]) return path;
    internal.loadingComponent = path;
    try {
      internal.loadModule(path);
    } finally {
      internal.loadingComponent = null;
    }
    return path;
  };
  const componentRefs = new Set(); // `dir|ref` already loaded (or reported)
  function loadComponents(routes, withApp) {
    const load = (refs, fromDir, where) => {
      for (const name of Object.keys(refs)) {
        const key = fromDir + '|' + refs[name];
        if (componentRefs.has(key)) continue;
        componentRefs.add(key);
        const lib = internal.extendedLib(refs[name]);
        if (lib && !internal.resolvable(refs[name], fromDir)) {
          internal.warnOnce('extlib:' + lib, `components of the extended library '${lib}' (app.json useExtendedLib) come with the WeChat client; ftrun leaves them out`);
          continue;
        }
        try {
          internal.loadComponent(refs[name], fromDir);
        } catch (e) {
          internal.reportError(e, `loading component '${name}' (${refs[name]}) of ${where}`);
        }
      }
    };
    const appJson = internal.launchInfo && internal.launchInfo.appJson;
    if (withApp) load((appJson && appJson.usingComponents) || {}, '', 'app.json');
    for (const route of routes) load(usingComponents(route + '.json'), internal.dirname(route), route + '.json');
  }

  // Cold start, in the order of spec section 7.
  internal.events.boot = function (info) {
    internal.launchInfo = info;
    if (native.clockVirtual()) internal.useVirtualTime();
    // Launched into an independent subpackage, the main package (app.js included) is not run.
    const launchSub = subpackageOf(info.launch.path);
    const tl = internal.timeline;
    if (tl) tl('B', 'code', 'load code');
    if (!(launchSub && launchSub.independent)) {
      loadScript(internal.pageFile('app') || 'app.js', null);
      for (const route of info.pages) loadScript(internal.pageFile(route) || route + '.js', route);
      loadComponents(info.pages, true);
    }
    if (tl) tl('E', 'code', 'load code');
    const query = internal.parseQuery(info.launch.query);
    internal.launchOptions = { path: info.launch.path, query, scene: info.launch.scene, referrerInfo: {} };
    const independent = !!(launchSub && launchSub.independent);
    if (!internal.app && !independent) {
      internal.warnOnce('no-app', 'app.js did not call App(); running with an empty app');
      internal.app = {};
    }
    // In an independent subpackage getApp() stays undefined until the main package runs.
    const app = internal.app || {};
    const opts = () => Object.assign({}, internal.launchOptions, { query: Object.assign({}, query) });
    internal.safeCall(app.onLaunch, app, [opts()], 'App.onLaunch');
    internal.safeCall(app.onShow, app, [opts()], 'App.onShow');
    if (internal.onAppShow) internal.onAppShow(opts());
    try {
      internal.openPage(info.launch.path, Object.assign({}, query));
    } catch (e) {
      internal.reportError(e, `opening ${info.launch.path}`);
    }
  };
})
