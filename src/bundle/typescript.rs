//! TypeScript the way the developer tool runs it (`setting.useCompilerPlugins: ["typescript"]`):
//! types are stripped, everything else stays. Stripping replaces each type-only piece of text
//! with spaces (newlines kept), so every remaining token stays at its line and column and
//! error positions need no mapping. Enums, the one TypeScript construct with a runtime value,
//! become their JavaScript in place; constructor parameter properties are refused with a clear
//! message. What results is JavaScript, ES module or not, compiled like any other file.

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{ClassElement, Declaration, ImportDeclarationSpecifier, TSEnumMemberName};
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::{GetSpan, SourceType, Span};

use super::esm::EsmSyntaxError;

/// Words that may precede a class member in TypeScript and mean nothing at run time.
const MODIFIERS: [&str; 7] = [
    "public",
    "private",
    "protected",
    "readonly",
    "override",
    "abstract",
    "declare",
];

struct Blanks<'s> {
    source: &'s str,
    ranges: Vec<(u32, u32)>,
    /// Text put at a position (enums), after blanking.
    inserts: Vec<(u32, String)>,
}

impl Blanks<'_> {
    fn span(&mut self, s: Span) {
        if s.end > s.start {
            self.ranges.push((s.start, s.end));
        }
    }
    fn range(&mut self, start: u32, end: u32) {
        self.span(Span::new(start, end));
    }
    /// A `?` or `!` between `from` and `to` (an optional or definite marker).
    fn marker(&mut self, from: u32, to: u32) {
        let text = &self.source[from as usize..to as usize];
        if let Some(i) = text.find(['?', '!']) {
            self.range(from + i as u32, from + i as u32 + 1);
        }
    }
    /// Modifier words at the start of `span`, up to `until`.
    fn modifiers(&mut self, start: u32, until: u32) {
        let mut pos = start as usize;
        let text = self.source;
        loop {
            let rest = &text[pos..until as usize];
            let trimmed = rest.trim_start();
            pos += rest.len() - trimmed.len();
            let Some(word) = MODIFIERS.iter().find(|w| {
                trimmed.starts_with(**w)
                    && !trimmed[w.len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
            }) else {
                break;
            };
            self.range(pos as u32, (pos + word.len()) as u32);
            pos += word.len();
        }
    }

    fn apply(mut self) -> String {
        let mut bytes = self.source.as_bytes().to_vec();
        for (s, e) in &self.ranges {
            for b in &mut bytes[*s as usize..*e as usize] {
                // Spaces for everything but line breaks; the bytes of a multi-byte character
                // become spaces too (all of them are inside the range).
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        self.inserts.sort_by_key(|(p, _)| std::cmp::Reverse(*p));
        let mut text = String::from_utf8(bytes).unwrap_or_default();
        for (p, s) in self.inserts {
            text.insert_str(p as usize, &s);
        }
        text
    }
}

fn error_at(source: &str, offset: u32, message: String) -> EsmSyntaxError {
    let before = &source[..(offset as usize).min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    EsmSyntaxError {
        line,
        column,
        message,
    }
}

/// JavaScript from TypeScript source, with every token where it was.
pub fn strip_types(source: &str) -> Result<String, EsmSyntaxError> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::ts()).parse();
    if let Some(d) = parsed.diagnostics.first() {
        let offset = d.labels.first().map_or(0, |l| l.offset());
        return Err(error_at(source, offset, d.message.to_string()));
    }
    if parsed.panicked {
        return Err(error_at(source, 0, "invalid TypeScript".into()));
    }
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .build(&parsed.program)
        .semantic;
    let nodes = semantic.nodes();
    let scoping = semantic.scoping();
    let mut b = Blanks {
        source,
        ranges: Vec::new(),
        inserts: Vec::new(),
    };
    for node in nodes.iter() {
        match node.kind() {
            AstKind::TSTypeAnnotation(t) => b.span(t.span),
            AstKind::TSTypeParameterDeclaration(t) => b.span(t.span),
            AstKind::TSTypeParameterInstantiation(t) => b.span(t.span),
            AstKind::TSInterfaceDeclaration(t) => b.span(t.span),
            AstKind::TSTypeAliasDeclaration(t) => b.span(t.span),
            AstKind::TSImportEqualsDeclaration(t) => b.span(t.span),
            AstKind::TSNamespaceExportDeclaration(t) => b.span(t.span),
            AstKind::TSIndexSignature(t) => b.span(t.span),
            AstKind::TSAsExpression(e) => b.range(e.expression.span().end, e.span.end),
            AstKind::TSSatisfiesExpression(e) => b.range(e.expression.span().end, e.span.end),
            AstKind::TSNonNullExpression(e) => b.range(e.expression.span().end, e.span.end),
            AstKind::TSTypeAssertion(e) => b.range(e.span.start, e.expression.span().start),
            AstKind::TSThisParameter(t) => {
                let after = &source[t.span.end as usize..];
                let comma = after.find(',').filter(|i| after[..*i].trim().is_empty());
                b.range(t.span.start, t.span.end + comma.map_or(0, |i| i as u32 + 1));
            }
            AstKind::Function(f) if f.body.is_none() || f.declare => b.span(f.span),
            AstKind::Class(c) => {
                if c.declare {
                    b.span(c.span);
                    continue;
                }
                b.modifiers(c.span.start, c.span.end);
                if let (Some(first), Some(last)) = (c.implements.first(), c.implements.last()) {
                    let head = &source[c.span.start as usize..first.span.start as usize];
                    if let Some(i) = head.rfind("implements") {
                        b.range(c.span.start + i as u32, last.span.end);
                    }
                }
                for el in &c.body.body {
                    match el {
                        ClassElement::PropertyDefinition(p) => {
                            if p.declare || p.r#type.is_abstract() {
                                b.span(p.span);
                            } else {
                                b.modifiers(p.span.start, p.key.span().start);
                                let to = p
                                    .type_annotation
                                    .as_ref()
                                    .map_or(p.key.span().end, |t| t.span.start);
                                if p.optional || p.definite {
                                    b.marker(p.key.span().end, to.max(p.key.span().end));
                                }
                            }
                        }
                        ClassElement::MethodDefinition(m) => {
                            if m.value.body.is_none() {
                                b.span(m.span);
                            } else {
                                b.modifiers(m.span.start, m.key.span().start);
                                if m.optional {
                                    b.marker(m.key.span().end, m.value.params.span.start);
                                }
                            }
                        }
                        ClassElement::AccessorProperty(a) => {
                            b.modifiers(a.span.start, a.key.span().start)
                        }
                        _ => {}
                    }
                }
            }
            AstKind::FormalParameter(p) => {
                if p.accessibility.is_some() || p.readonly || p.r#override {
                    return Err(error_at(
                        source,
                        p.span.start,
                        "TypeScript constructor parameter properties (`private x: T` in a constructor) are not supported by ftrun's type stripping; assign the field in the constructor".into(),
                    ));
                }
                if p.optional {
                    let to = p
                        .type_annotation
                        .as_ref()
                        .map_or(p.span.end, |t| t.span.start);
                    b.marker(p.pattern.span().end, to);
                }
            }
            AstKind::VariableDeclarator(d) if d.definite => {
                let to = d
                    .type_annotation
                    .as_ref()
                    .map_or(d.span.end, |t| t.span.start);
                b.marker(d.id.span().end, to);
            }
            AstKind::ImportDeclaration(i) => {
                // As TypeScript compiles it: an imported name used only as a type (or not at
                // all) is dropped, and a declaration left with no name goes whole, so a module
                // that exists only as types (`import XrFrame from 'XrFrame'`) is never loaded.
                let Some(specs) = &i.specifiers else { continue };
                if i.import_kind.is_type() {
                    b.span(i.span);
                    continue;
                }
                let used_as_value = |local: &oxc_ast::ast::BindingIdentifier<'_>| {
                    local.symbol_id.get().is_some_and(|sym| {
                        scoping.get_resolved_references(sym).any(|r| r.is_value())
                    })
                };
                let kept: Vec<bool> = specs
                    .iter()
                    .map(|s| match s {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            !s.import_kind.is_type() && used_as_value(&s.local)
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            used_as_value(&s.local)
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            used_as_value(&s.local)
                        }
                    })
                    .collect();
                if !specs.is_empty() && kept.iter().all(|k| !k) {
                    b.span(i.span);
                } else {
                    for (s, keep) in specs.iter().zip(kept) {
                        if !keep && let ImportDeclarationSpecifier::ImportSpecifier(s) = s {
                            type_specifier(&mut b, s.span);
                        }
                    }
                }
            }
            AstKind::ExportNamedDeclaration(e) => {
                if e.export_kind.is_type() {
                    b.span(e.span);
                } else {
                    for s in &e.specifiers {
                        if s.export_kind.is_type() {
                            type_specifier(&mut b, s.span);
                        }
                    }
                }
            }
            // `export` before a declaration that is only a type goes with it.
            AstKind::ExportDeclaration(e) => {
                let type_only = match &e.declaration {
                    Declaration::TSInterfaceDeclaration(_)
                    | Declaration::TSTypeAliasDeclaration(_) => true,
                    Declaration::VariableDeclaration(v) => v.declare,
                    Declaration::FunctionDeclaration(f) => f.body.is_none() || f.declare,
                    Declaration::ClassDeclaration(c) => c.declare,
                    Declaration::TSEnumDeclaration(en) => en.declare,
                    Declaration::TSNamespaceDeclaration(n) => n.declare,
                    Declaration::TSExternalModuleDeclaration(_)
                    | Declaration::TSGlobalDeclaration(_) => true,
                    Declaration::TSImportEqualsDeclaration(_) => true,
                };
                if type_only {
                    b.span(e.span);
                }
            }
            AstKind::VariableDeclaration(v) if v.declare => b.span(v.span),
            AstKind::TSExternalModuleDeclaration(m) => b.span(m.span),
            AstKind::TSGlobalDeclaration(m) => b.span(m.span),
            AstKind::TSNamespaceDeclaration(m) => {
                if m.declare {
                    b.span(m.span);
                } else {
                    return Err(error_at(
                        source,
                        m.span.start,
                        "TypeScript namespaces with code are not supported by ftrun's type stripping; use a module".into(),
                    ));
                }
            }
            AstKind::TSEnumDeclaration(e) => {
                if e.declare {
                    b.span(e.span);
                    continue;
                }
                b.span(e.span);
                b.inserts.push((e.span.start, enum_js(source, e)));
            }
            _ => {}
        }
    }
    Ok(b.apply())
}

