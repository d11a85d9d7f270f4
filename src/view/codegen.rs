//! One WXML file → one JS "unit": the file's node tree as plain data in which every `{{ }}`
//! is a compiled function `(d, s) => value` with the data paths it reads, and every element
//! carries its builder (`b`): that element's steps written out (its attributes as literals or
//! bindings, its children built in order), so the runtime interprets no description per node,
//! as WeChat's own compiler generates code per template. The tree runtime
//! (`js/view/render.js`) instantiates units and re-runs only the bindings a `setData` reached.
//!
//! Node kinds (`k`): 0 text, 1 element, 2 `wx:for`, 3 `wx:if` chain, 4 `<template is>`,
//! 5 `<include>`, 6 `<slot>`, 7 `<block>`. A value is `{v}` (static) or `{f, p}` (a binding:
//! its function and its paths, each `[head, ...segments]` where a string head is a data field
//! and a number a `wx:for` scope). `l` is `[line, column]`, 1-based.

use glass_easel_template_compiler::parse::tag::{
    ClassAttribute, CommonElementAttributes, Element, ElementKind, Node, NormalAttributePrefix,
    Script, StyleAttribute, Template, Value,
};
use glass_easel_template_compiler::parse::{ParseErrorKind, ParseErrorLevel, Position};

use super::ViewError;
use super::expr::{self, DataPath, Head, js_string};
use super::lenient::{Lenient, quote_attribute_values};

/// A compiled WXML file: the unit's JS (an expression: `0,function (R) { return {...} }`),
/// what its elements' builders do (numbered by the `bi` of their element; written out as JS
/// only when the runtime asks, see [`Unit::builder_js`]) and the parser's warnings
/// (`file:line:col: text`).
pub struct Unit {
    pub js: String,
    builders: Vec<Builder>,
    pub warnings: Vec<String>,
}

impl Unit {
    /// Builder `index` as JS: an expression `0,function (R) { return function (D, sc, block,
    /// parent) {...} }` (its steps written out; the runtime's helpers, as `$` names, do the
    /// rest; its element children's steps inline in it).
    pub fn builder_js(&self, index: usize) -> Option<String> {
        let f = BuilderCode::function(self.builders.get(index)?, "D,sc,block,parent");
        Some(format!(
            "0,function (R) {{\n\"use strict\";\nvar {EXPRESSION_HELPERS},{BUILDER_HELPERS};\nreturn {f};\n}}"
        ))
    }

    /// How many elements have builders of their own.
    pub fn builder_count(&self) -> usize {
        self.builders.len()
    }
}

