//! The HTTPS proxy an application's AWS SDK would use: `HTTPS_PROXY` and
//! `NO_PROXY` as the SDKs read them. The ECS platform (image pulls, secrets,
//! awslogs on Fargate) never uses them; the app's SDK does, so the probe
//! tries both routes. `NO_PROXY` is matched as the SDKs match it, and where
//! they differ the match says which SDK families would not honour it.

use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;
use serde::Serialize;

use crate::names::{Host, Target};
use crate::printable::Untrusted;

/// A validated proxy: where it is, and how to present credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub host: Host,
    pub port: u16,
    /// `http://host:port`, credentials never included.
    pub shown: String,
    /// `Basic ...` when the URL carried `user:password@`.
    pub authorization: Option<String>,
    /// `NO_PROXY` entries, trimmed, empty ones dropped.
    pub no_proxy: Vec<String>,
}

/// A proxy URL as given, parsed: `http://[USER:PASS@]HOST[:PORT]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub host: Host,
    pub port: u16,
    /// `http://host:port`, credentials never included.
    pub shown: String,
    /// `Basic ...` when the URL carried `user:password@`.
    pub authorization: Option<String>,
}

impl ProxyUrl {
    /// Parses a proxy URL (see [`parse_url`]); the error says what is
    /// wrong, never the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (host, port, shown, authorization) = parse_url(url)?;
        Ok(Self {
            host,
            port,
            shown,
            authorization,
        })
    }

    /// A proxy URL as it may be shown: without its userinfo, which may hold
    /// a password.
    pub fn redacted(url: &str) -> &str {
        url.rsplit_once('@').map_or(url, |(_, h)| h)
    }
}

impl Proxy {
    /// The proxy the app's SDK would use: `url` (from `--https-proxy`, else
    /// `HTTPS_PROXY`, else `https_proxy`), bypassed for `no_proxy`'s hosts
    /// (`NO_PROXY` entries, trimmed, empty ones dropped).
    pub fn new(url: ProxyUrl, no_proxy: Vec<String>) -> Self {
        Self {
            host: url.host,
            port: url.port,
            shown: url.shown,
            authorization: url.authorization,
            no_proxy,
        }
    }
}

/// Parses `http://[user:password@]host[:port][/]`; the port defaults to 80
/// as for any `http` URL. The error says what is wrong, never the password.
pub fn parse_url(url: &str) -> Result<(Host, u16, String, Option<String>), String> {
    let rest = url
        .trim()
        .strip_prefix("http://")
        .ok_or("expected http://HOST[:PORT] (an HTTP proxy; https:// proxies are not supported)")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    if hostport.contains('/') {
        return Err("expected http://HOST[:PORT] with no path".to_owned());
    }
    let target = Target::parse(hostport).ok_or("expected http://HOST[:PORT]")?;
    let has_port = match hostport.strip_prefix('[') {
        Some(rest) => rest
            .split_once(']')
            .is_some_and(|(_, after)| after.starts_with(':')),
        None => hostport.matches(':').count() == 1,
    };
    let port = if has_port { target.port } else { 80 };
    let authorization = userinfo.map(|u| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(u.as_bytes())
        )
    });
    let shown = match &target.host {
        Host::Ip(IpAddr::V6(ip)) => format!("http://[{ip}]:{port}"),
        h => format!("http://{h}:{port}"),
    };
    Ok((target.host, port, shown, authorization))
}

/// A `NO_PROXY` entry that matched a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoProxyMatch {
    /// The entry as the variable holds it (shown escaped).
    pub entry: Untrusted,
    /// SDK families that would still send this host to the proxy.
    pub not_honoured_by: Vec<&'static str>,
}

