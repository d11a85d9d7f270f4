//! `ftrun test --coverage`: what the flags and config ask for, and the reports written after
//! a run (`coverage/lcov.info`, `coverage-final.json`, `index.html`, Jest's table, thresholds).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;
use super::args::TestArgs;
use crate::coverage::{Collector, report};
use crate::testrunner::config::{TestConfig, Thresholds};
use crate::testrunner::discover::{self, Selection};

/// Coverage as one run wants it.
#[derive(Debug, Clone)]
pub struct CoverageSettings {
    /// Where the reports go.
    pub dir: PathBuf,
    pub thresholds: Thresholds,
    pub ignore: Vec<crate::engine::regexp::RegExp>,
    /// Files are named relative to this folder (the config's, else the working folder).
    pub base: PathBuf,
}

/// `None` when coverage is off: no `--coverage` or `--coverageThreshold`, no
/// `collectCoverage: true` in the config (config thresholds alone do not turn it on, as in
/// Jest).
pub fn settings(
    args: &TestArgs,
    cfg: &TestConfig,
    cfg_name: &str,
    base: &Path,
) -> Result<Option<CoverageSettings>, CliError> {
    let on =
        args.coverage || args.coverage_threshold.is_some() || cfg.collect_coverage == Some(true);
    if !on {
        return Ok(None);
    }
    let thresholds = match &args.coverage_threshold {
        Some(text) => serde_json::from_str::<Thresholds>(text).map_err(|e| {
            CliError::Invalid(format!(
                "--coverageThreshold: expected Jest's JSON, e.g. '{{\"global\":{{\"lines\":80}}}}': {e}"
            ))
        })?,
        None => cfg.coverage_threshold.clone().unwrap_or_default(),
    };
    let ignore = cfg
        .coverage_path_ignore_patterns
        .iter()
        .flatten()
        .map(|p| discover::regex("coveragePathIgnorePatterns", p, ""))
        .collect::<Result<_, _>>()
        .map_err(|e| CliError::Invalid(format!("{cfg_name}: {e}")))?;
    let dir = match (&args.coverage_directory, &cfg.coverage_directory) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => base.join(d),
        (None, None) => base.join("coverage"),
    };
    Ok(Some(CoverageSettings {
        dir,
        thresholds,
        ignore,
        base: discover::absolute(base),
    }))
}

/// The collector of one run over `files` (test files are never measured).
pub fn collector(s: &CoverageSettings, selection: &Selection, files: &[PathBuf]) -> Arc<Collector> {
    let tests = files
        .iter()
        .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| discover::absolute(f)))
        .collect();
    Arc::new(Collector::new(tests, selection.clone(), s.ignore.clone()))
}

/// Writes the reports and returns Jest's table followed by any threshold failures, and
/// whether a threshold was missed.
pub fn finish(s: &CoverageSettings, c: &Collector) -> Result<(String, bool), CliError> {
    let files = c.files();
    let write = |rel: &Path, text: &str| {
        super::common::write_file("--coverageDirectory", &s.dir.join(rel), text)
    };
    write(Path::new("lcov.info"), &report::lcov(&files, &s.base))?;
    let json = serde_json::to_string(&report::istanbul_json(&files)).unwrap_or_default();
    write(Path::new("coverage-final.json"), &json)?;
    for (rel, page) in report::html(&files, &s.base) {
        write(&rel, &page)?;
    }
    let mut text = if files.is_empty() {
        "No project files were loaded by the tests: coverage is empty.\n".to_string()
    } else {
        report::text_table(&files, &s.base)
    };
    let failures =
        report::threshold_failures(&files, &s.thresholds, &s.base).map_err(CliError::Invalid)?;
    for f in &failures {
        text.push_str(f);
        text.push('\n');
    }
    Ok((text, !failures.is_empty()))
}
