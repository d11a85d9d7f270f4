// Mock functions for the test file itself, as Jest has them: jest.fn(), jest.spyOn(), and the
// matchers that read their calls. (Doubles for the app's ft/wx APIs are ftrun.mock, mock.js.)
(function (native, internal) {
  'use strict';
  const { hint, pretty } = internal.matcherText;
  const equals = internal.equals;

  function fn(impl) {
    const onces = [];
    let current = impl;
    const mock = { calls: [], results: [], instances: [], lastCall: undefined };
    const f = function (...args) {
      mock.calls.push(args);
      mock.lastCall = args;
      mock.instances.push(this);
      const run = onces.length ? onces.shift() : current;
      try {
        const value = run ? run.apply(this, args) : undefined;
        mock.results.push({ type: 'return', value });
        return value;
      } catch (e) {
        mock.results.push({ type: 'throw', value: e });
        throw e;
      }
    };
    Object.defineProperty(f, '_isMockFunction', { value: true });
    f.mock = mock;
    f.mockImplementation = (g) => { current = g; return f; };
    f.mockImplementationOnce = (g) => { onces.push(g); return f; };
    f.mockReturnValue = (v) => f.mockImplementation(() => v);
    f.mockReturnValueOnce = (v) => f.mockImplementationOnce(() => v);
    f.mockResolvedValue = (v) => f.mockImplementation(() => Promise.resolve(v));
    f.mockResolvedValueOnce = (v) => f.mockImplementationOnce(() => Promise.resolve(v));
    f.mockRejectedValue = (v) => f.mockImplementation(() => Promise.reject(v));
    f.mockRejectedValueOnce = (v) => f.mockImplementationOnce(() => Promise.reject(v));
    f.mockClear = () => {
      mock.calls.length = 0;
      mock.results.length = 0;
      mock.instances.length = 0;
      mock.lastCall = undefined;
      return f;
    };
    f.mockReset = () => { f.mockClear(); onces.length = 0; current = undefined; return f; };
    let name = 'jest.fn()';
    f.mockName = (n) => { name = String(n); return f; };
    f.getMockName = () => name;
    f.mockReturnThis = () => f.mockImplementation(function () { return this; });
    f.getMockImplementation = () => current;
    // Runs `callback` with `g` as the implementation, then puts the old one back.
    f.withImplementation = (g, callback) => {
      const before = current;
      current = g;
      let r;
      try {
        r = callback();
      } catch (e) {
        current = before;
        throw e;
      }
      if (r && typeof r.then === 'function') return r.then(() => { current = before; }, (e) => { current = before; throw e; });
      current = before;
      return r;
    };
    all.push(f);
    return f;
  }
  const all = []; // every mock function made, for clearAllMocks / resetAllMocks

  const spies = [];
  function spyOn(object, method) {
    const original = object && object[method];
    if (typeof original !== 'function') throw new TypeError(`jest.spyOn: ${String(method)} is not a function on the object given`);
    const spy = fn(function (...args) { return original.apply(this, args); });
    spy.mockRestore = () => { object[method] = original; };
    object[method] = spy;
    spies.push(spy);
    return spy;
  }

  const timers = internal.fakeTimers;
  internal.defineGlobal('jest', {
    useFakeTimers: (config) => { timers.useFakeTimers(config); return globalThis.jest; },
    useRealTimers: () => { timers.useRealTimers(); return globalThis.jest; },
    advanceTimersByTime: (ms) => timers.advanceTimersByTime(ms),
    advanceTimersToNextTimer: (steps) => timers.advanceTimersToNextTimer(steps),
    runAllTimers: () => timers.runAllTimers(),
    runOnlyPendingTimers: () => timers.runOnlyPendingTimers(),
    runAllTicks: () => {},
    clearAllTimers: () => timers.clearAllTimers(),
    getTimerCount: () => timers.getTimerCount(),
    setSystemTime: (t) => timers.setSystemTime(t),
    now: () => timers.now(),
    getRealSystemTime: () => timers.getRealSystemTime(),
    isMockFunction: (f) => typeof f === 'function' && f._isMockFunction === true,
    fn,
    spyOn,
    clearAllMocks: () => { all.forEach((f) => f.mockClear()); return globalThis.jest; },
    resetAllMocks: () => { all.forEach((f) => f.mockReset()); return globalThis.jest; },
    mocked: (x) => x,
    // The default timeout of this file's tests (and hooks).
    setTimeout: (ms) => { internal.defaultTimeout = Number(ms); return globalThis.jest; },
    // A failing test runs again, up to n more times, before it counts as failed.
    retryTimes: (n) => { internal.retryTimes = Math.max(0, Number(n) || 0); return globalThis.jest; },
    // The next require runs modules afresh (the test file keeps its own).
    resetModules: () => {
      const file = internal.testFile && internal.testFile.file;
      for (const k of Object.keys(internal.moduleCache)) if (k !== file) delete internal.moduleCache[k];
    },
    isolateModules: (fn) => { fn(); },
    restoreAllMocks: () => { spies.splice(0).forEach((s) => s.mockRestore()); return globalThis.jest; },
  });

  // ---- matchers over a mock's calls -----------------------------------------------------------
  const needMock = (name, not, r) => (typeof r === 'function' && r._isMockFunction ? null
    : [false, () => `${hint(name, not, '')}\n\nReceived value must be a mock function (jest.fn() or jest.spyOn()): ${pretty(r)}`]);
  const callsText = (calls) => (calls.length ? calls.map((c, i) => `  ${i + 1}: ${pretty(c, '  ')}`).join('\n') : '  (no calls)');
  const sameArgs = (got, want) => equals(got, want, false);
  const m = internal.matchers;

  m.toHaveBeenCalled = (r, _e, not) => needMock('toHaveBeenCalled', not, r) ||
    [r.mock.calls.length > 0, () => `${hint('toHaveBeenCalled', not, '')}\n\nNumber of calls: ${r.mock.calls.length}\n${callsText(r.mock.calls)}`];
  m.toHaveBeenCalledTimes = (r, n, not) => needMock('toHaveBeenCalledTimes', not, r) ||
    [r.mock.calls.length === n, () => `${hint('toHaveBeenCalledTimes', not)}\n\nExpected number of calls: ${not ? 'not ' : ''}${n}\nReceived number of calls: ${r.mock.calls.length}`];
  m.toHaveBeenCalledWith = (r, _e, not, args) => needMock('toHaveBeenCalledWith', not, r) ||
    [r.mock.calls.some((c) => sameArgs(c, args)), () => `${hint('toHaveBeenCalledWith', not, '...expected')}\n\nExpected: ${not ? 'not ' : ''}${pretty(args)}\nReceived calls:\n${callsText(r.mock.calls)}`];
  m.toHaveBeenLastCalledWith = (r, _e, not, args) => needMock('toHaveBeenLastCalledWith', not, r) ||
    [r.mock.calls.length > 0 && sameArgs(r.mock.calls[r.mock.calls.length - 1], args),
      () => `${hint('toHaveBeenLastCalledWith', not, '...expected')}\n\nExpected: ${not ? 'not ' : ''}${pretty(args)}\nReceived calls:\n${callsText(r.mock.calls)}`];
  m.toHaveBeenNthCalledWith = (r, n, not, args) => needMock('toHaveBeenNthCalledWith', not, r) ||
    [r.mock.calls.length >= n && sameArgs(r.mock.calls[n - 1], args.slice(1)),
      () => `${hint('toHaveBeenNthCalledWith', not, 'n, ...expected')}\n\nCall ${n}: expected ${not ? 'not ' : ''}${pretty(args.slice(1))}\nReceived calls:\n${callsText(r.mock.calls)}`];
  m.toHaveReturnedWith = (r, v, not) => needMock('toHaveReturnedWith', not, r) ||
    [r.mock.results.some((x) => x.type === 'return' && equals(x.value, v, false)),
      () => `${hint('toHaveReturnedWith', not)}\n\nExpected: ${not ? 'not ' : ''}${pretty(v)}\nReceived returns: ${pretty(r.mock.results.filter((x) => x.type === 'return').map((x) => x.value))}`];
  const returns = (r) => r.mock.results.filter((x) => x.type === 'return');
  m.toHaveReturned = (r, _e, not) => needMock('toHaveReturned', not, r) ||
    [returns(r).length > 0, () => `${hint('toHaveReturned', not, '')}\n\nNumber of returns: ${returns(r).length}\nNumber of calls: ${r.mock.calls.length}`];
  m.toHaveReturnedTimes = (r, n, not) => needMock('toHaveReturnedTimes', not, r) ||
    [returns(r).length === n, () => `${hint('toHaveReturnedTimes', not)}\n\nExpected number of returns: ${not ? 'not ' : ''}${n}\nReceived number of returns: ${returns(r).length}`];
  m.toHaveLastReturnedWith = (r, v, not) => needMock('toHaveLastReturnedWith', not, r) || (() => {
    const last = r.mock.results[r.mock.results.length - 1];
    return [!!last && last.type === 'return' && equals(last.value, v, false),
      () => `${hint('toHaveLastReturnedWith', not)}\n\nExpected: ${not ? 'not ' : ''}${pretty(v)}\nReceived: ${last ? pretty(last.value) : '(no calls)'}`];
  })();
  m.toHaveNthReturnedWith = (r, n, not, args) => needMock('toHaveNthReturnedWith', not, r) || (() => {
    const nth = r.mock.results[n - 1];
    return [!!nth && nth.type === 'return' && equals(nth.value, args[1], false),
      () => `${hint('toHaveNthReturnedWith', not, 'n, expected')}\n\nReturn ${n}: expected ${not ? 'not ' : ''}${pretty(args[1])}\nReceived: ${nth ? pretty(nth.value) : '(no such call)'}`];
  })();
  // Jest's older names.
  Object.assign(m, {
    toBeCalled: m.toHaveBeenCalled,
    toBeCalledTimes: m.toHaveBeenCalledTimes,
    toBeCalledWith: m.toHaveBeenCalledWith,
    lastCalledWith: m.toHaveBeenLastCalledWith,
    nthCalledWith: m.toHaveBeenNthCalledWith,
    toReturn: m.toHaveReturned,
    toReturnTimes: m.toHaveReturnedTimes,
    toReturnWith: m.toHaveReturnedWith,
    lastReturnedWith: m.toHaveLastReturnedWith,
    nthReturnedWith: m.toHaveNthReturnedWith,
  });
})
