//! Where `console.*`, error reports and warnings go: the process's stdout/stderr, or a
//! capture (for the test runner).

use std::cell::RefCell;
use std::io::{BufWriter, Stdout, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

pub trait OutputSink {
    fn line(&self, stream: Stream, text: &str);
    fn flush(&self) {}
}

/// One line on stderr. Unlike `errln!`, it does not panic when stderr is a pipe whose
/// reader has gone (`ftrun run app 2>&1 | head -1`): the line is dropped.
pub fn stderr_line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
}

/// stdout is buffered (flushed when the loop waits and at exit); stderr is written at once,
/// after flushing stdout, so a terminal shows lines in the order they were printed.
pub struct ProcessOutput {
    out: RefCell<BufWriter<Stdout>>,
}

impl Default for ProcessOutput {
    fn default() -> Self {
        ProcessOutput {
            out: RefCell::new(BufWriter::with_capacity(16 * 1024, std::io::stdout())),
        }
    }
}

impl OutputSink for ProcessOutput {
    fn line(&self, stream: Stream, text: &str) {
        let mut out = self.out.borrow_mut();
        match stream {
            Stream::Out => {
                let _ = out.write_all(text.as_bytes());
                let _ = out.write_all(b"\n");
            }
            Stream::Err => {
                let _ = out.flush();
                stderr_line(text);
            }
        }
    }

    fn flush(&self) {
        let _ = self.out.borrow_mut().flush();
    }
}

impl Drop for ProcessOutput {
    fn drop(&mut self) {
        let _ = self.out.get_mut().flush();
    }
}

/// Keeps every line, in order, for callers that show output later.
#[derive(Default)]
pub struct CapturedOutput {
    pub lines: RefCell<Vec<(Stream, String)>>,
}

impl OutputSink for CapturedOutput {
    fn line(&self, stream: Stream, text: &str) {
        self.lines.borrow_mut().push((stream, text.to_string()));
    }
}
