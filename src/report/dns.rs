//! The report's `dns` object: the answer the probe used, every address
//! classified, and beside a hosts-file answer what DNS said.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use super::{ErrorReport, error_report, millis};
use crate::classify::{AddressClass, AddressNetwork, Family};
use crate::diagnose::Classes;
use crate::probe::{AnswerSource, DnsOutcome, Resolution, Timed};

#[derive(Debug, Clone, Serialize)]
pub struct DnsReport {
    pub ok: bool,
    pub source: Option<AnswerSource>,
    /// The nameservers asked, `ip:port`.
    pub nameservers: Vec<String>,
    pub lookup_ms: f64,
    pub addresses: Vec<DnsAddress>,
    /// Names the query was redirected through, in order, without the trailing dot.
    pub cname_chain: Vec<String>,
    /// TTLs of the CNAME hops, aligned with `cname_chain`.
    pub cname_ttls: Vec<u32>,
    pub error: Option<ErrorReport>,
    /// When the hosts file answered: its entry and what DNS returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts_file: Option<HostsFileReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DnsAddress {
    pub ip: IpAddr,
    pub family: Family,
    pub class: AddressClass,
    /// Why the address has its class (as in the endpoint's addresses).
    pub network: AddressNetwork,
    /// DNS64 synthesised the address (`64:ff9b::/96`, `64:ff9b:1::/48`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nat64: bool,
    /// The IPv4 address a NAT64 address carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nat64_ipv4: Option<Ipv4Addr>,
    /// Inside the task's own subnet (from task metadata).
    pub in_task_subnet: bool,
    pub ttl: Option<u32>,
}

/// A hosts-file answer and the DNS answer it hid.
#[derive(Debug, Clone, Serialize)]
pub struct HostsFileReport {
    /// The hosts file that answered.
    pub path: String,
    /// Its lines naming the host.
    pub entries: Vec<crate::printable::Untrusted>,
    /// What DNS returned for the same name.
    pub dns: DnsAnswerReport,
}

/// DNS's own answer for a name the hosts file pinned.
#[derive(Debug, Clone, Serialize)]
pub struct DnsAnswerReport {
    pub ok: bool,
    pub nameservers: Vec<String>,
    pub lookup_ms: f64,
    pub addresses: Vec<DnsAddress>,
    pub cname_chain: Vec<String>,
    pub error: Option<ErrorReport>,
}

fn addresses(classes: &Classes, resolution: Option<&Resolution>) -> Vec<DnsAddress> {
    resolution
        .map(|r| {
            r.addresses
                .iter()
                .map(|a| {
                    let c = classes
                        .get(a.ip)
                        .expect("Classes::of_probe classifies every address DNS returned");
                    DnsAddress {
                        ip: a.ip,
                        family: c.family,
                        class: c.class,
                        network: c.why.network(),
                        nat64: c.nat64().is_some(),
                        nat64_ipv4: c.nat64(),
                        in_task_subnet: c.in_task_subnet,
                        ttl: a.ttl,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn cname_chain(resolution: Option<&Resolution>) -> Vec<String> {
    resolution
        .map(|r| r.cname_chain.iter().map(|h| h.target.clone()).collect())
        .unwrap_or_default()
}

fn shown(nameservers: &[std::net::SocketAddr]) -> Vec<String> {
    nameservers.iter().map(ToString::to_string).collect()
}

fn dns_answer(
    classes: &Classes,
    nameservers: &[std::net::SocketAddr],
    answer: &Timed<Resolution>,
) -> DnsAnswerReport {
    let resolution = answer.result.as_ref().ok();
    DnsAnswerReport {
        ok: answer.result.is_ok(),
        nameservers: shown(nameservers),
        lookup_ms: millis(answer.elapsed),
        addresses: addresses(classes, resolution),
        cname_chain: cname_chain(resolution),
        error: answer.result.as_ref().err().map(error_report),
    }
}

/// The `dns` object of one endpoint.
pub fn report(classes: &Classes, dns: &DnsOutcome) -> DnsReport {
    let answer = &dns.answer;
    let resolution = answer.result.as_ref().ok();
    DnsReport {
        ok: answer.result.is_ok(),
        source: resolution.map(|r| r.source),
        nameservers: shown(&dns.nameservers),
        lookup_ms: millis(answer.elapsed),
        addresses: addresses(classes, resolution),
        cname_chain: cname_chain(resolution),
        cname_ttls: resolution
            .map(|r| r.cname_chain.iter().map(|h| h.ttl).collect())
            .unwrap_or_default(),
        error: answer.result.as_ref().err().map(error_report),
        hosts_file: dns.hosts_pin.as_deref().map(|pin| HostsFileReport {
            path: pin.path.clone(),
            entries: pin.entries.clone(),
            dns: dns_answer(classes, &pin.nameservers, &pin.dns),
        }),
    }
}
