//! WXSS as style rules, for computed styles (miniprogram-simulate's `getComputedStyle`):
//! parsed with cssparser (Servo's tokenizer), `@import`s inlined, nested rules flattened
//! (`.a { .b {} }` is `.a .b`), `rpx` converted for a 375 px wide screen. Selectors come out as
//! steps `{ tag, id, classes, attrs, comb }` (what `js/view/query.js` matches), with their
//! specificity; a selector ftrun cannot match on a static tree (pseudo-classes, `+`, `~`) is
//! left out.

use cssparser::{Parser, ParserInput, Token};
use serde_json::{Value, json};

/// Pixels per rpx: the screen is 750 rpx wide, and 375 px (`--device` aside).
const PX_PER_RPX: f64 = 375.0 / 750.0;

#[derive(Debug, Clone, Default, PartialEq)]
struct Step {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
    comb: Option<&'static str>,
}

/// A rule: selectors (each with its specificity) and declarations in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    selectors: Vec<(Vec<Step>, [u32; 3])>,
    declarations: Vec<(String, String, bool)>,
}

/// The rules of `source` (a file named `path`); `read` gives an imported file's text.
pub fn rules(path: &str, source: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Rule> {
    let mut out = Vec::new();
    let mut seen = vec![path.to_string()];
    sheet(path, source, read, &mut seen, &mut out);
    out
}

/// The rules as JS-ready data: `[{ selectors: [{ steps, specificity }], declarations:
/// [[name, value, important]] }]`.
pub fn to_json(rules: &[Rule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                json!({
                    "selectors": r.selectors.iter().map(|(steps, spec)| json!({
                        "steps": steps.iter().map(|s| json!({
                            "tag": s.tag, "id": s.id, "classes": s.classes,
                            "attrs": s.attrs.iter().map(|(n, v)| json!({ "name": n, "op": v.as_ref().map(|_| "="), "value": v })).collect::<Vec<_>>(),
                            "comb": s.comb,
                        })).collect::<Vec<_>>(),
                        "specificity": spec,
                    })).collect::<Vec<_>>(),
                    "declarations": r.declarations.iter().map(|(n, v, i)| json!([n, v, i])).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn sheet(
    path: &str,
    source: &str,
    read: &dyn Fn(&str) -> Option<String>,
    seen: &mut Vec<String>,
    out: &mut Vec<Rule>,
) {
    let mut input = ParserInput::new(source);
    let mut p = Parser::new(&mut input);
    while !p.is_exhausted() {
        let start = p.state();
        match p.next() {
            Ok(Token::AtKeyword(name)) => {
                let name = name.to_ascii_lowercase();
                if name == "import" {
                    let target = match p.next() {
                        Ok(Token::QuotedString(s)) | Ok(Token::UnquotedUrl(s)) => {
                            Some(s.to_string())
                        }
                        _ => None,
                    };
                    skip_to_semicolon(&mut p);
                    if let Some(t) = target {
                        import(path, &t, read, seen, out);
                    }
                } else {
                    // @media, @keyframes, @font-face...: not part of a static computed style.
                    skip_at_rule(&mut p);
                }
            }
            Ok(_) => {
                p.reset(&start);
                qualified_rule(&mut p, &[], out);
            }
            Err(_) => break,
        }
    }
}

fn import(
    from: &str,
    target: &str,
    read: &dyn Fn(&str) -> Option<String>,
    seen: &mut Vec<String>,
    out: &mut Vec<Rule>,
) {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None if dir.is_empty() => target.to_string(),
        None => format!("{dir}/{target}"),
    };
    let Some(mut file) = crate::bundle::normalize(&joined) else {
        return;
    };
    if !file.ends_with(".wxss") && !file.ends_with(".css") {
        file.push_str(".wxss");
    }
    if seen.contains(&file) {
        return;
    }
    seen.push(file.clone());
    if let Some(text) = read(&file) {
        sheet(&file, &text, read, seen, out);
    }
}

fn skip_to_semicolon(p: &mut Parser) {
    while let Ok(t) = p.next() {
        if matches!(t, Token::Semicolon) {
            break;
        }
    }
}

fn skip_at_rule(p: &mut Parser) {
    while let Ok(t) = p.next() {
        match t {
            Token::Semicolon | Token::CurlyBracketBlock => break,
            _ => {}
        }
    }
}

/// A rule at `p` (its selectors, then its block), nested in `parents` (their selectors).
fn qualified_rule(p: &mut Parser, parents: &[(Vec<Step>, [u32; 3])], out: &mut Vec<Rule>) {
    let mut prelude: Vec<Token> = Vec::new();
    loop {
        match p.next_including_whitespace() {
            Ok(Token::CurlyBracketBlock) => break,
            Ok(t) => prelude.push(t.clone()),
            Err(_) => return,
        }
    }
    let own = selectors(&prelude);
    let list: Vec<(Vec<Step>, [u32; 3])> = if parents.is_empty() {
        own
    } else {
        parents
            .iter()
            .flat_map(|(ps, pspec)| {
                own.iter().map(move |(steps, spec)| {
                    let mut all = ps.clone();
                    let mut first = steps.clone();
                    if let Some(s) = first.first_mut() {
                        s.comb = Some(" ");
                    }
                    all.extend(first);
                    (
                        all,
                        [pspec[0] + spec[0], pspec[1] + spec[1], pspec[2] + spec[2]],
                    )
                })
            })
            .collect()
    };
    let mut declarations = Vec::new();
    let mut nested: Vec<Rule> = Vec::new();
    let _ = p.parse_nested_block(|b| -> Result<(), cssparser::ParseError<'_, ()>> {
        block(b, &list, &mut declarations, &mut nested);
        Ok(())
    });
    if !list.is_empty() && !declarations.is_empty() {
        out.push(Rule {
            selectors: list,
            declarations,
        });
    }
    out.extend(nested);
}

/// Declarations (`name: value [!important];`) and nested rules of a block.
fn block(
    p: &mut Parser,
    parents: &[(Vec<Step>, [u32; 3])],
    declarations: &mut Vec<(String, String, bool)>,
    nested: &mut Vec<Rule>,
) {
    while !p.is_exhausted() {
        let start = p.state();
        // A declaration ends at `;`, a nested rule's prelude at `{`.
        let mut is_rule = false;
        loop {
            match p.next() {
                Ok(Token::Semicolon) | Err(_) => break,
                Ok(Token::CurlyBracketBlock) => {
                    is_rule = true;
                    break;
                }
                Ok(_) => {}
            }
        }
        let end = p.state();
        p.reset(&start);
        if is_rule {
            qualified_rule(p, parents, nested);
            continue;
        }
        let name = match p.next() {
            Ok(Token::Ident(n)) => n.to_ascii_lowercase(),
            _ => {
                p.reset(&end);
                continue;
            }
        };
        if !matches!(p.next(), Ok(Token::Colon)) {
            p.reset(&end);
            continue;
        }
        let from = p.position();
        let mut important = false;
        let mut value_end = from;
        loop {
            let before = p.position();
            match p.next() {
                Ok(Token::Semicolon) | Err(_) => break,
                Ok(Token::Delim('!')) => {
                    if matches!(p.next(), Ok(Token::Ident(i)) if i.eq_ignore_ascii_case("important"))
                    {
                        important = true;
                    }
                    let _ = before;
                }
                Ok(t) => {
                    // A function or bracket's contents are consumed here, so the value ends
                    // after its closing bracket.
                    if matches!(
                        t,
                        Token::Function(_)
                            | Token::ParenthesisBlock
                            | Token::SquareBracketBlock
                            | Token::CurlyBracketBlock
                    ) {
                        let _ = p.parse_nested_block(
                            |b| -> Result<(), cssparser::ParseError<'_, ()>> {
                                while b.next().is_ok() {}
                                Ok(())
                            },
                        );
                    }
                    if !important {
                        value_end = p.position();
                    }
                }
            }
        }
        let raw = value_slice(p, from, value_end);
        declarations.push((name, rpx_to_px(raw.trim()), important));
        p.reset(&end);
    }
}

fn value_slice<'i>(
    p: &Parser<'i, '_>,
    from: cssparser::SourcePosition,
    to: cssparser::SourcePosition,
) -> String {
    let all = p.slice_from(from);
    let len = to
        .byte_index()
        .saturating_sub(from.byte_index())
        .min(all.len());
    all.get(..len).unwrap_or(all).to_string()
}

/// Selectors of a prelude; a selector with what a static tree cannot match is left out.
fn selectors(tokens: &[Token]) -> Vec<(Vec<Step>, [u32; 3])> {
    let mut out = Vec::new();
    for group in tokens.split(|t| matches!(t, Token::Comma)) {
        if let Some(s) = selector(group) {
            out.push(s);
        }
    }
    out
}

fn selector(tokens: &[Token]) -> Option<(Vec<Step>, [u32; 3])> {
    let mut steps: Vec<Step> = Vec::new();
    let mut cur: Option<Step> = None;
    let mut comb: Option<&'static str> = None;
    let mut spec = [0u32; 3];
    let mut i = 0;
    let start_step = |comb: &mut Option<&'static str>, steps: &Vec<Step>| Step {
        comb: if steps.is_empty() {
            None
        } else {
            Some(comb.take().unwrap_or(" "))
        },
        ..Step::default()
    };
    while i < tokens.len() {
        match &tokens[i] {
            Token::WhiteSpace(_) => {
                if let Some(s) = cur.take() {
                    steps.push(s);
                    comb.get_or_insert(" ");
                }
            }
            Token::Delim('>') => {
                if let Some(s) = cur.take() {
                    steps.push(s);
                }
                comb = Some(">");
            }
            Token::Delim('+') | Token::Delim('~') | Token::Colon => return None,
            Token::Delim('*') => {
                cur.get_or_insert_with(|| start_step(&mut comb, &steps));
            }
            Token::Delim('&') => {}
            Token::Ident(name) => {
                let s = cur.get_or_insert_with(|| start_step(&mut comb, &steps));
                s.tag = Some(name.to_ascii_lowercase());
                spec[2] += 1;
            }
            Token::IDHash(id) | Token::Hash(id) => {
                let s = cur.get_or_insert_with(|| start_step(&mut comb, &steps));
                s.id = Some(id.to_string());
                spec[0] += 1;
            }
            Token::Delim('.') => {
                let Some(Token::Ident(name)) = tokens.get(i + 1) else {
                    return None;
                };
                let s = cur.get_or_insert_with(|| start_step(&mut comb, &steps));
                s.classes.push(name.to_string());
                spec[1] += 1;
                i += 1;
            }
            Token::SquareBracketBlock => return None,
            _ => return None,
        }
        i += 1;
    }
    if let Some(s) = cur.take() {
        steps.push(s);
    }
    if steps.is_empty() {
        return None;
    }
    Some((steps, spec))
}

