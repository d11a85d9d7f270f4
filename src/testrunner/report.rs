//! Reporters: the default human one, TAP, and JUnit XML.

use std::fmt::Write as _;

use super::{FileResult, Status, TestResult};

/// A result as the JS framework reports it.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsResult {
    pub name: String,
    #[serde(default)]
    pub ancestors: Vec<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub status: String,
    #[serde(default)]
    pub duration_ms: f64,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub output: Vec<String>,
}

impl JsResult {
    pub fn into_result(self) -> TestResult {
        let status = match self.status.as_str() {
            "passed" => Status::Passed,
            "skipped" => Status::Skipped,
            _ => Status::Failed,
        };
        TestResult {
            title: self.title.unwrap_or_else(|| self.name.clone()),
            ancestors: self.ancestors,
            name: self.name,
            status,
            duration_ms: self.duration_ms,
            error: self.error,
            location: self.location,
            output: self.output,
        }
    }
}

/// Output format of `ftrun test` (`--reporter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reporter {
    Default,
    Tap,
    Junit,
    /// Jest's `--json` result object.
    Json,
    /// One self-contained HTML page (`pictures::test_report`).
    Html,
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

/// The block printed when a file is done (default reporter).
pub fn file_block(f: &FileResult) -> String {
    let mut out = String::new();
    if let Some(e) = &f.error {
        let _ = writeln!(out, "✗ {} (could not run)\n{}", f.file, indent(e, 4));
        return out;
    }
    for t in &f.tests {
        let mark = match t.status {
            Status::Passed => "✓",
            Status::Failed => "✗",
            Status::Skipped => "-",
        };
        let time = if t.status == Status::Skipped {
            "skipped".to_string()
        } else {
            ms(t.duration_ms)
        };
        let _ = writeln!(out, "{mark} {} › {} ({time})", f.file, t.name);
        // --verbose keeps passing tests' console output; a failure's is in the summary.
        if t.status == Status::Passed && !t.output.is_empty() {
            let _ = writeln!(out, "{}", indent(&t.output.join("\n"), 4));
        }
    }
    out
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Failures in detail, then `N passed, N failed[, N skipped]` alone on a line, then the time.
pub fn summary(files: &[FileResult], secs: f64) -> String {
    let mut out = String::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for f in files {
        passed += f.count(Status::Passed);
        failed += f.count(Status::Failed) + usize::from(f.error.is_some());
        skipped += f.count(Status::Skipped);
        for t in f.tests.iter().filter(|t| t.status == Status::Failed) {
            let _ = writeln!(out, "\n● {} › {}\n", f.file, t.name);
            if let Some(e) = &t.error {
                let _ = writeln!(out, "{}", indent(e, 4));
            }
            if let Some(l) = &t.location {
                let _ = writeln!(out, "\n    at {l}");
            }
            if !t.output.is_empty() {
                let _ = writeln!(
                    out,
                    "\n    console output:\n{}",
                    indent(&t.output.join("\n"), 6)
                );
            }
        }
        if let Some(e) = &f.error {
            let _ = writeln!(out, "\n● {} could not run\n\n{}", f.file, indent(e, 4));
        }
    }
    let _ = writeln!(out);
    let skipped_text = if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    let _ = writeln!(out, "{passed} passed, {failed} failed{skipped_text}");
    if let Some(line) = snapshot_line(files) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "Time: {secs:.2} s");
    out
}

