// `ftrun render`: the launch page's tree, printed once the page is ready.
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
    view.need('serialize');
    native.printedTree(options.json ? JSON.stringify(view.toJSON(pv.host)) : view.printTree(pv.host));
  };
})
