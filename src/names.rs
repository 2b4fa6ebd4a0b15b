//! What endpoints are called: a [`Host`] (a DNS name or an IP literal), a
//! `--target`'s host and port, and a 12-digit AWS [`AccountId`]. Parsed
//! once, by configuration and task metadata alike; a leaf module.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use rustls_pki_types::{DnsName, ServerName};

/// A host to probe: a DNS name, or an IP literal that needs no lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Name(DnsName<'static>),
    Ip(IpAddr),
}

impl Host {
    /// An IP literal or a DNS name (lower-cased, a trailing dot dropped:
    /// the probe always asks the resolver for the fully-qualified name).
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(Self::Ip(ip));
        }
        let name = s.strip_suffix('.').unwrap_or(s);
        DnsName::try_from(name.to_ascii_lowercase())
            .ok()
            .map(Self::Name)
    }

    /// The name TLS verifies against and sends as SNI.
    pub fn server_name(&self) -> ServerName<'static> {
        match self {
            Self::Name(n) => ServerName::DnsName(n.clone()),
            Self::Ip(ip) => ServerName::IpAddress((*ip).into()),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n.as_ref()),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// An extra endpoint from `--target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: Host,
    pub port: u16,
}

impl Target {
    /// Parses `HOST`, `HOST:PORT`, `IPv4:PORT`, `IPv6`, `[IPv6]` and
    /// `[IPv6]:PORT`; the port defaults to 443.
    pub fn parse(s: &str) -> Option<Self> {
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (v6, after) = rest.split_once(']')?;
            let ip: Ipv6Addr = v6.parse().ok()?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?),
            };
            (Host::Ip(IpAddr::V6(ip)), port)
        } else if let Ok(ip) = s.parse::<Ipv6Addr>() {
            (Host::Ip(IpAddr::V6(ip)), None)
        } else {
            let (h, p) = match s.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            };
            (Host::parse(h)?, p)
        };
        let port = match port {
            None => 443,
            Some(p) => parse_port(p)?,
        };
        Some(Self { host, port })
    }
}

/// A TCP port from 1 to 65535.
pub fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|p| *p != 0)
}

/// A 12-digit AWS account ID (an ECR registry, a task's owner).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let cases = [
            ("api.example.com:8443", Some(("api.example.com", 8443))),
            ("API.Example.com.", Some(("api.example.com", 443))),
            ("10.1.2.3", Some(("10.1.2.3", 443))),
            ("[::1]:9443", Some(("::1", 9443))),
            ("::1", Some(("::1", 443))),
            ("[::1]", Some(("::1", 443))),
            ("h:0", None),
            ("[::1", None),
            ("bad host:1", None),
            ("[::1]x", None),
        ];
        for (input, want) in cases {
            let got = Target::parse(input).map(|t| (t.host.to_string(), t.port));
            assert_eq!(got, want.map(|(h, p)| (h.to_owned(), p)), "{input}");
        }
    }

    #[test]
    fn accounts() {
        assert!(AccountId::parse("123456789012").is_some());
        for bad in ["12345", "1234567890123", "12345678901a", ""] {
            assert!(AccountId::parse(bad).is_none(), "{bad}");
        }
    }
}