/// Which entry of `no_proxy` exempts `host`, as the Go SDK (the widest
/// reading: `*`, exact names, domain suffixes with or without a leading dot,
/// IPs, CIDRs) matches it; entries that botocore and the Java SDK do not
/// read the same way are named.
pub fn exempt(no_proxy: &[String], host: &Host) -> Option<NoProxyMatch> {
    let name = host.to_string();
    for entry in no_proxy {
        let e = entry.trim().to_ascii_lowercase();
        let e = e
            .strip_prefix("*.")
            .map_or(e.clone(), |rest| format!(".{rest}"));
        if e == "*" {
            return Some(NoProxyMatch {
                entry: entry.as_str().into(),
                not_honoured_by: Vec::new(),
            });
        }
        if let Ok(net) = e.parse::<IpNet>() {
            if let Host::Ip(ip) = host
                && net.contains(ip)
            {
                return Some(NoProxyMatch {
                    entry: entry.as_str().into(),
                    // botocore and the Java SDK ignore CIDR entries.
                    not_honoured_by: vec!["Python (botocore)", "Java"],
                });
            }
            continue;
        }
        if let Ok(ip) = e.parse::<IpAddr>() {
            if matches!(host, Host::Ip(h) if *h == ip) {
                return Some(NoProxyMatch {
                    entry: entry.as_str().into(),
                    not_honoured_by: Vec::new(),
                });
            }
            continue;
        }
        let domain = e.trim_start_matches('.');
        if domain.is_empty() {
            continue;
        }
        let exact = name == domain;
        let below = name.ends_with(&format!(".{domain}"));
        if below || (exact && !e.starts_with('.')) {
            return Some(NoProxyMatch {
                entry: entry.as_str().into(),
                not_honoured_by: Vec::new(),
            });
        }
    }
    None
}

/// Whether `no_proxy` lets the task fetch credentials from the container
/// credentials endpoint directly (the Go SDK v2 sends it to the proxy
/// otherwise).
pub fn exempts_credentials(no_proxy: &[String]) -> bool {
    exempt(no_proxy, &Host::Ip(IpAddr::from([169, 254, 170, 2]))).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let (host, port, shown, auth) = parse_url("http://proxy.corp:3128").unwrap();
        assert_eq!(
            (host.to_string(), port, shown.as_str(), auth),
            (
                "proxy.corp".to_owned(),
                3128,
                "http://proxy.corp:3128",
                None
            )
        );
        let (_, port, shown, auth) = parse_url("http://user:s3cret@10.0.0.5/").unwrap();
        assert_eq!((port, shown.as_str()), (80, "http://10.0.0.5:80"));
        assert_eq!(auth.as_deref(), Some("Basic dXNlcjpzM2NyZXQ="));
        assert_eq!(
            parse_url("http://[::1]:8080").unwrap().2,
            "http://[::1]:8080"
        );
        for bad in [
            "proxy:3128",
            "https://proxy:3128",
            "http://",
            "http://proxy:0",
            "http://proxy:3128/path",
            "http://bad host",
        ] {
            let err = parse_url(bad).unwrap_err();
            assert!(!err.contains("s3cret"), "{bad}: {err}");
        }
    }

    type Want = Option<(&'static str, usize)>;

    #[test]
    fn no_proxy_as_the_sdks_read_it() {
        let list = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        let host = |s: &str| Host::parse(s).unwrap();
        let cases: [(&str, &str, Want); 10] = [
            (
                "169.254.169.254,169.254.170.2",
                "logs.us-east-1.amazonaws.com",
                None,
            ),
            (
                ".amazonaws.com",
                "logs.us-east-1.amazonaws.com",
                Some((".amazonaws.com", 0)),
            ),
            (
                "amazonaws.com",
                "logs.us-east-1.amazonaws.com",
                Some(("amazonaws.com", 0)),
            ),
            (
                "*.amazonaws.com",
                "logs.us-east-1.amazonaws.com",
                Some(("*.amazonaws.com", 0)),
            ),
            (".amazonaws.com", "amazonaws.com", None),
            ("*", "anything.example", Some(("*", 0))),
            (
                "logs.us-east-1.amazonaws.com",
                "logs.us-east-1.amazonaws.com",
                Some(("logs.us-east-1.amazonaws.com", 0)),
            ),
            ("10.0.0.0/8", "10.1.2.3", Some(("10.0.0.0/8", 2))),
            ("10.1.2.3", "10.1.2.3", Some(("10.1.2.3", 0))),
            ("example.com", "notexample.com", None),
        ];
        for (entries, h, want) in cases {
            let got = exempt(&list(entries), &host(h)).map(|m| (m.entry, m.not_honoured_by.len()));
            assert_eq!(got, want.map(|(e, n)| (e.into(), n)), "{entries} vs {h}");
        }
        assert!(exempts_credentials(&list("169.254.169.254,169.254.170.2")));
        assert!(!exempts_credentials(&list(".amazonaws.com")));
    }
}
