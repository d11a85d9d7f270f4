// wx.cloud (WeChat's cloud development): present, and failing as it does without a cloud
// environment, since a headless run has none: `cloud.callFunction:fail not supported in
// ftrun ...`. In `ftrun test`, `ftrun.mock('cloud.callFunction', double)` answers instead, and
// so do 'cloud.uploadFile', 'cloud.downloadFile', 'cloud.getTempFileURL', 'cloud.deleteFile',
// 'cloud.callContainer' and the database operations 'cloud.database.get' / 'count' / 'add' /
// 'update' / 'set' / 'remove', whose double receives the chain that led to it
// ({ collection, doc, where, orderBy, limit, skip, field, data }).
(function (native, internal) {
  'use strict';
  const reason = 'not supported in ftrun (no cloud environment; a test can answer with ftrun.mock)';
  // op -> function(options) returning a result, set by a test double (js/test/mock.js).
  const doubles = (internal.cloudDoubles = Object.create(null));

  function run(op, errName, options, extra) {
    internal.trace(`cloud.${op}`, [options]);
    return internal.invoke(errName, (o) => {
      const double = doubles[op];
      if (double) return double(Object.assign({}, o, extra));
      throw internal.fail(reason);
    }, options);
  }

  function query(collection, chain) {
    const next = (more) => query(collection, Object.assign({}, chain, more));
    const op = (name) => (options) => run(`database.${name}`, `${chain.doc !== undefined ? 'document' : 'collection'}.${name}`,
      options, Object.assign({ collection }, chain, options && options.data !== undefined ? { data: options.data } : {}));
    return {
      where: (where) => next({ where }),
      orderBy: (field, order) => next({ orderBy: (chain.orderBy || []).concat([[field, order]]) }),
      limit: (limit) => next({ limit }),
      skip: (skip) => next({ skip }),
      field: (field) => next({ field }),
      doc: (doc) => next({ doc }),
      get: op('get'), count: op('count'), update: op('update'), set: op('set'), remove: op('remove'),
      add: op('add'),
      watch: () => ({ close() { return Promise.resolve(); } }),
    };
  }

  // db.command: operators described, not evaluated (a double can read them).
  const command = new Proxy({}, {
    get: (t, name) => (typeof name === 'string' ? (...args) => ({ $op: name, args }) : undefined),
  });

  function database(options) {
    return {
      config: options || {},
      collection: (name) => query(String(name), {}),
      command,
      serverDate: (o) => ({ $serverDate: o || {} }),
      RegExp: (o) => ({ $regex: o }),
      Geo: new Proxy({}, { get: (t, k) => (...args) => ({ $geo: k, args }) }),
      runTransaction: (fn, times) => run('database.runTransaction', 'database.runTransaction', {}, { times }),
      startTransaction: () => run('database.startTransaction', 'database.startTransaction', {}, {}),
    };
  }

  function makeCloud() {
    const cloud = {
      init(options) { internal.trace('cloud.init', [options]); },
      database,
      CloudID: (cloudID) => ({ cloudID }),
    };
    for (const op of ['callFunction', 'uploadFile', 'downloadFile', 'getTempFileURL', 'deleteFile', 'callContainer']) {
      cloud[op] = (options) => run(op, `cloud.${op}`, options, {});
    }
    cloud.Cloud = function Cloud() { return makeCloud(); };
    return cloud;
  }
  internal.cloud = makeCloud();
})
