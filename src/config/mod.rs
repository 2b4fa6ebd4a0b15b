//! Combination, done once: the typed arguments of [`crate::cli`] (parsed at
//! the edge by its `value_parser`s) and the environment the AWS SDKs read
//! (`AWS_REGION`, `HTTPS_PROXY`, the endpoint settings, ...) become one
//! [`Config`]. Past this module nothing sees an unchecked host, CIDR,
//! duration or file; every mistake a user can make ends at the edge or here
//! as one [`ConfigError`] line that names the flag or variable and the value.
//!
//! The settings are grouped by the phase that uses them: what to plan
//! ([`Request`]), how
//! to probe ([`ProbeSettings`]), what counts as the VPC, how to judge
//! ([`Policy`]), how to write ([`Output`]). Each group's type lives with its
//! phase; this module only fills them in.

use std::path::Path;
use std::sync::Arc;

use ipnet::IpNet;
use rustls::RootCertStore;

use clap::ValueEnum;

use crate::catalog::{self, InvalidRegion, Region, Service};
use crate::choices::Format;
use crate::classify;
use crate::cli::ProbeArgs;
use crate::cli::values::{self, HostsFile, NoProxy, ProxyChoice, Rejected};
use crate::diagnose::Policy;
use crate::metadata::{self, MetadataSource};
use crate::plan::{Request, ServicesSource};
use crate::printable::{printable, printable_path};
use crate::probe::ProbeSettings;
use crate::probe::dns::{DnsConfig, Resolver};
use crate::render::Output;
use crate::sdk::https_proxy::Proxy;

mod modes;
pub use modes::{HealthConfig, WatchConfig};

/// A usage or configuration error: one line, naming the input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid {flag} '{value}': {expected}")]
    Invalid {
        flag: &'static str,
        value: String,
        expected: String,
    },
    #[error(transparent)]
    Region(#[from] InvalidRegion),
    #[error("cannot use --ca-file '{path}': {reason}")]
    CaFile { path: String, reason: String },
    #[error("nothing to probe: --services none needs at least one --target")]
    NothingToProbe,
    #[error("nothing to explain: pass the stopped reason as an argument or on standard input")]
    NothingToExplain,
    /// An SDK setting from a variable or a config file line (not a flag name).
    #[error("invalid {setting} '{value}': {why}")]
    Sdk {
        setting: String,
        value: String,
        why: String,
    },
}

pub(crate) fn invalid(flag: &'static str, value: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        flag,
        value: printable(value),
        expected: expected.into(),
    }
}

/// A value an edge parser refused, from `source` (a variable, not a flag).
fn rejected(source: &'static str, r: Rejected) -> ConfigError {
    ConfigError::Invalid {
        flag: source,
        value: r.shown,
        expected: r.why,
    }
}

/// The validated configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    pub plan: Request,
    pub probe: ProbeSettings,
    /// What counts as inside the VPC (task metadata may add the task's subnet).
    pub vpc_cidrs: Vec<IpNet>,
    /// `--vpc-cidr` was given: no VPC range is taken from task metadata.
    pub vpc_cidrs_given: bool,
    pub policy: Policy,
    pub output: Output,
    /// Set when `ECS_CONTAINER_METADATA_URI_V4` is.
    pub metadata: Option<MetadataSource>,
}

impl Config {
    /// Combines the arguments with the environment. `env` reads the
    /// environment (injected so that tests do not depend on the machine's
    /// `AWS_REGION`).
    pub fn from_args(
        args: &ProbeArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let region = match &args.region {
            Some(region) => Some(region.clone()),
            None => env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .filter(|r| !r.is_empty())
                .map(|r| r.parse::<Region>())
                .transpose()?,
        };
        // Not given: the default set (or, inside ECS, the task's own needs).
        let (services, services_source) = if args.services.is_empty() {
            (Service::DEFAULT.to_vec(), ServicesSource::Default)
        } else {
            (catalog::expand(&args.services), ServicesSource::Flag)
        };
        if services.is_empty() && args.targets.is_empty() {
            return Err(ConfigError::NothingToProbe);
        }
        let probe = probe_settings(args, env)?;
        let policy = Policy {
            expect: args.expect,
            cert_warn_days: args.cert_warn_days,
            timeout: Some(probe.timeout),
        };
        let metadata = env(metadata::ENV_URI)
            .filter(|u| !u.trim().is_empty())
            .map(|uri| MetadataSource {
                uri,
                timeout: args.metadata_timeout,
            });

        Ok(Self {
            plan: Request {
                region,
                services,
                services_source,
                ecr_account: args.ecr_registry.clone(),
                targets: args.targets.clone(),
                port: args.port,
                dualstack: args.dualstack || dualstack_from_sdk(env)?,
                sdk: sdk_settings(args, env)?,
            },
            probe,
            vpc_cidrs_given: !args.vpc_cidrs.is_empty(),
            vpc_cidrs: vpc_cidrs(&args.vpc_cidrs),
            policy,
            output: Output {
                format: args.format,
                color: args.color,
                namespace: args.namespace.clone(),
                pretty: args.layout.pretty,
            },
            metadata,
        })
    }
}

