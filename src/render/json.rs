//! The JSON report: one document, the contract in `schema/report.schema.json`.
//!
//! Text from outside ([`crate::printable::Untrusted`]) is serialized as it
//! came. serde escapes the C0 controls (`\u001b`); the writers here also
//! escape what serde leaves raw and a terminal or a reader could trip on
//! (DEL, the C1 controls, bidirectional overrides: see
//! [`crate::printable::hazardous`]), as `\uXXXX`. The document means the
//! same, and no control byte reaches the output.

use std::io::{self, Write};

use serde::Serialize;

use crate::printable::escape_in_document as inert;

/// Writes `value` as pretty JSON followed by a newline.
pub fn render<T: Serialize>(value: &T, out: &mut impl Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
    out.write_all(inert(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// Writes `value` as one line of JSON (JSON Lines).
pub fn render_line<T: Serialize>(value: &T, out: &mut impl Write) -> io::Result<()> {
    let text = serde_json::to_string(value).map_err(io::Error::from)?;
    out.write_all(inert(&text).as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printable::{Untrusted, hazardous};

    #[test]
    fn text_from_outside_keeps_its_value_and_loses_its_control_bytes() {
        let subject = "CN=\u{1b}[2J\u{1b}]0;t\u{7}\u{7f}\u{9b}\u{202e}\u{2069}ok";
        let value = serde_json::json!({ "subject": Untrusted::from(subject) });
        for line in [false, true] {
            let mut out = Vec::new();
            if line {
                render_line(&value, &mut out).unwrap();
            } else {
                render(&value, &mut out).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            assert!(text.chars().all(|c| c == '\n' || !hazardous(c)), "{text:?}");
            assert!(
                text.contains(r"CN=\u001b[2J\u001b]0;t\u0007\u007f\u009b\u202e\u2069ok"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back["subject"], subject);
        }
    }
}
