//! `generate man` and `generate completions SHELL`: written from the clap
//! definition, never by hand. Both are rendered into memory first, so a
//! reader that goes away is an ordinary write error, not a panic inside
//! `clap_complete`.

use std::io::Write;

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::{GenerateArgs, Generated};
use crate::error::{AppError, Exit};

pub fn run(args: &GenerateArgs, out: &mut impl Write) -> Result<Exit, AppError> {
    let mut buf = Vec::new();
    match &args.what {
        Generated::Man => buf = man()?.into_bytes(),
        Generated::Completions { shell } => {
            let mut cmd = crate::cli::command();
            clap_complete::generate(*shell, &mut cmd, "vpce-probe", &mut buf);
            if *shell == clap_complete::Shell::Bash {
                buf = bash_names_agree(&buf).into_bytes();
            }
        }
    }
    out.write_all(&buf)?;
    out.flush()?;
    Ok(Exit::Pass)
}

/// `clap_complete` 4.6's bash script names the command `vpce__probe` where
/// it sets `cmd`, but `vpce__subcmd__probe__...` where it matches on it (it
/// escapes the hyphen, then the escape): no subcommand's flags are ever
/// offered. The match labels are made the names the script sets.
fn bash_names_agree(script: &[u8]) -> String {
    String::from_utf8_lossy(script).replace("vpce__subcmd__probe", "vpce__probe")
}

/// The preamble roff writes before every fragment (it defines the
/// apostrophe string); the page carries it once, right after `.TH`.
const APOSTROPHE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// One page: the top-level sections, then a section per subcommand with
/// its description, usage and options (`clap_mangen`'s own layout points at
/// one page per subcommand, which a single stdout cannot hold). It starts
/// with `.TH`.
pub fn man() -> std::io::Result<String> {
    let mut out = Vec::new();
    sections(&mut out)?;
    let body = String::from_utf8_lossy(&out).replace(APOSTROPHE, "");
    let (title, rest) = body.split_once('\n').unwrap_or((&body, ""));
    Ok(format!("{title}\n{APOSTROPHE}{rest}"))
}

fn sections(out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    cmd.build();
    let top = Man::new(cmd.clone());
    top.render_title(out)?;
    top.render_name_section(out)?;
    top.render_synopsis_section(out)?;
    top.render_description_section(out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{} {}", cmd.get_name(), sub.get_name());
        let mut roff = Roff::default();
        roff.control("SH", [name.to_uppercase().as_str()]);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            roff.text([roman(about.to_string())]);
        }
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ").trim().to_owned();
        roff.control("PP", []).text([bold(usage)]);
        roff.to_writer(out)?;
        // The options, as a subsection of this command's section.
        let mut options = Vec::new();
        Man::new(sub.clone()).render_options_section(&mut options)?;
        let options = String::from_utf8_lossy(&options).replace(".SH ", ".SS ");
        out.write_all(options.as_bytes())?;
        for inner in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut roff = Roff::default();
            let usage = inner.clone().render_usage().to_string();
            let usage = usage.trim_start_matches("Usage: ").trim().to_owned();
            roff.control("TP", []).text([bold(usage)]);
            if let Some(about) = inner.get_about() {
                roff.text([roman(about.to_string())]);
            }
            roff.to_writer(out)?;
        }
    }
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]).text([roman(
        "0: every endpoint passed (ok or warn). 1: at least one endpoint failed \
         (health: unhealthy; explain: the text is not about the network). 2: a usage or \
         configuration error, nothing was probed. 3: the tool itself failed after it started.",
    )]);
    roff.control("SH", ["SEE ALSO"]).text([roman(
        "The book in the source repository's docs/ directory (docs/src/SUMMARY.md).",
    )]);
    roff.to_writer(out)?;
    top.render_version_section(out)
}
