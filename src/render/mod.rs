//! Pure writers: each takes a finished report and a `Write`, and knows
//! nothing about how the report was made or where the bytes go. Whether to
//! colour is the caller's decision, made where it knows what the output is.

pub mod emf;
pub mod fix;
pub mod json;
pub mod plan;
pub mod prometheus;
pub mod text;

use std::io::{self, Write};

use crate::choices::{Color, Format};
use crate::report::Report;

/// How reports are written: validated by `config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub color: Color,
    /// `CloudWatch` namespace for `--format emf`.
    pub namespace: String,
    /// A JSON document over indented lines (stdout is a terminal, or
    /// `--pretty`); else on one line, as a log driver needs it.
    pub pretty: bool,
}

/// Writes a JSON document pretty or on one line.
pub fn json_document<T: serde::Serialize>(
    value: &T,
    pretty: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    if pretty {
        json::render(value, out)
    } else {
        json::render_line(value, out)
    }
}

/// Writes a report in the configured format and flushes. `compact` puts a
/// JSON report on one line (watch mode's JSON lines); `color` applies to
/// text only.
pub fn write(
    report: &Report,
    output: &Output,
    compact: bool,
    color: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    match output.format {
        Format::Json => json_document(report, output.pretty && !compact, out)?,
        Format::Emf => emf::render(report, &output.namespace, out)?,
        Format::Text => text::render(report, out, color)?,
        // `fix` writes these with its remedies; a plain report has none.
        Format::Terraform => fix::terraform(&report.into(), &[], out)?,
        Format::Cli => fix::cli(&report.into(), &[], out)?,
    }
    out.flush()
}
