//! Writing inline snapshots into a test file, as Jest does: the argument of each
//! `toMatchInlineSnapshot(...)` (or `toThrowErrorMatchingInlineSnapshot`) call a run recorded
//! becomes a template literal, indented under the call. Calls are found with oxc.

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{Argument, Expression};
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::{GetSpan, SourceType};

/// A snapshot to write: the call at `line`:`column` (1-based, where the run saw it) gets
/// `text`; with `matchers` its first argument (property matchers) stays.
#[derive(Debug, serde::Deserialize)]
pub struct InlineEdit {
    pub line: usize,
    pub column: usize,
    pub text: String,
    #[serde(default)]
    pub matchers: bool,
}

const NAMES: [&str; 2] = [
    "toMatchInlineSnapshot",
    "toThrowErrorMatchingInlineSnapshot",
];

/// `source` with the edits applied, or why it could not be.
pub fn apply(source: &str, edits: &[InlineEdit]) -> Result<String, String> {
    let allocator = Allocator::default();
    let ty = SourceType::cjs();
    let parsed = Parser::new(&allocator, source, ty).parse();
    if !parsed.diagnostics.is_empty() {
        return Err("the test file does not parse".into());
    }
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .build(&parsed.program)
        .semantic;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    // Each matcher call: (line of its property name, column, args span start/end, first arg end).
    let mut calls = Vec::new();
    for node in semantic.nodes().iter() {
        let AstKind::CallExpression(call) = node.kind() else {
            continue;
        };
        let Expression::StaticMemberExpression(member) = &call.callee else {
            continue;
        };
        if !NAMES.contains(&member.property.name.as_str()) {
            continue;
        }
        let prop = member.property.span.start as usize;
        let line = line_of(prop);
        let col = prop - line_starts[line - 1] + 1;
        let first_end = call
            .arguments
            .first()
            .map(|a: &Argument| a.span().end as usize);
        calls.push((
            line,
            col,
            prop,
            call.span.end as usize,
            first_end,
            call.arguments.len(),
        ));
    }
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    for e in edits {
        // The call on the line the run saw (the nearest one there to its column).
        let Some(c) = calls
            .iter()
            .filter(|c| c.0 == e.line)
            .min_by_key(|c| c.1.abs_diff(e.column))
            .or_else(|| calls.iter().filter(|c| c.0 < e.line).max_by_key(|c| c.0))
        else {
            return Err(format!("no inline snapshot call at line {}", e.line));
        };
        let (line, _, prop, end, first_end, nargs) = *c;
        let open = source[prop..end]
            .find('(')
            .map(|i| prop + i + 1)
            .ok_or("a call without parentheses")?;
        let close = end - 1;
        let indent: String = source[line_starts[line - 1]..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let literal = template(&e.text, &indent);
        let (from, text) = match (e.matchers, first_end) {
            (true, Some(fe)) if nargs >= 1 => (fe, format!(", {literal}")),
            _ => (open, literal),
        };
        replacements.push((from, close, text));
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = source.to_string();
    for (from, to, text) in replacements {
        out.replace_range(from..to, &text);
    }
    Ok(out)
}

/// The snapshot as a template literal: one line stays on the line, more are indented under
/// the call's line (`indent` plus two spaces), the closing backtick at `indent`.
fn template(text: &str, indent: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('`', "\\`")
        .replace("${", "\\${");
    if !escaped.contains('\n') {
        return format!("`{escaped}`");
    }
    let body: Vec<String> = escaped
        .split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}  {l}")
            }
        })
        .collect();
    format!("`\n{}\n{indent}`", body.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_rewrites_inline_snapshots() {
        let src = "test('a', () => {\n  expect(1).toMatchInlineSnapshot();\n  expect({ a: 1 }).toMatchInlineSnapshot({ a: expect.any(Number) }, `old`);\n});\n";
        let out = apply(
            src,
            &[
                InlineEdit {
                    line: 2,
                    column: 13,
                    text: "1".into(),
                    matchers: false,
                },
                InlineEdit {
                    line: 3,
                    column: 20,
                    text: "{\n  \"a\": Any<Number>,\n}".into(),
                    matchers: true,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "test('a', () => {\n  expect(1).toMatchInlineSnapshot(`1`);\n  expect({ a: 1 }).toMatchInlineSnapshot({ a: expect.any(Number) }, `\n    {\n      \"a\": Any<Number>,\n    }\n  `);\n});\n"
        );
    }
}
