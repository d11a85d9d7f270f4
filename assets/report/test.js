// ftrun test --reporter html: draws the run from the JSON in #ftrun-data (Jest's --json shape):
// a summary bar, each file and test with its status and time (durations as bars), failures
// with their diff and code frame, a filter box.
(function () {
  'use strict';
  const data = ftrunData();
  const plain = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, '');
  const MARK = { passed: '✓', failed: '✗', pending: '○' };
  const CLASS = { passed: 'passed', failed: 'failed', pending: 'skipped' };

  const files = data.testResults;
  const tests = files.flatMap((f) => f.assertionResults);
  const longest = Math.max(1, ...tests.map((t) => t.duration || 0));
  const total = data.numTotalTests;
  const seconds = ((Math.max(...files.map((f) => f.endTime), data.startTime) - data.startTime) / 1000).toFixed(2);

  const count = (id, n, cls, label) => el('span', { class: cls }, el('b', { id }, n), ' ' + label);
  const share = (n, cls) => el('span', { class: cls, style: `width:${total ? (100 * n) / total : 0}%` });
  const header = el('header', {},
    el('h1', {}, data.success ? 'Tests passed' : 'Tests failed'),
    el('div', { class: 'counts' },
      count('count-passed', data.numPassedTests, 'passed', 'passed'),
      count('count-failed', data.numFailedTests, 'failed', 'failed'),
      count('count-skipped', data.numPendingTests, 'skipped', 'skipped'),
      count('count-total', total, 'muted', 'tests'),
      count('count-files', files.length, 'muted', 'files' + (data.numRuntimeErrorTestSuites ? ` (${data.numRuntimeErrorTestSuites} could not run)` : '')),
      el('span', { class: 'muted' }, `${seconds} s`)),
    el('div', { class: 'summary-bar', id: 'summary-bar' },
      share(data.numPassedTests, 'passed'), share(data.numFailedTests, 'failed'), share(data.numPendingTests, 'skipped')));

  const filter = el('input', { type: 'search', id: 'filter', placeholder: 'Filter tests by name' });
  const failedOnly = el('input', { type: 'checkbox', id: 'failed-only' });
  const tools = el('div', { class: 'tools' }, filter, el('label', {}, failedOnly, ' failed only'));

  const main = el('main', {});
  for (const f of files) {
    const status = f.status === 'failed' ? 'failed' : 'passed';
    const section = el('section', { class: 'file', 'data-status': status },
      el('h2', {},
        el('span', { class: 'mark ' + CLASS[status] }, MARK[status]),
        el('span', { class: 'name' }, f.name),
        el('span', { class: 'ms' }, `${Math.round(f.endTime - f.startTime)} ms`)));
    if (f.assertionResults.length === 0 && f.message) section.append(el('pre', { class: 'failure' }, plain(f.message)));
    for (const t of f.assertionResults) {
      const row = el('div', { class: 'row test', 'data-status': t.status, 'data-name': t.fullName.toLowerCase() },
        el('span', { class: 'mark ' + CLASS[t.status] }, MARK[t.status]),
        el('span', {}, [...t.ancestorTitles, t.title].join(' › ')),
        el('span', {}, el('span', { class: 'duration', style: `width:${(100 * (t.duration || 0)) / longest}%` })),
        el('span', { class: 'ms' }, `${t.duration || 0} ms`));
      section.append(row);
      for (const m of t.failureMessages) {
        const pre = el('pre', { class: 'failure' }, plain(m));
        pre.dataset.for = t.fullName.toLowerCase();
        section.append(pre);
      }
    }
    main.append(section);
  }

  function apply() {
    const q = filter.value.trim().toLowerCase();
    for (const section of main.querySelectorAll('section.file')) {
      let shown = 0;
      for (const row of section.querySelectorAll('.row.test')) {
        const show = (!q || row.dataset.name.includes(q)) && (!failedOnly.checked || row.dataset.status === 'failed');
        row.classList.toggle('hidden', !show);
        shown += show ? 1 : 0;
      }
      for (const pre of section.querySelectorAll('pre.failure[data-for]')) {
        pre.classList.toggle('hidden', !!q && !pre.dataset.for.includes(q));
      }
      section.classList.toggle('hidden', shown === 0 && (q !== '' || failedOnly.checked));
    }
  }
  filter.addEventListener('input', apply);
  failedOnly.addEventListener('change', apply);
  document.title = `${data.success ? '✓' : '✗'} ${data.numPassedTests}/${total} passed — ftrun test`;
  document.getElementById('app').replaceChildren(header, tools, main);
})();
