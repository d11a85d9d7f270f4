// setTimeout/setInterval/clearTimeout/clearInterval: callbacks live here, deadlines in Rust.
(function (native, internal) {
  'use strict';
  const timers = new Map();
  let nextId = 1;

  function start(fn, ms, args, repeat) {
    const id = nextId++;
    const delay = Number(ms) || 0;
    timers.set(id, { fn, args, repeat, delay });
    native.timerStart(id, delay);
    return id;
  }
  function clear(id) {
    const key = Number(id);
    if (timers.delete(key)) native.timerCancel(key);
  }

  internal.events.timer = function (id) {
    const t = timers.get(id);
    if (!t) return;
    // An interval is re-armed before its callback runs, so clearInterval inside it works.
    if (t.repeat) native.timerStart(id, Math.max(t.delay, 1));
    else timers.delete(id);
    if (typeof t.fn === 'function') internal.safeCall(t.fn, undefined, t.args, 'timer callback');
    else internal.safeCall(() => (0, eval)(String(t.fn)), undefined, [], 'timer callback');
  };

  internal.defineGlobal('setTimeout', (fn, ms, ...args) => start(fn, ms, args, false));
  internal.defineGlobal('setInterval', (fn, ms, ...args) => start(fn, ms, args, true));
  internal.defineGlobal('clearTimeout', clear);
  internal.defineGlobal('clearInterval', clear);

  // On a virtual clock (a test's `launch({ clock: 'virtual' })`) Date and performance.now read
  // the clock the test advances, so they agree with the timers.
  internal.useVirtualTime = function () {
    const RealDate = Date;
    function VirtualDate(...args) {
      if (!new.target) return new RealDate(native.clockEpochMs()).toString();
      return args.length ? new RealDate(...args) : new RealDate(native.clockEpochMs());
    }
    VirtualDate.prototype = RealDate.prototype;
    VirtualDate.now = () => native.clockEpochMs();
    VirtualDate.parse = RealDate.parse;
    VirtualDate.UTC = RealDate.UTC;
    internal.defineGlobal('Date', VirtualDate);
    const perf = globalThis.performance;
    if (perf) internal.defineGlobal('performance', Object.create(perf, { now: { value: () => native.clockOffsetMs() } }));
  };

  // A microtask that throws is reported like any uncaught error.
  const queue = globalThis.queueMicrotask;
  internal.defineGlobal('queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeError('queueMicrotask: argument must be a function');
    queue(() => internal.safeCall(fn, undefined, [], 'microtask'));
  });
})
