// `ftrun render`: the launch page's tree, printed once the page is ready (as WXML, JSON, or
// the parts of an HTML document: js/view/html.js).
(function (native, internal) {
  'use strict';
  internal.events.printTree = function (options) {
    const stack = internal.pageStack;
    const page = stack[stack.length - 1];
    const pv = page && page.__ftView;
    if (!pv) {
      native.printedTree(null);
      return;
    }
    const view = internal.view;
    if (options.html) {
      view.need('html');
      native.printedTree(JSON.stringify(Object.assign({ route: page.route }, view.pageHtml(pv))));
      return;
    }
    view.need('serialize');
    native.printedTree(options.json ? JSON.stringify(view.toJSON(pv.host)) : view.printTree(pv.host));
  };
})
