//! ES modules in plain `.js` files, compiled to CommonJS the way the developer tool does, with
//! oxc's parser and semantic analysis (real scopes, not regular expressions).
//!
//! The output keeps every line where it was, so stack traces keep the original `file:line`:
//! each import/export statement is rewritten in place (its newlines kept), references to
//! imported bindings become member reads of the required module (live bindings, as in ESM),
//! and exports are getters installed before any module code runs (cycles see live values).
//! Helpers `__ftImport`, `__ftExport`, `__ftReExport`, `__ftDynamicImport` come from
//! `js/require.js`.

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{
    Declaration, ExportDefaultDeclarationKind, ImportDeclarationSpecifier, ModuleExportName,
    Statement,
};
use oxc_ecmascript::BoundNames;
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::symbol::SymbolId;

/// A syntax error in an ES module, with its 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub struct EsmSyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn position(source: &str, offset: u32) -> (usize, usize) {
    let before = &source[..(offset as usize).min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

/// Cheap test before parsing: files that never say `import` or `export` are CommonJS.
pub fn may_be_module(source: &str) -> bool {
    source.contains("import") || source.contains("export")
}

fn looks_like_module(source: &str) -> bool {
    source.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("import ")
            || t.starts_with("import{")
            || t.starts_with("export ")
            || t.starts_with("export{")
    })
}

struct Edits {
    list: Vec<(u32, u32, String)>,
}

impl Edits {
    /// Replaces `span` with `text`, keeping the replaced text's newlines (lines stay put).
    fn replace(&mut self, source: &str, span: Span, text: String) {
        let newlines = source[span.start as usize..span.end as usize]
            .matches('\n')
            .count();
        let mut t = text;
        t.push_str(&"\n".repeat(newlines));
        self.list.push((span.start, span.end, t));
    }

    fn apply(mut self, source: &str, prefix: &str) -> String {
        self.list
            .sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
        let mut out = String::with_capacity(source.len() + prefix.len() + 256);
        out.push_str(prefix);
        let mut pos = 0u32;
        for (s, e, text) in self.list {
            if s < pos {
                continue; // inside an edit already made (e.g. a reference in a removed statement)
            }
            out.push_str(&source[pos as usize..s as usize]);
            out.push_str(&text);
            pos = e;
        }
        out.push_str(&source[pos as usize..]);
        out
    }
}

fn export_name(n: &ModuleExportName<'_>) -> String {
    match n {
        ModuleExportName::IdentifierName(i) => i.name.to_string(),
        ModuleExportName::IdentifierReference(i) => i.name.to_string(),
        ModuleExportName::StringLiteral(s) => s.value.to_string(),
    }
}

