//! What clap prints for us: the top-level help, which ends with the
//! options of `check`, and a usage error as one line.

/// A clap usage error as one line: its first line, plus the valid choices
/// when a value was not one of them (`--format xml`).
pub fn usage_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    if e.kind() == ErrorKind::InvalidValue
        && let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue)
        && !line.contains("possible values")
    {
        line = format!("{line} (possible values: {})", valid.join(", "));
    }
    line
}

/// The top-level help ends with the options of `check`, since
/// `vpce-probe [OPTIONS]` runs it.
pub(super) fn default_command_help() -> String {
    use clap::CommandFactory;
    let mut check = super::Cli::command()
        .find_subcommand("check")
        .cloned()
        .expect("check is a subcommand");
    let help = check.render_help().to_string();
    let options = help
        .split_once("Options:\n")
        .map_or(help.as_str(), |(_, rest)| rest)
        .lines()
        .filter(|l| !l.trim_start().starts_with("-h, --help"));
    let mut out = "Options of check, the default command (`vpce-probe [OPTIONS]` runs `vpce-probe check [OPTIONS]`):\n".to_owned();
    for line in options {
        out.push_str(line);
        out.push('\n');
    }
    out
}
