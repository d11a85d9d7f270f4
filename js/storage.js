// wx.setStorage / getStorage / removeStorage / clearStorage / getStorageInfo, sync and async,
// with WeChat's semantics: a missing key is '' from the sync getter and a fail from the async.
(function (native, internal) {
  'use strict';
  const LIMIT_KB = 10240;

  function checkKey(api, key) {
    if (typeof key !== 'string' || key === '') {
      const got = key === undefined ? 'Undefined' : key === null ? 'Null' : typeof key === 'string' ? 'empty String' : typeof key;
      throw internal.fail(`parameter error: parameter.key should be String instead of ${got}`);
    }
  }
  const encode = (data) => JSON.stringify({ v: data === undefined ? null : data });
  const decode = (text) => JSON.parse(text).v;

  // A write: staged at once (every read of this run sees it), then committed. `*Sync` APIs
  // commit before they return; the others settle once the commit is done.
  function write(kind, key, data, sync) {
    let json = '';
    if (kind === 'set') {
      try { json = encode(data); } catch (e) { throw internal.fail(`data cannot be serialized: ${e.message}`); }
    }
    if (!sync) return internal.awaitOp(native.storageWrite(kind, key, json)).then(() => ({}));
    const refused = native.storageWriteSync(kind, key, json);
    if (refused) throw internal.fail(refused);
    return {};
  }

  const ops = {
    set(api, key, data, sync) {
      checkKey(api, key);
      return write('set', key, data, sync);
    },
    get(api, key) {
      checkKey(api, key);
      const text = native.storageGet(key);
      if (text === null || text === undefined) throw internal.fail('data not found');
      return { data: decode(text) };
    },
    remove(api, key, sync) {
      checkKey(api, key);
      return write('remove', key, undefined, sync);
    },
    clear(sync) {
      return write('clear', '', undefined, sync);
    },
    info() {
      const info = JSON.parse(native.storageInfo());
      return { keys: info.keys, currentSize: Math.ceil(info.size / 1024), limitSize: LIMIT_KB };
    },
  };

  // Sync versions throw an Error whose message is the errMsg, as WeChat's do.
  function sync(api, fn) {
    return function (...args) {
      try {
        return fn(...args);
      } catch (e) {
        if (e && e.reason !== undefined) throw new Error(`${api}:fail ${e.reason}`);
        throw e;
      }
    };
  }

  internal.defineApi('setStorageSync', sync('setStorageSync', (key, data) => { ops.set('setStorageSync', key, data, true); }));
  internal.defineApi('getStorageSync', sync('getStorageSync', (key) => {
    checkKey('getStorageSync', key);
    const text = native.storageGet(key);
    return text === null || text === undefined ? '' : decode(text);
  }));
  internal.defineApi('removeStorageSync', sync('removeStorageSync', (key) => { ops.remove('removeStorageSync', key, true); }));
  internal.defineApi('clearStorageSync', sync('clearStorageSync', () => { ops.clear(true); }));
  internal.defineApi('getStorageInfoSync', sync('getStorageInfoSync', () => ops.info()));

  internal.defineApi('setStorage', (o) => ops.set('setStorage', o.key, o.data), 'async');
  internal.defineApi('getStorage', (o) => ops.get('getStorage', o.key), 'async');
  internal.defineApi('removeStorage', (o) => ops.remove('removeStorage', o.key), 'async');
  internal.defineApi('clearStorage', () => ops.clear(false), 'async');
  internal.defineApi('getStorageInfo', () => ops.info(), 'async');
})
