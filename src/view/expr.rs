//! `{{ }}` expressions (already parsed by WeChat's own grammar, glass-easel's template
//! compiler) as JavaScript, plus the data paths each one reads.
//!
//! The generated code is a body over `d` (the data in scope: a page's, a component's, or a
//! template's `data`), `s` (the scopes: the file's WXS modules first, then `item`/`index` of
//! each enclosing `wx:for`, as the parser numbers them), the runtime helpers of
//! `js/view/render.js` as the unit's locals (`$t`, `$m`, `$c`, `$cm`, `$a`, `$u`: see
//! codegen.rs) and `t`, a temporary the function declares. Semantics follow WeChat: reading a member of null/undefined gives
//! undefined, and only functions from WXS modules can be called (`{{s.toUpperCase()}}` is
//! undefined on a phone too).

use glass_easel_template_compiler::parse::expr::{ArrayFieldKind, Expression, ObjectFieldKind};

/// Where a data path starts: a data field, or a scope (`wx:for` item/index) by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    Field(String),
    Scope(usize),
}

/// A data path an expression reads, e.g. `list.3.name` or `(scope 2).name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPath {
    pub head: Head,
    pub segments: Vec<String>,
}

/// An expression compiled: JS source and the data paths it depends on.
pub struct Compiled {
    pub js: String,
    pub deps: Vec<DataPath>,
}

/// Compiles `e`; scopes below `wxs_count` are WXS modules (constant, so never dependencies).
pub fn compile(e: &Expression, wxs_count: usize) -> Compiled {
    let mut js = String::new();
    write_expr(e, &mut js);
    let mut deps = Vec::new();
    collect_deps(e, wxs_count, &mut deps);
    Compiled { js, deps }
}

/// The static data path `e` denotes, if it is one (`a`, `a.b`, `a[0]`, `item.x`).
pub fn static_path(e: &Expression) -> Option<DataPath> {
    match e {
        Expression::DataField { name, .. } => Some(DataPath {
            head: Head::Field(name.to_string()),
            segments: vec![],
        }),
        Expression::ScopeRef { index, .. } => Some(DataPath {
            head: Head::Scope(*index),
            segments: vec![],
        }),
        Expression::StaticMember {
            obj, field_name, ..
        } => {
            let mut p = static_path(obj)?;
            p.segments.push(field_name.to_string());
            Some(p)
        }
        Expression::DynamicMember {
            obj, field_name, ..
        } => {
            let key = match field_name.as_ref() {
                Expression::LitStr { value, .. } => value.to_string(),
                Expression::LitInt { value, .. } => value.to_string(),
                _ => return None,
            };
            let mut p = static_path(obj)?;
            p.segments.push(key);
            Some(p)
        }
        _ => None,
    }
}

fn collect_deps(e: &Expression, wxs_count: usize, out: &mut Vec<DataPath>) {
    if let Some(p) = static_path(e) {
        if !matches!(p.head, Head::Scope(i) if i < wxs_count) && !out.contains(&p) {
            out.push(p);
        }
        return;
    }
    let mut sub = |x: &Expression| collect_deps(x, wxs_count, out);
    match e {
        Expression::ScopeRef { .. } | Expression::DataField { .. } => {}
        Expression::LitUndefined { .. }
        | Expression::LitNull { .. }
        | Expression::LitStr { .. }
        | Expression::LitInt { .. }
        | Expression::LitFloat { .. }
        | Expression::LitBool { .. } => {}
        Expression::ToStringWithoutUndefined { value, .. }
        | Expression::Reverse { value, .. }
        | Expression::BitReverse { value, .. }
        | Expression::Positive { value, .. }
        | Expression::Negative { value, .. }
        | Expression::TypeOf { value, .. }
        | Expression::Void { value, .. } => sub(value),
        Expression::LitObj { fields, .. } => {
            for f in fields {
                match f {
                    ObjectFieldKind::Named { value, .. }
                    | ObjectFieldKind::Spread { value, .. } => sub(value),
                }
            }
        }
        Expression::LitArr { fields, .. } => {
            for f in fields {
                match f {
                    ArrayFieldKind::Normal { value } | ArrayFieldKind::Spread { value, .. } => {
                        sub(value)
                    }
                    ArrayFieldKind::EmptySlot => {}
                }
            }
        }
        Expression::StaticMember { obj, .. } => sub(obj),
        Expression::DynamicMember {
            obj, field_name, ..
        } => {
            sub(obj);
            sub(field_name);
        }
        Expression::FuncCall { func, args, .. } => {
            sub(func);
            for a in args {
                sub(a);
            }
        }
        Expression::Cond {
            cond,
            true_br,
            false_br,
            ..
        } => {
            sub(cond);
            sub(true_br);
            sub(false_br);
        }
        other => {
            if let Some((l, r)) = binary(other) {
                sub(l);
                sub(r);
            }
        }
    }
}

/// The operator and operands of a binary expression.
fn binary(e: &Expression) -> Option<(&Expression, &Expression)> {
    binary_op(e).map(|(_, l, r)| (l, r))
}

