//! `ftrun test [PATHS]`: the config file and flags resolved into one set of settings, then
//! discover, shard, run in parallel, report (or `--watch`); status 0 only when nothing failed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::CliError;
use super::args::TestArgs;
use super::common;
use crate::testrunner::config::{self, ReporterSpec};
use crate::testrunner::discover::{self, Selection};
use crate::testrunner::{self, FileResult, Reporter, TestOptions, report};

/// Everything a run needs, from the flags over the config file.
pub struct Settings {
    pub selection: Selection,
    pub shard: Option<(usize, usize)>,
    pub opts: TestOptions,
    /// Reporters and where each writes (`None`: the terminal).
    pub outputs: Vec<(Reporter, Option<PathBuf>)>,
    pub pass_with_no_tests: bool,
    /// `--coverage`: where reports go, thresholds.
    pub coverage: Option<super::coverage::CoverageSettings>,
}

pub fn run(args: TestArgs, verbose: u8) -> Result<i32, CliError> {
    let loaded = config::load(args.config.as_deref(), Path::new(".")).map_err(CliError::Invalid)?;
    let settings = resolve(&args, loaded.as_ref(), verbose)?;
    let files = find_files(&settings)?;
    if args.list_tests {
        let list: Vec<String> = files
            .iter()
            .map(|f| discover::absolute(f).display().to_string())
            .collect();
        let text = if args.json {
            serde_json::to_string(&list).unwrap_or_default() + "\n"
        } else {
            list.iter().map(|l| format!("{l}\n")).collect()
        };
        common::out(&text)?;
        return Ok(0);
    }
    if args.watch {
        return super::watch::run(settings, files);
    }
    if files.is_empty() {
        return Ok(no_tests(&settings));
    }
    let (code, _) = run_once(&settings, &files)?;
    Ok(code)
}

/// The test files the settings select (discovered, then sharded).
pub fn find_files(s: &Settings) -> Result<Vec<PathBuf>, CliError> {
    let files = s.selection.discover().map_err(CliError::Invalid)?;
    Ok(testrunner::shard(files, s.shard))
}

/// Jest's message when nothing matched; the exit status `--passWithNoTests` chooses.
pub fn no_tests(s: &Settings) -> i32 {
    let code = i32::from(!s.pass_with_no_tests);
    let roots: Vec<String> = s
        .selection
        .roots
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let patterns: Vec<&str> = s
        .selection
        .path_patterns
        .iter()
        .map(|r| r.as_str())
        .collect();
    let mut msg = format!("No tests found under {}", roots.join(", "));
    if !patterns.is_empty() {
        msg.push_str(&format!(" matching {}", patterns.join(", ")));
    }
    errln!("{msg}, exiting with code {code}");
    if code != 0 {
        errln!("Run with `--passWithNoTests` to exit with code 0");
    }
    code
}

fn resolve(
    args: &TestArgs,
    loaded: Option<&config::Loaded>,
    verbose: u8,
) -> Result<Settings, CliError> {
    let empty = config::TestConfig::default();
    let cfg = loaded.map_or(&empty, |l| &l.config);
    let base = loaded.map_or_else(|| PathBuf::from("."), |l| l.dir.clone());
    let cfg_name = loaded.map_or("", |l| l.name.as_str());
    let invalid = |e: String| CliError::Invalid(format!("{cfg_name}: {e}"));

    // Arguments: existing paths are where to search, anything else a path pattern.
    let mut roots = Vec::new();
    let mut path_patterns = Vec::new();
    for a in &args.paths {
        if Path::new(a).exists() {
            roots.push(PathBuf::from(a));
        } else {
            path_patterns.push(discover::regex("path pattern", a, "i").map_err(|e| {
                CliError::Invalid(format!("{e}; it is not a file or folder either"))
            })?);
        }
    }
    if roots.is_empty() {
        roots = match &cfg.roots {
            Some(r) => r.iter().map(|r| base.join(r)).collect(),
            None => vec![base.clone()],
        };
    }
    let test_match = cfg
        .test_match
        .iter()
        .flatten()
        .map(|g| discover::glob(g))
        .collect::<Result<_, _>>()
        .map_err(invalid)?;
    let ignore = cfg
        .test_path_ignore_patterns
        .iter()
        .flatten()
        .map(|p| discover::regex("testPathIgnorePatterns", p, ""))
        .collect::<Result<_, _>>()
        .map_err(invalid)?;
    let selection = Selection {
        roots,
        path_patterns,
        test_match,
        ignore,
        base: discover::absolute(&base),
    };

    let outputs = outputs(args, cfg, &base).map_err(CliError::Invalid)?;
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let opts = TestOptions {
        filter: args.filter.clone(),
        update_snapshots: args.update_snapshot,
        ci: args.ci,
        clock: args.clock.clone().or_else(|| cfg.clock.clone()),
        jobs,
        timeout: Duration::from_millis(args.test_timeout.or(cfg.test_timeout).unwrap_or(5000)),
        bail: args
            .bail
            .map(|n| n as usize)
            .or_else(|| cfg.bail.as_ref().and_then(|b| b.count())),
        verbose: verbose > 0 || cfg.verbose == Some(true),
        silent: args.silent || cfg.silent == Some(true),
        coverage: None,
    };
    Ok(Settings {
        selection,
        shard: args.shard,
        opts,
        outputs,
        pass_with_no_tests: args.pass_with_no_tests,
        coverage: super::coverage::settings(args, cfg, cfg_name, &base)?,
    })
}

