// navigateTo / redirectTo / navigateBack / switchTab / reLaunch over the page stack (at most
// 10), with onHide / onUnload / onShow in WeChat's order and the query passed to onLoad.
(function (native, internal) {
  'use strict';
  const MAX_PAGES = 10;
  const stack = internal.pageStack;

  function tabRoutes() {
    const tabBar = internal.launchInfo && internal.launchInfo.appJson && internal.launchInfo.appJson.tabBar;
    const list = (tabBar && Array.isArray(tabBar.list)) ? tabBar.list : [];
    return list.map((t) => String(t.pagePath || '').replace(/^\//, '').replace(/\.js$/, ''));
  }

  // '/pages/a/a?x=1' or 'detail?id=2' (relative to the current page) -> { route, query }.
  function parseUrl(url) {
    if (typeof url !== 'string' || !url) throw internal.fail('parameter error: parameter.url should be String');
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = internal.parseQuery(q < 0 ? '' : url.slice(q + 1));
    const top = stack[stack.length - 1];
    const base = path.startsWith('/') || !top ? '' : internal.dirname(top.route);
    const route = internal.normalize((base ? base + '/' : '') + path);
    if (route === null || !internal.launchInfo.allPages.includes(route)) {
      throw internal.fail(`page "${path.replace(/^\//, '')}" is not found`);
    }
    return { route, query };
  }

  const hook = (page, name, args) => page.__ftHook(name, args || []);
  function unloadTop() {
    const page = stack.pop();
    if (page) hook(page, 'onUnload');
  }
  // Navigation happens after the call returns, as on a phone.
  const later = (fn) => Promise.resolve().then(fn);

  internal.defineApi('navigateTo', (o) => {
    const { route, query } = parseUrl(o.url);
    if (tabRoutes().includes(route)) throw internal.fail('can not navigateTo a tabbar page');
    if (stack.length >= MAX_PAGES) throw internal.fail('webview count limit exceed');
    return later(() => {
      const top = stack[stack.length - 1];
      if (top) hook(top, 'onHide');
      internal.openPage(route, query);
      return {};
    });
  }, 'async');

  internal.defineApi('redirectTo', (o) => {
    const { route, query } = parseUrl(o.url);
    if (tabRoutes().includes(route)) throw internal.fail('can not redirectTo a tabbar page');
    return later(() => {
      unloadTop();
      internal.openPage(route, query);
      return {};
    });
  }, 'async');

  internal.defineApi('navigateBack', (o) => {
    const delta = Math.max(1, Number(o.delta) || 1);
    if (stack.length <= 1) throw internal.fail('cannot navigate back at first page.');
    return later(() => {
      for (let i = 0; i < delta && stack.length > 1; i++) unloadTop();
      hook(stack[stack.length - 1], 'onShow');
      return {};
    });
  }, 'async');

  internal.defineApi('switchTab', (o) => {
    const { route } = parseUrl(String(o.url || '').split('?')[0]);
    if (!tabRoutes().includes(route)) throw internal.fail('can not switch to no-tabBar page');
    return later(() => {
      while (stack.length > 1) unloadTop();
      const top = stack[0];
      if (top && top.route === route) {
        hook(top, 'onShow');
      } else {
        if (top && tabRoutes().includes(top.route)) { hook(top, 'onHide'); stack.pop(); } else unloadTop();
        internal.openPage(route, {});
      }
      return {};
    });
  }, 'async');

  internal.defineApi('reLaunch', (o) => {
    const { route, query } = parseUrl(o.url);
    return later(() => {
      while (stack.length) unloadTop();
      internal.openPage(route, query);
      return {};
    });
  }, 'async');
})