/// Jest's `Snapshots:` line (nothing when no test used a snapshot), with a note on obsolete
/// snapshots as Jest prints it.
fn snapshot_line(files: &[FileResult]) -> Option<String> {
    let mut t = crate::testrunner::SnapshotCounts::default();
    let mut obsolete_files = 0;
    for s in files.iter().filter_map(|f| f.snapshots.as_ref()) {
        t.add(s);
        obsolete_files += usize::from(s.obsolete > 0);
    }
    let total = t.added + t.matched + t.unmatched + t.updated;
    if total + t.obsolete + t.removed == 0 {
        return None;
    }
    let parts: Vec<String> = [
        (t.unmatched, "failed"),
        (t.obsolete, "obsolete"),
        (t.removed, "removed"),
        (t.updated, "updated"),
        (t.added, "written"),
        (t.matched, "passed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    let mut line = format!("Snapshots:   {}, {total} total", parts.join(", "));
    if t.obsolete > 0 {
        let s = if t.obsolete == 1 { "" } else { "s" };
        let f = if obsolete_files == 1 { "" } else { "s" };
        line.push_str(&format!(
            "
{} snapshot{s} obsolete from {obsolete_files} test suite{f}. To remove {}, run with `-u`.",
            t.obsolete,
            if t.obsolete == 1 { "it" } else { "them" }
        ));
    }
    if t.unmatched > 0 {
        line.push_str(&format!(
            "
{} snapshot{} failed. Inspect your code changes or run with `-u` to update them.",
            t.unmatched,
            if t.unmatched == 1 { "" } else { "s" }
        ));
    }
    Some(line)
}

pub fn tap(files: &[FileResult]) -> String {
    let mut out = String::from("TAP version 13\n");
    let mut n = 0;
    for f in files {
        if let Some(e) = &f.error {
            n += 1;
            let _ = writeln!(
                out,
                "not ok {n} - {} (could not run)\n  ---\n  message: {}\n  ...",
                f.file,
                yaml_str(e)
            );
        }
        for t in &f.tests {
            n += 1;
            let name = format!("{} › {}", f.file, t.name);
            match t.status {
                Status::Passed => {
                    let _ = writeln!(out, "ok {n} - {name}");
                }
                Status::Skipped => {
                    let _ = writeln!(out, "ok {n} - {name} # SKIP");
                }
                Status::Failed => {
                    let _ = writeln!(out, "not ok {n} - {name}\n  ---");
                    let _ = writeln!(
                        out,
                        "  message: {}",
                        yaml_str(t.error.as_deref().unwrap_or("failed"))
                    );
                    if let Some(l) = &t.location {
                        let _ = writeln!(out, "  at: {}", yaml_str(l));
                    }
                    let _ = writeln!(out, "  ...");
                }
            }
        }
    }
    let _ = writeln!(out, "1..{n}");
    out
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Text as XML 1.0 character data or attribute value: markup escaped, and every character
/// XML 1.0 does not allow (control characters but tab, newline and return; U+FFFE, U+FFFF)
/// replaced with U+FFFD, so any test name or message gives a well-formed file.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `<testsuite>` per file. A test that failed is a `<failure>` (counted in
/// `failures`); a file that could not run is an `<error>` (counted in `errors`).
pub fn junit(files: &[FileResult], secs: f64) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests = |f: &FileResult| f.tests.len() + usize::from(f.error.is_some());
    let errors = |f: &FileResult| usize::from(f.error.is_some());
    let sum = |g: &dyn Fn(&FileResult) -> usize| files.iter().map(g).sum::<usize>();
    let _ = writeln!(
        out,
        "<testsuites name=\"ftrun\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\">",
        sum(&tests),
        sum(&|f| f.count(Status::Failed)),
        sum(&errors),
        sum(&|f| f.count(Status::Skipped)),
    );
    for f in files {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            xml(&f.file),
            tests(f),
            f.count(Status::Failed),
            errors(f),
            f.count(Status::Skipped),
            f.duration_ms / 1000.0
        );
        if let Some(e) = &f.error {
            let _ = writeln!(
                out,
                "    <testcase name=\"(file)\" classname=\"{}\"><error message=\"could not run\">{}</error></testcase>",
                xml(&f.file),
                xml(e)
            );
        }
        for t in &f.tests {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                xml(&t.name),
                xml(&f.file),
                t.duration_ms / 1000.0
            );
            match t.status {
                Status::Passed => {
                    let _ = writeln!(out, "/>");
                }
                Status::Skipped => {
                    let _ = writeln!(out, "><skipped/></testcase>");
                }
                Status::Failed => {
                    let msg = t.error.as_deref().unwrap_or("failed");
                    let first = msg.lines().next().unwrap_or("failed");
                    let loc = t
                        .location
                        .as_deref()
                        .map(|l| format!("\nat {l}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "><failure message=\"{}\">{}{}</failure></testcase>",
                        xml(first),
                        xml(msg),
                        xml(&loc)
                    );
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}
