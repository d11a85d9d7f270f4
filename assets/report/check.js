// ftrun check --html: draws the check from the JSON in #ftrun-data (the rows of
// `ftrun check --json`): the page table with status colours, the causes grouped and counted,
// each error with its file:line:col and message.
(function () {
  'use strict';
  const rows = ftrunData();
  const n = (status) => rows.filter((r) => r.status === status).length;
  const [ok, errors, skipped] = [n('ok'), n('error'), n('skipped')];
  const ms = rows.reduce((s, r) => s + (r.ms || 0), 0);
  const share = (k, cls) => el('span', { class: cls, style: `width:${rows.length ? (100 * k) / rows.length : 0}%` });
  const count = (id, k, cls, label) => el('span', { class: cls }, el('b', { id }, k), ' ' + label);
  const header = el('header', {},
    el('h1', {}, errors ? 'Check failed' : 'Check passed'),
    el('div', { class: 'counts' },
      count('count-ok', ok, 'passed', 'ok'),
      count('count-error', errors, 'failed', 'error'),
      count('count-skipped', skipped, 'skipped', 'skipped'),
      el('span', { class: 'muted' }, `${rows.length} rows, ${ms.toFixed(1)} ms`)),
    el('div', { class: 'summary-bar' }, share(ok, 'passed'), share(errors, 'failed'), share(skipped, 'skipped')));

  // Causes, most frequent first.
  const causes = new Map();
  for (const r of rows) if (r.status !== 'ok' && r.cause) causes.set(r.cause, (causes.get(r.cause) || 0) + 1);
  const causeList = el('ul', { class: 'causes', id: 'causes' });
  for (const [cause, k] of [...causes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    causeList.append(el('li', { 'data-cause': cause }, `${cause}: `, el('b', {}, k)));
  }

  const table = el('table', { id: 'pages' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Page'), el('th', {}, 'Status'), el('th', {}, 'Time'), el('th', {}, 'Where'), el('th', {}, 'Detail'))));
  const body = el('tbody', {});
  for (const r of rows) {
    const where = r.file ? `${r.file}${r.line ? `:${r.line}` : ''}${r.column ? `:${r.column}` : ''}` : '';
    const detail = r.message || r.reason || (r.warnings || []).join('\n');
    body.append(el('tr', { class: r.status, 'data-page': r.page },
      el('td', { class: 'where' }, r.page),
      el('td', { class: 'status' }, r.status),
      el('td', { class: 'ms' }, `${(r.ms || 0).toFixed(1)} ms`),
      el('td', { class: 'where' }, where),
      el('td', {}, detail, r.cause ? el('div', { class: 'muted' }, r.cause) : null)));
  }
  table.append(body);
  document.title = `${errors ? '✗' : '✓'} ${ok}/${rows.length} ok — ftrun check`;
  document.getElementById('app').replaceChildren(header, el('main', {}, causes.size ? causeList : null, table));
})();
