//! User input as it appears in a one-line message. A leaf: every module that
//! names a value the user gave may use it without pulling in anything else.

use std::path::Path;

/// Control characters (a stray newline in a task definition's environment,
/// say) are escaped, so a message stays one line.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A path the user named, as [`printable`] text.
pub fn printable_path(path: &Path) -> String {
    printable(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(printable_path(Path::new("/tmp/x\ty")), "/tmp/x\\ty");
    }
}
