//! Self-contained HTML pages that show a run at a glance: `ftrun test --reporter html` and
//! `ftrun check --html`. Each is one file (no network): the shell, the sheet and the drawing
//! script live under `assets/report/`; the run's data goes in as JSON, which the script draws.
//! [`fill`] is the one template filler (the rendered page of `view::html` uses it too).

use serde_json::Value;

const SHELL: &str = include_str!("../assets/report/page.html");
const CSS: &str = include_str!("../assets/report/report.css");
const TEST_JS: &str = include_str!("../assets/report/test.js");
const CHECK_JS: &str = include_str!("../assets/report/check.js");
const COMMON_JS: &str = include_str!("../assets/report/common.js");

/// `ftrun test --reporter html`: from the run's Jest-shaped JSON (`testrunner::jest_json`).
pub fn test_report(results: &Value) -> String {
    page("ftrun test", results, CSS, TEST_JS)
}

/// `ftrun check --html`: from the rows of `ftrun check --json`.
pub fn check_report(rows: &Value) -> String {
    page("ftrun check", rows, CSS, CHECK_JS)
}

/// A picture: the shell with its sheet, its data as JSON and its drawing script (after the
/// helpers every script shares).
pub fn page(title: &str, data: &Value, css: &str, script: &str) -> String {
    let title = escape_html(title);
    fill(
        SHELL,
        &[
            ("TITLE", &title),
            ("CSS", css),
            ("DATA", &script_json(data)),
            ("SCRIPT", &format!("{COMMON_JS}\n{script}")),
        ],
    )
}

/// JSON that can sit inside `<script>`: `<` written as `\u003c`, so no `</script>` or `<!--`
/// in the data can end or change the element.
fn script_json(data: &Value) -> String {
    serde_json::to_string(data)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

/// Text or an attribute value in HTML: `&`, `<`, `>`, `"` as entities.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The template with each `{{NAME}}` replaced (one pass: a value is never searched again).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}").and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (end, *v))
        }) {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_filled_once() {
        assert_eq!(
            fill("<{{A}}|{{B}}|{{C}}>", &[("A", "{{B}}"), ("B", "b")]),
            "<{{B}}|b|{{C}}>"
        );
    }

    #[test]
    fn data_cannot_close_its_script_element() {
        let page = check_report(&serde_json::json!([{ "message": "</script><script>alert(1)" }]));
        assert!(!page.contains("</script><script>alert"), "{page}");
        assert!(page.contains("\\u003c/script>"));
    }
}
