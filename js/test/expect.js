// `expect` with the common Jest matchers, `.not`, `.resolves`/`.rejects`, and readable
// expected/received diffs. A failure carries the file:line of the failed expect.
(function (native, internal) {
  'use strict';

  const expectFactories = {};

  class AssertionError extends Error {
    // `location` as the user names the file, `at` as loaded; `matcher` the failed one.
    constructor(message, location, at, matcher) {
      super(message);
      this.name = 'AssertionError';
      this.location = location;
      this.at = at;
      this.matcher = matcher;
    }
  }
  internal.AssertionError = AssertionError;

  // ---- asymmetric matchers (expect.any(Number), expect.objectContaining({...}), ...) ------------
  // They stand in for a value inside toEqual, toHaveBeenCalledWith and the like.
  class Asymmetric {
    constructor(label, test) {
      this.label = label;
      this.test = test;
    }
    asymmetricMatch(v) { return this.test(v); }
  }
  const isAsymmetric = (v) => v instanceof Asymmetric;
  internal.isAsymmetric = isAsymmetric;
  const typeOf = { Number: 'number', String: 'string', Boolean: 'boolean', BigInt: 'bigint', Symbol: 'symbol', Function: 'function' };
  Object.assign(expectFactories, {
    any: (ctor) => {
      if (typeof ctor !== 'function') throw new TypeError('expect.any() takes a constructor, e.g. expect.any(Number)');
      const t = typeOf[ctor.name];
      return new Asymmetric(`Any<${ctor.name}>`, (v) => (t && typeof v === t) || (ctor === Object ? typeof v === 'object' && v !== null : v instanceof ctor));
    },
    anything: () => new Asymmetric('Anything', (v) => v !== null && v !== undefined),
    objectContaining: (o) => new Asymmetric(`ObjectContaining ${pretty(o)}`, (v) => typeof v === 'object' && v !== null &&
      Object.keys(o).every((k) => k in Object(v) && equals(v[k], o[k], false))),
    arrayContaining: (a) => new Asymmetric(`ArrayContaining ${pretty(a)}`, (v) => Array.isArray(v) &&
      a.every((x) => v.some((y) => equals(y, x, false)))),
    stringContaining: (s) => new Asymmetric(`StringContaining ${JSON.stringify(s)}`, (v) => typeof v === 'string' && v.includes(s)),
    stringMatching: (re) => new Asymmetric(`StringMatching ${re instanceof RegExp ? re : JSON.stringify(re)}`,
      (v) => typeof v === 'string' && (re instanceof RegExp ? re.test(v) : v.includes(re))),
  });

  // ---- printing values ----------------------------------------------------------------------
  function pretty(v, indent = '', seen = new Set()) {
    if (isAsymmetric(v)) return v.label;
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return `[Function ${v.name || 'anonymous'}]`;
    if (typeof v !== 'object') return String(v);
    if (seen.has(v)) return '[Circular]';
    if (v instanceof Date) return `Date(${isNaN(v) ? 'Invalid' : v.toISOString()})`;
    if (v instanceof RegExp) return String(v);
    if (v instanceof Error) return `[${v.name}: ${v.message}]`;
    seen.add(v);
    const inner = indent + '  ';
    let out;
    if (Array.isArray(v)) {
      out = v.length ? `[\n${v.map((x) => inner + pretty(x, inner, seen) + ',').join('\n')}\n${indent}]` : '[]';
    } else if (v instanceof Map) {
      out = `Map {\n${Array.from(v).map(([k, x]) => `${inner}${pretty(k, inner, seen)} => ${pretty(x, inner, seen)},`).join('\n')}\n${indent}}`;
    } else if (v instanceof Set) {
      out = `Set {\n${Array.from(v).map((x) => inner + pretty(x, inner, seen) + ',').join('\n')}\n${indent}}`;
    } else {
      const keys = Object.keys(v).sort();
      const name = v.constructor && v.constructor !== Object && v.constructor.name ? v.constructor.name + ' ' : '';
      out = keys.length
        ? `${name}{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pretty(v[k], inner, seen)},`).join('\n')}\n${indent}}`
        : `${name}{}`;
    }
    seen.delete(v);
    return out;
  }
  internal.pretty = pretty;

  // The expected value with each asymmetric matcher that holds replaced by what it matched,
  // so a diff shows only what really differs.
  function reconcile(expected, received, seen = new Set()) {
    if (isAsymmetric(expected)) return expected.asymmetricMatch(received) ? received : expected;
    if (typeof expected !== 'object' || expected === null || typeof received !== 'object' || received === null) return expected;
    if (seen.has(expected) || Array.isArray(expected) !== Array.isArray(received)) return expected;
    if (Object.getPrototypeOf(expected) !== Array.prototype && Object.getPrototypeOf(expected) !== Object.prototype) return expected;
    seen.add(expected);
    const out = Array.isArray(expected) ? [] : {};
    for (const k of Object.keys(expected)) out[k] = k in received ? reconcile(expected[k], received[k], seen) : expected[k];
    seen.delete(expected);
    return out;
  }

  // The received value cut to the expected's shape (toMatchObject's diff): keys not asked for
  // are left out, as Jest's getObjectSubset does.
  function subset(received, expected, seen = new Set()) {
    if (typeof received !== 'object' || received === null || typeof expected !== 'object' || expected === null) return received;
    if (isAsymmetric(expected) || seen.has(received)) return received;
    if (Array.isArray(received) && Array.isArray(expected)) {
      if (received.length !== expected.length) return received;
      seen.add(received);
      const out = received.map((x, i) => subset(x, expected[i], seen));
      seen.delete(received);
      return out;
    }
    if (Array.isArray(received) !== Array.isArray(expected) || Object.getPrototypeOf(received) !== Object.prototype) return received;
    seen.add(received);
    const out = {};
    for (const k of Object.keys(expected)) if (k in received) out[k] = subset(received[k], expected[k], seen);
    seen.delete(received);
    return Object.keys(out).length ? out : received;
  }

  // Lines of context around each change in a diff (Jest's default).
  const CONTEXT = 5;

  // Only the changed regions of a long diff, each under a "@@ -a,b +c,d @@" header (as Jest).
  function hunks(ops) {
    const changed = ops.map((o) => o[0] !== ' ');
    const keep = ops.map((_, i) => changed.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some(Boolean));
    if (keep.every(Boolean)) return ops.map((o) => o.join(''));
    const out = [];
    let a = 1;
    let b = 1;
    for (let i = 0; i < ops.length;) {
      if (!keep[i]) {
        if (ops[i][0] !== '+') a++;
        if (ops[i][0] !== '-') b++;
        i++;
        continue;
      }
      let j = i;
      while (j < ops.length && keep[j]) j++;
      const part = ops.slice(i, j);
      const na = part.filter((o) => o[0] !== '+').length;
      const nb = part.filter((o) => o[0] !== '-').length;
      out.push(`@@ -${a},${na} +${b},${nb} @@`, ...part.map((o) => o.join('')));
      a += na;
      b += nb;
      i = j;
    }
    return out;
  }

  // Line diff (LCS) of two pretty-printed values: "- expected" / "+ received"; long ones cut
  // to their changed regions.
  function diff(expected, received) {
    const a = pretty(reconcile(expected, received)).split('\n');
    const b = pretty(received).split('\n');
    if (a.length * b.length > 250000) return `- Expected\n+ Received\n\n- ${a.join('\n- ')}\n+ ${b.join('\n+ ')}`;
    const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
      }
    }
    const ops = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) { ops.push([' ', ' ' + a[i]]); i++; j++; }
      else if (i < a.length && (j >= b.length || dp[i + 1][j] >= dp[i][j + 1])) { ops.push(['-', ' ' + a[i]]); i++; }
      else { ops.push(['+', ' ' + b[j]]); j++; }
    }
    return ['- Expected', '+ Received', '', ...hunks(ops)].join('\n');
  }

  // ---- equality -----------------------------------------------------------------------------
  function equals(a, b, strict, seen = []) {
    if (isAsymmetric(b)) return b.asymmetricMatch(a);
    if (isAsymmetric(a)) return a.asymmetricMatch(b);
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && +a === +b;
    if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    for (const [x, y] of seen) if (x === a && y === b) return true;
    seen = seen.concat([[a, b]]);
    if (a instanceof Map && b instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !equals(v, b.get(k), strict, seen)) return false;
      return true;
    }
    if (a instanceof Set && b instanceof Set) {
      if (a.size !== b.size) return false;
      for (const v of a) if (!Array.from(b).some((w) => equals(v, w, strict, seen))) return false;
      return true;
    }
    if (Array.isArray(a) && a.length !== b.length) return false;
    const keys = (o) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
    const ka = keys(a);
    const kb = keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !equals(a[k], b[k], strict, seen)) return false;
    }
    if (strict && Array.isArray(a)) {
      for (let i = 0; i < a.length; i++) if ((i in a) !== (i in b)) return false;
    }
    return true;
  }
  internal.equals = equals;

  internal.matchesObject = (a, e) => matchesObject(a, e);
  function matchesObject(actual, expected) {
    if (typeof expected !== 'object' || expected === null || isAsymmetric(expected)) return equals(actual, expected, false);
    if (typeof actual !== 'object' || actual === null) return false;
    if (Array.isArray(expected)) {
      return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesObject(actual[i], e));
    }
    return Object.keys(expected).every((k) => k in Object(actual) && matchesObject(actual[k], expected[k]));
  }

  function getPath(obj, path) {
    const parts = Array.isArray(path) ? path : String(path).replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
    let cur = obj;
    for (const p of parts) {
      if (cur === null || cur === undefined || !(p in Object(cur))) return { found: false };
      cur = cur[p];
    }
    return { found: true, value: cur };
  }

  // The first app frame of the stack (the test file's): where the failed expect is.
  const callerLocation = () => internal.displayLocation(internal.appLocation(new Error().stack));

  // ---- matchers: each returns [pass, message()] ---------------------------------------------
  const hint = (name, not, arg = 'expected') => `expect(received).${not ? 'not.' : ''}${name}(${arg})`;
  const two = (name, not, e, r) => `${hint(name, not)}\n\nExpected: ${not ? 'not ' : ''}${pretty(e)}\nReceived: ${pretty(r)}`;
  const withDiff = (name, not, e, r) => (not ? two(name, not, e, r) : `${hint(name, not)}\n\n${diff(e, r)}`);
  const one = (name, not, r) => `${hint(name, not, '')}\n\nReceived: ${pretty(r)}`;
  const compare = (op, fn) => (r, e, not) => [typeof r === 'number' || typeof r === 'bigint' ? fn(r, e) : false,
    () => `${hint(op, not)}\n\nExpected: ${not ? 'not ' : ''}${op.replace('toBe', '').replace(/([A-Z])/g, ' $1').trim().toLowerCase()} ${pretty(e)}\nReceived: ${pretty(r)}`];

  const matchers = {
    toBe: (r, e, not) => [Object.is(r, e), () => (typeof r === 'object' && equals(r, e, true) && !not
      ? `${two('toBe', not, e, r)}\n\nThe values are equal but not the same object: use toEqual.` : two('toBe', not, e, r))],
    toEqual: (r, e, not) => [equals(r, e, false), () => withDiff('toEqual', not, e, r)],
    toStrictEqual: (r, e, not) => [equals(r, e, true), () => withDiff('toStrictEqual', not, e, r)],
    toMatchObject: (r, e, not) => [matchesObject(r, e), () => withDiff('toMatchObject', not, e, subset(r, e))],
    toContain: (r, e, not) => [typeof r === 'string' ? r.includes(e) : !!r && Array.from(r).some((x) => Object.is(x, e)),
      () => `${hint('toContain', not)}\n\nExpected item: ${pretty(e)}\nReceived: ${pretty(r)}`],
    toContainEqual: (r, e, not) => [!!r && Array.from(r).some((x) => equals(x, e, false)),
      () => `${hint('toContainEqual', not)}\n\nExpected item: ${pretty(e)}\nReceived: ${pretty(r)}`],
    toHaveLength: (r, e, not) => [r !== null && r !== undefined && r.length === e,
      () => `${hint('toHaveLength', not)}\n\nExpected length: ${e}\nReceived length: ${r === null || r === undefined ? 'none' : r.length}\nReceived: ${pretty(r)}`],
    toHaveProperty: (r, path, not, args) => {
      const got = getPath(r, path);
      const pass = got.found && (args.length < 2 || equals(got.value, args[1], false));
      return [pass, () => `${hint('toHaveProperty', not, 'path' + (args.length > 1 ? ', value' : ''))}\n\nPath: ${pretty(path)}\n` +
        (args.length > 1 ? `Expected value: ${pretty(args[1])}\n` : '') +
        (got.found ? `Received value: ${pretty(got.value)}` : `Received: ${pretty(r)} (no such path)`)];
    },
    toBeTruthy: (r, _, not) => [!!r, () => one('toBeTruthy', not, r)],
    toBeFalsy: (r, _, not) => [!r, () => one('toBeFalsy', not, r)],
    toBeNull: (r, _, not) => [r === null, () => one('toBeNull', not, r)],
    toBeUndefined: (r, _, not) => [r === undefined, () => one('toBeUndefined', not, r)],
    toBeDefined: (r, _, not) => [r !== undefined, () => one('toBeDefined', not, r)],
    toBeNaN: (r, _, not) => [Number.isNaN(r), () => one('toBeNaN', not, r)],
    toBeGreaterThan: compare('toBeGreaterThan', (r, e) => r > e),
    toBeGreaterThanOrEqual: compare('toBeGreaterThanOrEqual', (r, e) => r >= e),
    toBeLessThan: compare('toBeLessThan', (r, e) => r < e),
    toBeLessThanOrEqual: compare('toBeLessThanOrEqual', (r, e) => r <= e),
    toBeCloseTo: (r, e, not, args) => {
      const digits = args.length > 1 ? args[1] : 2;
      return [Math.abs(e - r) < Math.pow(10, -digits) / 2, () => two('toBeCloseTo', not, e, r)];
    },
    toBeInstanceOf: (r, e, not) => [r instanceof e, () => `${hint('toBeInstanceOf', not)}\n\nExpected constructor: ${e && e.name}\nReceived: ${pretty(r)}`],
    toMatch: (r, e, not) => [typeof r === 'string' && (e instanceof RegExp ? e.test(r) : r.includes(e)),
      () => `${hint('toMatch', not)}\n\nExpected pattern: ${not ? 'not ' : ''}${e instanceof RegExp ? e : pretty(e)}\nReceived string: ${pretty(r)}`],
    toThrow: (r, e, not, args, thrown) => {
      let err = thrown;
      let didThrow = thrown !== undefined && thrown !== NO_THROW;
      if (!thrown) {
        if (typeof r !== 'function') return [false, () => `${hint('toThrow', not)}\n\nReceived value must be a function`];
        try { r(); didThrow = false; } catch (x) { err = x; didThrow = true; }
      }
      const msg = err && typeof err === 'object' && 'message' in err ? err.message : String(err);
      let pass = didThrow;
      if (didThrow && args.length) {
        if (typeof e === 'string') pass = msg.includes(e);
        else if (e instanceof RegExp) pass = e.test(msg);
        else if (typeof e === 'function') pass = err instanceof e;
        else if (e && typeof e === 'object') pass = msg === e.message;
      }
      return [pass, () => `${hint('toThrow', not, args.length ? 'expected' : '')}\n\n` +
        (args.length ? `Expected: ${not ? 'not ' : ''}${e instanceof RegExp ? e : typeof e === 'function' ? e.name : pretty(e)}\n` : '') +
        (didThrow ? `Received error: ${pretty(err instanceof Error ? `${err.name}: ${msg}` : err)}` : 'Received function did not throw')];
    },
  };
  matchers.toThrowError = matchers.toThrow;
  const NO_THROW = {};
  // More matchers (the mock-function ones) register here with the same [pass, message] shape.
  internal.matchers = matchers;
  internal.matcherText = { hint, pretty, diff };

  function makeExpect(received, mode) {
    const build = (not) => {
      const api = {};
      for (const name of Object.keys(matchers)) {
        api[name] = function (...args) {
          const run = (value, thrown) => {
            if (internal.assertions) internal.assertions.count++;
            const [pass, message] = matchers[name](value, args[0], not, args, thrown, at);
            if (pass === not) throw new AssertionError(message(), location, at, name);
          };
          // Where the matcher was called: in the file as loaded (inline snapshots write there)
          // and as the user named it (failure messages).
          const at = internal.appLocation(new Error().stack);
          const location = internal.displayLocation(at);
          if (mode === 'resolves') {
            return Promise.resolve(received).then((v) => run(v), (e) => {
              throw new AssertionError(`expect(received).resolves.${name}()\n\nReceived promise rejected instead of resolved\nRejected to value: ${pretty(e)}`, location, at, name);
            });
          }
          if (mode === 'rejects') {
            return Promise.resolve(received).then((v) => {
              throw new AssertionError(`expect(received).rejects.${name}()\n\nReceived promise resolved instead of rejected\nResolved to value: ${pretty(v)}`, location, at, name);
            }, (e) => (name === 'toThrow' || name === 'toThrowError' ? run(undefined, e) : run(e)));
          }
          return run(received);
        };
      }
      return api;
    };
    const api = build(false);
    api.not = build(true);
    if (!mode) {
      Object.defineProperty(api, 'resolves', { get: () => makeExpect(received, 'resolves') });
      Object.defineProperty(api, 'rejects', { get: () => makeExpect(received, 'rejects') });
    }
    return api;
  }

  const expect = (received) => makeExpect(received, null);
  Object.assign(expect, expectFactories);
  expect.addSnapshotSerializer = (plugin) => internal.addSnapshotSerializer(plugin);
  // A custom matcher is also an asymmetric one: expect.toBeWithin(1, 3) inside toEqual.
  expect.extend = function (extra) {
    for (const name of Object.keys(extra)) {
      const run = (r, args) => extra[name].call({ isNot: false, equals, utils: { printReceived: pretty, printExpected: pretty } }, r, ...args);
      matchers[name] = (r, e, not, args) => {
        const res = run(r, args);
        return [!!res.pass, () => (typeof res.message === 'function' ? res.message() : String(res.message || name))];
      };
      expect[name] = (...args) => new Asymmetric(`${name}(${args.map((a) => pretty(a)).join(', ')})`, (v) => !!run(v, args).pass);
      expect.not[name] = (...args) => new Asymmetric(`not.${name}(${args.map((a) => pretty(a)).join(', ')})`, (v) => !run(v, args).pass);
    }
  };
  // expect.not.objectContaining(...) and the like: the opposite asymmetric matcher.
  expect.not = {};
  for (const name of ['objectContaining', 'arrayContaining', 'stringContaining', 'stringMatching']) {
    expect.not[name] = (...args) => {
      const inner = expectFactories[name](...args);
      return new Asymmetric(`Not${inner.label}`, (v) => !inner.asymmetricMatch(v));
    };
  }
  expect.closeTo = (n, digits = 2) => new Asymmetric(`NumberCloseTo ${n} (${digits} digits)`,
    (v) => typeof v === 'number' && Math.abs(n - v) < Math.pow(10, -digits) / 2);
  // expect.assertions(n) / expect.hasAssertions(): how many expect calls the test must make.
  expect.assertions = (n) => { if (internal.assertions) internal.assertions.expected = n; };
  expect.hasAssertions = () => { if (internal.assertions) internal.assertions.needed = true; };
  const count = (n) => `${n === 1 ? 'one' : n === 2 ? 'two' : n === 3 ? 'three' : String(n)} assertion${n === 1 ? '' : 's'}`;
  internal.checkAssertions = () => {
    const a = internal.assertions;
    if (!a) return;
    if (a.expected !== null && a.count !== a.expected) {
      throw new AssertionError(`expect.assertions(${a.expected})\n\nExpected ${count(a.expected)} to be called but received ${count(a.count).replace('assertion', 'assertion call')}.`);
    }
    if (a.needed && a.count === 0) throw new AssertionError('expect.hasAssertions()\n\nExpected at least one assertion to be called but received none.');
  };
  internal.defineGlobal('expect', expect);
})
