//! Istanbul-style instrumentation of one JS file with oxc: counters for statements, functions
//! and branches are spliced into the source text, never across a line, so every line keeps its
//! number (errors and stack traces still name the original `file:line`).
//!
//! What is counted, as Istanbul counts it: each statement of a statement list (not blocks,
//! function or class declarations, imports), each function's entries, and branches of `if`
//! (an absent `else` included), `? :`, `switch` cases and the operands of `&&`/`||`/`??`
//! chains. Counters live in `Uint32Array`s the file shares per JS context, under
//! `globalThis.__ftcov$[id]`; the engine reads them out when the context ends.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    ArrowFunctionBody, ArrowFunctionExpression, Expression, Function, FunctionBody, IfStatement,
    LogicalExpression, MethodDefinition, ObjectProperty, Program, Statement, SwitchStatement,
    VariableDeclarator,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::scope::ScopeFlags;

/// The variable instrumented code counts through (module-local).
const VAR: &str = "__ftcov$";

/// A source range: 1-based lines, 0-based columns (Istanbul's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone)]
pub struct FunctionInfo {
    pub name: String,
    /// The name (or the `function` keyword / arrow head) and the whole function.
    pub decl: Range,
    pub loc: Range,
}

#[derive(Debug, Clone)]
pub struct BranchInfo {
    /// Istanbul's branch types: `if`, `cond-expr`, `switch`, `binary-expr`.
    pub kind: &'static str,
    pub loc: Range,
    pub locations: Vec<Range>,
    /// Where this branch's paths start in the file's flat branch counters.
    pub first: usize,
}

/// What the counters of one file mean.
#[derive(Debug, Clone, Default)]
pub struct FileMap {
    pub statements: Vec<Range>,
    pub functions: Vec<FunctionInfo>,
    pub branches: Vec<BranchInfo>,
    /// Number of branch paths (the flat counter array's length).
    pub paths: usize,
}

pub struct Instrumented {
    pub code: String,
    pub map: FileMap,
}

/// Instruments `source` (a CommonJS script or an ES module) as file number `id`. `None` when
/// it does not parse either way: the file then runs as it is and its compile error is reported
/// by the normal path, not by coverage.
pub fn instrument(source: &str, id: usize) -> Option<Instrumented> {
    // The parser and this walk recurse per bracket: files nested deeper than the engine's
    // own inline limit run as they are (the esm path gives them a big stack of their own).
    if crate::bundle::esm::bracket_depth(source).0 > crate::bundle::esm::INLINE_NESTING {
        return None;
    }
    let allocator = Allocator::default();
    let mut parsed = Parser::new(&allocator, source, SourceType::cjs()).parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
        parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
        if parsed.panicked || !parsed.diagnostics.is_empty() {
            return None;
        }
    }
    let mut v = Instrumenter {
        source,
        lines: line_starts(source),
        inserts: Vec::new(),
        map: FileMap::default(),
        pending_name: None,
    };
    v.visit_program(&parsed.program);
    let header = format!(
        ";var {VAR}=(globalThis.{VAR}||(globalThis.{VAR}={{}}))[{id}]||(globalThis.{VAR}[{id}]={{s:new Uint32Array({}),f:new Uint32Array({}),b:new Uint32Array({})}});",
        v.map.statements.len(),
        v.map.functions.len(),
        v.map.paths
    );
    let at = header_offset(&parsed.program);
    // First of all insertions at its offset: the counters must exist before any counts.
    v.inserts.insert(0, (at, header));
    // Stable: at one offset, what was emitted first (an outer node's opening) comes first.
    v.inserts.sort_by_key(|(at, _)| *at);
    let extra: usize = v.inserts.iter().map(|(_, t)| t.len()).sum();
    let mut code = String::with_capacity(source.len() + extra);
    let mut pos = 0usize;
    for (at, text) in &v.inserts {
        let at = *at as usize;
        code.push_str(&source[pos..at]);
        code.push_str(text);
        pos = at;
    }
    code.push_str(&source[pos..]);
    Some(Instrumented { code, map: v.map })
}

