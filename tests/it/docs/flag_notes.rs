//! The flags and environment reference, generated from clap's `Command`
//! (each flag's environment variable, default, possible values and help),
//! with the notes below for what a one-line help cannot hold. A note for a
//! flag that no longer exists fails `docs::flag_notes_name_real_flags`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use clap::CommandFactory;
use vpce_probe::cli::Cli;

use super::cell;

/// Notes by long flag name.
const NOTES: &[(&str, &str)] = &[
    (
        "region",
        "Without it: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the task ARN (or availability zone) in task metadata. A region not shaped like one (`tokyo`) is a usage error; a well-formed unknown one is allowed.",
    ),
    (
        "services",
        "See [Services and the plan](services.md). Without it, inside ECS the plan follows the task's images and log configuration, then the default set.",
    ),
    (
        "ecr-registry",
        "Without it, `ecr.dkr` uses the task's registry account from metadata, else the placeholder `000000000000` (the names and certificate are wildcards, so every account takes the same path).",
    ),
    (
        "target",
        "IPv6 as `[::1]:443`. Targets are judged like AWS endpoints, except that any trusted issuer is fine for them.",
    ),
    ("port", "Registries named without a port use it too."),
    (
        "resolv-conf",
        "IPv4 or IPv6 nameservers (`nameserver fd00:ec2::253`). Missing, or without nameservers: exit 2 naming the file.",
    ),
    (
        "hosts-file",
        "Answers say `source: hosts_file`, and DNS is asked too (`dns.hosts_file`: the entry and what DNS returned).",
    ),
    (
        "timeout",
        "Every wait is bounded by `min(now + --timeout, --deadline)`.",
    ),
    (
        "deadline",
        "Nothing waits past it; in Lambda, the invocation's deadline too.",
    ),
    ("concurrency", "From 1 to 4096."),
    (
        "vpc-cidr",
        "Inside ECS, the task's subnets count too, and without `--vpc-cidr` the IPv6 /56 around the task's IPv6 subnet. For `explain`, give the VPC's IPv6 CIDR to judge an IPv6 address in the text.",
    ),
    (
        "dualstack",
        "`AWS_USE_DUALSTACK_ENDPOINT=true` in the probe's environment, as the SDKs read it, turns it on too; a value other than `true`/`false` is a usage error. See [IPv6](ipv6.md).",
    ),
    (
        "expect",
        "`private`: S3 too when reached through NAT64. Under `private`, a proxied route is `proxy_path`.",
    ),
    (
        "ca-file",
        "Beside the compiled-in Mozilla roots. Read with a 16 MiB cap.",
    ),
    (
        "format",
        "`check`, `watch`, `endpoints`: `text`, `json`, `emf`; `fix`: `text`, `json`, `terraform`, `cli`; `explain`: `text`, `json` (its help offers only those). Another is a usage error naming the mode.",
    ),
    (
        "color",
        "`NO_COLOR` set and not empty turns colour off under `auto`.",
    ),
    (
        "https-proxy",
        "Credentials are never printed; a bad URL is a usage error naming the variable it came from. See [HTTPS proxies](proxies.md).",
    ),
    (
        "no-proxy",
        "Matched as the Go SDK matches it: `*`, exact names, domain suffixes with or without a leading dot, `*.` prefixes, IPs and CIDRs.",
    ),
    (
        "endpoint-url",
        "`SERVICE=URL` for one service (`secretsmanager=https://vpce-...`) or a bare URL for all; repeatable. Without it: `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`, then the shared config file, as the SDKs read them. See [The names the app's SDK calls](sdk-names.md).",
    ),
    (
        "ignore-configured-endpoint-urls",
        "Without it: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, then the profile's `ignore_configured_endpoint_urls`. `--endpoint-url` still applies, as code-level settings do in the SDKs.",
    ),
    (
        "sts-regional-endpoints",
        "Without it: `AWS_STS_REGIONAL_ENDPOINTS`, then the profile's `sts_regional_endpoints`.",
    ),
    (
        "use-fips-endpoint",
        "Without it: `AWS_USE_FIPS_ENDPOINT=true`, then the profile's `use_fips_endpoint`. A note names the services without a FIPS name in the region.",
    ),
    (
        "aws-config-file",
        "Without it: `AWS_CONFIG_FILE`, then `~/.aws/config`. Unreadable: exit 2 for the flag, a note for the variable (the SDK skips it too).",
    ),
    ("aws-profile", "Without it: `AWS_PROFILE`, then `default`."),
    (
        "log",
        "`LEVEL` or `TARGET=LEVEL` directives, comma-separated (`info`, `vpce_probe=debug,hickory_resolver=info`). Logs go to stderr only.",
    ),
    (
        "metadata-timeout",
        "For `ECS_CONTAINER_METADATA_URI_V4` (body capped at 1 MiB).",
    ),
    ("interval", "At least 1s."),
    (
        "status-file",
        "Replaced atomically. `watch` checks at start that it can write it, and exits 2 naming the file if not.",
    ),
    (
        "metrics-listen",
        "An address that cannot be bound is a usage error at start. See [Output](output.md#prometheus-metrics-watch---metrics-listen).",
    ),
    (
        "max-age",
        "Accepts up to 3h. Choose it above the interval plus the deadline.",
    ),
];

