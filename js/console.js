// console.*: log/info/debug to stdout, warn/error to stderr, one line per call.
(function (native, internal) {
  'use strict';
  const OUT = 1;
  const ERR = 2;
  let indent = '';

  // printf-style substitutions when the first argument is a string with %s, %d, %i, %f, %o, %O, %j.
  function format(args) {
    let rest = args;
    let head = '';
    if (typeof args[0] === 'string' && args[0].includes('%') && args.length > 1) {
      let i = 1;
      head = args[0].replace(/%([sdifoOjc%])/g, (m, c) => {
        if (c === '%') return '%';
        if (i >= args.length) return m;
        const v = args[i++];
        switch (c) {
          case 's': return typeof v === 'string' ? v : internal.inspect(v);
          case 'd': case 'i': return String(c === 'i' ? parseInt(v, 10) : Number(v));
          case 'f': return String(parseFloat(v));
          case 'c': return '';
          default: return internal.inspect(v);
        }
      });
      rest = args.slice(i);
      return [head].concat(rest.map(internal.inspect)).join(' ');
    }
    return rest.map(internal.inspect).join(' ');
  }
  internal.formatArgs = format;

  function writer(stream) {
    return function (...args) {
      const text = format(args);
      native.print(stream, indent ? indent + text.split('\n').join('\n' + indent) : text);
    };
  }

  const counts = new Map();
  const timers = new Map();
  const console = {
    log: writer(OUT),
    info: writer(OUT),
    debug: writer(OUT),
    warn: writer(ERR),
    error: writer(ERR),
    trace(...args) {
      const stack = new Error().stack.split('\n').slice(1).filter(internal.isAppFrame);
      native.print(ERR, ['Trace: ' + format(args)].concat(stack).join('\n'));
    },
    assert(cond, ...args) {
      if (!cond) native.print(ERR, 'Assertion failed' + (args.length ? ': ' + format(args) : ''));
    },
    dir(v) { native.print(OUT, internal.inspect(v)); },
    table(v) { native.print(OUT, internal.inspect(v)); },
    group(...args) { if (args.length) native.print(OUT, indent + format(args)); indent += '  '; },
    groupEnd() { indent = indent.slice(2); },
    count(label = 'default') {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      native.print(OUT, `${label}: ${n}`);
    },
    countReset(label = 'default') { counts.delete(label); },
    time(label = 'default') { timers.set(label, Date.now()); },
    timeEnd(label = 'default') {
      if (!timers.has(label)) return;
      native.print(OUT, `${label}: ${Date.now() - timers.get(label)}ms`);
      timers.delete(label);
    },
    timeLog(label = 'default', ...args) {
      if (!timers.has(label)) return;
      native.print(OUT, [`${label}: ${Date.now() - timers.get(label)}ms`].concat(args.map(internal.inspect)).join(' '));
    },
  };
  console.groupCollapsed = console.group;
  internal.defineGlobal('console', console);
})
