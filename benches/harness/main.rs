//! `make bench`: ftrun's figures, measured end to end on the release binary against a local
//! server, printed as a table and written to `target/bench/results.json`.
//! `make bench-check` (`-- --check`) fails when a budget is missed by more than 25%.
//!
//! Each figure is a median over repeated runs with its spread; comparisons are ratios taken in
//! the same run (absolute times drift on shared machines, ratios hold).

mod bundles;
mod measure;
mod sections;

use std::path::PathBuf;

use ftrun::mockserver::BackgroundServer;

use bundles::{synthetic_bundle, write};
use measure::Figure;
use sections::{
    bench_check, bench_cold, bench_daemon, bench_gbd, bench_node, bench_overlap, bench_simulate,
    bench_test, bench_view,
};

const BIN: &str = env!("CARGO_BIN_EXE_ftrun");

/// What every section shares: the built bundles, a scratch dir and the local server.
pub(crate) struct Bench {
    pub(crate) root: PathBuf,
    pub(crate) w: PathBuf,
    pub(crate) server: BackgroundServer,
    pub(crate) quick: bool,
    pub(crate) hello: PathBuf,
    pub(crate) syn50: PathBuf,
    pub(crate) syn100: PathBuf,
}

impl Bench {
    /// Repeat count: `full`, or a quarter of it (at least 3) with FTRUN_BENCH_QUICK.
    pub(crate) fn n(&self, full: usize) -> usize {
        if self.quick { (full / 4).max(3) } else { full }
    }
}

type Section = fn(&Bench, &mut Vec<Figure>);
const SECTIONS: [(&str, Section); 9] = [
    ("cold", bench_cold),
    ("check", bench_check),
    ("node", bench_node),
    ("overlap", bench_overlap),
    ("gbd", bench_gbd),
    ("test", bench_test),
    ("daemon", bench_daemon),
    ("view", bench_view),
    ("simulate", bench_simulate),
];
pub(crate) const HELLO_COLD: &str = "cold start to onReady: hello";

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