fn binary_op(e: &Expression) -> Option<(&'static str, &Expression, &Expression)> {
    use Expression as E;
    let (op, l, r) = match e {
        E::Multiply { left, right, .. } => ("*", left, right),
        E::Divide { left, right, .. } => ("/", left, right),
        E::Remainer { left, right, .. } => ("%", left, right),
        E::Plus { left, right, .. } => ("+", left, right),
        E::Minus { left, right, .. } => ("-", left, right),
        E::LeftShift { left, right, .. } => ("<<", left, right),
        E::RightShift { left, right, .. } => (">>", left, right),
        E::UnsignedRightShift { left, right, .. } => (">>>", left, right),
        E::Lt { left, right, .. } => ("<", left, right),
        E::Gt { left, right, .. } => (">", left, right),
        E::Lte { left, right, .. } => ("<=", left, right),
        E::Gte { left, right, .. } => (">=", left, right),
        E::InstanceOf { left, right, .. } => ("instanceof", left, right),
        E::Eq { left, right, .. } => ("==", left, right),
        E::Ne { left, right, .. } => ("!=", left, right),
        E::EqFull { left, right, .. } => ("===", left, right),
        E::NeFull { left, right, .. } => ("!==", left, right),
        E::BitAnd { left, right, .. } => ("&", left, right),
        E::BitXor { left, right, .. } => ("^", left, right),
        E::BitOr { left, right, .. } => ("|", left, right),
        E::LogicAnd { left, right, .. } => ("&&", left, right),
        E::LogicOr { left, right, .. } => ("||", left, right),
        E::NullishCoalescing { left, right, .. } => ("??", left, right),
        _ => return None,
    };
    Some((op, l.as_ref(), r.as_ref()))
}

/// A JS string literal (JSON's escaping is valid JS).
pub fn js_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn write_expr(e: &Expression, out: &mut String) {
    use Expression as E;
    match e {
        E::ScopeRef { index, .. } => out.push_str(&format!("s[{index}]")),
        E::DataField { name, .. } => {
            out.push_str("d[");
            out.push_str(&js_string(name));
            out.push(']');
        }
        E::ToStringWithoutUndefined { value, .. } => wrap(out, "$t(", value, ")"),
        E::LitUndefined { .. } => out.push_str("undefined"),
        E::LitNull { .. } => out.push_str("null"),
        E::LitStr { value, .. } => out.push_str(&js_string(value)),
        E::LitInt { value, .. } => out.push_str(&format!("({value})")),
        E::LitFloat { value, .. } => {
            if value.is_finite() {
                out.push_str(&format!("({value:?})"));
            } else {
                out.push_str("Infinity");
            }
        }
        E::LitBool { value, .. } => out.push_str(if *value { "true" } else { "false" }),
        E::LitObj { fields, .. } => {
            out.push('{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match f {
                    ObjectFieldKind::Named { name, value, .. } => {
                        out.push_str(&js_string(name));
                        out.push(':');
                        write_expr(value, out);
                    }
                    ObjectFieldKind::Spread { value, .. } => wrap(out, "...", value, ""),
                }
            }
            out.push('}');
        }
        E::LitArr { fields, .. } => {
            out.push('[');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match f {
                    ArrayFieldKind::Normal { value } => write_expr(value, out),
                    ArrayFieldKind::Spread { value, .. } => wrap(out, "...$a(", value, ")"),
                    ArrayFieldKind::EmptySlot => {}
                }
            }
            // A trailing hole needs its own comma, as in JS.
            if matches!(fields.last(), Some(ArrayFieldKind::EmptySlot)) {
                out.push(',');
            }
            out.push(']');
        }
        // Inline (no call of `$m`): the temporary `t` is used only between its assignment
        // and the read of the field, so nested accesses can share it.
        E::StaticMember {
            obj, field_name, ..
        } => {
            wrap(out, "((t=", obj, ")==null?undefined:t[");
            out.push_str(&js_string(field_name));
            out.push_str("])");
        }
        E::DynamicMember {
            obj, field_name, ..
        } => {
            wrap(out, "$m(", obj, ",");
            write_expr(field_name, out);
            out.push(')');
        }
        E::FuncCall { func, args, .. } => {
            // A member call passes its object as `this` (WXS modules' own functions may use it).
            match func.as_ref() {
                E::StaticMember {
                    obj, field_name, ..
                } => {
                    wrap(out, "$cm(", obj, ",");
                    out.push_str(&js_string(field_name));
                }
                E::DynamicMember {
                    obj, field_name, ..
                } => {
                    wrap(out, "$cm(", obj, ",");
                    write_expr(field_name, out);
                }
                other => {
                    wrap(out, "$c(", other, "");
                }
            }
            out.push_str(",[");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_expr(a, out);
            }
            out.push_str("])");
        }
        E::Reverse { value, .. } => wrap(out, "(!", value, ")"),
        E::BitReverse { value, .. } => wrap(out, "(~", value, ")"),
        E::Positive { value, .. } => wrap(out, "(+", value, ")"),
        E::Negative { value, .. } => wrap(out, "(-", value, ")"),
        E::TypeOf { value, .. } => wrap(out, "(typeof ", value, ")"),
        E::Void { value, .. } => wrap(out, "(void ", value, ")"),
        E::Cond {
            cond,
            true_br,
            false_br,
            ..
        } => {
            wrap(out, "(", cond, "?");
            write_expr(true_br, out);
            out.push(':');
            write_expr(false_br, out);
            out.push(')');
        }
        other => match binary_op(other) {
            Some((op, l, r)) => {
                wrap(out, "(", l, &format!(" {op} "));
                write_expr(r, out);
                out.push(')');
            }
            // The parser's enum is non-exhaustive: a form added later is a compile error.
            None => out.push_str("$u()"),
        },
    }
}

fn wrap(out: &mut String, before: &str, e: &Expression, after: &str) {
    out.push_str(before);
    write_expr(e, out);
    out.push_str(after);
}
