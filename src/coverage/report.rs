//! Coverage totals in the shapes tools read: Istanbul's `coverage-final.json` (Codecov,
//! `nyc report`), `lcov.info`, Jest's text table, an HTML report, and Jest's threshold check.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::FileCoverage;
use super::instrument::Range;
use crate::pictures::escape_html as escape;
use crate::testrunner::config::{Threshold, Thresholds};

/// Covered of total, for one metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Count {
    pub covered: usize,
    pub total: usize,
}

impl Count {
    /// Istanbul's percentage: two decimals, rounded down; 100 when there is nothing to cover.
    pub fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            ((100_000.0 * self.covered as f64 / self.total as f64) / 10.0).floor() / 100.0
        }
    }

    fn add(&mut self, o: Count) {
        self.covered += o.covered;
        self.total += o.total;
    }

    fn of(counts: impl Iterator<Item = u64>) -> Count {
        let mut c = Count::default();
        for n in counts {
            c.total += 1;
            c.covered += usize::from(n > 0);
        }
        c
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub statements: Count,
    pub branches: Count,
    pub functions: Count,
    pub lines: Count,
}

impl Summary {
    fn add(&mut self, o: &Summary) {
        self.statements.add(o.statements);
        self.branches.add(o.branches);
        self.functions.add(o.functions);
        self.lines.add(o.lines);
    }

    fn metrics(&self) -> [(&'static str, Count); 4] {
        [
            ("statements", self.statements),
            ("branches", self.branches),
            ("functions", self.functions),
            ("lines", self.lines),
        ]
    }
}

impl FileCoverage {
    /// Hits per line: the most any statement starting on it got (Istanbul's rule).
    pub fn line_hits(&self) -> BTreeMap<u32, u64> {
        let mut lines = BTreeMap::new();
        for (r, n) in self.map.statements.iter().zip(&self.s) {
            let e = lines.entry(r.start.line).or_insert(0);
            *e = (*e).max(*n);
        }
        lines
    }

    pub fn summary(&self) -> Summary {
        Summary {
            statements: Count::of(self.s.iter().copied()),
            branches: Count::of(self.b.iter().copied()),
            functions: Count::of(self.f.iter().copied()),
            lines: Count::of(self.line_hits().into_values()),
        }
    }

    fn branch_counts(&self, first: usize, n: usize) -> &[u64] {
        self.b.get(first..first + n).unwrap_or(&[])
    }
}

pub fn total(files: &[FileCoverage]) -> Summary {
    let mut t = Summary::default();
    for f in files {
        t.add(&f.summary());
    }
    t
}

fn range_json(r: &Range) -> Value {
    json!({
        "start": { "line": r.start.line, "column": r.start.column },
        "end": { "line": r.end.line, "column": r.end.column },
    })
}

/// `coverage-final.json`: Istanbul's file coverage objects, keyed by absolute path.
pub fn istanbul_json(files: &[FileCoverage]) -> Value {
    let mut out = serde_json::Map::new();
    for f in files {
        let path = f.path.display().to_string();
        let index = |i: usize| i.to_string();
        let statement_map: serde_json::Map<String, Value> = f
            .map
            .statements
            .iter()
            .enumerate()
            .map(|(i, r)| (index(i), range_json(r)))
            .collect();
        let fn_map: serde_json::Map<String, Value> = f
            .map
            .functions
            .iter()
            .enumerate()
            .map(|(i, fi)| {
                let v = json!({
                    "name": fi.name,
                    "decl": range_json(&fi.decl),
                    "loc": range_json(&fi.loc),
                    "line": fi.loc.start.line,
                });
                (index(i), v)
            })
            .collect();
        let branch_map: serde_json::Map<String, Value> = f
            .map
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let v = json!({
                    "loc": range_json(&b.loc),
                    "type": b.kind,
                    "locations": b.locations.iter().map(range_json).collect::<Vec<_>>(),
                    "line": b.loc.start.line,
                });
                (index(i), v)
            })
            .collect();
        let counts = |v: &[u64]| -> serde_json::Map<String, Value> {
            v.iter()
                .enumerate()
                .map(|(i, n)| (index(i), json!(n)))
                .collect()
        };
        let b: serde_json::Map<String, Value> = f
            .map
            .branches
            .iter()
            .enumerate()
            .map(|(i, br)| {
                (
                    index(i),
                    json!(f.branch_counts(br.first, br.locations.len())),
                )
            })
            .collect();
        out.insert(
            path.clone(),
            json!({
                "path": path,
                "statementMap": statement_map,
                "fnMap": fn_map,
                "branchMap": branch_map,
                "s": counts(&f.s),
                "f": counts(&f.f),
                "b": b,
            }),
        );
    }
    Value::Object(out)
}

