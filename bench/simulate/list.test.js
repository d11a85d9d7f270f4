// The view bench's reference: the same 1,000-row list rendered by miniprogram-simulate in
// jsdom. Writes { render, update } (ms) to $FTRUN_BENCH_OUT.
const path = require('path');
const fs = require('fs');
const simulate = require('miniprogram-simulate');

test('1,000-row list', () => {
  const dir = process.env.FTRUN_BENCH_BUNDLE;
  const n = Number(process.env.FTRUN_BENCH_ROWS || 1000);
  const makeRows = () => Array.from({ length: n }, (_, i) => ({ id: i, title: 'row ' + i, count: i, done: i % 2 === 0 }));
  const id = simulate.load(path.join(dir, 'components/list/list'), 'list', { compiler: 'simulate' });
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  const rows = makeRows();
  const t0 = performance.now();
  comp.setData({ rows });
  const render = performance.now() - t0;
  expect(comp.dom.querySelectorAll('row').length).toBe(rows.length);
  const samples = [];
  for (let k = 0; k < 101; k++) {
    const i = (k * 37) % rows.length;
    const t = performance.now();
    comp.setData({ [`rows[${i}].title`]: 'changed ' + k });
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  fs.writeFileSync(process.env.FTRUN_BENCH_OUT, JSON.stringify({ render, update: samples[50] }));
});