/// `var __ftmN = __ftImport(require("src"));`
fn require_into(tmp: &str, src: &str) -> String {
    format!("var {tmp} = __ftImport(require({}));", js_string(src))
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Brackets nested deeper than this are parsed on a thread of its own with a large stack:
/// oxc's parser, its semantic analysis and the rewrite below recurse at each level, and a
/// hostile file must not overflow the calling thread's stack.
pub(crate) const INLINE_NESTING: usize = 256;
/// Deeper than this is refused (QuickJS cannot compile a hundredth of it anyway).
const MAX_NESTING: usize = 50_000;
/// Reserved for that thread; only the pages it touches are used.
const DEEP_STACK: usize = 1 << 30;

/// The deepest `(`, `[` or `{` nesting of the text and where it is reached. Brackets inside
/// strings and comments count too: an upper bound, used only to pick where to parse.
pub(crate) fn bracket_depth(source: &str) -> (usize, usize) {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    for (i, b) in source.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > deepest {
                    (deepest, at) = (depth, i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (deepest, at)
}

/// `Ok(None)`: not an ES module (use the source as it is).
pub fn to_commonjs(path: &str, source: &str) -> Result<Option<String>, EsmSyntaxError> {
    if !may_be_module(source) {
        return Ok(None);
    }
    let (depth, at) = bracket_depth(source);
    if depth <= INLINE_NESTING {
        return transform(path, source);
    }
    let deep_error = |message: String| {
        let (line, column) = position(source, at as u32);
        EsmSyntaxError {
            line,
            column,
            message,
        }
    };
    if depth > MAX_NESTING {
        return Err(deep_error(format!(
            "nested too deeply to compile (more than {MAX_NESTING} levels of brackets)"
        )));
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("ftrun-parse".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || transform(path, source))
            .map_err(|e| deep_error(format!("cannot start a parser thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(deep_error("the parser failed".into())))
    })
}

fn transform(path: &str, source: &str) -> Result<Option<String>, EsmSyntaxError> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
        // Sloppy CommonJS (with `with`, octal literals...) fails as a module but is fine as a
        // script; report the module error only for a file that looks like a module.
        let script_alloc = Allocator::default();
        let script = Parser::new(&script_alloc, source, SourceType::cjs()).parse();
        if (script.panicked || !script.diagnostics.is_empty()) && looks_like_module(source) {
            let d = &parsed.diagnostics[..];
            let (offset, message) = d
                .first()
                .map(|e| {
                    let off = e.labels.first().map_or(0, |l| l.offset());
                    (off, e.message.to_string())
                })
                .unwrap_or((0, "invalid module".into()));
            let (line, column) = position(source, offset);
            return Err(EsmSyntaxError {
                line,
                column,
                message,
            });
        }
        return Ok(None);
    }
    let program = &parsed.program;
    let has_module_syntax = program.body.iter().any(|s| s.is_module_declaration());
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .build(program)
        .semantic;
    let nodes = semantic.nodes();
    let has_dynamic = nodes.iter().any(|n| {
        matches!(
            n.kind(),
            AstKind::ImportExpression(_) | AstKind::ImportMeta(_)
        )
    });
    if !has_module_syntax && !has_dynamic {
        return Ok(None);
    }
    let scoping = semantic.scoping();
    let mut edits = Edits { list: Vec::new() };
    let mut imported: HashMap<SymbolId, String> = HashMap::new();
    let mut exports: Vec<(String, String)> = Vec::new(); // (exported name, expression)
    let mut local_exports: Vec<(String, SymbolId, String)> = Vec::new(); // resolved after imports
    let mut next_tmp = 0usize;
    let mut tmp = || {
        next_tmp += 1;
        format!("__ftm{}", next_tmp - 1)
    };

    for stmt in &program.body {
        match stmt {
            Statement::ImportDeclaration(decl) => {
                let m = tmp();
                edits.replace(source, decl.span, require_into(&m, &decl.source.value));
                for spec in decl.specifiers.iter().flatten() {
                    let (local, access) = match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            let name = export_name(&s.imported);
                            let access = if name
                                .chars()
                                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
                            {
                                format!("{m}.{name}")
                            } else {
                                format!("{m}[{}]", js_string(&name))
                            };
                            (&s.local, access)
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            (&s.local, format!("{m}.default"))
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            (&s.local, m.clone())
                        }
                    };
                    if let Some(id) = local.symbol_id.get() {
                        imported.insert(id, access);
                    }
                }
            }
            Statement::ExportAllDeclaration(decl) => {
                let src = js_string(&decl.source.value);
                match &decl.exported {
                    None => edits.replace(
                        source,
                        decl.span,
                        format!("__ftReExport(exports, require({src}));"),
                    ),
                    Some(name) => {
                        let m = tmp();
                        edits.replace(source, decl.span, require_into(&m, &decl.source.value));
                        exports.push((export_name(name), m));
                    }
                }
            }
            Statement::ExportFromDeclaration(decl) => {
                let m = tmp();
                edits.replace(source, decl.span, require_into(&m, &decl.source.value));
                for s in &decl.specifiers {
                    let local = export_name(&s.local);
                    let access = if local == "default" {
                        format!("{m}.default")
                    } else {
                        format!("{m}[{}]", js_string(&local))
                    };
                    exports.push((export_name(&s.exported), access));
                }
            }
            Statement::ExportNamedDeclaration(decl) => {
                // `;`, not nothing: the statement ended there, and the next line must not join
                // the one before (`x = 1` / `export { x }` / `(f)()`).
                edits.replace(source, decl.span, ";".into());
                for s in &decl.specifiers {
                    let exported = export_name(&s.exported);
                    if let ModuleExportName::IdentifierReference(r) = &s.local {
                        let sym = r
                            .reference_id
                            .get()
                            .and_then(|rid| scoping.get_reference(rid).symbol_id());
                        match sym {
                            Some(sym) => local_exports.push((exported, sym, r.name.to_string())),
                            None => exports.push((exported, r.name.to_string())),
                        }
                    }
                }
            }
            Statement::ExportDeclaration(decl) => {
                // Drop the `export` keyword; the declaration stays where it is.
                let d = decl.declaration.span();
                edits.replace(source, Span::new(decl.span.start, d.start), String::new());
                let mut names = Vec::new();
                match &decl.declaration {
                    Declaration::VariableDeclaration(v) => {
                        for d in &v.declarations {
                            d.id.bound_names(&mut |id| names.push(id.name.to_string()));
                        }
                    }
                    Declaration::FunctionDeclaration(f) => {
                        names.extend(f.id.as_ref().map(|i| i.name.to_string()))
                    }
                    Declaration::ClassDeclaration(c) => {
                        names.extend(c.id.as_ref().map(|i| i.name.to_string()))
                    }
                    _ => {}
                }
                for n in names {
                    exports.push((n.clone(), n));
                }
            }
            Statement::ExportDefaultDeclaration(decl) => {
                let inner = decl.declaration.span();
                let head = Span::new(decl.span.start, inner.start);
                match &decl.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => match &f.id {
                        Some(id) => {
                            edits.replace(source, head, String::new());
                            exports.push(("default".into(), id.name.to_string()));
                        }
                        None => {
                            // Name it, so it stays a hoisted declaration as in ESM.
                            let kw = if f.r#async {
                                "async function"
                            } else {
                                "function"
                            };
                            let star = if f.generator { "*" } else { "" };
                            let after_kw = source[inner.start as usize..]
                                .find('(')
                                .map_or(inner.start, |i| inner.start + i as u32);
                            edits.replace(
                                source,
                                Span::new(decl.span.start, after_kw),
                                format!("{kw}{star} __ftdefault"),
                            );
                            exports.push(("default".into(), "__ftdefault".into()));
                        }
                    },
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => match &c.id {
                        Some(id) => {
                            edits.replace(source, head, String::new());
                            exports.push(("default".into(), id.name.to_string()));
                        }
                        None => {
                            edits.replace(source, head, "var __ftdefault = ".into());
                            edits.list.push((decl.span.end, decl.span.end, ";".into()));
                            exports.push(("default".into(), "__ftdefault".into()));
                        }
                    },
                    _ => {
                        edits.replace(source, head, "var __ftdefault = ".into());
                        exports.push(("default".into(), "__ftdefault".into()));
                    }
                }
            }
            _ => {}
        }
    }

    for (exported, sym, name) in local_exports {
        let expr = imported.get(&sym).cloned().unwrap_or(name);
        exports.push((exported, expr));
    }

    // Statements in a statement list whose first token is where they start: a call of an
    // imported binding there becomes `;(0, m.f)(…)`, so it cannot join the line before when
    // that line has no semicolon (`const x = 1` / `f({})`). Elsewhere (an `if` body, an
    // operand) the token before cannot end an expression, and a `;` would change the meaning.
    let listed_starts: std::collections::HashSet<u32> = nodes
        .iter()
        .filter_map(|n| match n.kind() {
            AstKind::ExpressionStatement(e)
                if matches!(
                    nodes.parent_kind(n.id()),
                    AstKind::Program(_)
                        | AstKind::BlockStatement(_)
                        | AstKind::FunctionBody(_)
                        | AstKind::SwitchCase(_)
                        | AstKind::StaticBlock(_)
                ) =>
            {
                Some(e.span.start)
            }
            _ => None,
        })
        .collect();
    // References to imported bindings read the module object: live, and cycles work.
    for (sym, access) in &imported {
        for r in scoping.get_resolved_references(*sym) {
            let node = nodes.get_node(r.node_id());
            let span = node.kind().span();
            let unbound = |callee: Span| {
                let guard = if listed_starts.contains(&callee.start) {
                    ";"
                } else {
                    ""
                };
                format!("{guard}(0, {access})")
            };
            let text = match nodes.parent_kind(r.node_id()) {
                AstKind::CallExpression(call) if call.callee.span() == span => unbound(span),
                AstKind::TaggedTemplateExpression(t) if t.tag.span() == span => unbound(span),
                AstKind::ObjectProperty(p) if p.shorthand => {
                    format!(
                        "{}: {access}",
                        &source[span.start as usize..span.end as usize]
                    )
                }
                _ => access.clone(),
            };
            edits.list.push((span.start, span.end, text));
        }
    }

    // import(x) and import.meta.
    for node in nodes.iter() {
        match node.kind() {
            AstKind::ImportExpression(e) => {
                let open = source[e.span.start as usize..e.span.end as usize]
                    .find('(')
                    .map_or(6, |i| i as u32 + 1);
                edits.list.push((
                    e.span.start,
                    e.span.start + open,
                    "__ftDynamicImport(require, ".into(),
                ));
            }
            AstKind::ImportMeta(m) => {
                edits.list.push((
                    m.span.start,
                    m.span.end,
                    format!("({{ url: {} }})", js_string(path)),
                ));
            }
            _ => {}
        }
    }

    let mut prefix = String::new();
    if has_module_syntax {
        prefix.push_str("Object.defineProperty(exports, \"__esModule\", { value: true }); ");
        if !exports.is_empty() {
            let getters: Vec<String> = exports
                .iter()
                .map(|(name, expr)| format!("{}: () => {expr}", js_string(name)))
                .collect();
            prefix.push_str(&format!(
                "__ftExport(exports, {{ {} }}); ",
                getters.join(", ")
            ));
        }
    }
    Ok(Some(edits.apply(source, &prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cjs(src: &str) -> String {
        to_commonjs("m.js", src).unwrap().unwrap()
    }

    #[test]
    fn commonjs_is_left_alone() {
        assert_eq!(to_commonjs("a.js", "module.exports = 1;").unwrap(), None);
        assert_eq!(
            to_commonjs("a.js", "with (o) { x } // export").unwrap(),
            None
        );
        assert_eq!(
            to_commonjs("a.js", "const important = require('./x');").unwrap(),
            None
        );
    }

    #[test]
    fn imports_become_live_member_reads_and_lines_stay() {
        let out = cjs(
            "import def, { a as b, c } from './x';\nimport * as ns from './y';\nexport const z = b + c() + ns.q + def;\nconst o = { c };\nc`t`;\n",
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].contains("var __ftm0 = __ftImport(require(\"./x\"));"));
        assert!(lines[1].contains("var __ftm1 = __ftImport(require(\"./y\"));"));
        assert!(
            lines[2].contains("const z = __ftm0.a + (0, __ftm0.c)() + __ftm1.q + __ftm0.default;"),
            "{out}"
        );
        assert!(lines[3].contains("{ c: __ftm0.c }"));
        assert!(lines[4].contains("(0, __ftm0.c)`t`"));
        assert!(out.starts_with("Object.defineProperty(exports, \"__esModule\""));
        assert!(out.contains("\"z\": () => z"));
    }

    #[test]
    fn exports_of_every_kind() {
        let out = cjs(
            "export default function () {}\nexport function f() {}\nexport class C {}\nlet v = 1;\nexport { v as w, f as g };\nexport { x as y } from './x';\nexport * from './all';\nexport * as ns from './n';\n",
        );
        for needle in [
            "function __ftdefault",
            "\"default\": () => __ftdefault",
            "\"f\": () => f",
            "\"C\": () => C",
            "\"w\": () => v",
            "\"y\": () => __ftm0[\"x\"]",
            "__ftReExport(exports, require(\"./all\"))",
            "\"ns\": () => __ftm1",
        ] {
            assert!(out.contains(needle), "missing {needle} in\n{out}");
        }
        assert_eq!(out.lines().count(), 8);
        let out = cjs("export default Behavior({ a: 1 })\n");
        assert!(out.contains("var __ftdefault = Behavior({ a: 1 })"));
    }

    #[test]
    fn shadowed_names_are_not_rewritten() {
        let out = cjs("import { a } from './x';\nfunction f(a) { return a; }\nexport default a;\n");
        assert!(out.contains("function f(a) { return a; }"), "{out}");
        assert!(out.contains("var __ftdefault = __ftm0.a;"));
    }

    #[test]
    fn dynamic_import_and_meta() {
        let out = cjs("const p = import('./lazy');\nconsole.log(import.meta.url);\n");
        assert!(
            out.contains("__ftDynamicImport(require, './lazy')"),
            "{out}"
        );
        assert!(out.contains("({ url: \"m.js\" }).url"));
    }

    #[test]
    fn module_syntax_errors_have_a_position() {
        let e = to_commonjs("m.js", "import { a } from './x';\nexport const = 1;\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
