//! One function per section of the table; each pushes its figures.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ftrun::bgfetch::ConsoleConfig;
use ftrun::mockserver::Route;
use ftrun::store::{Change, NewRecord, Store};

use crate::bundles::{
    add_stamps, hello_with_listener, list_bundle, simulate_suite, synthetic_bundle, write,
};
use crate::measure::{Figure, figure, stats, timed};
use crate::{BIN, Bench, HELLO_COLD};

pub(crate) fn run_cmd(bundle: &Path, data: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(["-v", "run"])
        .arg(bundle)
        .arg("--data-dir")
        .arg(data)
        .args(extra);
    c
}

pub(crate) const COLD: &str = "engine: cold start done";

pub(crate) fn cold_start(
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
pub(crate) fn bench_cold(b: &Bench, figures: &mut Vec<Figure>) {
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
pub(crate) fn bench_check(b: &Bench, figures: &mut Vec<Figure>) {
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
pub(crate) fn bench_node(b: &Bench, figures: &mut Vec<Figure>) {
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

/// 2: prefetch overlap: time to the listener against max(D, code time), both stamped from
/// inside JS (the listener's first line; the launch page's onReady).
pub(crate) fn bench_overlap(b: &Bench, figures: &mut Vec<Figure>) {
    let floor = spawn_floor(b);
    let hello_l = b.w.join("hello-stamped");
    hello_with_listener(&hello_l);
    add_stamps(&hello_l, "pages/index/index");
    let syn50 = b.w.join("syn50-stamped");
    synthetic_bundle(&syn50, 50, 200, false, 0);
    add_stamps(&syn50, "pages/p0/p0");
    for (label, bundle) in [("hello", &hello_l), ("50 pages", &syn50)] {
        for delay in [0u64, 50, 200] {
            let path = format!("/overlap-{delay}");
            b.server.route(
                &path,
                Route::ok("{\"fresh\":true}").delay(Duration::from_millis(delay)),
            );
            let url = b.server.url(&path);
            let data = b.w.join(format!("d-overlap-{label}-{delay}"));
            let mut after_answer = Vec::new();
            let mut arrivals = Vec::new();
            let mut handled = Vec::new();
            let mut ratios = Vec::new();
            for _ in 0..b.n(12) {
                let before = b.server.received_on(&path).len();
                let t = timed(&mut run_cmd(bundle, &data, &["--prefetch-url", &url]), &[]);
                let (Some(code), Some(got)) = (t.stamp("ready"), t.stamp("listener")) else {
                    continue;
                };
                if let Some(r) = b.server.received_on(&path).get(before) {
                    let arrived = t.ms_after_start(r.arrived);
                    let later = code.max(arrived + delay as f64);
                    arrivals.push(arrived);
                    handled.push(t.ms_after_start(r.handled));
                    after_answer.push(got - later);
                    ratios.push(got / later);
                }
            }
            let (arr, _, _, _) = stats(arrivals.clone());
            let (rm, _, _, _) = stats(ratios);
            figures.push(figure(
                &format!(
                    "prefetch overlap, {label}, D={delay} ms: listener after max(answer, onReady)"
                ),
                "ms",
                after_answer,
                Some(("<=", 1.0)),
                &format!("ratio {rm:.3}; request reached the server at {arr:.2} ms"),
            ));
            if delay == 50 {
                figures.push(figure(
                    &format!(
                        "prefetch request on the wire, {label}: arrival minus the spawn floor"
                    ),
                    "ms",
                    arrivals.iter().map(|a| a - floor).collect(),
                    Some(("<=", 1.0)),
                    &format!("floor {floor:.2} ms; the kernel's receive timestamp"),
                ));
                figures.push(figure(
                    &format!(
                        "… the same, as the bench server's handler saw it, {label}: minus the spawn floor"
                    ),
                    "ms",
                    handled.iter().map(|a| a - floor).collect(),
                    None,
                    "reference: later by the server's own wake-up",
                ));
            }
        }
    }
    commit_floor(b, figures, floor);
}

/// Median spawn-to-exit time of a process that does nothing (/bin/true): what any program
/// pays before its first byte leaves.
fn spawn_floor(b: &Bench) -> f64 {
    let spawns: Vec<f64> = (0..b.n(40))
        .filter_map(|_| {
            let t0 = Instant::now();
            let ok = Command::new("true").status().is_ok_and(|s| s.success());
            ok.then(|| t0.elapsed().as_secs_f64() * 1000.0)
        })
        .collect();
    stats(spawns).0
}

/// Reference figures beside the overlap ones: the spawn floor, and one durable commit of a
/// record to the multi-process store after an idle wait (since the listener no longer waits
/// for it, it bounds only when a run can end).
fn commit_floor(b: &Bench, figures: &mut Vec<Figure>, spawn: f64) {
    figures.push(figure(
        "floor: spawn to exit of a process that does nothing (/bin/true)",
        "ms",
        vec![spawn],
        None,
        "median of its own runs; reference for the overlap figures",
    ));
    let dir = b.w.join("d-commit-floor");
    let store = Store::open(&dir).expect("store");
    store.prepare_write().expect("writable store");
    let record = ftrun::bgfetch::Record {
        fetched_data: "{\"fresh\":true}".into(),
        time_stamp: 0,
        path: "pages/index/index".into(),
        query: String::new(),
        scene: 1001,
    };
    let mut commits = Vec::new();
    for _ in 0..b.n(20) {
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        let item = NewRecord {
            app_id: "wxfloor",
            kind: ftrun::bgfetch::FetchType::Pre,
            record: &record,
        };
        if store.put_records(&[item]).is_ok() {
            commits.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    }
    figures.push(figure(
        "floor: one durable record commit after 50 ms idle (redb, multi-process)",
        "ms",
        commits,
        None,
        "bounds when a run ends, no longer when its listener runs",
    ));
}

/// 3: getBackgroundFetchData from JS, in-process, per call.
pub(crate) fn bench_gbd(b: &Bench, figures: &mut Vec<Figure>) {
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
pub(crate) fn bench_test(b: &Bench, figures: &mut Vec<Figure>) {
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
pub(crate) fn bench_daemon(b: &Bench, figures: &mut Vec<Figure>) {
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

/// Numbers `BENCH <what> <ms>` a bench bundle printed.
fn bench_value(stdout: &str, what: &str) -> Option<f64> {
    let prefix = format!("BENCH {what} ");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.trim().parse().ok())
}

/// The view layer on a 1,000-row list (three bindings and one custom component per row):
/// rows rendered, one row's field set, cold start to onReady, one `ftrun test` file; and the
/// same list under Jest + miniprogram-simulate when npm can install it (the reference).
pub(crate) fn bench_view(b: &Bench, figures: &mut Vec<Figure>) {
    let dir = b.w.join("list1000");
    list_bundle(&dir, 1000);
    write(
        &dir.join("tests/list.test.js"),
        "test('1,000 rows', async () => { const app = await ftrun.launch(); const page = await app.currentPage(); expect((await page.$$('row')).length).toBe(1000); });\n",
    );
    let data = b.w.join("d-list");
    let (mut render, mut update) = (Vec::new(), Vec::new());
    for _ in 0..b.n(20) {
        let t = timed(&mut run_cmd(&dir, &data, &["--offline"]), &[]);
        render.extend(bench_value(&t.stdout, "render"));
        update.extend(bench_value(&t.stdout, "update"));
    }
    let ours = stats(render.clone()).0;
    figures.push(figure(
        "view: 1,000-row wx:for (3 bindings + 1 component a row), first render",
        "ms",
        render,
        Some(("<=", 15.0)),
        "setData of the rows in onLoad: rows, components created, attached, ready",
    ));
    figures.push(figure(
        "view: setData of one row's field, re-render done",
        "ms",
        update,
        Some(("<=", 1.0)),
        "median of 101 in each run",
    ));
    let (c, _) = cold_start("1,000-row list page", &dir, &data, b.n(20), None);
    figures.push(c);
    let mut files = Vec::new();
    for _ in 0..b.n(10) {
        let t = timed(Command::new(BIN).arg("test").arg(dir.join("tests")), &[]);
        if t.stdout.contains("1 passed, 0 failed") {
            files.push(t.wall_ms);
        }
    }
    let ftrun_file = stats(files.clone()).0;
    figures.push(figure(
        "view: ftrun test, one file rendering the 1,000-row list",
        "ms",
        files,
        None,
        "wall time of the command",
    ));
    match simulate_reference(b, &dir) {
        Ok((render, update, walls)) => {
            let theirs = stats(render.clone()).0;
            let jest_file = stats(walls.clone()).0;
            let note = "Jest 29 + miniprogram-simulate 1.6.1 in jsdom (reference)";
            figures.push(figure(
                "view: the same list under miniprogram-simulate, first render",
                "ms",
                render,
                None,
                note,
            ));
            figures.push(figure(
                "view: the same setData under miniprogram-simulate",
                "ms",
                update,
                None,
                note,
            ));
            figures.push(figure(
                "view: the same test file under Jest + miniprogram-simulate",
                "ms",
                walls,
                None,
                note,
            ));
            for (name, ratio) in [
                (
                    "ratio: ftrun / simulate, first render of the list",
                    ours / theirs,
                ),
                (
                    "ratio: ftrun test file / Jest + simulate file",
                    ftrun_file / jest_file,
                ),
            ] {
                figures.push(figure(
                    name,
                    "x",
                    vec![ratio],
                    None,
                    "medians of the same run",
                ));
            }
        }
        Err(why) => figures.push(figure(
            "view: the same list under miniprogram-simulate (reference)",
            "ms",
            Vec::new(),
            None,
            &format!("not measured: {why}"),
        )),
    }
}

/// A simulate-style component suite (1 file x 1 test, 1 x 100, 10 x 10) under `ftrun test` and
/// under Jest + miniprogram-simulate (when npm can install them), side by side.
pub(crate) fn bench_simulate(b: &Bench, figures: &mut Vec<Figure>) {
    let jest_dir = b.root.join("target/bench-node/simulate");
    let jest_ok = install_simulate(b);
    for (files, tests, target) in [
        (1usize, 1usize, Some(1.0 / 50.0)),
        (1, 100, None),
        (10, 10, Some(0.1)),
    ] {
        let name = format!("s{files}x{tests}");
        // Inside the npm folder, so Node finds the packages; ftrun answers the requires itself.
        let suite = jest_dir.join("suites").join(&name);
        let _ = std::fs::remove_dir_all(&suite);
        simulate_suite(&suite, files, tests);
        let total = files * tests;
        let mut ours = Vec::new();
        for _ in 0..b.n(8) {
            let t = timed(Command::new(BIN).arg("test").arg(&suite), &[]);
            if t.stdout.contains(&format!("{total} passed, 0 failed")) {
                ours.push(t.wall_ms);
            }
        }
        let label = format!("simulate-style suite, {files} file(s) x {tests} test(s)");
        let ours_median = stats(ours.clone()).0;
        figures.push(figure(
            &format!("{label}: ftrun test"),
            "ms",
            ours,
            None,
            "wall time of the command",
        ));
        match &jest_ok {
            Ok(()) => {
                let mut theirs = Vec::new();
                for _ in 0..b.n(4) {
                    let t = timed(
                        Command::new("node")
                            .arg(jest_dir.join("node_modules/jest/bin/jest.js"))
                            .args(["--ci", "--rootDir"])
                            .arg(&jest_dir)
                            .arg(format!("suites/{name}/"))
                            .current_dir(&jest_dir),
                        &[],
                    );
                    theirs.push(t.wall_ms);
                }
                let theirs_median = stats(theirs.clone()).0;
                figures.push(figure(
                    &format!("{label}: Jest + miniprogram-simulate"),
                    "ms",
                    theirs,
                    None,
                    "reference",
                ));
                figures.push(figure(
                    &format!("ratio: ftrun / Jest, {label}"),
                    "x",
                    vec![ours_median / theirs_median],
                    target.map(|t| ("<=", t)),
                    "medians of the same run",
                ));
            }
            Err(why) => figures.push(figure(
                &format!("{label}: Jest + miniprogram-simulate"),
                "ms",
                Vec::new(),
                None,
                &format!("not measured: {why}"),
            )),
        }
    }
}

/// Samples of the simulate reference: render ms, update ms, test file wall ms.
type SimulateSamples = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Runs bench/simulate/list.test.js on `bundle` under Jest + miniprogram-simulate.
fn simulate_reference(b: &Bench, bundle: &Path) -> Result<SimulateSamples, String> {
    install_simulate(b)?;
    let dir = b.root.join("target/bench-node/simulate");
    let out_file = b.w.join("simulate.json");
    let (mut render, mut update, mut walls) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..b.n(6) {
        let _ = std::fs::remove_file(&out_file);
        let t = timed(
            Command::new("node")
                .arg(dir.join("node_modules/jest/bin/jest.js"))
                .args(["--ci", "--rootDir"])
                .arg(&dir)
                .arg("list.test.js")
                .env("FTRUN_BENCH_BUNDLE", bundle)
                .env("FTRUN_BENCH_OUT", &out_file)
                .current_dir(&dir),
            &[],
        );
        let text = std::fs::read_to_string(&out_file)
            .map_err(|_| "the simulate test did not finish".to_string())?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        render.extend(v["render"].as_f64());
        update.extend(v["update"].as_f64());
        walls.push(t.wall_ms);
    }
    Ok((render, update, walls))
}

/// Jest + miniprogram-simulate (bench/simulate/package.json) under target/bench-node/simulate,
/// installed with npm once.
fn install_simulate(b: &Bench) -> Result<(), String> {
    let src = b.root.join("bench/simulate");
    let dir = b.root.join("target/bench-node/simulate");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for f in ["package.json", "list.test.js"] {
        std::fs::copy(src.join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    if dir.join("node_modules/miniprogram-simulate").is_dir() {
        return Ok(());
    }
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("npm is not available ({e})"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "npm install failed: {}",
            err.lines().last().unwrap_or("")
        ));
    }
    Ok(())
}