/// `20rpx` → `10px` (numbers elsewhere untouched).
pub fn rpx_to_px(value: &str) -> String {
    convert_rpx(value, |rpx| {
        format!("{}px", format_number(rpx * PX_PER_RPX))
    })
}

/// `75rpx` → `10vw`, as WeChat's stylesheet compiler writes it: right for any screen width.
pub fn rpx_to_vw(value: &str) -> String {
    convert_rpx(value, |rpx| format!("{}vw", format_number(rpx / 7.5)))
}

fn convert_rpx(value: &str, convert: impl Fn(f64) -> String) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        let next_digit = value[i + c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit());
        let starts_number = c.is_ascii_digit() || (c == '.' && next_digit);
        // Not inside a word, a hex colour or an identifier (`h1`, `#123`, `a-2`); a `-` after
        // a space or `(` is a sign (`-20rpx`, `calc(-2rpx)`).
        let word_char = |p: char| p.is_ascii_alphanumeric() || p == '#' || p == '_';
        let before_sign = value[..i].trim_end_matches('-').chars().next_back();
        let in_word = prev.is_some_and(word_char)
            || (prev == Some('-') && before_sign.is_some_and(|p| word_char(p) || p == '-'));
        if !starts_number || in_word {
            out.push(c);
            prev = Some(c);
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if d.is_ascii_digit() || d == '.' {
                end = j + 1;
                chars.next();
            } else {
                break;
            }
        }
        let number = &value[i..end];
        if value[end..].starts_with("rpx") {
            out.push_str(&convert(number.parse::<f64>().unwrap_or(0.0)));
            for _ in 0..3 {
                chars.next();
            }
            prev = Some('x');
        } else {
            out.push_str(number);
            prev = number.chars().last();
        }
    }
    out
}

