// wx.request: success { data, statusCode, header } for any HTTP status, fail on network
// errors; returns a RequestTask (abort) when callbacks are given, else a Promise.
(function (native, internal) {
  'use strict';

  function encodeForm(data) {
    return Object.keys(data).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(data[k] === undefined ? '' : data[k])}`).join('&');
  }

  internal.defineApi('request', function request(options) {
    options = options || {};
    let opId = null;
    let aborted = false;
    const task = {
      abort() {
        aborted = true;
        if (opId !== null) native.requestAbort(opId);
      },
      onHeadersReceived() {}, offHeadersReceived() {}, onChunkReceived() {}, offChunkReceived() {},
    };
    const result = internal.invoke('request', function (o) {
      if (typeof o.url !== 'string' || !o.url) throw internal.fail('parameter error: parameter.url should be String');
      const method = String(o.method || 'GET').toUpperCase();
      const header = Object.assign({}, o.header || {});
      const headerKey = (name) => Object.keys(header).find((k) => k.toLowerCase() === name);
      if (!headerKey('content-type')) header['content-type'] = 'application/json';
      const contentType = String(header[headerKey('content-type')]);
      let url = o.url;
      let body = '';
      const data = o.data;
      if (data !== undefined && data !== null) {
        if (method === 'GET' || method === 'HEAD') {
          const q = typeof data === 'string' ? data : encodeForm(data);
          if (q) url += (url.includes('?') ? '&' : '?') + q;
        } else if (typeof data === 'string') body = data;
        else if (contentType.includes('application/x-www-form-urlencoded')) body = encodeForm(data);
        else body = JSON.stringify(data);
      }
      if (aborted) throw internal.fail('abort');
      const headers = Object.keys(header).map((k) => [k, String(header[k])]);
      const binary = o.responseType === 'arraybuffer';
      opId = native.requestStart(JSON.stringify({ method, url, headers, body, timeoutMs: o.timeout, binary }));
      return internal.awaitOp(opId).then((res) => {
        let out = res.body;
        if (binary) {
          out = internal.ft.base64ToArrayBuffer(res.body);
        } else if ((o.dataType || 'json') === 'json') {
          try { out = JSON.parse(res.body); } catch (_) { out = res.body; }
        }
        return { data: out, statusCode: res.statusCode, header: res.header, cookies: [] };
      });
    }, options);
    return result === undefined ? task : result;
  });
})
