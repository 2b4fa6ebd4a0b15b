//! A Lambda event as `check`'s arguments: a JSON object whose keys are
//! `check`'s flags in `snake_case`, deserialised (serde, unknown keys
//! refused) straight into the typed [`ProbeArgs`] the command line gives,
//! through the same parsers of [`super::values`]. The function's
//! `VPCE_PROBE_*` environment sets the defaults, as for a container; a key
//! of the event wins over it.
//!
//! A value is a string or a number; a boolean for a switch; for a list
//! (`services`, `targets`, `vpc_cidrs`, `endpoint_urls`, `no_proxy`) also a
//! comma-separated string or an array. A refusal is one line: a bad value is
//! the line the flag gets (`invalid --vpc-cidr '10.0.0.0/33': ...`); a key of
//! the wrong shape or not a flag of `check` is named as it was written.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use serde::de::{Deserialize, Deserializer};
use serde_json::Value;

use super::values::{self, HostsFile, NoProxy, ProxyChoice};
use super::{Command, ProbeArgs};
use crate::catalog::{Region, Selection};
use crate::choices::Expect;
use crate::names::{AccountId, Target};
use crate::printable::printable;
use crate::sdk::{EndpointUrlFlag, StsRegionalEndpoints};

mod read;
use read::{Json, List, One};

/// Flags that make no sense in an event: the answer is always the JSON
/// report, and logs go to the function's log group.
pub const NOT_IN_EVENTS: [&str; 6] = ["format", "color", "pretty", "compact", "log", "namespace"];

/// The arguments an event stands for: the environment's defaults, then the
/// event's keys. The error is the one line to answer with.
pub fn probe_args(event: Value) -> Result<ProbeArgs, String> {
    if !event.is_object() {
        return Err(format!(
            "the event must be a JSON object of check's flags in snake_case, not {}",
            printable(&event.to_string())
        ));
    }
    let given = Event::deserialize(Json {
        key: None,
        value: event,
    })
    .map_err(|e| e.to_string())?;
    let defaults = super::parse(["vpce-probe", "check"]).map_err(|e| super::usage_line(&e))?;
    let Command::Check(mut args) = defaults.command else {
        unreachable!("`vpce-probe check` parses as check")
    };
    given.apply(&mut args);
    Ok(args)
}

/// The keys an event may carry, each typed as its flag's value.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Event {
    #[serde(deserialize_with = "region")]
    region: Option<Region>,
    #[serde(deserialize_with = "services")]
    services: Option<Vec<Selection>>,
    #[serde(deserialize_with = "account")]
    ecr_registry: Option<AccountId>,
    #[serde(deserialize_with = "targets")]
    targets: Option<Vec<Target>>,
    #[serde(deserialize_with = "port")]
    port: Option<u16>,
    #[serde(deserialize_with = "dns_server")]
    dns_server: Option<SocketAddr>,
    #[serde(deserialize_with = "file")]
    resolv_conf: Option<PathBuf>,
    #[serde(deserialize_with = "hosts_file")]
    hosts_file: Option<HostsFile>,
    #[serde(deserialize_with = "duration")]
    timeout: Option<Duration>,
    #[serde(deserialize_with = "duration")]
    deadline: Option<Duration>,
    #[serde(deserialize_with = "concurrency")]
    concurrency: Option<usize>,
    #[serde(deserialize_with = "cidrs")]
    vpc_cidrs: Option<Vec<IpNet>>,
    #[serde(deserialize_with = "switch")]
    dualstack: Option<bool>,
    #[serde(deserialize_with = "expect")]
    expect: Option<Expect>,
    #[serde(deserialize_with = "file")]
    ca_file: Option<PathBuf>,
    #[serde(deserialize_with = "cert_warn_days")]
    cert_warn_days: Option<u32>,
    #[serde(deserialize_with = "duration")]
    metadata_timeout: Option<Duration>,
    #[serde(deserialize_with = "https_proxy")]
    https_proxy: Option<ProxyChoice>,
    #[serde(deserialize_with = "no_proxy")]
    no_proxy: Option<NoProxy>,
    #[serde(deserialize_with = "endpoint_urls")]
    endpoint_urls: Option<Vec<EndpointUrlFlag>>,
    #[serde(deserialize_with = "switch")]
    ignore_configured_endpoint_urls: Option<bool>,
    #[serde(deserialize_with = "sts_regional_endpoints")]
    sts_regional_endpoints: Option<StsRegionalEndpoints>,
    #[serde(deserialize_with = "switch")]
    use_fips_endpoint: Option<bool>,
    #[serde(deserialize_with = "file")]
    aws_config_file: Option<PathBuf>,
    #[serde(deserialize_with = "profile")]
    aws_profile: Option<String>,
}

