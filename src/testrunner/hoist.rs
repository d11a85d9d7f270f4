//! `jest.mock(...)` calls run before the test file's own code, as Jest's babel plugin hoists
//! them: the source of each top-level `jest.mock` / `jest.unmock` / `jest.enableAutomock` /
//! `jest.disableAutomock` statement, found with oxc, is run first.

use oxc_allocator::Allocator;
use oxc_ast::ast::{Expression, Statement};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

const HOISTED: [&str; 4] = ["mock", "unmock", "enableAutomock", "disableAutomock"];

/// The hoisted statements of `source`, in order (empty when it does not parse: the load
/// reports that).
pub fn jest_mock_calls(source: &str) -> Vec<String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::cjs()).parse();
    let mut out = Vec::new();
    for stmt in &parsed.program.body {
        let Statement::ExpressionStatement(e) = stmt else {
            continue;
        };
        let Expression::CallExpression(call) = &e.expression else {
            continue;
        };
        let Expression::StaticMemberExpression(m) = &call.callee else {
            continue;
        };
        let is_jest = matches!(&m.object, Expression::Identifier(id) if id.name == "jest");
        if is_jest && HOISTED.contains(&m.property.name.as_str()) {
            let span = call.span();
            out.push(source[span.start as usize..span.end as usize].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn top_level_jest_mock_calls_only() {
        let src = "const a = require('./a');\njest.mock('./a', () => ({ f: () => 1 }));\nfunction g() { jest.mock('./b'); }\njest.unmock('./c');\nfoo.mock('x');\n";
        assert_eq!(
            super::jest_mock_calls(src),
            vec![
                "jest.mock('./a', () => ({ f: () => 1 }))",
                "jest.unmock('./c')"
            ]
        );
    }
}