const INTRO: &str = "\
Every flag but `--endpoint-url` also reads an environment variable,
because task definitions configure containers through `environment`
(`--endpoint-url`'s are the SDK's own, `AWS_ENDPOINT_URL` and
`AWS_ENDPOINT_URL_<SERVICE>`, read as the SDKs read them). The command line wins over the
environment. Durations are written `500ms`, `2s`, `1m`, `1m30s`. A flag
given twice keeps its last value; the repeatable ones (`--target`,
`--vpc-cidr`, `--endpoint-url`) accumulate, and their environment variables
take comma-separated lists.

`check` is the default subcommand: `vpce-probe --region x` is
`vpce-probe check --region x`. `--help` (the top-level help ends with
`check`'s options) and `--version` work as usual. Started with no arguments
while `AWS_LAMBDA_RUNTIME_API` is set, the binary serves Lambda invocations
instead; the events' keys are `check`'s flags in snake_case (see
[Deploying](deploying.md#lambda)).
";

fn long_names(cmd: &clap::Command) -> BTreeSet<String> {
    cmd.get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn flag_row(arg: &clap::Arg) -> Option<String> {
    let long = arg.get_long()?;
    if arg.is_hide_set() || long == "help" || long == "version" {
        return None;
    }
    let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values())
        && !matches!(
            arg.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse
        );
    let mut flag = format!("--{long}");
    if takes_value {
        let name = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string);
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect();
        let shown = if values.is_empty() {
            name
        } else {
            values.join("|")
        };
        let _ = write!(flag, " {shown}");
    }
    let env = arg
        .get_env()
        .map_or_else(String::new, |e| format!("`{}`", e.to_string_lossy()));
    let default: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let default = if default.is_empty() {
        String::new()
    } else {
        format!("`{}`", default.join(","))
    };
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map_or_else(String::new, |h| one_line(&h.to_string()));
    let note = NOTES
        .iter()
        .find(|(n, _)| *n == long)
        .map_or("", |(_, t)| *t);
    let meaning = match (help.is_empty(), note.is_empty()) {
        (_, true) => help,
        (true, false) => note.to_owned(),
        (false, false) if help.ends_with('.') => format!("{help} {note}"),
        (false, false) => format!("{help}. {note}"),
    };
    Some(format!(
        "| `{}` | {} | {} | {} |",
        cell(&flag),
        env,
        cell(&default),
        cell(&meaning)
    ))
}

fn table(args: &[&clap::Arg]) -> String {
    let mut out = String::from("| flag | environment | default | meaning |\n|---|---|---|---|\n");
    for arg in args {
        if let Some(row) = flag_row(arg) {
            out.push_str(&row);
            out.push('\n');
        }
    }
    out
}

pub fn flags_page() -> String {
    let mut cli = Cli::command();
    cli.build();
    let mut out = String::from("# Flags and environment variables\n\n");
    out.push_str(
        "<!-- Generated from clap's Command and tests/it/docs/flag_notes.rs: \
         UPDATE_DOCS=1 cargo test --test it docs:: -->\n\n",
    );
    out.push_str(INTRO);
    let check = cli
        .find_subcommand("check")
        .expect("check is a subcommand")
        .clone();
    let shared = long_names(&check);
    let sharing: Vec<String> = cli
        .get_subcommands()
        .filter(|s| shared.is_subset(&long_names(s)))
        .map(|s| format!("`{}`", s.get_name()))
        .collect();
    let _ = write!(
        out,
        "\n## The probe's flags\n\n{} take these.\n\n",
        sharing.join(", ")
    );
    out.push_str(&table(&check.get_arguments().collect::<Vec<_>>()));
    for sub in cli.get_subcommands() {
        if sub.get_name() == "check" || sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        let _ = write!(out, "\n## `{}`\n\n", sub.get_name());
        if let Some(about) = sub.get_about() {
            let _ = writeln!(out, "{}\n", one_line(&about.to_string()));
        }
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ").trim();
        let _ = write!(out, "```text\n{usage}\n```\n\n");
        // A mode that takes the probe's flags lists only its own extras.
        let probing = shared.is_subset(&long_names(sub));
        let own: Vec<&clap::Arg> = sub
            .get_arguments()
            .filter(|a| {
                a.get_long()
                    .is_some_and(|l| !probing || !shared.contains(l))
            })
            .collect();
        let positional: Vec<&clap::Arg> = sub.get_positionals().collect();
        for p in &positional {
            let help = p
                .get_help()
                .map_or_else(String::new, |h| one_line(&h.to_string()));
            let name = p
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| p.get_id().to_string(), ToString::to_string);
            let _ = writeln!(out, "`{name}`: {help}\n");
        }
        if probing {
            out.push_str("The probe's flags above, and:\n\n");
        }
        let visible = own.iter().any(|a| flag_row(a).is_some());
        if visible {
            out.push_str(&table(&own));
        } else if sub.get_subcommands().next().is_none() && positional.is_empty() {
            out.push_str("No flags of its own.\n");
        }
        for inner in sub.get_subcommands() {
            if inner.get_name() == "help" {
                continue;
            }
            let about = inner
                .get_about()
                .map_or_else(String::new, |a| one_line(&a.to_string()));
            let usage = inner.clone().render_usage().to_string();
            let usage = usage.trim_start_matches("Usage: ").trim().to_owned();
            let _ = writeln!(out, "- `{usage}`: {about}");
        }
    }
    out
}

pub fn every_note_names_a_flag() {
    let mut cli = Cli::command();
    cli.build();
    let mut all = BTreeSet::new();
    for sub in cli.get_subcommands() {
        all.extend(long_names(sub));
    }
    for (name, _) in NOTES {
        assert!(
            all.contains(*name),
            "a note for --{name}, which no subcommand has"
        );
    }
}
