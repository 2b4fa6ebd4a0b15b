//! Command line and environment: any argv and any VPCE_PROBE_* values must
//! parse to a config or a one-line error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpce_probe::{cli, config};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Arguments are NUL-separated; a line "ENV=value" after a 0x01 byte sets the environment.
    let (argv, env) = text.split_once('\u{1}').unwrap_or((&text, ""));
    let mut args = vec!["vpce-probe"];
    args.extend(argv.split('\0').filter(|a| !a.contains("--ca-file") && !a.contains("--resolv-conf")));
    let env: Vec<(&str, &str)> = env.lines().filter_map(|l| l.split_once('=')).collect();
    let lookup = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
    let parsed = match cli::parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = cli::usage_line(&e);
            assert!(!line.contains('\n'), "a usage error is one line: {line}");
            return;
        }
    };
    let result = match &parsed.command {
        cli::Command::Check(a) | cli::Command::Fix(a) | cli::Command::Endpoints(a) => config::Config::from_args(a, &lookup).map(|_| ()),
        cli::Command::Watch(w) => config::WatchConfig::from_cmd(w, &lookup).map(|_| ()),
        cli::Command::Health(_) | cli::Command::Explain(_) | cli::Command::Generate(_) => Ok(()),
    };
    if let Err(e) = result {
        assert!(!e.to_string().contains('\n'), "a usage error is one line: {e}");
    }
});