/// After the directive prologue (`'use strict'` must stay first), on its line.
fn header_offset(program: &Program) -> u32 {
    program.directives.last().map_or(0, |d| d.span.end)
}

fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

struct Instrumenter<'s> {
    source: &'s str,
    lines: Vec<usize>,
    inserts: Vec<(u32, String)>,
    map: FileMap,
    /// The name the next anonymous function takes (`const f = () => …`, `{ f: function () {} }`).
    pending_name: Option<String>,
}

impl Instrumenter<'_> {
    fn position(&self, offset: u32) -> Position {
        let offset = (offset as usize).min(self.source.len());
        let line = self.lines.partition_point(|&s| s <= offset);
        let start = self.lines[line - 1];
        let column = self
            .source
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        Position {
            line: line as u32,
            column: column as u32,
        }
    }

    fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    fn insert(&mut self, at: u32, text: String) {
        self.inserts.push((at, text));
    }

    fn new_statement(&mut self, span: Span) -> String {
        self.map.statements.push(self.range(span));
        format!("{VAR}.s[{}]++;", self.map.statements.len() - 1)
    }

    fn new_branch(&mut self, kind: &'static str, loc: Span, paths: &[Span]) -> usize {
        let first = self.map.paths;
        self.map.paths += paths.len();
        let locations = paths.iter().map(|s| self.range(*s)).collect();
        self.map.branches.push(BranchInfo {
            kind,
            loc: self.range(loc),
            locations,
            first,
        });
        first
    }

    fn new_function(&mut self, decl: Span, loc: Span) -> usize {
        let index = self.map.functions.len();
        let name = self
            .pending_name
            .take()
            .unwrap_or_else(|| format!("(anonymous_{index})"));
        self.map.functions.push(FunctionInfo {
            name,
            decl: self.range(decl),
            loc: self.range(loc),
        });
        index
    }

    /// A statement where a statement list holds it: its counter goes right before it.
    fn list_statement(&mut self, stmt: &Statement) {
        if counted(stmt) {
            let counter = self.new_statement(stmt.span());
            self.insert(stmt.span().start, counter);
        }
    }

    /// A statement in a body position (`if (a) x();`): made a block so counters fit, with
    /// `prefix` (a branch counter) first. A block gets them after its `{`.
    fn body_statement(&mut self, stmt: &Statement, prefix: String) {
        if let Statement::BlockStatement(block) = stmt {
            self.insert(block.span.start + 1, prefix);
            self.visit_statements(&block.body);
            return;
        }
        let span = stmt.span();
        let mut open = format!("{{{prefix}");
        if counted(stmt) {
            open.push_str(&self.new_statement(span));
        }
        self.insert(span.start, open);
        self.visit_statement(stmt);
        self.insert(span.end, "}".into());
    }

    /// `(counter, expression)`: the expression's value, counted.
    fn wrap_expression(&mut self, expr: &Expression, counter: String) {
        let span = expr.span();
        self.insert(span.start, format!("({counter},"));
        self.visit_expression(expr);
        self.insert(span.end, ")".into());
    }

    fn function_entry(&mut self, decl: Span, loc: Span, body: &FunctionBody) {
        let f = self.new_function(decl, loc);
        let at = body
            .directives
            .last()
            .map_or(body.span.start + 1, |d| d.span.end);
        self.insert(at, format!("{VAR}.f[{f}]++;"));
    }
}

/// Statements Istanbul counts: not blocks, empty statements, declarations that are hoisted
/// (functions, classes) or imports.
fn counted(stmt: &Statement) -> bool {
    use oxc_ast::ast::ExportDefaultDeclarationKind as D;
    match stmt {
        Statement::BlockStatement(_)
        | Statement::EmptyStatement(_)
        | Statement::FunctionDeclaration(_)
        | Statement::ClassDeclaration(_)
        | Statement::ImportDeclaration(_)
        | Statement::ExportAllDeclaration(_)
        | Statement::ExportNamedDeclaration(_)
        | Statement::ExportFromDeclaration(_) => false,
        Statement::ExportDeclaration(e) => matches!(
            e.declaration,
            oxc_ast::ast::Declaration::VariableDeclaration(_)
        ),
        Statement::ExportDefaultDeclaration(e) => !matches!(
            e.declaration,
            D::FunctionDeclaration(_) | D::ClassDeclaration(_)
        ),
        s => !s.is_typescript_syntax(),
    }
}