impl Event {
    /// Overrides `args` with every key the event gave (destructured, so
    /// that a new key cannot be forgotten here).
    fn apply(self, a: &mut ProbeArgs) {
        fn set<T>(slot: &mut T, given: Option<T>) {
            if let Some(v) = given {
                *slot = v;
            }
        }
        let Self {
            region,
            services,
            ecr_registry,
            targets,
            port,
            dns_server,
            resolv_conf,
            hosts_file,
            timeout,
            deadline,
            concurrency,
            vpc_cidrs,
            dualstack,
            expect,
            ca_file,
            cert_warn_days,
            metadata_timeout,
            https_proxy,
            no_proxy,
            endpoint_urls,
            ignore_configured_endpoint_urls,
            sts_regional_endpoints,
            use_fips_endpoint,
            aws_config_file,
            aws_profile,
        } = self;
        set(&mut a.region, region.map(Some));
        set(&mut a.services, services);
        set(&mut a.ecr_registry, ecr_registry.map(Some));
        set(&mut a.targets, targets);
        set(&mut a.port, port);
        set(&mut a.dns_server, dns_server.map(Some));
        set(&mut a.resolv_conf, resolv_conf);
        set(&mut a.hosts_file, hosts_file);
        set(&mut a.timeout, timeout);
        set(&mut a.deadline, deadline);
        set(&mut a.concurrency, concurrency);
        set(&mut a.vpc_cidrs, vpc_cidrs);
        set(&mut a.dualstack, dualstack);
        set(&mut a.expect, expect);
        set(&mut a.ca_file, ca_file.map(Some));
        set(&mut a.cert_warn_days, cert_warn_days);
        set(&mut a.metadata_timeout, metadata_timeout);
        set(&mut a.https_proxy, https_proxy.map(Some));
        set(&mut a.no_proxy, no_proxy.map(Some));
        set(&mut a.sdk.endpoint_urls, endpoint_urls);
        set(
            &mut a.sdk.ignore_configured_endpoint_urls,
            ignore_configured_endpoint_urls,
        );
        set(
            &mut a.sdk.sts_regional_endpoints,
            sts_regional_endpoints.map(Some),
        );
        set(&mut a.sdk.use_fips_endpoint, use_fips_endpoint);
        set(&mut a.sdk.aws_config_file, aws_config_file.map(Some));
        set(&mut a.sdk.aws_profile, aws_profile.map(Some));
    }
}

/// The `deserialize_with` of each kind of key: its flag's parser applied
/// to one value ([`One`]), or to each item of a list ([`List`]).
macro_rules! keys {
    ($($name:ident: $visitor:ident $ty:ty = $parse:path;)*) => {$(
        fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
            d.deserialize_any($visitor($parse)).map(Some)
        }
    )*};
}

keys! {
    region: One Region = values::region;
    services: List Vec<Selection> = values::service;
    account: One AccountId = values::account;
    targets: List Vec<Target> = values::target;
    port: One u16 = values::port;
    dns_server: One SocketAddr = values::dns_server;
    file: One PathBuf = values::file;
    hosts_file: One HostsFile = values::hosts_file;
    duration: One Duration = values::duration;
    concurrency: One usize = values::concurrency;
    cidrs: List Vec<IpNet> = values::cidr;
    expect: One Expect = values::choice;
    cert_warn_days: One u32 = values::cert_warn_days;
    https_proxy: One ProxyChoice = values::https_proxy;
    endpoint_urls: List Vec<EndpointUrlFlag> = values::endpoint_url;
    sts_regional_endpoints: One StsRegionalEndpoints = values::sts_regional_endpoints;
    profile: One String = values::profile;
}