/// Compiles one WXML file. `exists` answers whether a bundle path is a file (imports,
/// includes and WXS sources must be).
pub fn compile(path: &str, source: &str, exists: &dyn Fn(&str) -> bool) -> Result<Unit, ViewError> {
    let lenient = quote_attribute_values(source);
    let (template, state) = glass_easel_template_compiler::parse::parse(path, &lenient.text);
    let mut warnings = Vec::new();
    let mut first_error: Option<ViewError> = None;
    for w in state.warnings() {
        let at = ViewError::at(path, lenient.original(w.location.start), w.kind.to_string());
        // WeChat's compiler refuses unclosed and stray end tags; glass-easel only warns.
        let fatal = w.level() >= ParseErrorLevel::Error
            || matches!(
                w.kind,
                ParseErrorKind::MissingEndTag | ParseErrorKind::InvalidEndTag
            );
        if fatal {
            if first_error
                .as_ref()
                .is_none_or(|e| (at.line, at.column) < (e.line, e.column))
            {
                first_error = Some(at);
            }
        } else if w.level() >= ParseErrorLevel::Warn {
            warnings.push(at.to_string());
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut g = Gen {
        path,
        dir: path.rsplit_once('/').map_or("", |(d, _)| d),
        wxs_count: template.globals.scripts.len(),
        exists,
        lenient: &lenient,
        out: String::with_capacity(source.len() * 4),
        builders: Vec::new(),
    };
    g.unit(&template)?;
    Ok(Unit {
        js: g.out,
        builders: g.builders,
        warnings,
    })
}

struct Gen<'a> {
    path: &'a str,
    dir: &'a str,
    wxs_count: usize,
    exists: &'a dyn Fn(&str) -> bool,
    lenient: &'a Lenient,
    out: String,
    builders: Vec<Builder>,
}

/// `bindtap`, `catch:tap`, `capture-bind:touchstart`, `mut-bind:tap` written as a plain
/// attribute (the parser keeps the colon-less forms as attributes): (event, flags).
fn event_attribute(name: &str) -> Option<(&str, u8)> {
    const FORMS: [(&str, u8); 5] = [
        ("capture-catch", CATCH | CAPTURE),
        ("capture-bind", CAPTURE),
        ("mut-bind", MUT),
        ("catch", CATCH),
        ("bind", 0),
    ];
    FORMS.iter().find_map(|(prefix, flags)| {
        let rest = name.strip_prefix(prefix)?;
        let event = rest.strip_prefix(':').unwrap_or(rest);
        (!event.is_empty()).then_some((event, *flags))
    })
}

/// How a value was written: its static JS literal, a binding (it reads data), or an
/// expression that reads none (evaluated once).
enum Written {
    Static(String),
    Bound,
    Constant,
}

/// What one child of an element is, for that element's builder.
enum Child {
    Text(Written),
    Element(Box<Builder>), // built inline by its parent's builder
    Built,                 // an element with a builder of its own (not an element's child)
    Other,                 // wx:for, wx:if, <block>, <template>, <include>, <slot>
}

/// What an element's builder sets: attributes as written (name as a JS string), whether it
/// has events, data-*, mark:* or model: (built by the runtime's `$rest`), its children.
#[derive(Default)]
struct Builder {
    id: Option<Written>,
    cls: Option<Written>,
    st: Option<Written>,
    slot: Option<Written>,
    attrs: Vec<(String, Written)>,
    rest: bool,
    children: Vec<Child>,
}

/// The statements of one builder: an element and its element children, recursively, each
/// node in a variable of its own (`n0` the element itself, `dK` the description of `nK`),
/// built in document order (attributes, children, then the component it hosts, if any).
#[derive(Default)]
struct BuilderCode {
    js: String,
    nodes: usize,
    descs: Vec<String>,
    view: bool, // reads `v` (text children)
    data: bool, // reads `d` and `s` (bound values)
}

/// The runtime's helpers (js/view/render.js's `R`) as locals of a unit (for its compiled
/// expressions) and of a builder: no lookup on `R` at each call.
const EXPRESSION_HELPERS: &str = "$t=R.t,$m=R.m,$c=R.c,$cm=R.cm,$a=R.a,$u=R.unsupported";
const BUILDER_HELPERS: &str = "$el=R.el,$ba=R.ba,$BT=R.BT,$fail=R.fail,$sa=R.sa,$ap=R.ap,$at=R.at,$rest=R.rest,$one=R.one,$kids=R.kids,$comp=R.comp,$text=R.text,$TN=R.TN";

/// Nodes one builder function holds at most: past that, an element child is built by a
/// function of its own (each node is a local, and QuickJS puts a call's locals on the stack).
const NODES_PER_FUNCTION: usize = 200;

impl BuilderCode {
    /// `function(params){...}` building element `b` (described by `D`, under `parent`).
    fn function(b: &Builder, params: &str) -> String {
        let mut code = BuilderCode::default();
        code.element(b, "D", "parent");
        let mut vars = String::new();
        if code.view {
            vars.push_str("v=sc.f.view,");
        }
        if code.data {
            vars.push_str("d=sc.f.d,s=sc.s,");
        }
        for i in 0..code.nodes {
            vars.push_str(&format!("n{i},"));
        }
        for d in &code.descs {
            vars.push_str(d);
            vars.push(',');
        }
        format!("function({params}){{var {vars}x,c;{}return n0}}", code.js)
    }

    /// The statements building element `b` (described by `desc`) under `parent`; its node's
    /// variable.
    fn element(&mut self, b: &Builder, desc: &str, parent: &str) -> String {
        let n = format!("n{}", self.nodes);
        self.nodes += 1;
        self.js.push_str(&format!("{n}=$el({desc},sc,{parent});"));
        // id, class, style and slot are text on the node (apply's kinds 1 to 4).
        for (w, part, field, key) in [
            (&b.id, "id", "id", "1"),
            (&b.cls, "cls", "cls", "2"),
            (&b.st, "st", "style", "3"),
            (&b.slot, "slot", "slot", "4"),
        ] {
            if let Some(w) = w {
                // A literal string or a bound value's text goes on the node at once (a
                // component is created after its host's attributes are set); `true` (an
                // attribute without a value) and a bound id take the general way (`apply`).
                let set = |x: &str| {
                    if x.starts_with('"') {
                        format!("{n}.{field}={x};")
                    } else if x == "x" && field != "id" {
                        format!("{n}.{field}=typeof x===\"string\"?x:$t(x);")
                    } else {
                        format!("$ap({n},{key},{x});")
                    }
                };
                self.attr(&n, desc, &format!("{desc}.{part}"), w, &set, key);
            }
        }
        for (i, (name, w)) in b.attrs.iter().enumerate() {
            let set = |x: &str| format!("$sa({n},{name},{x});");
            self.attr(&n, desc, &format!("{desc}.a[{i}][1]"), w, &set, name);
        }
        if b.rest {
            self.js.push_str(&format!("$rest({n},{desc},sc,block);"));
        }
        if !b.children.is_empty() {
            // In document order: what a part evaluates or creates (bindings, components)
            // comes between the element children before and after it.
            let mut parts = Vec::new();
            for (i, child) in b.children.iter().enumerate() {
                let at = format!("{desc}.c[{i}]");
                let made = match child {
                    Child::Text(Written::Static(lit)) => {
                        self.view = true;
                        parts.push(format!("new $TN(v,{n},{lit})"));
                        continue;
                    }
                    Child::Element(child) if self.nodes >= NODES_PER_FUNCTION => {
                        let f = BuilderCode::function(child, "D,parent");
                        format!("({f})({at},{n})")
                    }
                    Child::Element(child) => {
                        let d = format!("d{}", self.nodes);
                        self.descs.push(d.clone());
                        self.js.push_str(&format!("{d}={at};"));
                        parts.push(self.element(child, &d, &n));
                        continue;
                    }
                    Child::Text(Written::Bound) => {
                        self.view = true;
                        format!("new $BT(v,{n},{at}.v,sc,block)")
                    }
                    Child::Text(Written::Constant) => format!("$text({at},sc,block,{n})"),
                    Child::Built | Child::Other => format!("$one({at},sc,block,{n})"),
                };
                let var = format!("n{}", self.nodes);
                self.nodes += 1;
                self.js.push_str(&format!("{var}={made};"));
                parts.push(var);
            }
            // `frag` (the parts, rows and wx:if among them) only where `children` is flattened
            // from it: only a dynamic part restructures its parent.
            let list = parts.join(",");
            if b.children.iter().any(|c| matches!(c, Child::Other)) {
                self.js
                    .push_str(&format!("{n}.frag=[{list}];{n}.children=$kids({n}.frag);"));
            } else {
                self.js.push_str(&format!("{n}.children=[{list}];"));
            }
        }
        self.js.push_str(&format!(
            "if({n}.compInfo!==null)$comp({n},{desc},sc,block);"
        ));
        n
    }

    /// One attribute of node `n` (described by `desc`): its value at `at`, set by `set`.
    fn attr(
        &mut self,
        n: &str,
        desc: &str,
        at: &str,
        w: &Written,
        set: &dyn Fn(&str) -> String,
        key: &str,
    ) {
        match w {
            Written::Static(lit) => self.js.push_str(&set(lit)),
            Written::Bound => {
                self.data = true;
                self.js.push_str(&format!(
                    "c={at};try{{x=c.f(d,s)}}catch(e){{x=$fail(e,sc,{desc}.l)}}{}$ba(block,sc,c,{n},{key});",
                    set("x")
                ));
            }
            Written::Constant => self.js.push_str(&format!("$at({n},{at},sc,block,{key});")),
        }
    }
}

const CATCH: u8 = 1;
const CAPTURE: u8 = 2;
const MUT: u8 = 4;

impl Gen<'_> {
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// `[line, column]` (1-based, in the file as written) for the unit.
    fn loc(&self, p: Position) -> String {
        let p = self.lenient.original(p);
        format!("[{},{}]", p.line + 1, p.utf16_col + 1)
    }

    fn error_at(&self, p: Position, message: String) -> ViewError {
        ViewError::at(self.path, self.lenient.original(p), message)
    }

    fn unit(&mut self, t: &Template) -> Result<(), ViewError> {
        // `0,function`, not `(function`: at a `(` QuickJS's parser reads ahead to the matching
        // `)` (is it an arrow function?), which would read the whole unit twice.
        self.push("0,function (R) {\n\"use strict\";\nvar ");
        self.push(EXPRESSION_HELPERS);
        self.push(";\nreturn {file:");
        self.push(&js_string(self.path));
        // WXS modules in scope order: inline code stays text, compiled on first use.
        self.push(",wxs:[");
        for (i, s) in t.globals.scripts.iter().enumerate() {
            if i > 0 {
                self.push(",");
            }
            match s {
                Script::Inline {
                    module_name,
                    content,
                    content_location,
                    ..
                } => {
                    let m = format!(
                        "{{n:{},code:{},l:{}}}",
                        js_string(&module_name.name),
                        js_string(content),
                        self.loc(content_location.start)
                    );
                    self.push(&m);
                }
                Script::GlobalRef {
                    module_name,
                    src,
                    src_location,
                    ..
                } => {
                    let file = self.resolve(&src.name, ".wxs", src_location.start)?;
                    let m = format!(
                        "{{n:{},src:{}}}",
                        js_string(&module_name.name),
                        js_string(&file)
                    );
                    self.push(&m);
                }
                _ => self.push("null"),
            }
        }
        self.push("],imports:[");
        for (i, imp) in t.globals.imports.iter().enumerate() {
            if i > 0 {
                self.push(",");
            }
            let file = self.resolve(&imp.src.name, ".wxml", imp.src_location.start)?;
            let m = format!(
                "{{src:{},l:{}}}",
                js_string(&file),
                self.loc(imp.src_location.start)
            );
            self.push(&m);
        }
        self.push("],templates:{");
        let mut seen = Vec::new();
        for def in &t.globals.sub_templates {
            // A repeated name: the first definition wins (as WeChat's compiler does).
            if seen.contains(&def.name.name.as_str()) {
                continue;
            }
            seen.push(def.name.name.as_str());
            if seen.len() > 1 {
                self.push(",");
            }
            self.push(&js_string(&def.name.name));
            self.push(":{l:");
            self.push(&self.loc(def.tag_location.start.0.start));
            self.push(",c:");
            self.nodes(&def.content, false)?;
            self.push("}");
        }
        self.push("},body:");
        self.nodes(&t.content, false)?;
        self.push("};\n}");
        Ok(())
    }

    /// `src` of an import, include or WXS module as a bundle path, which must exist.
    fn resolve(&self, src: &str, ext: &str, at: Position) -> Result<String, ViewError> {
        let joined = match src.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None if self.dir.is_empty() => src.to_string(),
            None => format!("{}/{src}", self.dir),
        };
        let mut file = crate::bundle::normalize(&joined)
            .ok_or_else(|| self.error_at(at, format!("'{src}' is outside the bundle")))?;
        if !file.ends_with(ext) {
            file.push_str(ext);
        }
        if !(self.exists)(&file) {
            return Err(self.error_at(at, format!("'{src}' not found (no file {file})")));
        }
        Ok(file)
    }

    /// A list of nodes; what each one written is, for the builder of the element holding them.
    /// `inline`: they are an element's children, which its builder builds (they get no
    /// builder of their own); otherwise each element gets one (`b`).
    fn nodes(&mut self, nodes: &[Node], inline: bool) -> Result<Vec<Child>, ViewError> {
        let mut kinds = Vec::new();
        self.push("[");
        let mut first = true;
        for n in nodes {
            let skip = match n {
                Node::Text(Value::Static { value, .. }) => value.trim().is_empty(),
                Node::Text(_) | Node::Element(_) => false,
                _ => true, // comments, unknown meta tags
            };
            if skip {
                continue;
            }
            if !first {
                self.push(",");
            }
            first = false;
            match n {
                Node::Text(v) => {
                    self.push("{k:0,v:");
                    kinds.push(Child::Text(self.value(v)));
                    self.push("}");
                }
                Node::Element(e) => kinds.push(self.element(e, inline)?),
                _ => {}
            }
        }
        self.push("]");
        Ok(kinds)
    }

    fn value(&mut self, v: &Value) -> Written {
        match v {
            Value::Static { value, .. } => self.static_value(js_string(value)),
            Value::Dynamic { expression, .. } => {
                let c = expr::compile(expression, self.wxs_count);
                self.push("{f:function(d,s){var t;return ");
                self.push(&c.js);
                self.push("},p:");
                self.paths(&c.deps);
                self.push("}");
                if c.deps.is_empty() {
                    Written::Constant
                } else {
                    Written::Bound
                }
            }
            _ => self.static_value("\"\"".to_string()),
        }
    }

    fn static_value(&mut self, js: String) -> Written {
        self.push("{v:");
        self.push(&js);
        self.push("}");
        Written::Static(js)
    }

    /// `[name, value]` (a missing value is `true`: `<x disabled>`).
    fn pair(&mut self, name: &str, v: Option<&Value>) -> Written {
        self.push("[");
        self.push(&js_string(name));
        self.push(",");
        let w = self.opt_value(v);
        self.push("]");
        w
    }

    fn opt_value(&mut self, v: Option<&Value>) -> Written {
        match v {
            Some(v) => self.value(v),
            None => self.static_value("true".to_string()),
        }
    }

    fn paths(&mut self, deps: &[DataPath]) {
        self.push("[");
        for (i, d) in deps.iter().enumerate() {
            if i > 0 {
                self.push(",");
            }
            self.path(d);
        }
        self.push("]");
    }

    fn path(&mut self, d: &DataPath) {
        self.push("[");
        match &d.head {
            Head::Field(f) => self.push(&js_string(f)),
            Head::Scope(i) => self.push(&i.to_string()),
        }
        for s in &d.segments {
            self.push(",");
            self.push(&js_string(s));
        }
        self.push("]");
    }

    /// `,bi:N`: the element's builder is `builders[N]`. The runtime compiles it only for an
    /// element it builds several times (a list's rows, a component's template): compiling
    /// costs more than reading an element's description once, so its JS is not even written
    /// until then.
    fn builder(&mut self, b: Builder) {
        self.push(&format!(",bi:{}", self.builders.len()));
        self.builders.push(b);
    }

    fn element(&mut self, e: &Element, inline: bool) -> Result<Child, ViewError> {
        let l = self.loc(e.tag_location.start.0.start);
        match &e.kind {
            ElementKind::Normal {
                tag_name,
                attributes,
                class,
                style,
                children,
                generics,
                common,
                ..
            } => {
                self.push("{k:1,t:");
                self.push(&js_string(&tag_name.name.to_ascii_lowercase()));
                self.push(",l:");
                self.push(&l);
                let mut events = Vec::new();
                let mut models = Vec::new();
                self.push(",a:[");
                let mut first = true;
                let mut b = Builder::default();
                for a in attributes {
                    if let NormalAttributePrefix::Model(at) = &a.prefix {
                        let field = match &a.value {
                            Some(Value::Dynamic { expression, .. }) => match expression.as_ref() {
                                glass_easel_template_compiler::parse::expr::Expression::DataField {
                                    name,
                                    ..
                                } => Some(name.to_string()),
                                _ => None,
                            },
                            _ => None,
                        };
                        let Some(field) = field else {
                            return Err(self.error_at(
                                at.start,
                                format!(
                                    "model:{} must bind one plain data field, as in model:{}=\"{{{{value}}}}\"",
                                    a.name.name, a.name.name
                                ),
                            ));
                        };
                        models.push((a.name.name.to_string(), field));
                    } else if let Some((event, flags)) = event_attribute(&a.name.name) {
                        events.push((event.to_string(), flags, a.value.clone()));
                        continue;
                    }
                    if !first {
                        self.push(",");
                    }
                    first = false;
                    let w = self.pair(&a.name.name, a.value.as_ref());
                    b.attrs.push((js_string(&a.name.name), w));
                }
                self.push("]");
                if let ClassAttribute::String(_, v) = class {
                    self.push(",cls:");
                    b.cls = Some(self.value(v));
                }
                if let StyleAttribute::String(_, v) = style {
                    self.push(",st:");
                    b.st = Some(self.value(v));
                }
                (b.id, b.slot, b.rest) = self.common(common, events)?;
                b.rest |= !models.is_empty();
                if !models.is_empty() {
                    self.push(",mo:[");
                    for (i, (prop, field)) in models.iter().enumerate() {
                        if i > 0 {
                            self.push(",");
                        }
                        self.push(&format!("[{},{}]", js_string(prop), js_string(field)));
                    }
                    self.push("]");
                }
                if !generics.is_empty() {
                    self.push(",g:[");
                    for (i, g) in generics.iter().enumerate() {
                        if i > 0 {
                            self.push(",");
                        }
                        self.push(&format!(
                            "[{},{}]",
                            js_string(&g.name.name),
                            js_string(&g.value.name)
                        ));
                    }
                    self.push("]");
                }
                self.push(",c:");
                b.children = self.nodes(children, true)?;
                if !inline {
                    self.builder(b);
                    self.push("}");
                    return Ok(Child::Built);
                }
                self.push("}");
                return Ok(Child::Element(Box::new(b)));
            }
            ElementKind::Pure { children, slot, .. } => {
                self.push("{k:7,l:");
                self.push(&l);
                if let Some((_, v)) = slot {
                    self.push(",slot:");
                    self.value(v);
                }
                self.push(",c:");
                self.nodes(children, false)?;
                self.push("}");
            }
            ElementKind::For {
                list,
                key,
                children,
                ..
            } => {
                self.push("{k:2,l:");
                self.push(&l);
                self.push(",list:");
                self.value(&list.1);
                self.push(",key:");
                self.push(&js_string(&key.1.name));
                // The list as a plain data path lets a change to one item reach only its row.
                if let Value::Dynamic { expression, .. } = &list.1
                    && let Some(p) = expr::static_path(expression)
                    && !matches!(p.head, Head::Scope(i) if i < self.wxs_count)
                {
                    self.push(",lp:");
                    self.path(&p);
                }
                self.push(",c:");
                self.nodes(children, false)?;
                self.push("}");
            }
            ElementKind::If {
                branches,
                else_branch,
                ..
            } => {
                self.push("{k:3,l:");
                self.push(&l);
                self.push(",b:[");
                for (i, (_, cond, children)) in branches.iter().enumerate() {
                    if i > 0 {
                        self.push(",");
                    }
                    self.push("[");
                    self.value(cond);
                    self.push(",");
                    self.nodes(children, false)?;
                    self.push("]");
                }
                self.push("]");
                if let Some((_, children)) = else_branch {
                    self.push(",e:");
                    self.nodes(children, false)?;
                }
                self.push("}");
            }
            ElementKind::TemplateRef { target, data, .. } => {
                self.push("{k:4,l:");
                self.push(&l);
                self.push(",is:");
                self.value(&target.1);
                self.push(",data:");
                self.value(&data.1);
                self.push("}");
            }
            ElementKind::Include { path, .. } => {
                let file = self.resolve(&path.1.name, ".wxml", path.0.start)?;
                self.push(&format!("{{k:5,l:{l},src:{}}}", js_string(&file)));
            }
            ElementKind::Slot { name, common, .. } => {
                self.push("{k:6,l:");
                self.push(&l);
                self.push(",name:");
                self.value(&name.1);
                self.common(common, Vec::new())?;
                self.push("}");
            }
            _ => self.push("{k:7,c:[]}"),
        }
        Ok(Child::Other)
    }

    /// id, slot, events, data-*, mark:*: how id and slot were written, and whether there
    /// are events, data-* or mark:*.
    fn common(
        &mut self,
        c: &CommonElementAttributes,
        mut events: Vec<(String, u8, Option<Value>)>,
    ) -> Result<(Option<Written>, Option<Written>, bool), ViewError> {
        let mut id = None;
        let mut slot = None;
        if let Some((_, v)) = &c.id {
            self.push(",id:");
            id = Some(self.value(v));
        }
        if let Some((_, v)) = &c.slot {
            self.push(",slot:");
            slot = Some(self.value(v));
        }
        let rest = !events.is_empty()
            || !c.event_bindings.is_empty()
            || !c.data.is_empty()
            || !c.marks.is_empty();
        for b in &c.event_bindings {
            let flags = (if b.is_catch { CATCH } else { 0 })
                | (if b.is_capture { CAPTURE } else { 0 })
                | (if b.is_mut { MUT } else { 0 });
            events.push((b.name.name.to_string(), flags, b.value.clone()));
        }
        if !events.is_empty() {
            self.push(",ev:[");
            for (i, (name, flags, v)) in events.iter().enumerate() {
                if i > 0 {
                    self.push(",");
                }
                self.push(&format!("[{},{flags},", js_string(name)));
                match v {
                    Some(v) => {
                        self.value(v);
                    }
                    None => self.push("{v:\"\"}"),
                }
                self.push("]");
            }
            self.push("]");
        }
        for (key, list) in [(",ds:[", &c.data), (",mk:[", &c.marks)] {
            if list.is_empty() {
                continue;
            }
            self.push(key);
            for (i, a) in list.iter().enumerate() {
                if i > 0 {
                    self.push(",");
                }
                self.pair(&a.name.name, a.value.as_ref());
            }
            self.push("]");
        }
        Ok((id, slot, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(src: &str) -> Result<String, String> {
        compile("pages/a/a.wxml", src, &|p| p.starts_with("pages/"))
            .map(|u| u.js)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn odd_input_is_parsed_as_wechat_does() {
        // `<` in text, entities, Chinese, CRLF, comments, quotes inside {{ }} in an attribute.
        let js =
            unit("<view class='{{ a ? \"x\" : \"y\" }}'>a < b &amp; 中文\r\n<!-- c --></view>")
                .unwrap();
        assert!(js.contains("\"a < b & 中文\\r\\n\""), "{js}");
        assert!(js.contains("(d[\"a\"]?\"x\":\"y\")"), "{js}");
        assert!(!js.contains(" c "), "comments leave no node: {js}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        for (src, want) in [
            (
                "<view>\n  <text>{{a + }}</text>\n</view>",
                "pages/a/a.wxml:2:15: unexpected character inside expression",
            ),
            (
                "<view>\n<text>x</text>",
                "pages/a/a.wxml:1:2: missing end tag",
            ),
            ("<view>\n</text>", "pages/a/a.wxml:1:2: missing end tag"),
            (
                "<import src=\"/none/x\"/>",
                "pages/a/a.wxml:1:9: '/none/x' not found (no file none/x.wxml)",
            ),
            (
                "<input model:value=\"{{a.b}}\"/>",
                "pages/a/a.wxml:1:8: model:value must bind one plain data field",
            ),
        ] {
            let e = unit(src).unwrap_err();
            assert!(e.starts_with(want), "{src:?}: {e}");
        }
    }

    #[test]
    fn events_in_every_spelling() {
        let js = unit("<view bindtap=\"a\" catch:tap=\"b\" capture-bind:touchstart=\"c\" mut-bind:tap=\"d\" capture-catch:tap=\"e\" bind:my-event=\"{{h}}\"/>").unwrap();
        for part in [
            "[\"tap\",0,{v:\"a\"}]",
            "[\"tap\",1,{v:\"b\"}]",
            "[\"touchstart\",2,{v:\"c\"}]",
            "[\"tap\",4,{v:\"d\"}]",
            "[\"tap\",3,{v:\"e\"}]",
            "[\"my-event\",0,{f:",
        ] {
            assert!(js.contains(part), "{part} in {js}");
        }
    }

    #[test]
    fn elements_come_with_their_builders() {
        let src = "<view class=\"row\" id=\"{{id}}\" data-x=\"1\"><text>{{a}}</text>hi<block wx:if=\"{{b}}\">x</block><c-comp label=\"{{a}}\"/></view>";
        let u = compile("pages/a/a.wxml", src, &|_| true).unwrap();
        // Only the outer element has a builder: its children are built inside it. The unit
        // names it (`bi`); its code stays out of the unit until the runtime asks for it.
        assert_eq!(u.builder_count(), 1);
        assert!(u.js.contains("bi:0") && !u.js.contains("$el("), "{}", u.js);
        let js = &u.builder_js(0).unwrap();
        assert!(js.starts_with("0,function (R) {"), "{js}");
        for part in [
            "n0.cls=\"row\";",                   // a literal on the node
            "$ap(n0,1,x);$ba(block,sc,c,n0,1);", // a bound id
            "$rest(n0,D,sc,block);",             // data-* by the runtime
            // <text>{{a}}</text>, built inline by the view's builder
            "d1=D.c[0];n1=$el(d1,sc,n0);n2=new $BT(v,n1,d1.c[0].v,sc,block);n1.children=[n2];",
            "n3=$one(D.c[2],sc,block,n0);", // the wx:if, in its place
            "$sa(n4,\"label\",x);$ba(block,sc,c,n4,\"label\");",
            "n0.frag=[n1,new $TN(v,n0,\"hi\"),n3,n4];n0.children=$kids(n0.frag);",
            "if(n4.compInfo!==null)$comp(n4,d4,sc,block);",
        ] {
            assert!(js.contains(part), "{part} in {js}");
        }
        // An element under a wx:for (or wx:if, <block>, a template) has one of its own.
        let u = compile(
            "pages/a/a.wxml",
            "<view wx:for=\"{{l}}\"><text>{{item}}</text></view>",
            &|_| true,
        )
        .unwrap();
        assert_eq!(u.builder_count(), 1);
        assert!(u.js.contains("{k:2,") && u.js.contains("bi:0"), "{}", u.js);
    }

    #[test]
    fn a_builder_holds_a_bounded_number_of_nodes_per_function() {
        let src = format!("<view>{}</view>", "<text>{{a}}</text>".repeat(500));
        let u = compile("pages/a/a.wxml", &src, &|_| true).unwrap();
        let js = u.builder_js(0).unwrap();
        // Past NODES_PER_FUNCTION nodes, each element child is built by a function of its own.
        assert!(js.contains("(function(D,parent){"), "{js}");
        for f in js.split("function(").skip(2) {
            let locals = f.split(";").next().unwrap_or("").matches(",n").count();
            assert!(
                locals <= NODES_PER_FUNCTION + 1,
                "{locals} locals in {f:.200}"
            );
        }
    }

    #[test]
    fn bindings_keep_their_data_paths() {
        let js =
            unit("<view wx:for=\"{{list}}\" wx:key=\"id\">{{item.name}} {{list[0].x + n}}</view>")
                .unwrap();
        assert!(js.contains("lp:[\"list\"]"), "{js}");
        assert!(
            js.contains("p:[[0,\"name\"],[\"list\",\"0\",\"x\"],[\"n\"]]"),
            "{js}"
        );
    }
}
