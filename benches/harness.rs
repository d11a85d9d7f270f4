//! `make bench`: ftrun's figures, measured end to end on the release binary against a local
//! server, printed as a table and written to `target/bench/results.json`.
//! `make bench-check` (`-- --check`) fails when a budget is missed by more than 25%.
//!
//! Each figure is a median over repeated runs with its spread; comparisons are ratios taken in
//! the same run (absolute times drift on shared machines, ratios hold).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ftrun::bgfetch::ConsoleConfig;
use ftrun::bgfetch::store::{Change, Store};
use ftrun::mockserver::{BackgroundServer, Route};

const BIN: &str = env!("CARGO_BIN_EXE_ftrun");

#[derive(Debug, Clone, serde::Serialize)]
struct Figure {
    name: String,
    unit: String,
    median: f64,
    min: f64,
    max: f64,
    p99: Option<f64>,
    runs: usize,
    /// Budget and whether it is an upper (`<=`) or lower (`>=`) bound.
    budget: Option<(String, f64)>,
    note: String,
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let med = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    let p99 = v[((v.len() as f64 * 0.99).ceil() as usize)
        .saturating_sub(1)
        .min(v.len() - 1)];
    (med, v[0], v[v.len() - 1], p99)
}

fn figure(
    name: &str,
    unit: &str,
    samples: Vec<f64>,
    budget: Option<(&str, f64)>,
    note: &str,
) -> Figure {
    let runs = samples.len();
    let (median, min, max, p99) = stats(samples);
    Figure {
        name: name.into(),
        unit: unit.into(),
        median,
        min,
        max,
        p99: Some(p99),
        runs,
        budget: budget.map(|(op, v)| (op.to_string(), v)),
        note: note.into(),
    }
}

/// Timings of one process: until a stderr line containing each marker, and until exit; and
/// the peak RSS it reported (FTRUN_REPORT_RSS).
struct Timed {
    marks: Vec<Option<f64>>,
    wall_ms: f64,
    rss_kib: Option<f64>,
    stdout: String,
}

