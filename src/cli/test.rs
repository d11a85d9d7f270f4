//! `ftrun test [PATHS]`: discover, shard, run in parallel, report; status 0 only when nothing
//! failed.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::CliError;
use super::args::TestArgs;
use super::common;
use crate::testrunner::{self, Reporter, TestOptions, report};

pub fn run(args: TestArgs) -> Result<i32, CliError> {
    let reporter = args.reporter;
    match (reporter, &args.output) {
        (Reporter::Junit, None) => {
            return Err(CliError::Invalid(
                "--reporter junit needs --output FILE".into(),
            ));
        }
        (Reporter::Default, Some(_)) => {
            return Err(CliError::Invalid(
                "--output FILE is for --reporter tap or junit (the default reporter prints to the terminal)".into(),
            ));
        }
        _ => {}
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = testrunner::discover(&paths).map_err(CliError::Invalid)?;
    let files = testrunner::shard(files, args.shard);
    if files.is_empty() {
        errln!(
            "error: no test files (*.test.js, *.spec.js) found under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(1);
    }
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let opts = TestOptions {
        paths,
        filter: args.filter.clone(),
        update_snapshots: args.update_snapshot,
        ci: args.ci,
        clock: args.clock.clone(),
        shard: args.shard,
        jobs,
        timeout: Duration::from_millis(args.test_timeout),
    };
    let started = Instant::now();
    let streaming = matches!(reporter, Reporter::Default);
    let on_done = |f: &testrunner::FileResult| {
        if streaming {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(report::file_block(f).as_bytes());
            let _ = out.flush();
        }
    };
    let results = testrunner::run_files(&files, &opts, &on_done).map_err(CliError::Failed)?;
    let secs = started.elapsed().as_secs_f64();
    let failed = results
        .iter()
        .any(|f| f.error.is_some() || f.count(testrunner::Status::Failed) > 0);
    let summary = report::summary(&results, secs);
    let (text, rest) = match reporter {
        Reporter::Default => (summary, None),
        Reporter::Tap => (report::tap(&results), Some(summary)),
        Reporter::Junit => (report::junit(&results, secs), Some(summary)),
    };
    // A report for machines goes to --output when given, and the summary to the terminal.
    match (&args.output, rest) {
        (Some(path), Some(summary)) => {
            std::fs::write(path, text).map_err(|e| {
                CliError::Failed(format!(
                    "--output {}: {}",
                    path.display(),
                    crate::bundle::io_reason(&e)
                ))
            })?;
            common::out(&summary)?;
        }
        _ => common::out(&text)?,
    }
    Ok(if failed { 1 } else { 0 })
}
