//! Logs on stderr (`-v`), with secrets kept out of them.

/// `-v` info, `-vv` debug, `-vvv` trace, on stderr.
pub fn init(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(|| RedactedLine(Vec::new()))
        .with_target(false)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .try_init();
}

/// One log line on its way to stderr, with every URL userinfo (`user:password@`) replaced by
/// `***@`: libraries log URLs and pool keys (hyper logs `("http", user:pw@host)`), and a
/// password must never reach a log. The line is written once, when the formatter drops it.
struct RedactedLine(Vec<u8>);

impl std::io::Write for RedactedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactedLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let text = redact_userinfo(text.trim_end_matches('\n'));
        errln!("{text}");
    }
}

/// Replaces what precedes each `@` back to a delimiter (the userinfo of `scheme://u:p@host`
/// or of a bare `u:p@host`) with `***`.
fn redact_userinfo(line: &str) -> String {
    let delimiter = |c: char| c.is_whitespace() || "()\"'/,=<>[]{}".contains(c);
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('@') {
        let (before, after) = rest.split_at(at);
        let start = before.rfind(delimiter).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
        out.push_str(&before[..start]);
        if start < before.len() && after[1..].starts_with(|c: char| c.is_alphanumeric() || c == '[')
        {
            out.push_str("***");
        } else {
            out.push_str(&before[start..]);
        }
        out.push('@');
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_userinfo;

    #[test]
    fn userinfo_is_redacted_wherever_it_appears() {
        assert_eq!(
            redact_userinfo(r#"checkout for ("http", user:s3cret@127.0.0.1:80)"#),
            r#"checkout for ("http", ***@127.0.0.1:80)"#
        );
        assert_eq!(
            redact_userinfo("GET https://u:p%40x@host.example/a?b=1 and http://v@h/"),
            "GET https://***@host.example/a?b=1 and http://***@h/"
        );
        assert_eq!(redact_userinfo("no at sign here"), "no at sign here");
        assert_eq!(redact_userinfo("trailing @ alone"), "trailing @ alone");
        assert_eq!(redact_userinfo("中文:密码@主机"), "***@主机");
    }
}