/// The reporters: `--reporter`/`--output` when given, else the config's `reporters`, else
/// the default one; `--json` adds Jest's JSON (on stdout unless `--outputFile`).
fn outputs(
    args: &TestArgs,
    cfg: &config::TestConfig,
    base: &Path,
) -> Result<Vec<(Reporter, Option<PathBuf>)>, String> {
    let mut out = Vec::new();
    match (args.reporter, &args.output) {
        (Some(Reporter::Junit), None) => return Err("--reporter junit needs --output FILE".into()),
        (Some(Reporter::Html), None) => {
            return Err("--reporter html needs --output FILE (e.g. --output report.html)".into());
        }
        (None | Some(Reporter::Default), Some(_)) => {
            return Err("--output FILE is for --reporter tap, junit, json or html (the default reporter prints to the terminal)".into());
        }
        (Some(r), file) => out.push((r, file.clone())),
        (None, None) => {
            for spec in cfg.reporters.iter().flatten() {
                let (name, opts) = match spec {
                    ReporterSpec::Name(n) => (n.as_str(), Default::default()),
                    ReporterSpec::WithOptions(n, o) => (n.as_str(), o.clone()),
                };
                let reporter = match name {
                    "default" => Reporter::Default,
                    "tap" => Reporter::Tap,
                    "junit" | "jest-junit" => Reporter::Junit,
                    "json" => Reporter::Json,
                    "html" => Reporter::Html,
                    other => {
                        return Err(format!(
                            "reporters: unknown reporter \"{other}\" (ftrun has default, tap, junit, json, html)"
                        ));
                    }
                };
                let file = opts.output_file.map(PathBuf::from).or_else(|| {
                    (opts.output_directory.is_some() || opts.output_name.is_some()).then(|| {
                        Path::new(opts.output_directory.as_deref().unwrap_or("."))
                            .join(opts.output_name.as_deref().unwrap_or("junit.xml"))
                    })
                });
                let file = file
                    .or_else(|| match reporter {
                        Reporter::Junit => Some(PathBuf::from("junit.xml")),
                        Reporter::Html => Some(PathBuf::from("ftrun-report.html")),
                        _ => None,
                    })
                    .map(|f| base.join(f));
                out.push((reporter, file));
            }
            if out.is_empty() {
                out.push((Reporter::Default, None));
            }
        }
    }
    match (args.json, &args.output_file) {
        (true, file) => out.push((Reporter::Json, file.clone())),
        (false, Some(_)) => return Err("--outputFile is for --json".into()),
        (false, None) => {}
    }
    Ok(out)
}

/// One run over `files`: results streamed and reported as the settings say. Returns the
/// exit status and the results.
pub fn run_once(s: &Settings, files: &[PathBuf]) -> Result<(i32, Vec<FileResult>), CliError> {
    let started = Instant::now();
    let started_ms = chrono::Utc::now().timestamp_millis();
    let json_on_stdout = s
        .outputs
        .iter()
        .any(|(r, f)| *r == Reporter::Json && f.is_none());
    let streaming = s.outputs.iter().any(|(r, _)| *r == Reporter::Default);
    // The human report goes to stderr when stdout carries JSON, as Jest does.
    let human = |text: &str| -> Result<(), CliError> {
        if json_on_stdout {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            Ok(())
        } else {
            common::out(text)
        }
    };
    let on_done = |f: &FileResult| {
        if streaming {
            let _ = human(&report::file_block(f));
        }
    };
    let collector = s
        .coverage
        .as_ref()
        .map(|c| super::coverage::collector(c, &s.selection, files));
    let opts = TestOptions {
        coverage: collector.clone(),
        ..s.opts.clone()
    };
    let results = testrunner::run_files(files, &opts, &on_done).map_err(CliError::Failed)?;
    let secs = started.elapsed().as_secs_f64();
    let bailed = results.len() < files.len();
    let failed = results.iter().any(|f| f.failed());
    let mut summary = report::summary(&results, secs);
    if bailed {
        summary.push_str(&format!(
            "Bailed out after {} failed test file(s) (--bail): {} of {} files not run\n",
            results.iter().filter(|f| f.failed()).count(),
            files.len() - results.len(),
            files.len()
        ));
    }
    // Jest's order: the tests, the coverage table (and missed thresholds), the summary.
    let mut threshold_missed = false;
    if let (Some(c), Some(collector)) = (&s.coverage, &collector) {
        let (table, missed) = super::coverage::finish(c, collector)?;
        threshold_missed = missed;
        human(&table)?;
    }
    let mut summary_shown = false;
    for (reporter, file) in &s.outputs {
        let text = match reporter {
            Reporter::Default => {
                summary_shown = true;
                summary.clone()
            }
            Reporter::Tap => report::tap(&results),
            Reporter::Junit => report::junit(&results, secs),
            Reporter::Json => {
                let v = testrunner::jest_json::results(&results, started_ms, bailed);
                serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
            }
            Reporter::Html => crate::pictures::test_report(&testrunner::jest_json::results(
                &results, started_ms, bailed,
            )),
        };
        match file {
            Some(path) => common::write_file("--output", path, &text)?,
            None if *reporter == Reporter::Json => common::out(&text)?,
            None => {
                summary_shown |= *reporter != Reporter::Default;
                human(&text)?;
            }
        }
    }
    // Reports all went to files: the summary still goes to the terminal.
    if !summary_shown {
        human(&summary)?;
    }
    Ok((i32::from(failed || bailed || threshold_missed), results))
}
