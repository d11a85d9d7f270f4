//! The bundles the harness measures, written into its scratch dir.

use std::path::Path;

pub(crate) fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A bundle of `pages` pages and `modules` modules in all (pages included), as real apps
/// split their code: utilities requiring each other, pages requiring a few utilities. With
/// `esm`, every other module is an ES module; `components` are listed in app.json.
pub(crate) fn synthetic_bundle(
    dir: &Path,
    pages: usize,
    modules: usize,
    esm: bool,
    components: usize,
) {
    let utils = modules.saturating_sub(pages).max(1);
    let page_list: Vec<String> = (0..pages).map(|i| format!("\"pages/p{i}/p{i}\"")).collect();
    let comps: Vec<String> = (0..components)
        .map(|k| format!("\"c{k}\": \"/components/c{k}/c{k}\""))
        .collect();
    write(
        &dir.join("app.json"),
        &format!(
            "{{\"pages\": [{}], \"usingComponents\": {{{}}}}}",
            page_list.join(","),
            comps.join(",")
        ),
    );
    write(
        &dir.join("project.config.json"),
        "{\"appid\": \"wxsynthetic\"}",
    );
    for m in 0..utils {
        let deps: Vec<usize> = [m.checked_sub(1), m.checked_sub(2)]
            .iter()
            .flatten()
            .copied()
            .collect();
        let body = if esm && m % 2 == 0 {
            let imports: String = deps
                .iter()
                .map(|d| format!("import * as d{d} from './m{d}';\n"))
                .collect();
            format!(
                "{imports}export function helper{m}(x) {{ return x * {m} + {}; }}\nexport const table = {{}};\nfor (let i = 0; i < 50; i++) table['k' + i] = helper{m}(i);\nexport const name = 'm{m}';\nexport default {{ name }};\n",
                deps.len()
            )
        } else {
            let reqs: Vec<String> = deps.iter().map(|d| format!("require('./m{d}')")).collect();
            format!(
                "const deps = [{}];\nfunction helper{m}(x) {{ return x * {m} + deps.length; }}\nconst table = {{}};\nfor (let i = 0; i < 50; i++) table['k' + i] = helper{m}(i);\nmodule.exports = {{ helper{m}, table, name: 'm{m}' }};\n",
                reqs.join(", ")
            )
        };
        write(&dir.join(format!("utils/m{m}.js")), &body);
    }
    for k in 0..components {
        write(
            &dir.join(format!("components/c{k}/c{k}.js")),
            &format!(
                "Component({{ properties: {{ v: Number }}, data: {{ k: {k} }}, observers: {{ v(x) {{ this.setData({{ d: x * 2 }}); }} }}, methods: {{ tap() {{}} }} }});\n"
            ),
        );
    }
    for i in 0..pages {
        let (a, b) = ((i * 3) % utils, (i * 3 + 1) % utils);
        let head = if esm && i % 2 == 0 {
            format!(
                "import * as a from '../../utils/m{a}';\nimport * as b from '../../utils/m{b}';\n"
            )
        } else {
            format!(
                "const a = require('../../utils/m{a}');\nconst b = require('../../utils/m{b}');\n"
            )
        };
        write(
            &dir.join(format!("pages/p{i}/p{i}.js")),
            &format!(
                "{head}Page({{\n  data: {{ list: [], title: 'page {i}' }},\n  onLoad() {{ this.setData({{ list: [a.name, b.name] }}); }},\n  onShow() {{}},\n  onReady() {{}},\n}});\n"
            ),
        );
    }
    write(
        &dir.join("app.js"),
        &format!(
            "const u = require('./utils/m{}');\nApp({{ globalData: {{ u }}, onLaunch() {{ ft.onBackgroundFetchData(() => {{}}); }} }});\n",
            utils - 1
        ),
    );
}

pub(crate) fn hello_with_listener(dir: &Path) {
    write(
        &dir.join("app.json"),
        "{\"pages\": [\"pages/index/index\"]}",
    );
    write(
        &dir.join("project.config.json"),
        "{\"appid\": \"wxbenchhello\"}",
    );
    write(
        &dir.join("app.js"),
        "App({ onLaunch() { ft.onBackgroundFetchData(() => {}); } });\n",
    );
    write(
        &dir.join("pages/index/index.js"),
        "Page({ data: { x: 1 }, onLoad() { this.setData({ x: 2 }); } });\n",
    );
}

/// Makes a bundle print, from inside JS, when its launch page is ready and when the
/// background-fetch listener runs: `STAMP ready|listener <CLOCK_MONOTONIC ms>` on stdout
/// (QuickJS's `performance.timeOrigin + performance.now()` reads that clock), so the harness
/// times those moments themselves, not when it happens to read a log line.
pub(crate) fn add_stamps(dir: &Path, launch_page: &str) {
    let edit = |file: &Path, f: &dyn Fn(String) -> String| {
        let text = std::fs::read_to_string(file).expect("read bundle file");
        let edited = f(text.clone());
        assert_ne!(edited, text, "{}: nothing to stamp", file.display());
        write(file, &edited);
    };
    edit(&dir.join("app.js"), &|s| {
        let stamp = "globalThis.stamp = (what) => console.log('STAMP ' + what + ' ' + (performance.timeOrigin + performance.now()));\n";
        format!(
            "{stamp}{}",
            s.replace(
                "ft.onBackgroundFetchData(() => {})",
                "ft.onBackgroundFetchData(() => stamp('listener'))"
            )
        )
    });
    edit(&dir.join(format!("{launch_page}.js")), &|s| {
        if s.contains("onReady() {}") {
            s.replace("onReady() {}", "onReady() { stamp('ready'); }")
        } else {
            s.replacen("Page({", "Page({ onReady() { stamp('ready'); },", 1)
        }
    });
}

