//! What WeChat's own compiler tolerates and glass-easel's parser does not: attribute values
//! without quotes (`<image src=https://x/y.png?a=1&b=2>`). Such values are quoted before
//! parsing, and positions reported on the result are mapped back to the file's own.

use glass_easel_template_compiler::parse::Position;

/// The text to parse and the edits made to it: `(line, column in the edited text, chars
/// added)`, per line in column order (0-based, UTF-16 columns as the parser counts them).
pub struct Lenient {
    pub text: String,
    edits: Vec<(u32, u32, u32)>,
}

impl Lenient {
    /// The position in the original file of `p`, a position in the edited text.
    pub fn original(&self, p: Position) -> Position {
        let mut col = p.utf16_col;
        for &(line, at, added) in self.edits.iter().rev() {
            if line == p.line && p.utf16_col > at {
                col = col.saturating_sub(added);
            }
        }
        Position {
            line: p.line,
            utf16_col: col,
        }
    }
}

/// `source` with every unquoted attribute value quoted (`"` inside escaped as `&quot;`).
pub fn quote_attribute_values(source: &str) -> Lenient {
    let b = source.as_bytes();
    let mut out = String::with_capacity(source.len() + 16);
    let mut edits = Vec::new();
    let mut copied = 0; // bytes of `source` already in `out`
    let mut i = 0;
    // Byte-wise throughout: every stop is at an ASCII byte, so slices fall on char boundaries.
    let at = |k: usize, pat: &str| b[k.min(b.len())..].starts_with(pat.as_bytes());
    let skip_to = |from: usize, pat: &str| {
        let pat = pat.as_bytes();
        b[from.min(b.len())..]
            .windows(pat.len())
            .position(|w| w == pat)
            .map_or(b.len(), |k| from + k + pat.len())
    };
    while i < b.len() {
        if at(i, "<!--") {
            i = skip_to(i + 4, "-->");
        } else if at(i, "{{") {
            i = skip_to(i + 2, "}}");
        } else if b[i] == b'<' && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let name_end = i
                + 1
                + source[i + 1..]
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':')
                    })
                    .unwrap_or(source.len() - i - 1);
            let tag = &source[i + 1..name_end];
            i = name_end;
            // Attributes, up to the end of the start tag.
            loop {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'>' || at(i, "/>") {
                    break;
                }
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'=' | b'>')
                    && !at(i, "/>")
                {
                    i += 1;
                }
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j >= b.len() || b[j] != b'=' {
                    continue;
                }
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j >= b.len() {
                    i = j;
                    break;
                }
                if b[j] == b'"' || b[j] == b'\'' {
                    i = quoted_end(source, j);
                    continue;
                }
                // An unquoted value: up to whitespace or `>` (a final `/` before `>` closes the tag).
                let start = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                    if at(j, "{{") {
                        j = skip_to(j + 2, "}}");
                    } else {
                        j += 1;
                    }
                }
                let mut end = j.min(b.len());
                if end > start + 1 && b.get(end) == Some(&b'>') && b[end - 1] == b'/' {
                    end -= 1;
                }
                let value = &source[start..end];
                out.push_str(&source[copied..start]);
                let (line, col) = line_col(source, start);
                let escaped = value.replace('"', "&quot;");
                edits.push((line, col + shift_on(&edits, line), 1));
                out.push('"');
                out.push_str(&escaped);
                out.push('"');
                let grown = (escaped.encode_utf16().count() - value.encode_utf16().count()) as u32;
                let (eline, ecol) = line_col(source, end);
                edits.push((eline, ecol + shift_on(&edits, eline), 1 + grown));
                copied = end;
                i = end;
            }
            // <wxs> content is JavaScript: not markup.
            if tag == "wxs" && b.get(i) == Some(&b'>') {
                i = skip_to(i, "</wxs");
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&source[copied..]);
    Lenient { text: out, edits }
}

/// Where a quoted attribute value ends (past its closing quote); `{{ }}` inside may hold
/// either quote.
fn quoted_end(source: &str, open: usize) -> usize {
    let b = source.as_bytes();
    let q = b[open];
    let mut k = open + 1;
    while k < b.len() && b[k] != q {
        if b[k..].starts_with(b"{{") {
            k = b[k + 2..]
                .windows(2)
                .position(|w| w == b"}}")
                .map_or(b.len(), |x| k + 2 + x + 2);
        } else {
            k += 1;
        }
    }
    (k + 1).min(b.len())
}

/// Chars added on `line` so far (edits arrive in source order).
fn shift_on(edits: &[(u32, u32, u32)], line: u32) -> u32 {
    edits.iter().filter(|e| e.0 == line).map(|e| e.2).sum()
}

/// 0-based line and UTF-16 column of byte offset `at`.
fn line_col(source: &str, at: usize) -> (u32, u32) {
    let before = &source[..at];
    let line = before.matches('\n').count() as u32;
    let start = before.rfind('\n').map_or(0, |k| k + 1);
    (line, before[start..].encode_utf16().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_values_are_quoted_and_positions_map_back() {
        let l = quote_attribute_values(
            "<image mode=aspectFit src=https://x/y?a=1&b=2\" class=\"c {{ 'd' }}\"/>\n<v a=b/>",
        );
        assert_eq!(
            l.text,
            "<image mode=\"aspectFit\" src=\"https://x/y?a=1&b=2&quot;\" class=\"c {{ 'd' }}\"/>\n<v a=\"b\"/>"
        );
        // `class` starts at column 47 of the file, 56 of the edited text.
        let p = l.original(Position {
            line: 0,
            utf16_col: 56,
        });
        assert_eq!((p.line, p.utf16_col), (0, 47));
        let p = l.original(Position {
            line: 1,
            utf16_col: 8,
        });
        assert_eq!((p.line, p.utf16_col), (1, 6));
    }

    #[test]
    fn any_text_is_safe() {
        // Multi-byte text everywhere a scan stops or steps: no panic, nothing lost.
        for src in [
            "<view a=\"中{{ '文' }}\" b=中文 c='中'>中文</view>",
            "<v a=中",
            "<v a=\"{{中",
            "<v a='",
            "<中 a=b>",
            "<v a={{'}}'}} b=\u{1F600}/>",
        ] {
            let l = quote_attribute_values(src);
            assert!(
                l.text.replace("&quot;", "\"").replace('"', "").len() >= src.replace('"', "").len(),
                "{src}"
            );
        }
    }

    #[test]
    fn text_comments_bindings_and_wxs_are_left_alone() {
        let src =
            "<!-- <a b=c> --><view>x=y {{a<b}}</view><wxs module=\"m\">var a = b<c && d>e;</wxs>";
        assert_eq!(quote_attribute_values(src).text, src);
    }
}