/// `lcov.info`, in the order Istanbul's lcov reporter writes it.
pub fn lcov(files: &[FileCoverage], base: &Path) -> String {
    let mut out = String::new();
    for f in files {
        let _ = writeln!(out, "TN:\nSF:{}", shown(&f.path, base));
        for fi in &f.map.functions {
            let _ = writeln!(out, "FN:{},{}", fi.loc.start.line, fi.name);
        }
        let s = f.summary();
        let _ = writeln!(
            out,
            "FNF:{}\nFNH:{}",
            s.functions.total, s.functions.covered
        );
        for (fi, n) in f.map.functions.iter().zip(&f.f) {
            let _ = writeln!(out, "FNDA:{n},{}", fi.name);
        }
        for (line, n) in f.line_hits() {
            let _ = writeln!(out, "DA:{line},{n}");
        }
        let _ = writeln!(out, "LF:{}\nLH:{}", s.lines.total, s.lines.covered);
        for (i, br) in f.map.branches.iter().enumerate() {
            let counts = f.branch_counts(br.first, br.locations.len());
            let any = counts.iter().any(|n| *n > 0);
            for (k, n) in counts.iter().enumerate() {
                let taken = if any { n.to_string() } else { "-".into() };
                let _ = writeln!(out, "BRDA:{},{i},{k},{taken}", br.loc.start.line);
            }
        }
        let _ = writeln!(
            out,
            "BRF:{}\nBRH:{}\nend_of_record",
            s.branches.total, s.branches.covered
        );
    }
    out
}

