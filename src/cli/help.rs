//! What clap prints for us: the top-level help, which ends with the
//! options of `check`, and a usage error as one line.

/// A clap usage error as one line: a value a flag's parser refused as
/// `invalid --flag 'value': what was expected`; otherwise clap's first line,
/// plus the valid choices when a value was not one of them (`--format xml`).
pub fn usage_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if let Some(line) = rejected_line(e) {
        return line;
    }
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

/// `invalid --flag 'value': why` for a value one of [`super::values`]'
/// parsers refused (the flag as clap names it, without its value name).
fn rejected_line(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let rejected = std::error::Error::source(e)?.downcast_ref::<super::values::Rejected>()?;
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = arg.split_once(' ').map_or(arg.as_str(), |(flag, _)| flag);
    Some(format!(
        "invalid {flag} '{}': {}",
        rejected.shown, rejected.why
    ))
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
