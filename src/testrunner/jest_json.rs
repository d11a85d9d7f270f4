//! Jest's `--json` result object (`FormattedTestResults`), so CI scripts and tools written
//! for Jest's output read ftrun's.

use serde_json::{Value, json};

use super::{FileResult, Status};

/// The whole run as Jest's JSON reporter writes it. `started_ms` is the run's start (ms since
/// the epoch); `interrupted` is true when `--bail` stopped it early.
pub fn results(files: &[FileResult], started_ms: i64, interrupted: bool) -> Value {
    let count = |s: Status| files.iter().map(|f| f.count(s)).sum::<usize>();
    let runtime_errors = files.iter().filter(|f| f.error.is_some()).count();
    let failed_suites = files.iter().filter(|f| f.failed()).count();
    let pending_suites = files
        .iter()
        .filter(|f| !f.failed() && !f.tests.is_empty() && f.count(Status::Skipped) == f.tests.len())
        .count();
    let mut snap = super::SnapshotCounts::default();
    let (mut files_added, mut files_removed, mut files_unmatched) = (0, 0, 0);
    let mut unchecked_by_file = Vec::new();
    for f in files {
        let Some(s) = &f.snapshots else { continue };
        snap.add(s);
        files_added += usize::from(s.file_added);
        files_removed += usize::from(s.file_removed);
        files_unmatched += usize::from(s.unmatched > 0);
        if !s.obsolete_keys.is_empty() {
            unchecked_by_file.push(json!({ "filePath": abs(&f.file), "keys": s.obsolete_keys }));
        }
    }
    let failed_tests = count(Status::Failed);
    json!({
        "numFailedTestSuites": failed_suites,
        "numFailedTests": failed_tests,
        "numPassedTestSuites": files.len() - failed_suites - pending_suites,
        "numPassedTests": count(Status::Passed),
        "numPendingTestSuites": pending_suites,
        "numPendingTests": count(Status::Skipped),
        "numRuntimeErrorTestSuites": runtime_errors,
        "numTodoTests": 0,
        "numTotalTestSuites": files.len(),
        "numTotalTests": files.iter().map(|f| f.tests.len()).sum::<usize>(),
        "openHandles": [],
        "snapshot": {
            "added": snap.added,
            "didUpdate": snap.updated + snap.removed > 0,
            "failure": snap.unmatched > 0,
            "filesAdded": files_added,
            "filesRemoved": files_removed,
            "filesRemovedList": [],
            "filesUnmatched": files_unmatched,
            "filesUpdated": 0,
            "matched": snap.matched,
            "total": snap.added + snap.matched + snap.unmatched + snap.updated,
            "unchecked": snap.obsolete,
            "uncheckedKeysByFile": unchecked_by_file,
            "unmatched": snap.unmatched,
            "updated": snap.updated,
        },
        "startTime": started_ms,
        "success": failed_suites == 0 && !interrupted,
        "testResults": files.iter().map(file_result).collect::<Vec<_>>(),
        "wasInterrupted": interrupted,
    })
}

fn abs(file: &str) -> String {
    super::discover::absolute(std::path::Path::new(file))
        .display()
        .to_string()
}

fn file_result(f: &FileResult) -> Value {
    let assertions: Vec<Value> = f
        .tests
        .iter()
        .map(|t| {
            let mut full = t.ancestors.clone();
            full.push(t.title.clone());
            let location = t.location.as_deref().and_then(line_col);
            json!({
                "ancestorTitles": t.ancestors,
                "duration": t.duration_ms.round() as u64,
                "failureMessages": t.error.iter().collect::<Vec<_>>(),
                "fullName": full.join(" "),
                "location": location,
                "status": match t.status {
                    Status::Passed => "passed",
                    Status::Failed => "failed",
                    Status::Skipped => "pending",
                },
                "title": t.title,
            })
        })
        .collect();
    let message = match &f.error {
        Some(e) => format!("  ● Test suite failed to run\n\n{e}"),
        None => f
            .tests
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| format!("  ● {}\n\n{}", t.name, t.error.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\n\n"),
    };
    json!({
        "assertionResults": assertions,
        "endTime": f.started_ms + f.duration_ms.round() as i64,
        "message": message,
        "name": abs(&f.file),
        "startTime": f.started_ms,
        "status": if f.failed() { "failed" } else { "passed" },
        "summary": "",
    })
}

/// `{ line, column }` from a location `file:line:col`.
fn line_col(loc: &str) -> Option<Value> {
    let mut parts = loc.rsplitn(3, ':');
    let column: u64 = parts.next()?.parse().ok()?;
    let line: u64 = parts.next()?.parse().ok()?;
    Some(json!({ "line": line, "column": column }))
}
