// ftrun run --timeline: draws the events in #ftrun-data ({ name, lane, ph: B|E|i, us }) as lanes
// of bars on one time axis in ms (spans: a begin and its end; instants: a tick), each with a
// title giving exact figures, and lists them in order below.
(function () {
  'use strict';
  const events = ftrunData();
  const LANES = ['process', 'network', 'store', 'code', 'lifecycle', 'timers'];
  const ms = (us) => (us / 1000).toFixed(3);

  // Spans from begin/end pairs (innermost open one of that lane and name); instants as they are.
  const items = [];
  const open = new Map();
  for (const e of events) {
    const key = e.lane + '\u0000' + e.name;
    if (e.ph === 'B') {
      const item = { name: e.name, lane: e.lane, start: e.us, end: null, depth: 0 };
      (open.get(key) || open.set(key, []).get(key)).push(item);
      items.push(item);
    } else if (e.ph === 'E') {
      const stack = open.get(key);
      const item = stack && stack.pop();
      if (item) item.end = e.us;
    } else {
      items.push({ name: e.name, lane: e.lane, start: e.us, end: undefined, depth: 0 });
    }
  }
  const last = Math.max(1, ...events.map((e) => e.us));
  for (const i of items) if (i.end === null) i.end = last; // never ended: to the end
  // Rows inside a lane: an event goes to the first row free at its start, counting its label's
  // width (labels near the end of the axis are written to the left of their event).
  const width = Math.max(300, window.innerWidth - 180);
  const usPerPx = last / width;
  const rows = {};
  for (const i of items.slice().sort((a, b) => a.start - b.start)) {
    const lane = rows[i.lane] || (rows[i.lane] = []);
    i.left = i.start > last * 0.75;
    const label = (i.name.length * 6.2 + 10) * usPerPx;
    const from = i.left ? i.start - label : i.start;
    const until = i.left ? Math.max(i.start, i.end || 0) : Math.max(i.end === undefined ? i.start : i.end, i.start + label);
    let r = lane.findIndex((free) => free <= from);
    if (r < 0) { r = lane.length; lane.push(0); }
    lane[r] = until;
    i.depth = r;
  }

  const pct = (us) => `${(100 * us) / last}%`;
  const chart = el('div', { class: 'chart', id: 'chart' });
  const axis = el('div', { class: 'axis' });
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find((s) => last / 1000 / s <= 12) || 10000;
  for (let t = 0; t * 1000 <= last; t += step) axis.append(el('div', { class: 'tick', style: `left:${pct(t * 1000)}` }, el('span', {}, `${+t.toFixed(1)} ms`)));
  chart.append(axis);
  for (const lane of LANES) {
    const mine = items.filter((i) => i.lane === lane);
    if (!mine.length) continue;
    const depth = Math.max(...mine.map((i) => i.depth)) + 1;
    const row = el('div', { class: `lane lane-${lane}`, style: `height:${depth * 22 + 4}px` }, el('div', { class: 'lane-name' }, lane));
    for (const i of mine) {
      const span = i.end !== undefined;
      const title = span ? `${i.name}: ${ms(i.start)} – ${ms(i.end)} ms (${ms(i.end - i.start)} ms)` : `${i.name}: at ${ms(i.start)} ms`;
      row.append(el('div', {
        class: `event ${span ? 'span' : 'instant'}${i.left ? ' label-left' : ''}`,
        'data-name': i.name,
        'data-ms': ms(i.start),
        title,
        style: `left:${pct(i.start)};top:${i.depth * 22 + 2}px${span ? `;width:${pct(i.end - i.start)}` : ''}`,
      }, el('span', {}, i.name)));
    }
    chart.append(row);
  }

  const table = el('table', { id: 'events' }, el('tr', {}, el('th', {}, 'ms'), el('th', {}, 'lane'), el('th', {}, 'event'), el('th', {}, 'took')));
  for (const i of items.slice().sort((a, b) => a.start - b.start)) {
    table.append(el('tr', { 'data-name': i.name }, el('td', { class: 'ms' }, ms(i.start)), el('td', {}, i.lane), el('td', {}, i.name),
      el('td', { class: 'ms' }, i.end !== undefined ? `${ms(i.end - i.start)} ms` : '')));
  }
  const header = el('header', {}, el('h1', {}, 'Cold start timeline'),
    el('div', { class: 'muted' }, `${events.length} events over ${ms(last)} ms from the start of ftrun's main; hover a bar for exact figures.`));
  document.getElementById('app').replaceChildren(header, chart, table);
})();
