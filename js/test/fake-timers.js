// Jest's modern fake timers for the test file's own code: setTimeout/setInterval/
// setImmediate, Date and performance.now under a clock the test moves (advanceTimersByTime,
// runAllTimers...). The runner keeps real timers for its own timeouts.
(function (native, internal) {
  'use strict';
  const g = globalThis;
  const real = {
    setTimeout: g.setTimeout, clearTimeout: g.clearTimeout, setInterval: g.setInterval, clearInterval: g.clearInterval,
    setImmediate: g.setImmediate, clearImmediate: g.clearImmediate, Date: g.Date, performance: g.performance,
  };
  const setGlobal = (name, value) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  internal.realTimers = real;

  const MAX_LOOPS = 100000;
  let clock = null; // { now, start, timers: Map(id -> { due, fn, args, every }), nextId, seq }

  function fakeDate(RealDate) {
    function FakeDate(...args) {
      if (!new.target) return new RealDate(clock.now).toString();
      return args.length ? new RealDate(...args) : new RealDate(clock.now);
    }
    FakeDate.prototype = RealDate.prototype;
    FakeDate.now = () => clock.now;
    FakeDate.parse = RealDate.parse;
    FakeDate.UTC = RealDate.UTC;
    return FakeDate;
  }

  function add(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('setTimeout/setInterval: the callback must be a function');
    const id = clock.nextId++;
    const delay = Math.max(0, Number(ms) || 0);
    clock.timers.set(id, { due: clock.now + delay, fn, args, every: repeat ? Math.max(1, delay) : 0, seq: clock.seq++ });
    return id;
  }
  const remove = (id) => { if (clock) clock.timers.delete(Number(id)); };

  function next() {
    let first = null;
    for (const [id, t] of clock.timers) if (!first || t.due < first[1].due || (t.due === first[1].due && t.seq < first[1].seq)) first = [id, t];
    return first;
  }
  function fire([id, t]) {
    clock.now = Math.max(clock.now, t.due);
    if (t.every) {
      t.due = clock.now + t.every;
      t.seq = clock.seq++;
    } else {
      clock.timers.delete(id);
    }
    t.fn.apply(undefined, t.args);
  }
  const need = (what) => {
    if (!clock) throw new Error(`jest.${what}() needs fake timers: call jest.useFakeTimers() first`);
  };

  const api = {
    useFakeTimers(config) {
      const now = config && config.now !== undefined ? Number(config.now instanceof real.Date ? config.now.getTime() : config.now) : real.Date.now();
      clock = { now, start: now, timers: new Map(), nextId: 1, seq: 0 };
      g.setTimeout = (fn, ms, ...args) => add(fn, ms, args, false);
      g.setInterval = (fn, ms, ...args) => add(fn, ms, args, true);
      g.setImmediate = (fn, ...args) => add(fn, 0, args, false);
      g.clearTimeout = remove;
      g.clearInterval = remove;
      g.clearImmediate = remove;
      g.Date = fakeDate(real.Date);
      if (real.performance) setGlobal('performance', Object.create(real.performance, { now: { value: () => clock.now - clock.start } }));
      return this;
    },
    useRealTimers() {
      clock = null;
      Object.assign(g, { setTimeout: real.setTimeout, clearTimeout: real.clearTimeout, setInterval: real.setInterval,
        clearInterval: real.clearInterval, setImmediate: real.setImmediate, clearImmediate: real.clearImmediate, Date: real.Date });
      if (real.performance) setGlobal('performance', real.performance);
      return this;
    },
    advanceTimersByTime(ms) {
      need('advanceTimersByTime');
      const end = clock.now + Math.max(0, Number(ms) || 0);
      for (let i = 0; i < MAX_LOOPS; i++) {
        const n = next();
        if (!n || n[1].due > end) break;
        fire(n);
      }
      clock.now = end;
    },
    advanceTimersToNextTimer(steps) {
      need('advanceTimersToNextTimer');
      for (let i = 0; i < (steps === undefined ? 1 : steps); i++) {
        const n = next();
        if (!n) break;
        const due = n[1].due;
        api.advanceTimersByTime(due - clock.now);
      }
    },
    runAllTimers() {
      need('runAllTimers');
      for (let i = 0; i < MAX_LOOPS; i++) {
        const n = next();
        if (!n) return;
        fire(n);
      }
      throw new Error(`Aborting after running ${MAX_LOOPS} timers, assuming an infinite loop!`);
    },
    runOnlyPendingTimers() {
      need('runOnlyPendingTimers');
      const pending = new Set(clock.timers.keys());
      for (let i = 0; i < MAX_LOOPS; i++) {
        let first = null;
        for (const [id, t] of clock.timers) if (pending.has(id) && (!first || t.due < first[1].due || (t.due === first[1].due && t.seq < first[1].seq))) first = [id, t];
        if (!first) return;
        pending.delete(first[0]);
        fire(first);
      }
    },
    clearAllTimers() { if (clock) clock.timers.clear(); },
    getTimerCount() { return clock ? clock.timers.size : 0; },
    setSystemTime(t) {
      need('setSystemTime');
      clock.now = t === undefined ? real.Date.now() : Number(t instanceof real.Date ? t.getTime() : t);
    },
    now() { return clock ? clock.now : real.Date.now(); },
    getRealSystemTime() { return real.Date.now(); },
    isMockClock: () => !!clock,
  };
  internal.fakeTimers = api;
})
