// ft.setBackgroundFetchToken / getBackgroundFetchToken / getBackgroundFetchData /
// onBackgroundFetchData (+ offBackgroundFetchData), per spec section 5.
(function (native, internal) {
  'use strict';
  const listeners = [];

  internal.defineApi('setBackgroundFetchToken', function (options) {
    const token = options.token;
    if (typeof token !== 'string' || token.length < 1 || token.length > 1024) {
      throw internal.fail('invalid token: expected a non-empty string of at most 1024 characters');
    }
    return internal.awaitOp(native.bgSetToken(token)).then(() => ({}));
  }, 'async');

  internal.defineApi('getBackgroundFetchToken', function () {
    const token = native.bgGetToken();
    if (token === null || token === undefined) throw internal.fail('token not set');
    return { token };
  }, 'async');

  internal.defineApi('getBackgroundFetchData', function (options) {
    const type = options.fetchType;
    if (type !== 'pre' && type !== 'periodic') {
      throw internal.fail("invalid fetchType: expected 'pre' or 'periodic'");
    }
    // The slot as it is now: never waits for a request in flight.
    const record = native.bgGetData(type);
    if (record === null || record === undefined) throw internal.fail(`no data for fetchType '${type}'`);
    return JSON.parse(record);
  }, 'async');

  internal.defineApi('onBackgroundFetchData', function (listener) {
    if (typeof listener !== 'function') throw new TypeError('onBackgroundFetchData: the listener must be a function');
    listeners.push(listener);
  });

  internal.defineApi('offBackgroundFetchData', function (listener) {
    if (listener === undefined) listeners.length = 0;
    else {
      const i = listeners.indexOf(listener);
      if (i >= 0) listeners.splice(i, 1);
    }
  });

  // A record was stored during this run: every listener present now gets it, once.
  internal.events.bgfetch = function (record) {
    for (const listener of listeners.slice()) {
      internal.safeCall(listener, undefined, [Object.assign({}, record)], 'onBackgroundFetchData listener');
    }
  };
})