/// The view-layer bench bundle: one page with a `rows`-long `wx:for` (three bindings and one
/// custom component per row). The page renders the rows in onLoad and, in onReady, sets one
/// row's field 101 times, printing `BENCH render <ms>` and `BENCH update <median ms>`. The
/// same template as a Component (`components/list`) is what miniprogram-simulate renders.
pub(crate) fn list_bundle(dir: &Path, rows: usize) {
    write(&dir.join("app.json"), "{\"pages\": [\"pages/list/list\"]}");
    write(
        &dir.join("project.config.json"),
        "{\"appid\": \"wxbenchlist\"}",
    );
    write(&dir.join("app.js"), "App({});\n");
    let template = "<view wx:for=\"{{rows}}\" wx:key=\"id\" class=\"row {{item.done ? 'done' : ''}}\"><text>{{item.title}}</text><text>{{item.count}}</text><row label=\"{{item.title}}\"/></view>\n";
    let rows_fn = format!(
        "const makeRows = () => {{ const r = []; for (let i = 0; i < {rows}; i++) r.push({{ id: i, title: 'row ' + i, count: i, done: i % 2 === 0 }}); return r; }};\n"
    );
    let using = "{\"usingComponents\": {\"row\": \"/components/row/row\"}}";
    write(&dir.join("pages/list/list.json"), using);
    write(&dir.join("pages/list/list.wxml"), template);
    write(
        &dir.join("pages/list/list.js"),
        &format!(
            "{rows_fn}Page({{\n  data: {{ rows: [] }},\n  onLoad() {{\n    const rows = makeRows();\n    const t0 = performance.now();\n    this.setData({{ rows }});\n    console.log('BENCH render ' + (performance.now() - t0));\n  }},\n  onReady() {{\n    const samples = [];\n    for (let k = 0; k < 101; k++) {{\n      const i = (k * 37) % {rows};\n      const t0 = performance.now();\n      this.setData({{ ['rows[' + i + '].title']: 'changed ' + k }});\n      samples.push(performance.now() - t0);\n    }}\n    samples.sort((a, b) => a - b);\n    console.log('BENCH update ' + samples[50]);\n  }},\n}});\n"
        ),
    );
    write(
        &dir.join("components/row/row.json"),
        "{\"component\": true}",
    );
    write(
        &dir.join("components/row/row.wxml"),
        "<text class=\"label\">{{label}}</text>\n",
    );
    write(
        &dir.join("components/row/row.js"),
        "Component({ properties: { label: String } });\n",
    );
    // miniprogram-simulate resolves usingComponents relative to the component only.
    write(
        &dir.join("components/list/list.json"),
        "{\"component\": true, \"usingComponents\": {\"row\": \"../row/row\"}}",
    );
    write(&dir.join("components/list/list.wxml"), template);
    write(
        &dir.join("components/list/list.js"),
        "Component({ data: { rows: [] } });\n",
    );
}

/// A component suite written for Jest + miniprogram-simulate: `files` files of `tests` tests,
/// each loading a small component, rendering, attaching, matching, tapping.
pub(crate) fn simulate_suite(dir: &Path, files: usize, tests: usize) {
    write(
        &dir.join("components/card/index.json"),
        "{\"component\": true}",
    );
    write(
        &dir.join("components/card/index.wxml"),
        "<view class=\"card\"><text class=\"title\">{{title}}</text><view class=\"btn\" bindtap=\"tap\">{{n}}</view></view>\n",
    );
    write(
        &dir.join("components/card/index.wxss"),
        ".title { color: #333; }\n",
    );
    write(
        &dir.join("components/card/index.js"),
        "Component({ properties: { title: String }, data: { n: 0 }, methods: { tap() { this.setData({ n: this.data.n + 1 }); } } });\n",
    );
    for f in 0..files {
        let body: String = (0..tests)
            .map(|t| format!(
                "test('card {f}-{t}', () => {{\n  const comp = simulate.render(simulate.load(path.join(__dirname, '../components/card/index')), {{ title: 'T{t}' }});\n  comp.attach(document.createElement('parent-wrapper'));\n  expect(simulate.match(comp.dom, '<wx-view class=\"main--card\"><wx-text class=\"main--title\">T{t}</wx-text><wx-view class=\"main--btn\">0</wx-view></wx-view>')).toBe(true);\n  comp.querySelector('.btn').dispatchEvent('tap');\n  expect(comp.data.n).toBe(1);\n}});\n"
            ))
            .collect();
        write(
            &dir.join(format!("__tests__/f{f}.test.js")),
            &format!(
                "const path = require('path');\nconst simulate = require('miniprogram-simulate');\n{body}"
            ),
        );
    }
}