impl Config {
    /// Refuses a `--format` the mode does not write: `terraform` and `cli`
    /// are `fix`'s, `emf` is for `check` and `watch`.
    pub fn require_format(
        self,
        mode: &'static str,
        allowed: &[Format],
    ) -> Result<Self, ConfigError> {
        require_format(self.output.format, mode, allowed)?;
        Ok(self)
    }
}

/// `format` is one of `allowed`, or an error naming the mode and its formats.
pub fn require_format(
    format: Format,
    mode: &'static str,
    allowed: &[Format],
) -> Result<(), ConfigError> {
    if allowed.contains(&format) {
        return Ok(());
    }
    let name = |f: &Format| {
        f.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned())
    };
    let names: Vec<String> = allowed.iter().map(name).collect();
    Err(invalid(
        "--format",
        &name(&format),
        format!("{mode} writes {}", names.join(", ")),
    ))
}

/// How to probe: resolver, limits, trust.
fn probe_settings(
    args: &ProbeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProbeSettings, ConfigError> {
    Ok(ProbeSettings {
        dns: DnsConfig {
            resolver: match args.dns_server {
                Some(addr) => Resolver::Server(addr),
                None => Resolver::System {
                    resolv_conf: args.resolv_conf.clone(),
                },
            },
            hosts_file: match &args.hosts_file {
                HostsFile::Skip => None,
                HostsFile::Read(path) => Some(path.clone()),
            },
        },
        timeout: args.timeout,
        deadline: args.deadline,
        concurrency: args.concurrency,
        roots: Arc::new(load_roots(args.ca_file.as_deref())?),
        proxy: proxy_settings(args, env)?,
    })
}

/// `AWS_USE_DUALSTACK_ENDPOINT`, which the AWS SDKs read: `true` or
/// `false` in any case; anything else is an error naming the variable.
fn dualstack_from_sdk(env: &dyn Fn(&str) -> Option<String>) -> Result<bool, ConfigError> {
    env("AWS_USE_DUALSTACK_ENDPOINT").map_or(Ok(false), |v| {
        Ok(crate::sdk::parse_bool("AWS_USE_DUALSTACK_ENDPOINT", &v)?)
    })
}

/// The app's SDK endpoint settings: the flags, then the variables and the
/// shared config file; errors name the flag, variable or file line.
fn sdk_settings(
    args: &ProbeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::sdk::SdkSettings, ConfigError> {
    let flags = crate::sdk::Flags {
        endpoint_urls: &args.sdk.endpoint_urls,
        ignore_configured: args.sdk.ignore_configured_endpoint_urls,
        sts_regional_endpoints: args.sdk.sts_regional_endpoints,
        use_fips: args.sdk.use_fips_endpoint,
        config_file: args.sdk.aws_config_file.as_deref(),
        profile: args.sdk.aws_profile.as_deref(),
    };
    Ok(crate::sdk::settings(&flags, env)?)
}

impl From<crate::sdk::BadSetting> for ConfigError {
    fn from(e: crate::sdk::BadSetting) -> Self {
        Self::Sdk {
            setting: printable(&e.source),
            value: printable(&e.value),
            why: e.why,
        }
    }
}

/// The proxy the app's SDK would use: `--https-proxy` (or
/// `VPCE_PROBE_HTTPS_PROXY`), else `HTTPS_PROXY`, else `https_proxy`, read
/// by the flag's own parser (so `none` turns an inherited one off); its
/// `NO_PROXY` likewise. Errors name the variable.
fn proxy_settings(
    args: &ProbeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, ConfigError> {
    let inherited = |vars: [&'static str; 2]| vars.into_iter().find_map(|k| env(k).map(|v| (k, v)));
    let choice = match &args.https_proxy {
        Some(choice) => choice.clone(),
        None => match inherited(["HTTPS_PROXY", "https_proxy"]) {
            Some((var, url)) => values::https_proxy(&url).map_err(|r| rejected(var, r))?,
            None => ProxyChoice::Off,
        },
    };
    let ProxyChoice::Via(url) = choice else {
        return Ok(None);
    };
    let no_proxy = match &args.no_proxy {
        Some(list) => list.clone(),
        None => inherited(["NO_PROXY", "no_proxy"])
            .map(|(_, list)| NoProxy::parse(&list))
            .unwrap_or_default(),
    };
    Ok(Some(Proxy::new(url, no_proxy.0)))
}

/// `--vpc-cidr` values, or the RFC 1918, CGNAT and ULA ranges when none
/// is given.
pub fn vpc_cidrs(given: &[IpNet]) -> Vec<IpNet> {
    if given.is_empty() {
        return classify::default_vpc_cidrs();
    }
    given.to_vec()
}

/// The trust store, with `--ca-file`'s certificates; errors name the file.
fn load_roots(ca_file: Option<&Path>) -> Result<RootCertStore, ConfigError> {
    crate::trust::store(ca_file).map_err(|reason| ConfigError::CaFile {
        path: ca_file.map(printable_path).unwrap_or_default(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;
    use crate::choices::Expect;
    use crate::classify::DEFAULT_VPC_CIDRS;
    use crate::cli;
    use crate::names::{AccountId, Host};

    /// The configuration of `check ARGV` in environment `env`, or the one
    /// line the user would read (from the edge or from here).
    fn config_in(argv: &[&str], env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
        let mut full = vec!["vpce-probe", "check"];
        full.extend_from_slice(argv);
        let parsed = cli::parse(full).map_err(|e| cli::usage_line(&e))?;
        let cli::Command::Check(probe_args) = parsed.command else {
            unreachable!()
        };
        Config::from_args(&probe_args, env).map_err(|e| e.to_string())
    }

    fn config(argv: &[&str]) -> Result<Config, String> {
        config_in(argv, &|_| None)
    }

    #[test]
    fn valid_inputs_become_typed_values() {
        let c = config(&[
            "--region",
            "ap-northeast-1",
            "--services",
            "ecr,logs",
            "--timeout",
            "500ms",
            "--deadline",
            "1m",
            "--target",
            "api.example.com:8443",
            "--target",
            "[::1]:9443",
            "--target",
            "10.1.2.3",
            "--vpc-cidr",
            "10.1.0.0/16",
            "--dns-server",
            "127.0.0.1:5353",
            "--ecr-registry",
            "123456789012",
        ])
        .unwrap();
        assert_eq!(c.plan.region.as_ref().unwrap().code(), "ap-northeast-1");
        assert_eq!(c.plan.services.len(), 4);
        assert_eq!(c.plan.services_source, ServicesSource::Flag);
        assert_eq!(c.probe.timeout, Duration::from_millis(500));
        assert_eq!(c.probe.deadline, Duration::from_secs(60));
        assert_eq!(c.plan.targets[0].port, 8443);
        assert_eq!(c.plan.targets[1].host, Host::Ip("::1".parse().unwrap()));
        assert_eq!(c.plan.targets[2].port, 443);
        let only_targets = config(&[
            "--region",
            "us-east-1",
            "--services",
            "none",
            "--target",
            "a.example",
        ])
        .unwrap();
        assert!(only_targets.plan.services.is_empty());
        assert_eq!(only_targets.plan.services_source, ServicesSource::Flag);
        assert_eq!(c.vpc_cidrs, vec!["10.1.0.0/16".parse::<IpNet>().unwrap()]);
        assert_eq!(
            c.probe.dns.resolver,
            Resolver::Server("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(
            c.plan.ecr_account.as_ref().map(AccountId::as_str),
            Some("123456789012")
        );
    }

    #[test]
    fn defaults() {
        let c = config(&["--region", "us-east-1"]).unwrap();
        assert_eq!(c.plan.services, Service::DEFAULT.to_vec());
        assert_eq!(c.plan.services_source, ServicesSource::Default);
        assert_eq!(c.plan.port, 443);
        assert_eq!(c.vpc_cidrs.len(), DEFAULT_VPC_CIDRS.len());
        assert_eq!(c.policy.expect, Expect::Any);
        assert_eq!(
            c.probe.dns.resolver,
            Resolver::System {
                resolv_conf: "/etc/resolv.conf".into()
            }
        );
        assert_eq!(c.probe.dns.hosts_file, Some(PathBuf::from("/etc/hosts")));
        assert!(c.probe.roots.len() > 100, "web PKI roots are compiled in");
    }

    #[test]
    fn region_falls_back_to_the_aws_environment() {
        let parsed = cli::parse(["vpce-probe"]).unwrap();
        let cli::Command::Check(args) = parsed.command else {
            unreachable!()
        };
        let env = |k: &str| (k == "AWS_DEFAULT_REGION").then(|| "eu-west-1".to_owned());
        assert_eq!(
            Config::from_args(&args, &env)
                .unwrap()
                .plan
                .region
                .unwrap()
                .code(),
            "eu-west-1"
        );
        assert!(
            Config::from_args(&args, &|_| None)
                .unwrap()
                .plan
                .region
                .is_none()
        );
    }

    #[test]
    fn every_bad_input_is_one_line_naming_it() {
        let cases: [(&[&str], &str); 17] = [
            (&["--region", "tokyo"], "invalid --region 'tokyo'"),
            (
                &["--region", "us-east-1", "--services", "ecr,lgos"],
                "invalid --services 'lgos': expected one of ecr.api,",
            ),
            (
                &["--region", "us-east-1", "--timeout", "5x"],
                "invalid --timeout '5x'",
            ),
            (
                &["--region", "us-east-1", "--timeout", "0s"],
                "invalid --timeout '0s'",
            ),
            (
                &["--region", "us-east-1", "--deadline", "3"],
                "invalid --deadline '3'",
            ),
            (
                &["--region", "us-east-1", "--port", "0"],
                "invalid --port '0'",
            ),
            (
                &["--region", "us-east-1", "--port", "70000"],
                "invalid --port '70000'",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", "10.0.0.0/33"],
                "invalid --vpc-cidr '10.0.0.0/33'",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", "10.0.0.1"],
                "invalid --vpc-cidr '10.0.0.1'",
            ),
            (
                &["--region", "us-east-1", "--target", "bad host:1"],
                "invalid --target 'bad host:1'",
            ),
            (
                &["--region", "us-east-1", "--target", "h:0"],
                "invalid --target 'h:0'",
            ),
            (
                &["--region", "us-east-1", "--target", "[::1"],
                "invalid --target '[::1'",
            ),
            (
                &["--region", "us-east-1", "--dns-server", "dns.local"],
                "invalid --dns-server 'dns.local'",
            ),
            (
                &["--region", "us-east-1", "--ecr-registry", "12345"],
                "invalid --ecr-registry '12345'",
            ),
            (
                &["--region", "us-east-1", "--concurrency", "0"],
                "invalid --concurrency '0'",
            ),
            (
                &["--region", "us-east-1", "--cert-warn-days", "soon"],
                "invalid --cert-warn-days 'soon'",
            ),
            (
                &["--region", "us-east-1", "--ca-file", "/nonexistent/ca.pem"],
                "cannot use --ca-file '/nonexistent/ca.pem': No such file",
            ),
        ];
        for (argv, want) in cases {
            let err = config(argv).unwrap_err();
            assert!(err.starts_with(want), "{argv:?}: got {err:?}");
            assert!(!err.contains('\n'), "{argv:?}: {err:?} is not one line");
        }
    }

    #[test]
    fn empty_values_and_empty_plans_are_usage_errors() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["--region", "us-east-1", "--services", "none"],
                "nothing to probe: --services none needs at least one --target",
            ),
            (
                &["--region", "us-east-1", "--services", ""],
                "invalid --services '': expected a service or bundle name; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--services", "ecr,,logs"],
                "invalid --services '': expected a service or bundle name; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--target", ""],
                "invalid --target '': expected HOST[:PORT]; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--target", "  "],
                "invalid --target '': expected HOST[:PORT]; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", ""],
                "invalid --vpc-cidr '': expected a CIDR; an empty value is not one",
            ),
        ];
        for (argv, want) in cases {
            assert_eq!(config(argv).unwrap_err(), want, "{argv:?}");
        }
    }

    #[test]
    fn max_age_covers_the_longest_interval_plus_deadline() {
        let health = |max_age: &str| {
            let parsed = cli::parse(["vpce-probe", "health", "--max-age", max_age])
                .map_err(|e| cli::usage_line(&e))?;
            let cli::Command::Health(args) = parsed.command else {
                unreachable!()
            };
            Ok::<_, String>(HealthConfig::from(&args))
        };
        // --interval 1h (+10% jitter) and --deadline 1h are both allowed.
        let longest_need = Duration::from_secs(3600 + 360 + 3600);
        assert_eq!(health("2h6m").unwrap().max_age, longest_need);
        assert_eq!(health("3h").unwrap().max_age, values::MAX_AGE);
        assert_eq!(
            health("4h").unwrap_err(),
            "invalid --max-age '4h': expected a duration like 500ms, 2s or 1m (more than 0, at most 3h)"
        );
    }

    #[test]
    fn negative_values_are_named() {
        assert_eq!(
            config(&["--region", "us-east-1", "--deadline", "-1s"]).unwrap_err(),
            "invalid --deadline '-1s': expected a duration like 500ms, 2s or 1m (more than 0, at most 1h)"
        );
        assert!(
            config(&["--region", "us-east-1", "--port", "-1"])
                .unwrap_err()
                .starts_with("invalid --port '-1'")
        );
    }

    #[test]
    fn control_characters_in_values_are_escaped() {
        // Found by fuzz/run (flags): a newline in a value split the error line.
        let err = config(&["--region", "us-east-1\n"]).unwrap_err();
        assert_eq!(
            err,
            "invalid --region 'us-east-1\\n': expected a region code like ap-northeast-1"
        );
        let err = config(&["--region", "us-east-1", "--timeout", "5\u{1b}[31m"]).unwrap_err();
        assert!(err.starts_with("invalid --timeout '5\\u{1b}[31m'"), "{err}");
    }

    #[test]
    fn the_environment_is_parsed_by_the_same_rules() {
        let env = |k: &str| match k {
            "AWS_REGION" => Some("tokyo".to_owned()),
            "HTTPS_PROXY" => Some("https://user:s3cret@proxy.corp".to_owned()),
            _ => None,
        };
        assert_eq!(
            config_in(&[], &env).unwrap_err(),
            "invalid region 'tokyo': expected a region code like ap-northeast-1"
        );
        assert_eq!(
            config_in(&["--region", "us-east-1"], &env).unwrap_err(),
            "invalid HTTPS_PROXY 'proxy.corp': expected http://HOST[:PORT] (an HTTP proxy; https:// proxies are not supported)"
        );
        // The flag wins, and its `none` turns the inherited proxy off.
        let c = config_in(&["--region", "us-east-1", "--https-proxy", "none"], &env).unwrap();
        assert_eq!(c.probe.proxy, None);
    }

    #[test]
    fn none_is_still_accepted_where_it_was() {
        let env = |k: &str| match k {
            "HTTPS_PROXY" => Some("none".to_owned()),
            "NO_PROXY" => Some("169.254.170.2".to_owned()),
            _ => None,
        };
        let c = config_in(
            &[
                "--region",
                "us-east-1",
                "--services",
                "none",
                "--target",
                "a.example",
                "--hosts-file",
                "none",
            ],
            &env,
        )
        .unwrap();
        assert!(c.plan.services.is_empty());
        assert_eq!(c.probe.dns.hosts_file, None);
        assert_eq!(c.probe.proxy, None);
        let env = |k: &str| match k {
            "HTTPS_PROXY" => Some("http://proxy.corp:3128".to_owned()),
            "NO_PROXY" => Some(" 169.254.170.2, ,.internal ".to_owned()),
            _ => None,
        };
        let proxy = config_in(&["--region", "us-east-1"], &env)
            .unwrap()
            .probe
            .proxy
            .unwrap();
        assert_eq!(proxy.shown, "http://proxy.corp:3128");
        assert_eq!(proxy.no_proxy, ["169.254.170.2", ".internal"]);
    }

    #[test]
    fn ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = config(&[
            "--region",
            "us-east-1",
            "--ca-file",
            empty.to_str().unwrap(),
        ])
        .unwrap_err();
        assert!(err.contains("no PEM CERTIFICATE blocks"), "{err}");
    }
}