/// A path relative to `base` when inside it (as reports name files).
pub fn shown(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Uncovered lines as Istanbul's text reporter lists them: `3-5,9`.
fn uncovered_lines(f: &FileCoverage) -> String {
    let missing: Vec<u32> = f
        .line_hits()
        .into_iter()
        .filter(|(_, n)| *n == 0)
        .map(|(l, _)| l)
        .collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < missing.len() {
        let mut j = i;
        while j + 1 < missing.len() && missing[j + 1] == missing[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            missing[i].to_string()
        } else {
            format!("{}-{}", missing[i], missing[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

fn pct_text(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Jest's text table: all files, then each folder with its files under it.
pub fn text_table(files: &[FileCoverage], base: &Path) -> String {
    let mut rows: Vec<(String, Summary, String)> =
        vec![("All files".into(), total(files), String::new())];
    let mut folders: BTreeMap<String, Vec<&FileCoverage>> = BTreeMap::new();
    for f in files {
        let rel = shown(&f.path, base);
        let folder = Path::new(&rel)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        folders.entry(folder).or_default().push(f);
    }
    for (folder, list) in &folders {
        let mut sum = Summary::default();
        for f in list {
            sum.add(&f.summary());
        }
        let name = if folder.is_empty() { "." } else { folder };
        rows.push((format!(" {name}"), sum, String::new()));
        for f in list {
            let name = f
                .path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into());
            rows.push((format!("  {name}"), f.summary(), uncovered_lines(f)));
        }
    }
    let headers = [
        "File",
        "% Stmts",
        "% Branch",
        "% Funcs",
        "% Lines",
        "Uncovered Line #s",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|(name, s, lines)| {
            [
                name.clone(),
                pct_text(s.statements.pct()),
                pct_text(s.branches.pct()),
                pct_text(s.functions.pct()),
                pct_text(s.lines.pct()),
                lines.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let rule = widths
        .iter()
        .enumerate()
        .map(|(i, w)| "-".repeat(if i == 0 { w + 1 } else { w + 2 }))
        .collect::<Vec<_>>()
        .join("|");
    let line = |row: &[String]| -> String {
        row.iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{} ", " ".repeat(pad))
                } else if i == 5 {
                    format!(" {c}{} ", " ".repeat(pad))
                } else {
                    format!(" {}{c} ", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    };
    let mut out = format!("{rule}\n{}\n{rule}\n", line(&headers.map(String::from)));
    for row in &cells {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str(&rule);
    out.push('\n');
    out
}

/// Jest's threshold check: a message per metric missed (`global`, or each file a key's
/// glob or path names). Positive thresholds are percentages, negative ones the most uncovered
/// entities allowed.
pub fn threshold_failures(
    files: &[FileCoverage],
    thresholds: &Thresholds,
    base: &Path,
) -> Result<Vec<String>, String> {
    let mut failures = Vec::new();
    for (key, t) in thresholds {
        if key == "global" {
            check(&mut failures, "global", &total(files), t);
            continue;
        }
        let abs = base.join(key);
        let glob = crate::testrunner::discover::glob(key)
            .map_err(|e| format!("coverageThreshold: {e}"))?;
        let matched: Vec<&FileCoverage> = files
            .iter()
            .filter(|f| {
                f.path == abs || f.path.starts_with(&abs) || glob.is_match(&shown(&f.path, base))
            })
            .collect();
        if matched.is_empty() {
            failures.push(format!("Jest: Coverage data for {key} was not found."));
        }
        for f in matched {
            check(
                &mut failures,
                &f.path.display().to_string(),
                &f.summary(),
                t,
            );
        }
    }
    Ok(failures)
}

fn check(failures: &mut Vec<String>, name: &str, s: &Summary, t: &Threshold) {
    let wanted = [
        ("statements", t.statements),
        ("branches", t.branches),
        ("functions", t.functions),
        ("lines", t.lines),
    ];
    for ((metric, count), (_, want)) in s.metrics().into_iter().zip(wanted) {
        let Some(want) = want else { continue };
        if want >= 0.0 {
            let pct = count.pct();
            if pct < want {
                failures.push(format!(
                    "Jest: \"{name}\" coverage threshold for {metric} ({}%) not met: {}%",
                    pct_text(want),
                    pct_text(pct)
                ));
            }
        } else {
            let uncovered = count.total - count.covered;
            if uncovered as f64 > -want {
                failures.push(format!(
                    "Jest: \"{name}\" coverage threshold for {metric} ({}) not met: {uncovered}",
                    pct_text(want)
                ));
            }
        }
    }
}

const STYLE: &str = "body{font:14px -apple-system,Segoe UI,sans-serif;margin:24px;color:#222}\
table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}\
td:first-child,th:first-child{text-align:left}.high{background:#e6f5d0}.medium{background:#fff4c2}\
.low{background:#fce1e5}pre{margin:0}.src td{border:0;padding:0 8px;text-align:left;font:12px monospace;white-space:pre}\
.src .n{color:#999;text-align:right}.src .c{text-align:right;color:#555}.hit{background:#e6f5d0}.miss{background:#fce1e5}";

fn level(p: f64) -> &'static str {
    if p >= 80.0 {
        "high"
    } else if p >= 50.0 {
        "medium"
    } else {
        "low"
    }
}

fn summary_cells(s: &Summary) -> String {
    s.metrics()
        .iter()
        .map(|(_, c)| {
            let p = c.pct();
            format!(
                "<td class=\"{}\">{}% <small>({}/{})</small></td>",
                level(p),
                pct_text(p),
                c.covered,
                c.total
            )
        })
        .collect()
}

/// The HTML page of one file's report, relative to the report's folder.
pub fn html_name(f: &FileCoverage, base: &Path) -> PathBuf {
    let rel = shown(&f.path, base);
    let safe = rel.trim_start_matches('/').replace("..", "__");
    PathBuf::from(format!("{safe}.html"))
}

/// `index.html` and one page per file (covered lines green, uncovered red, hit counts), all
/// self-contained. Returns (relative path, content) pairs.
pub fn html(files: &[FileCoverage], base: &Path) -> Vec<(PathBuf, String)> {
    let mut pages = Vec::new();
    let mut rows = String::new();
    for f in files {
        let name = html_name(f, base);
        let depth = name.components().count() - 1;
        let up = "../".repeat(depth);
        let _ = write!(
            rows,
            "<tr><td><a href=\"{}\">{}</a></td>{}</tr>",
            escape(&name.display().to_string()),
            escape(&shown(&f.path, base)),
            summary_cells(&f.summary())
        );
        let hits = f.line_hits();
        let mut body = String::new();
        for (i, text) in f.source.lines().enumerate() {
            let line = i as u32 + 1;
            let (class, count) = match hits.get(&line) {
                Some(0) => ("miss", "0".to_string()),
                Some(n) => ("hit", format!("{n}×")),
                None => ("", String::new()),
            };
            let _ = write!(
                body,
                "<tr class=\"{class}\"><td class=\"n\">{line}</td><td class=\"c\">{count}</td><td>{}</td></tr>",
                escape(text)
            );
        }
        let page = format!(
            "<!doctype html><meta charset=\"utf-8\"><title>Coverage: {title}</title><style>{STYLE}</style>\
<p><a href=\"{up}index.html\">All files</a> / {title}</p>\
<table><tr><th></th><th>Statements</th><th>Branches</th><th>Functions</th><th>Lines</th></tr><tr><td></td>{cells}</tr></table><br>\
<table class=\"src\">{body}</table>\n",
            title = escape(&shown(&f.path, base)),
            cells = summary_cells(&f.summary()),
        );
        pages.push((name, page));
    }
    let index = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Coverage report</title><style>{STYLE}</style>\
<h1>Coverage report</h1><table><tr><th>File</th><th>Statements</th><th>Branches</th><th>Functions</th><th>Lines</th></tr>\
<tr><td><b>All files</b></td>{}</tr>{rows}</table>\n",
        summary_cells(&total(files))
    );
    pages.push((PathBuf::from("index.html"), index));
    pages
}
