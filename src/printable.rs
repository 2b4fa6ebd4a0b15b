//! Text as it may be shown. A leaf: every module that names a value the
//! user gave, or text that came from outside, may use it without pulling in
//! anything else.
//!
//! [`Untrusted`] holds text the tool did not write: what the network sent
//! (certificate subjects, issuers and names, error messages built from a
//! server's answer), what the metadata endpoint, the environment or a
//! pasted stopped reason hold. Its `Display` escapes what could act on a
//! terminal or make a line lie about what it says, so a renderer that
//! writes it with `{}` cannot print it raw; [`Untrusted::raw`] is there
//! for comparing and parsing, never for output.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::Path;

use serde::{Serialize, Serializer};

/// Whether `c` is escaped when shown: control characters (C0, DEL and the
/// C1 controls U+0080 to U+009F, which some terminals read as ESC
/// sequences: U+009B is a CSI) and the bidirectional formatting
/// characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
/// U+2069). The latter act on no terminal state, but they reorder what a
/// line displays ("Trojan Source"), so a name could read as another; no
/// hostname, certificate name or AWS error needs them.
pub fn hazardous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Writes `s` with each [`hazardous`] character escaped as Rust writes it
/// (`\n`, `\t`, `\u{1b}`, `\u{202e}`); everything else as it is.
fn write_escaped(s: &str, f: &mut impl fmt::Write) -> fmt::Result {
    let mut rest = s;
    while let Some(at) = rest.find(hazardous) {
        f.write_str(&rest[..at])?;
        let c = rest[at..].chars().next().unwrap_or_default();
        for e in c.escape_default() {
            f.write_char(e)?;
        }
        rest = &rest[at + c.len_utf8()..];
    }
    f.write_str(rest)
}

/// Control characters (a stray newline in a task definition's environment,
/// say) and bidirectional overrides are escaped, so a message stays one
/// line and reads as what it holds.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = write_escaped(s, &mut out);
    out
}

/// A document in a language whose strings take `\uXXXX` escapes and whose
/// writer already escapes the C0 controls in them (JSON by serde, HCL by
/// hcl-rs), with every [`hazardous`] character the writer left raw (DEL
/// and up) written as `\uXXXX`. Such a writer puts only ASCII outside
/// strings, so each of these is inside a string, where the escape means
/// the same; all of them are in the Basic Multilingual Plane.
pub fn escape_in_document(doc: &str) -> Cow<'_, str> {
    let raw = |c: char| c >= '\u{7f}' && hazardous(c);
    if !doc.contains(raw) {
        return Cow::Borrowed(doc);
    }
    let mut out = String::with_capacity(doc.len() + 16);
    for c in doc.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path the user named, as [`printable`] text.
pub fn printable_path(path: &Path) -> String {
    printable(&path.display().to_string())
}

/// Text from outside the tool: shown escaped ([`printable`]), compared and
/// parsed through [`Self::raw`].
///
/// It serializes as the raw string: a JSON consumer gets the bytes the
/// server or the text held (a subject compared with another tool's, say),
/// and JSON's own escaping keeps them inert (`\u001b`; the JSON renderer
/// escapes DEL, the C1 controls and the bidirectional characters too).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Untrusted(String);

impl Untrusted {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as it came, for comparing and parsing. Not for output:
    /// show it with `{}`.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// Whether showing it changes it (it holds a [`hazardous`] character).
    pub fn is_hazardous(&self) -> bool {
        self.0.contains(hazardous)
    }

    /// The items shown escaped, joined by `sep`.
    pub fn join<'a>(items: impl IntoIterator<Item = &'a Self>, sep: &str) -> String {
        items
            .into_iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(sep)
    }
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(&self.0, f)
    }
}

impl fmt::Debug for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Untrusted(\"{self}\")")
    }
}

impl Serialize for Untrusted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Untrusted {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

impl From<String> for Untrusted {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Untrusted {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl PartialEq<str> for Untrusted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for Untrusted {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<&str> for Untrusted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(printable_path(Path::new("/tmp/x\ty")), "/tmp/x\\ty");
    }

    #[test]
    fn untrusted_text_is_shown_escaped_and_kept_raw() {
        let subject = "CN=\u{1b}[2J\u{1b}]0;owned\u{7}x\u{9b}31m\u{7f}\u{202e}gnp.exe";
        let u = Untrusted::from(subject);
        let shown = u.to_string();
        assert_eq!(
            shown,
            "CN=\\u{1b}[2J\\u{1b}]0;owned\\u{7}x\\u{9b}31m\\u{7f}\\u{202e}gnp.exe"
        );
        assert!(!shown.contains(hazardous));
        assert!(u.is_hazardous());
        assert_eq!(u.raw(), subject);
        assert_eq!(format!("{u:?}"), format!("Untrusted(\"{shown}\")"));
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            "\"CN=\\u001b[2J\\u001b]0;owned\\u0007x\u{9b}31m\u{7f}\u{202e}gnp.exe\""
        );
        // Text with nothing to escape shows as it is; wide characters too.
        for plain in [
            "CN=api.ecr.us-east-1.amazonaws.com, O=Amazon",
            "Zürich 東京",
            "",
        ] {
            assert_eq!(Untrusted::from(plain).to_string(), plain);
        }
        let names = [Untrusted::from("a"), Untrusted::from("b\n")];
        assert_eq!(Untrusted::join(&names, ", "), "a, b\\n");
    }
}