fn format_number(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpx_converts_signed_values_but_not_words() {
        assert_eq!(rpx_to_px("margin: -20rpx 10rpx"), "margin: -10px 5px");
        assert_eq!(rpx_to_vw("calc(100% - 75rpx)"), "calc(100% - 10vw)");
        assert_eq!(rpx_to_vw("width:-75rpx"), "width:-10vw");
        assert_eq!(rpx_to_px("a-2rpx h1 #123"), "a-2rpx h1 #123");
    }

    fn sheet(src: &str) -> Vec<Rule> {
        rules("a/a.wxss", src, &|p| {
            (p == "a/base.wxss").then(|| ".base { color: red }".to_string())
        })
    }

    #[test]
    fn rules_with_specificity_rpx_important_nesting_and_imports() {
        let r = sheet(
            "@import './base.wxss';\n.index, #x view > .y { color: rgb(1, 2, 3); width: 100rpx !important; }\n.p { .q { margin: 0 20rpx } }\na:hover { color: blue }\n@media (min-width: 1px) { .m { color: red } }",
        );
        let json = to_json(&r).to_string();
        assert_eq!(r.len(), 3, "{json}");
        assert!(
            json.contains(r#""declarations":[["color","red",false]]"#),
            "{json}"
        );
        assert!(json.contains(r#"["width","50px",true]"#), "{json}");
        assert!(json.contains(r#"["color","rgb(1, 2, 3)",false]"#), "{json}");
        assert!(json.contains(r#""specificity":[1,1,1]"#), "{json}");
        assert!(json.contains(r#"["margin","0 10px",false]"#), "{json}");
        assert!(
            json.contains(r#""classes":["q"],"attrs":[],"comb":" ""#),
            "{json}"
        );
        assert!(
            !json.contains("blue"),
            "pseudo-classes are left out: {json}"
        );
    }

    #[test]
    fn rpx_only_where_it_is_a_unit() {
        assert_eq!(
            rpx_to_px("1rpx solid #123 calc(100% - 30rpx) .5rpx 中文"),
            "0.5px solid #123 calc(100% - 15px) 0.25px 中文"
        );
    }
}