fn timed(cmd: &mut Command, markers: &[&str]) -> Timed {
    let t0 = Instant::now();
    let mut child = cmd
        .env("FTRUN_REPORT_RSS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut s);
        s
    });
    let mut marks = vec![None; markers.len()];
    let mut rss = None;
    for line in BufReader::new(child.stderr.take().expect("stderr"))
        .lines()
        .map_while(Result::ok)
    {
        let at = t0.elapsed().as_secs_f64() * 1000.0;
        for (i, m) in markers.iter().enumerate() {
            if marks[i].is_none() && line.contains(m) {
                marks[i] = Some(at);
            }
        }
        if let Some(k) = line.strip_prefix("ftrun: peak RSS ") {
            rss = k.trim_end_matches(" KiB").parse().ok();
        }
    }
    let _ = child.wait();
    let wall_ms = t0.elapsed().as_secs_f64() * 1000.0;
    Timed {
        marks,
        wall_ms,
        rss_kib: rss,
        stdout: out_thread.join().unwrap_or_default(),
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A bundle of `pages` pages and `modules` modules in all (pages included), as real apps
/// split their code: utilities requiring each other, pages requiring a few utilities. With
/// `esm`, every other module is an ES module; `components` are listed in app.json.
fn synthetic_bundle(dir: &Path, pages: usize, modules: usize, esm: bool, components: usize) {
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

fn hello_with_listener(dir: &Path) {
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

fn run_cmd(bundle: &Path, data: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(["-v", "run"])
        .arg(bundle)
        .arg("--data-dir")
        .arg(data)
        .args(extra);
    c
}

const COLD: &str = "engine: cold start done";
const DELIVERED: &str = "engine: bgfetch event delivered";

fn cold_start(
    name: &str,
    bundle: &Path,
    data: &Path,
    runs: usize,
    budget: Option<(&str, f64)>,
) -> (Figure, Figure) {
    let _ = timed(&mut run_cmd(bundle, data, &[]), &[COLD]); // warm the page cache
    let mut cold = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let t = timed(&mut run_cmd(bundle, data, &[]), &[COLD]);
        cold.push(t.marks[0].unwrap_or(t.wall_ms));
        rss.extend(t.rss_kib.map(|k| k / 1024.0));
    }
    (
        figure(
            &format!("cold start to onReady: {name}"),
            "ms",
            cold,
            budget,
            "process start to the launch page's onReady",
        ),
        figure(
            &format!("peak RSS: ftrun run {name}"),
            "MB",
            rss,
            if name == "hello" {
                Some(("<=", 16.0))
            } else {
                None
            },
            "VmHWM",
        ),
    )
}

/// 1 and 6: cold start and peak RSS.
fn bench_cold(b: &Bench, figures: &mut Vec<Figure>) {
    let (c, r) = cold_start(
        "hello",
        &b.hello,
        &b.w.join("d-hello"),
        b.n(40),
        Some(("<=", 5.0)),
    );
    figures.push(c);
    figures.push(r);
    let (c, r) = cold_start(
        "50 pages / 200 modules",
        &b.syn50,
        &b.w.join("d-syn50"),
        b.n(20),
        Some(("<=", 40.0)),
    );
    figures.push(c);
    figures.push(r);
    let (c, r) = cold_start(
        "100 pages / 300 modules, half ESM",
        &b.syn100,
        &b.w.join("d-syn100"),
        b.n(20),
        None,
    );
    figures.push(c);
    figures.push(r);
}

/// ftrun check over the ESM bundle with 30 components: first run of a fresh copy, then
/// repeated runs (there is no transform cache to warm: the ESM transform of all 300
/// modules takes about 1 ms).
fn bench_check(b: &Bench, figures: &mut Vec<Figure>) {
    let run_check = |bundle: &Path| {
        let t = timed(Command::new(BIN).arg("check").arg(bundle), &[]);
        assert!(
            t.stdout.contains("101 ok, 0 error"),
            "check failed: {}",
            t.stdout
        );
        t.wall_ms
    };
    let mut firsts = Vec::new();
    for k in 0..b.n(5) {
        let fresh = b.w.join(format!("syn100-copy{k}"));
        synthetic_bundle(&fresh, 100, 300, true, 30);
        firsts.push(run_check(&fresh));
    }
    figures.push(figure(
        "ftrun check: 100 pages / 300 modules (half ESM) / 30 components, first run",
        "ms",
        firsts,
        Some(("<=", 150.0)),
        "fresh copy of the bundle",
    ));
    let warm: Vec<f64> = (0..b.n(10)).map(|_| run_check(&b.syn100)).collect();
    figures.push(figure(
        "ftrun check: same bundle, repeated runs",
        "ms",
        warm,
        Some(("<=", 60.0)),
        "files in the page cache",
    ));
}

/// 7: the same hello bundle under Node.js with the smallest shim, as a ratio.
fn bench_node(b: &Bench, figures: &mut Vec<Figure>) {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node_ok {
        let shim = b.root.join("bench/node-shim.js");
        let mut samples = Vec::new();
        for _ in 0..b.n(20) {
            let t = timed(
                Command::new("node").arg(&shim).arg(&b.hello),
                &["cold start done"],
            );
            samples.push(t.marks[0].unwrap_or(t.wall_ms));
        }
        let node = figure(
            "cold start to onReady: hello under Node.js + shim (reference)",
            "ms",
            samples,
            None,
            "bench/node-shim.js",
        );
        let hello_cold = figures
            .iter()
            .find(|f| f.name == HELLO_COLD)
            .map(|f| f.median);
        figures.push(node.clone());
        let Some(hello_cold) = hello_cold else {
            return;
        };
        let ratio = hello_cold / node.median;
        figures.push(Figure {
            name: "ratio: ftrun hello / Node.js hello".into(),
            unit: "x".into(),
            median: ratio,
            min: ratio,
            max: ratio,
            p99: None,
            runs: 1,
            budget: Some(("<=".into(), 0.125)),
            note: "medians of the same run".into(),
        });
    }
}

/// 2: prefetch overlap: time to the listener against max(D, code time).
fn bench_overlap(b: &Bench, figures: &mut Vec<Figure>) {
    let hello_l = b.w.join("hello-listener");
    hello_with_listener(&hello_l);
    for (label, bundle) in [("hello", &hello_l), ("50 pages", &b.syn50)] {
        for delay in [0u64, 50, 200] {
            let path = format!("/overlap-{delay}");
            b.server.route(
                &path,
                Route::ok("{\"fresh\":true}").delay(Duration::from_millis(delay)),
            );
            let url = b.server.url(&path);
            let data = b.w.join(format!("d-overlap-{label}-{delay}"));
            let mut excess = Vec::new();
            let mut ratios = Vec::new();
            let mut arrivals = Vec::new();
            let mut after_answer = Vec::new();
            for _ in 0..b.n(12) {
                let before = b.server.received_on(&path).len();
                let t0 = Instant::now();
                let t = timed(
                    &mut run_cmd(bundle, &data, &["--prefetch-url", &url]),
                    &[COLD, DELIVERED],
                );
                if let (Some(code), Some(got)) = (t.marks[0], t.marks[1]) {
                    let bound = code.max(delay as f64);
                    excess.push(got - bound);
                    ratios.push(got / bound);
                    if let Some(r) = b.server.received_on(&path).get(before) {
                        let arrived = r.arrived.duration_since(t0).as_secs_f64() * 1000.0;
                        arrivals.push(arrived);
                        after_answer.push(got - code.max(arrived + delay as f64));
                    }
                }
            }
            let (arr, _, _, _) = stats(arrivals);
            let (aft, _, _, _) = stats(after_answer);
            let mut f = figure(
                &format!("prefetch overlap, {label}, D={delay} ms: listener minus max(D, code)"),
                "ms",
                excess,
                Some(("<=", 2.0)),
                "",
            );
            let (rm, _, _, _) = stats(ratios);
            f.note = format!(
                "ratio {rm:.3}; request reached the server at {arr:.2} ms; listener {aft:.2} ms after max(answer, code)"
            );
            figures.push(f);
        }
    }
}

/// 3: getBackgroundFetchData from JS, in-process, per call.
fn bench_gbd(b: &Bench, figures: &mut Vec<Figure>) {
    let gbd = b.w.join("gbd");
    write(&gbd.join("app.json"), "{\"pages\": [\"p\"]}");
    write(
        &gbd.join("project.config.json"),
        "{\"appid\": \"wxbenchgbd\"}",
    );
    write(&gbd.join("p.js"), "Page({});");
    write(
        &gbd.join("app.js"),
        "App({});\nconst N = 3000; const t = [];\n(async () => {\n  try { await ft.getBackgroundFetchData({ fetchType: 'pre' }); } catch (e) { return; }\n  for (let i = 0; i < N; i++) { const s = performance.now(); await ft.getBackgroundFetchData({ fetchType: 'pre' }); t.push((performance.now() - s) * 1000); }\n  console.log('GBD ' + JSON.stringify(t));\n})();\n",
    );
    b.server.route("/gbd", Route::ok("x".repeat(2048)));
    let gdata = b.w.join("d-gbd");
    let _ = timed(
        &mut run_cmd(&gbd, &gdata, &["--prefetch-url", &b.server.url("/gbd")]),
        &[],
    );
    let t = timed(&mut run_cmd(&gbd, &gdata, &["--no-prefetch"]), &[]);
    let samples: Vec<f64> = t
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("GBD "))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let mut f = figure(
        "getBackgroundFetchData from JS (await, 2 KiB record)",
        "µs",
        samples,
        Some(("<=", 50.0)),
        "",
    );
    f.note = format!("p99 {:.1} µs", f.p99.unwrap_or(f64::NAN));
    figures.push(f);
}

/// 4: ftrun test throughput.
fn bench_test(b: &Bench, figures: &mut Vec<Figure>) {
    let suite_root = b.w.join("suites");
    hello_with_listener(&suite_root.join("app"));
    for (total, files) in [(100usize, 10usize), (1000, 50)] {
        let dir = suite_root.join(format!("app/t{total}"));
        for f in 0..files {
            let tests: String = (0..total / files)
                .map(|i| format!("test('small {f}-{i}', async () => {{ const app = await ftrun.launch(); expect(app.data()).toEqual({{ x: 2 }}); }});\n"))
                .collect();
            write(&dir.join(format!("f{f}.test.js")), &tests);
        }
        for jobs in [Some(1), None] {
            let mut rates = Vec::new();
            for _ in 0..(if total >= 1000 { b.n(2) } else { b.n(4) }) {
                let mut c = Command::new(BIN);
                c.arg("test").arg(&dir);
                if let Some(j) = jobs {
                    c.args(["--jobs", &j.to_string()]);
                }
                let t = timed(&mut c, &[]);
                if t.stdout.contains(&format!("{total} passed, 0 failed")) {
                    rates.push(total as f64 / (t.wall_ms / 1000.0));
                }
            }
            let jobs_label = jobs.map_or("default jobs".to_string(), |j| format!("--jobs {j}"));
            let budget = if jobs.is_none() {
                Some((">=", 200.0))
            } else {
                None
            };
            figures.push(figure(
                &format!("ftrun test: {total} small tests, {jobs_label}"),
                "tests/s",
                rates,
                budget,
                "each test launches a bundle",
            ));
        }
    }
}

/// 5: daemon --once over many apps.
fn bench_daemon(b: &Bench, figures: &mut Vec<Figure>) {
    for apps in [1000usize, 10_000] {
        let data = b.w.join(format!("d-daemon-{apps}"));
        b.server
            .route("/periodic", Route::ok("{\"periodic\":true}"));
        let url = b.server.url("/periodic");
        {
            let store = Store::open(&data).expect("store");
            let now = chrono::Utc::now().timestamp_millis();
            let cfg = ConsoleConfig {
                periodic_fetch_url: Some(url.clone()),
                period_hours: Some(3),
                ..Default::default()
            };
            let ids: Vec<String> = (0..apps).map(|i| format!("app{i:05}")).collect();
            let mut changes = Vec::new();
            for id in &ids {
                changes.push(Change::Config(id, &cfg));
                changes.push(Change::Token(id, "bench-token"));
                changes.push(Change::Launch(id, now));
            }
            store.apply(&changes).expect("seed");
        }
        let mut secs = Vec::new();
        let mut rss = Vec::new();
        let runs = if apps >= 10_000 { b.n(3) } else { b.n(4) };
        for k in 0..runs {
            // Each pass finds every app due again: the clock moves 4 hours per run.
            let mut c = Command::new(BIN);
            c.args(["daemon", "--once", "--data-dir"]).arg(&data).env(
                "FTRUN_CLOCK_OFFSET_MS",
                ((k as i64 + 1) * 4 * 3_600_000).to_string(),
            );
            let t = timed(&mut c, &[]);
            if t.stdout.contains(&format!("pass: {apps} due, {apps} ok")) {
                secs.push(t.wall_ms / 1000.0);
                rss.extend(t.rss_kib.map(|k| k / 1024.0));
            }
        }
        let budget = if apps >= 10_000 {
            Some(("<=", 10.0))
        } else {
            None
        };
        let rps: Vec<f64> = secs.iter().map(|s| apps as f64 / s).collect();
        let mut f = figure(
            &format!("daemon --once: {apps} apps"),
            "s",
            secs,
            budget,
            "",
        );
        let (rm, _, _, _) = stats(rps);
        f.note = format!("{rm:.0} requests/s");
        figures.push(f);
        let rb = if apps >= 10_000 {
            Some(("<=", 100.0))
        } else {
            None
        };
        figures.push(figure(
            &format!("peak RSS: daemon --once, {apps} apps"),
            "MB",
            rss,
            rb,
            "VmHWM",
        ));
    }
}

/// What every section shares: the built bundles, a scratch dir and the local server.
struct Bench {
    root: PathBuf,
    w: PathBuf,
    server: BackgroundServer,
    quick: bool,
    hello: PathBuf,
    syn50: PathBuf,
    syn100: PathBuf,
}

impl Bench {
    /// Repeat count: `full`, or a quarter of it (at least 3) with FTRUN_BENCH_QUICK.
    fn n(&self, full: usize) -> usize {
        if self.quick { (full / 4).max(3) } else { full }
    }
}

type Section = fn(&Bench, &mut Vec<Figure>);
const SECTIONS: [(&str, Section); 7] = [
    ("cold", bench_cold),
    ("check", bench_check),
    ("node", bench_node),
    ("overlap", bench_overlap),
    ("gbd", bench_gbd),
    ("test", bench_test),
    ("daemon", bench_daemon),
];
const HELLO_COLD: &str = "cold start to onReady: hello";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let check = args.iter().any(|a| a == "--check");
    // `--only a,b` runs some sections (names in SECTIONS); `make bench ONLY=overlap`.
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').map(str::to_string).collect());
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path().to_path_buf();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let b = Bench {
        hello: root.join("fixtures/hello"),
        syn50: w.join("syn50"),
        syn100: w.join("syn100esm"),
        root,
        w,
        server: BackgroundServer::start(None).expect("local server"),
        quick: std::env::var_os("FTRUN_BENCH_QUICK").is_some(),
    };
    synthetic_bundle(&b.syn50, 50, 200, false, 0);
    synthetic_bundle(&b.syn100, 100, 300, true, 30);
    let mut figures: Vec<Figure> = Vec::new();
    for (name, section) in SECTIONS {
        if only.as_ref().is_none_or(|o| o.iter().any(|s| s == name)) {
            section(&b, &mut figures);
        }
    }

    // The table, the file, the check.
    println!(
        "\n{:<78} {:>10} {:>10} {:>10} {:>8}  {:<10} note",
        "figure", "median", "min", "max", "unit", "budget"
    );
    let mut missed = Vec::new();
    for f in &figures {
        let budget = f
            .budget
            .as_ref()
            .map(|(op, v)| format!("{op} {v}"))
            .unwrap_or_default();
        println!(
            "{:<78} {:>10.3} {:>10.3} {:>10.3} {:>8}  {:<10} {}",
            f.name, f.median, f.min, f.max, f.unit, budget, f.note
        );
        if let Some((op, v)) = &f.budget {
            let over = match op.as_str() {
                "<=" => f.median.is_nan() || f.median > v * 1.25,
                _ => f.median.is_nan() || f.median < v * 0.75,
            };
            if over {
                missed.push(format!(
                    "{}: {:.3} {} (budget {op} {v})",
                    f.name, f.median, f.unit
                ));
            }
        }
    }
    // A partial run (--only) writes beside the full results, not over them.
    let file = match &only {
        Some(o) => format!("results-{}.json", o.join("-")),
        None => "results.json".to_string(),
    };
    let out = b.root.join("target/bench").join(file);
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let doc = serde_json::json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": { "cpu": machine, "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) },
        "figures": figures,
    });
    write(
        &out,
        &serde_json::to_string_pretty(&doc).unwrap_or_default(),
    );
    println!("\nresults: {}", out.display());
    if check {
        if missed.is_empty() {
            println!("bench-check: every budget holds (25% tolerance)");
        } else {
            println!("bench-check: budgets missed by more than 25%:");
            for m in &missed {
                println!("  {m}");
            }
            std::process::exit(1);
        }
    }
}
