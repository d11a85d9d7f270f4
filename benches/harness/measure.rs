//! Measuring one process and summarising samples.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Figure {
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) p99: Option<f64>,
    pub(crate) runs: usize,
    /// Budget and whether it is an upper (`<=`) or lower (`>=`) bound.
    pub(crate) budget: Option<(String, f64)>,
    pub(crate) note: String,
}

pub(crate) fn stats(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
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

pub(crate) fn figure(
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
pub(crate) struct Timed {
    pub(crate) marks: Vec<Option<f64>>,
    /// The spawn, on both clocks: [`Timed::stamp`] and [`Timed::ms_after_start`] count from it.
    started: Instant,
    started_mono_ms: f64,
    pub(crate) wall_ms: f64,
    pub(crate) rss_kib: Option<f64>,
    pub(crate) stdout: String,
}

pub(crate) fn timed(cmd: &mut Command, markers: &[&str]) -> Timed {
    let started_mono_ms = monotonic_ms();
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
        started: t0,
        started_mono_ms,
        wall_ms,
        rss_kib: rss,
        stdout: out_thread.join().unwrap_or_default(),
    }
}

impl Timed {
    /// ms from the spawn to `at` (an instant another part of the harness recorded).
    pub(crate) fn ms_after_start(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.started).as_secs_f64() * 1000.0
    }

    /// ms from the spawn to the moment the process stamped `what` (see `add_stamps`).
    pub(crate) fn stamp(&self, what: &str) -> Option<f64> {
        let prefix = format!("STAMP {what} ");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|at| at - self.started_mono_ms)
    }
}

/// CLOCK_MONOTONIC in ms, the clock QuickJS's `performance` reads.
fn monotonic_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}