/// `type X` inside `{ ... }`, with the comma after it.
fn type_specifier(b: &mut Blanks<'_>, span: Span) {
    let after = &b.source[span.end as usize..];
    let comma = after.find(',').filter(|i| after[..*i].trim().is_empty());
    b.range(span.start, span.end + comma.map_or(0, |i| i as u32 + 1));
}

/// `var E; (function (E) { E[E["A"] = 0] = "A"; ... })(E || (E = {}));` on one line: the
/// enum's text is blanked and this goes where it started (its own lines stay blank).
fn enum_js(source: &str, e: &oxc_ast::ast::TSEnumDeclaration<'_>) -> String {
    let name = e.id.name.as_str();
    let mut out = format!("var {name}; (function ({name}) {{ ");
    let mut next: Option<String> = Some("0".into());
    for m in &e.body.members {
        let key = match &m.id {
            TSEnumMemberName::Identifier(i) => i.name.to_string(),
            TSEnumMemberName::String(s) => s.value.to_string(),
            TSEnumMemberName::ComputedString(s) => s.value.to_string(),
            TSEnumMemberName::ComputedTemplateString(t) => {
                source[t.span.start as usize + 1..t.span.end as usize - 1].to_string()
            }
        };
        let key_js = serde_json::to_string(&key).unwrap_or_default();
        let value = match &m.initializer {
            Some(init) => {
                Some(source[init.span().start as usize..init.span().end as usize].to_string())
            }
            None => next.clone(),
        };
        let value = value.unwrap_or_else(|| "undefined".into());
        let is_string = value.starts_with(['"', '\'', '`']);
        if is_string {
            out.push_str(&format!("{name}[{key_js}] = {value}; "));
            next = None;
        } else {
            out.push_str(&format!("{name}[{name}[{key_js}] = {value}] = {key_js}; "));
            next = Some(format!("{name}[{key_js}] + 1"));
        }
    }
    out.push_str(&format!("}})({name} || ({name} = {{}}));"));
    out
}