/// `no_proxy`: one list, however it was split.
fn no_proxy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NoProxy>, D::Error> {
    let entries = d.deserialize_any(List(values::text))?;
    Ok(Some(NoProxy::parse(&entries.join(","))))
}

/// A switch (`dualstack`): a JSON boolean; `false` overrides the
/// environment's `true`.
fn switch<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_value_shape_becomes_typed() {
        let args = probe_args(json!({
            "region": "ap-northeast-1",
            "services": ["ecr", "logs,ssm"],
            "targets": "api.example.com:8443,10.1.2.3",
            "vpc_cidrs": ["10.0.0.0/16", "10.1.2.3/16"],
            "port": 8443,
            "timeout": "2s",
            "deadline": "1m",
            "concurrency": "8",
            "cert_warn_days": 30,
            "ecr_registry": 123_456_789_012_u64,
            "dualstack": true,
            "expect": "private",
            "https_proxy": "none",
            "hosts_file": "none",
            "no_proxy": ["169.254.170.2", ".internal,.corp"],
            "use_fips_endpoint": false,
            "aws_profile": "prod",
            "endpoint_urls": ["s3=https://s3.example", "https://all.example:8443"],
            "sts_regional_endpoints": "Legacy",
            "aws_config_file": "/etc/aws/config",
        }))
        .unwrap();
        assert_eq!(args.region.unwrap().code(), "ap-northeast-1");
        assert_eq!(crate::catalog::expand(&args.services).len(), 5);
        assert_eq!(args.targets.len(), 2);
        assert_eq!(args.targets[0].port, 8443);
        assert_eq!(
            args.vpc_cidrs,
            [
                "10.0.0.0/16".parse::<IpNet>().unwrap(),
                "10.1.0.0/16".parse().unwrap()
            ]
        );
        assert_eq!(args.port, 8443);
        assert_eq!(args.timeout, Duration::from_secs(2));
        assert_eq!(args.deadline, Duration::from_secs(60));
        assert_eq!(args.concurrency, 8);
        assert_eq!(args.cert_warn_days, 30);
        assert_eq!(args.ecr_registry.unwrap().as_str(), "123456789012");
        assert!(args.dualstack);
        assert_eq!(args.expect, Expect::Private);
        assert_eq!(args.https_proxy, Some(ProxyChoice::Off));
        assert_eq!(args.hosts_file, HostsFile::Skip);
        assert_eq!(
            args.no_proxy.unwrap().0,
            ["169.254.170.2", ".internal", ".corp"]
        );
        assert!(!args.sdk.use_fips_endpoint);
        assert_eq!(args.sdk.aws_profile.as_deref(), Some("prod"));
        let urls = &args.sdk.endpoint_urls;
        assert_eq!(
            (urls[0].service, urls[0].url.host.to_string().as_str()),
            (Some(crate::catalog::Service::S3), "s3.example")
        );
        assert_eq!((urls[1].service, urls[1].url.port), (None, 8443));
        assert_eq!(
            args.sdk.sts_regional_endpoints,
            Some(StsRegionalEndpoints::Legacy)
        );
        assert_eq!(
            args.sdk.aws_config_file.as_deref(),
            Some(std::path::Path::new("/etc/aws/config"))
        );
    }

    #[test]
    fn keys_not_given_keep_the_defaults() {
        let args = probe_args(json!({})).unwrap();
        let Command::Check(flags) = super::super::parse(["vpce-probe", "check"])
            .unwrap()
            .command
        else {
            unreachable!()
        };
        assert_eq!(format!("{args:?}"), format!("{flags:?}"));
    }

    #[test]
    fn the_event_wins_over_the_environment() {
        // As if VPCE_PROBE_DUALSTACK=true and VPCE_PROBE_TIMEOUT=300ms.
        let Command::Check(mut args) =
            super::super::parse(["vpce-probe", "check", "--dualstack", "--timeout", "300ms"])
                .unwrap()
                .command
        else {
            unreachable!()
        };
        let event = json!({"dualstack": false, "timeout": "2s"});
        Event::deserialize(Json {
            key: None,
            value: event,
        })
        .unwrap()
        .apply(&mut args);
        assert!(!args.dualstack);
        assert_eq!(args.timeout, Duration::from_secs(2));
    }

    #[test]
    fn bad_events_are_one_line_naming_the_key_or_the_flag() {
        let cases = [
            (
                json!({"region": "tokyo"}),
                "invalid --region 'tokyo': expected a region code like ap-northeast-1",
            ),
            (
                json!({"regoin": "us-east-1"}),
                "unknown event key 'regoin': the keys are check's flags in snake_case",
            ),
            (json!({"re\ngion": 1}), "unknown event key 're\\ngion'"),
            (
                json!({"format": "text"}),
                "event key 'format' is not accepted: the answer is always the JSON report",
            ),
            (
                json!({"vpc_cidrs": ["10.0.0.0/8", "10.0.0.0/33"]}),
                "invalid --vpc-cidr '10.0.0.0/33': expected a CIDR like 10.0.0.0/16 or fd00::/8",
            ),
            (
                json!({"port": {"n": 1}}),
                "invalid event key 'port': expected a string or a number, not map",
            ),
            (
                json!({"port": 0}),
                "invalid --port '0': expected a port from 1 to 65535",
            ),
            (
                json!({"timeout": "5\n"}),
                "invalid --timeout '5\\n': expected a duration",
            ),
            (
                json!({"dualstack": "yes"}),
                "invalid event key 'dualstack': expected a boolean, not string \"yes\"",
            ),
            (
                json!({"targets": ["a.example", true]}),
                "invalid event key 'targets': expected a string or a number, not boolean `true`",
            ),
            (
                json!({"region": null}),
                "invalid event key 'region': expected a string or a number, not unit value",
            ),
            (
                json!({"https_proxy": "https://user:s3cret@proxy.corp"}),
                "invalid --https-proxy 'proxy.corp': expected http://",
            ),
            (
                json!({"expect": "public"}),
                "invalid --expect 'public': expected one of any, private",
            ),
            (
                json!({"endpoint_urls": ["s3=https://x.example", "secretsmanager=vpce.example"]}),
                "invalid --endpoint-url 'secretsmanager=vpce.example': expected https://HOST[:PORT]",
            ),
            (
                json!({"endpoint_urls": "nosuch=https://u:s3cret@x.example"}),
                "invalid --endpoint-url 'nosuch=https://...@x.example': expected [SERVICE=]",
            ),
            (
                json!({"sts_regional_endpoints": "global"}),
                "invalid --sts-regional-endpoints 'global': expected legacy or regional",
            ),
            (
                json!({"aws_config_file": ""}),
                "invalid --aws-config-file '': expected a file path",
            ),
            (
                json!({"aws_profile": " "}),
                "invalid --aws-profile ' ': expected a profile name",
            ),
            (
                json!(["region"]),
                "the event must be a JSON object of check's flags in snake_case, not [\"region\"]",
            ),
        ];
        for (event, want) in cases {
            let err = probe_args(event.clone()).unwrap_err();
            assert!(err.starts_with(want), "{event}: {err}");
            assert!(!err.contains('\n'), "{err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn every_flag_of_check_is_a_key() {
        use crate::cli::Cli;
        use clap::CommandFactory;
        let command = Cli::command();
        let check = command.find_subcommand("check").unwrap();
        let mut keys = 0;
        for arg in check.get_arguments().filter(|a| a.get_long().is_some()) {
            let key = arg.get_id().as_str();
            if key == "help" {
                continue;
            }
            // A null value is refused by the key's own deserializer, so an
            // answer naming the key proves the key exists.
            let err = probe_args(json!({ key: null })).unwrap_err();
            let want = if NOT_IN_EVENTS.contains(&key) {
                format!("event key '{key}' is not accepted")
            } else {
                keys += 1;
                format!("invalid event key '{key}': expected")
            };
            assert!(err.starts_with(&want), "{key}: {err}");
        }
        assert_eq!(keys, 25);
    }
}
