//! Plumbing: parse, set up logging, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use vpce_probe::cli::{self, Command};
use vpce_probe::{Exit, cli::Cli};

fn main() -> ExitCode {
    if vpce_probe::mode::lambda::invoked_as_bootstrap(std::env::args_os().len()) {
        return lambda();
    }
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    if let Command::Health(args) = &cli.command {
        // No runtime, no logging set-up: a health check must take milliseconds.
        return vpce_probe::health(args, &mut std::io::stdout().lock()).into();
    }
    run(&cli)
}

fn run(cli: &Cli) -> ExitCode {
    let log = vpce_probe::probe_args(cli).map_or_else(cli::values::errors_only, |a| a.log.clone());
    let stdout = std::io::stdout().lock();
    let terminal = std::io::IsTerminal::is_terminal(&stdout);
    // Block-buffered: the renderers flush once a report (or a watch record)
    // is whole, instead of a write(2) per line of a pretty-printed report.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout);
    let exit = serve(log, vpce_probe::run(cli, &mut out, terminal));
    let _ = out.flush();
    exit
}

/// The Lambda bootstrap: logs at the default level to the function's log
/// group (stderr), invocations served until SIGTERM.
fn lambda() -> ExitCode {
    serve(cli::values::default_log(), vpce_probe::lambda())
}

/// Sets up logging and the runtime, runs `work` to its end, and maps the
/// outcome to the exit code.
fn serve(
    log: tracing_subscriber::filter::Targets,
    work: impl std::future::Future<Output = Result<Exit, vpce_probe::AppError>>,
) -> ExitCode {
    vpce_probe::init_tracing(log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            complain(&format!("cannot start the async runtime: {e}"));
            return Exit::Error.into();
        }
    };
    match runtime.block_on(work) {
        Ok(exit) => exit.into(),
        // A reader that went away (`| head -1`) is not worth a message.
        Err(e) if e.is_broken_pipe() => e.exit().into(),
        Err(e) => {
            complain(&e);
            e.exit().into()
        }
    }
}

/// One line on stderr; a closed stderr is no reason to panic.
fn complain(e: &dyn std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "vpce-probe: {e}");
}

/// Help and version go to stdout with exit 0 (quietly even when stdout is a
/// closed pipe, as with `| head -1`); a usage error is one line on stderr
/// with exit 2, or 1 for `health`, since Docker reserves 2 (and a value
/// `health` refuses is its answer: `unhealthy: ...` on stdout).
fn usage(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let health = std::env::args_os().nth(1).is_some_and(|a| a == "health");
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let mut stdout = std::io::stdout().lock();
            let _ = write!(stdout, "{}", e.render()).and_then(|()| stdout.flush());
            ExitCode::SUCCESS
        }
        // `generate` alone: clap renders the description, not an error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let rendered = e.render().to_string();
            let usage = rendered
                .lines()
                .find_map(|l| l.trim().strip_prefix("Usage: "))
                .unwrap_or("vpce-probe --help");
            complain(&format!("a subcommand is missing: {usage} (see --help)"));
            Exit::Usage.into()
        }
        ErrorKind::ValueValidation if health => {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "unhealthy: {}", cli::usage_line(e));
            Exit::Fail.into()
        }
        _ => {
            complain(&cli::usage_line(e));
            if health { Exit::Fail } else { Exit::Usage }.into()
        }
    }
}