#[cfg(test)]
mod tests {
    use super::strip_types;

    #[test]
    fn types_become_spaces_and_positions_stay() {
        let ts = "interface A { x: number }\nconst a: number = 1 as number;\nfunction f<T>(x?: T, y: string = 'y'): T { return x!; }\nexport type B = string;\nclass C<T> implements A { private readonly x: number = 1; static y?: string; m(this: C<T>, z: number): void {} }\nlet d!: string;\n";
        let js = strip_types(ts).unwrap();
        assert_eq!(js.len(), ts.len());
        assert_eq!(js.lines().count(), ts.lines().count());
        let compact: String = js.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            compact,
            "const a = 1 ; function f (x , y = 'y') { return x ; } class C { x = 1; static y ; m( z ) {} } let d ;"
        );
        // Every remaining token is where it was.
        assert_eq!(js.find("= 1"), ts.find("= 1"));
        assert_eq!(js.find("return x"), ts.find("return x"));
    }

    #[test]
    fn enums_become_objects_and_type_imports_go() {
        let js = strip_types("import type { T } from './t';\nimport { type U, v } from './u';\nimport XrFrame from 'XrFrame';\nimport './side-effect';\nlet x: XrFrame.Scene;\nv();\nenum E { A, B = 5, C }\nenum S { X = 'x' }\nexport { type T as T2 };\n").unwrap();
        assert!(
            !js.contains("XrFrame'"),
            "an import used only as a type goes: {js}"
        );
        assert!(js.contains("import './side-effect'"), "{js}");
        assert!(js.contains("var E; (function (E) { E[E[\"A\"] = 0] = \"A\"; E[E[\"B\"] = 5] = \"B\"; E[E[\"C\"] = E[\"B\"] + 1] = \"C\"; })(E || (E = {}));"), "{js}");
        assert!(js.contains("S[\"X\"] = 'x';"), "{js}");
        assert!(
            !js.contains("import type") && !js.contains("type U") && js.contains("v }"),
            "{js}"
        );
    }

    #[test]
    fn parameter_properties_are_refused_with_a_position() {
        let e = strip_types("class A {\n  constructor(private x: number) {}\n}\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 15));
        assert!(e.message.contains("parameter properties"));
    }
}
