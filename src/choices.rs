//! The closed choices a user picks from (`--format`, `--color`,
//! `--expect`): one definition each, used by the command line as it is
//! typed and by everything after it. A leaf module.

use serde::Serialize;

/// Output formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[expect(
    clippy::doc_markdown,
    reason = "variant docs are --help text, read without markdown"
)]
pub enum Format {
    Text,
    Json,
    /// CloudWatch Embedded Metric Format: one JSON document per endpoint per line.
    Emf,
    /// `fix` only: the remedies as Terraform for the AWS provider.
    Terraform,
    /// `fix` only: the remedies as AWS CLI commands.
    Cli,
}

/// `explain`'s formats: only what it writes is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

impl From<ExplainFormat> for Format {
    fn from(f: ExplainFormat) -> Self {
        match f {
            ExplainFormat::Text => Self::Text,
            ExplainFormat::Json => Self::Json,
        }
    }
}

/// Colour in the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether the text report carries colour: `auto` means only on a
    /// terminal and not when `NO_COLOR` is set.
    pub fn applies(self, out_is_terminal: bool, no_color_set: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => out_is_terminal && !no_color_set,
        }
    }
}

/// What the path to AWS endpoints is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Any working path passes.
    Any,
    /// Traffic to AWS (except S3 through its gateway) must stay on private addresses.
    Private,
}

impl Expect {
    /// The serde name (`any`, `private`).
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("Expect is a unit enum")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let cases = [
            (Color::Auto, true, false, true),
            (Color::Auto, false, false, false),
            (Color::Auto, true, true, false),
            (Color::Always, false, true, true),
            (Color::Never, true, false, false),
        ];
        for (choice, tty, no_color, want) in cases {
            assert_eq!(
                choice.applies(tty, no_color),
                want,
                "{choice:?} {tty} {no_color}"
            );
        }
    }
}
