//! Sandboxed access to the files of one bundle: every path is bundle-relative, and nothing
//! outside the bundle root (by `..` or by a symlink) can be read.

use std::fs;
use std::path::{Path, PathBuf};

use super::BundleError;

/// What is at a bundle-relative path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File,
    Dir,
}

#[derive(Debug, Clone)]
pub struct BundleFiles {
    root: PathBuf,
}

/// Normalises a bundle-relative path (`a/./b/../c.js` -> `a/c.js`, leading `/` allowed).
/// Returns `None` when the path climbs above the bundle root.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl BundleFiles {
    /// `root` must exist; it is canonicalised once so symlink checks are cheap later.
    pub fn open(root: &Path) -> Result<Self, BundleError> {
        let root = fs::canonicalize(root).map_err(|e| BundleError::Io {
            path: root.display().to_string(),
            reason: io_reason(&e),
        })?;
        if !root.is_dir() {
            return Err(BundleError::NotADirectory(root.display().to_string()));
        }
        Ok(BundleFiles { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn checked(&self, rel: &str) -> Result<(String, PathBuf), BundleError> {
        let norm = normalize(rel).ok_or_else(|| BundleError::OutsideBundle(rel.to_string()))?;
        let full = self.root.join(&norm);
        Ok((norm, full))
    }

    pub fn entry(&self, rel: &str) -> Entry {
        let Ok((_, full)) = self.checked(rel) else {
            return Entry::Missing;
        };
        match fs::metadata(full) {
            Ok(m) if m.is_file() => Entry::File,
            Ok(m) if m.is_dir() => Entry::Dir,
            _ => Entry::Missing,
        }
    }

    /// Reads a file as UTF-8 text (a leading BOM is dropped, as the developer tool does).
    pub fn read_text(&self, rel: &str) -> Result<String, BundleError> {
        let (norm, bytes) = self.read_checked(rel)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            // Where the first bad byte is, as an editor counts: lines from 1, characters from 1.
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or_default();
            let line_start = good.rfind('\n').map_or(0, |i| i + 1);
            BundleError::NotUtf8 {
                path: norm.clone(),
                line: good.matches('\n').count() + 1,
                column: good[line_start..].chars().count() + 1,
            }
        })?;
        Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        })
    }

    /// Reads a file's bytes (an image, for `ftrun render --html`).
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, BundleError> {
        self.read_checked(rel).map(|(_, bytes)| bytes)
    }

    /// The normalised path and bytes of a file inside the bundle.
    fn read_checked(&self, rel: &str) -> Result<(String, Vec<u8>), BundleError> {
        let (norm, full) = self.checked(rel)?;
        let io_err = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::NotFound {
                BundleError::Missing(norm.clone())
            } else {
                BundleError::Io {
                    path: norm.clone(),
                    reason: io_reason(&e),
                }
            }
        };
        // A symlink inside the bundle must not lead out of it.
        if fs::symlink_metadata(&full)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
            || has_symlink_parent(&self.root, &norm)
        {
            let real = fs::canonicalize(&full).map_err(io_err)?;
            if !real.starts_with(&self.root) {
                return Err(BundleError::OutsideBundle(rel.to_string()));
            }
        }
        let bytes = fs::read(&full).map_err(io_err)?;
        Ok((norm, bytes))
    }
}

fn has_symlink_parent(root: &Path, norm: &str) -> bool {
    let mut cur = root.to_path_buf();
    let mut parts = norm.split('/').peekable();
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            break;
        }
        cur.push(p);
        if fs::symlink_metadata(&cur)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
        {
            return true;
        }
    }
    false
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_and_refuses_escapes() {
        assert_eq!(normalize("/a/./b/../c.js").as_deref(), Some("a/c.js"));
        assert_eq!(normalize("a//b").as_deref(), Some("a/b"));
        assert_eq!(normalize("../x"), None);
        assert_eq!(normalize("a/../../etc/x"), None);
    }
}
