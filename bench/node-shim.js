// A reference point, not a product: the smallest shim of App/Page/require/ft that runs the
// hello bundle's cold start in Node.js, for `make bench` to compare ftrun's start-up against.
// Prints "cold start done" on stderr at the launch page's onReady, as `ftrun -vv` does.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] || 'fixtures/hello');
const appJson = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
let app = null;
let route = null;
const defs = {};
const stack = [];
global.App = (o) => { app = o; };
global.getApp = () => app;
global.Page = (o) => { defs[route] = o; };
global.Component = global.Page;
global.getCurrentPages = () => stack.slice();
global.wx = global.ft = {
  getBackgroundFetchData: () => Promise.reject({ errMsg: 'getBackgroundFetchData:fail no data' }),
  onBackgroundFetchData() {},
};

require(path.join(root, 'app.js'));
for (const p of appJson.pages) {
  route = p;
  require(path.join(root, p + '.js'));
}
const entry = appJson.entryPagePath || appJson.pages[0];
const opts = { path: entry, query: {}, scene: 1001, referrerInfo: {} };
app.onLaunch && app.onLaunch(opts);
app.onShow && app.onShow(opts);
const def = defs[entry];
const page = Object.assign({}, def, { route: entry, options: {}, data: JSON.parse(JSON.stringify(def.data || {})) });
page.setData = function (patch, cb) {
  for (const k of Object.keys(patch)) {
    const parts = k.replace(/\[(\d+)\]/g, '.$1').split('.');
    let o = this.data;
    for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
    o[parts[parts.length - 1]] = patch[k];
  }
  if (cb) Promise.resolve().then(cb);
};
stack.push(page);
page.onLoad && page.onLoad({});
page.onShow && page.onShow();
page.onReady && page.onReady();
process.stderr.write('cold start done\n');