/// The operands of a chain of `&&`/`||`/`??` (through parentheses), left to right.
fn leaves<'b, 'a>(expr: &'b Expression<'a>, out: &mut Vec<&'b Expression<'a>>) {
    match expr.without_parentheses() {
        Expression::LogicalExpression(l) => {
            leaves(&l.left, out);
            leaves(&l.right, out);
        }
        _ => out.push(expr),
    }
}

impl<'a> Visit<'a> for Instrumenter<'_> {
    fn visit_statements(&mut self, it: &oxc_allocator::Vec<'a, Statement<'a>>) {
        for stmt in it {
            self.list_statement(stmt);
            self.visit_statement(stmt);
        }
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        self.visit_expression(&it.test);
        let else_span = it
            .alternate
            .as_ref()
            .map_or(Span::empty(it.consequent.span().end), |a| a.span());
        let first = self.new_branch("if", it.span, &[it.consequent.span(), else_span]);
        self.body_statement(&it.consequent, format!("{VAR}.b[{first}]++;"));
        match &it.alternate {
            Some(alt) => self.body_statement(alt, format!("{VAR}.b[{}]++;", first + 1)),
            None => self.insert(
                it.consequent.span().end,
                format!(" else{{{VAR}.b[{}]++;}}", first + 1),
            ),
        }
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        match it {
            Statement::ForStatement(s) => {
                if let Some(init) = &s.init {
                    self.visit_for_statement_init(init);
                }
                if let Some(test) = &s.test {
                    self.visit_expression(test);
                }
                if let Some(update) = &s.update {
                    self.visit_expression(update);
                }
                self.body_statement(&s.body, String::new());
            }
            Statement::ForInStatement(s) => {
                self.visit_for_statement_left(&s.left);
                self.visit_expression(&s.right);
                self.body_statement(&s.body, String::new());
            }
            Statement::ForOfStatement(s) => {
                self.visit_for_statement_left(&s.left);
                self.visit_expression(&s.right);
                self.body_statement(&s.body, String::new());
            }
            Statement::WhileStatement(s) => {
                self.visit_expression(&s.test);
                self.body_statement(&s.body, String::new());
            }
            Statement::DoWhileStatement(s) => {
                self.body_statement(&s.body, String::new());
                self.visit_expression(&s.test);
            }
            Statement::WithStatement(s) => {
                self.visit_expression(&s.object);
                self.body_statement(&s.body, String::new());
            }
            // `label: for (…)` must stay a labelled loop (`continue label`): its body is
            // counted with the label, not wrapped.
            _ => walk::walk_statement(self, it),
        }
    }

    fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
        self.visit_expression(&it.discriminant);
        let spans: Vec<Span> = it.cases.iter().map(|c| c.span).collect();
        let first = self.new_branch("switch", it.span, &spans);
        for (i, case) in it.cases.iter().enumerate() {
            // Right after `case x:`: before the first statement, or at the case's end.
            let at = case
                .consequent
                .first()
                .map_or(case.span.end, |s| s.span().start);
            self.insert(at, format!("{VAR}.b[{}]++;", first + i));
            if let Some(test) = &case.test {
                self.visit_expression(test);
            }
            self.visit_statements(&case.consequent);
        }
    }

    fn visit_conditional_expression(&mut self, it: &oxc_ast::ast::ConditionalExpression<'a>) {
        self.visit_expression(&it.test);
        let first = self.new_branch(
            "cond-expr",
            it.span,
            &[it.consequent.span(), it.alternate.span()],
        );
        self.wrap_expression(&it.consequent, format!("{VAR}.b[{first}]++"));
        self.wrap_expression(&it.alternate, format!("{VAR}.b[{}]++", first + 1));
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        let mut operands = Vec::new();
        leaves(&it.left, &mut operands);
        leaves(&it.right, &mut operands);
        let spans: Vec<Span> = operands.iter().map(|e| e.span()).collect();
        let first = self.new_branch("binary-expr", it.span, &spans);
        for (i, e) in operands.into_iter().enumerate() {
            self.wrap_expression(e, format!("{VAR}.b[{}]++", first + i));
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (Some(name), Some(init)) = (it.id.get_identifier_name(), &it.init)
            && matches!(
                init.without_parentheses(),
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            )
        {
            self.pending_name = Some(name.to_string());
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if let Some(name) = it.key.static_name()
            && matches!(
                it.value.without_parentheses(),
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            )
        {
            self.visit_property_key(&it.key);
            self.pending_name = Some(name.into_owned());
            self.visit_expression(&it.value);
            return;
        }
        walk::walk_object_property(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.visit_property_key(&it.key);
        self.pending_name = it.key.static_name().map(|n| n.into_owned());
        self.visit_function(&it.value, ScopeFlags::Function);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let name = it.id.as_ref().map(|id| id.name.to_string());
        if name.is_some() {
            self.pending_name = name;
        }
        if let Some(body) = &it.body {
            let decl = it
                .id
                .as_ref()
                .map_or(Span::empty(it.span.start), |id| id.span);
            self.function_entry(decl, it.span, body);
        } else {
            self.pending_name = None;
        }
        walk::walk_function(self, it, flags);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let head = Span::new(it.span.start, it.params.span.end);
        match &it.body {
            ArrowFunctionBody::FunctionBody(body) => {
                self.function_entry(head, it.span, body);
                walk::walk_arrow_function_expression(self, it);
            }
            body => {
                let Some(expr) = body.as_expression() else {
                    return;
                };
                // `x => expr` becomes `x => (entry, statement, expr)`.
                let f = self.new_function(head, it.span);
                self.visit_formal_parameters(&it.params);
                let s = self.new_statement(expr.span());
                let counter = format!("{VAR}.f[{f}]++,{}", s.trim_end_matches(';'));
                self.wrap_expression(expr, counter);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str) -> Instrumented {
        instrument(code, 0).expect("instrumentable")
    }

    #[test]
    fn lines_stay_where_they_were() {
        let src = "'use strict';\nconst a = 1\nif (a) b()\nelse c()\nfunction f(x) {\n  return x ? 1 : 2\n}\n";
        let out = run(src);
        assert_eq!(out.code.lines().count(), src.lines().count());
        assert!(
            out.code.starts_with("'use strict';;var __ftcov$="),
            "{}",
            out.code
        );
        assert_eq!(out.map.statements.len(), 5, "const, if, b(), c(), return");
        assert_eq!(out.map.functions[0].name, "f");
        assert_eq!(out.map.branches.len(), 2);
        assert_eq!(out.map.paths, 4);
    }

    #[test]
    fn counters_exist_before_the_first_statement_counts() {
        let out = run("x();\n");
        assert!(out.code.starts_with(";var __ftcov$="), "{}", out.code);
    }

    #[test]
    fn arrow_bodies_chains_and_missing_else_are_counted() {
        let out = run("const g = (a) => a && b || c;\nif (x) y();\n");
        assert_eq!(out.map.functions[0].name, "g");
        let chain = &out.map.branches[0];
        assert_eq!((chain.kind, chain.locations.len()), ("binary-expr", 3));
        assert!(out.code.contains(" else{__ftcov$.b["), "{}", out.code);
    }

    #[test]
    fn modules_and_unparsable_files() {
        let out = run("import x from './x'\nexport const y = x\nexport default function () {}\n");
        assert_eq!(out.map.statements.len(), 1);
        assert_eq!(out.map.functions.len(), 1);
        assert!(instrument("const = ;", 0).is_none());
    }
}
