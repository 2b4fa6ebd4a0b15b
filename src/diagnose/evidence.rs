//! What the judge reads: the evidence of one endpoint, typed. A probe round
//! builds it from what the probe met ([`Attempt::probed`],
//! [`Lookup::probed`]); `explain` builds it from a stopped reason's text.
//! Either way, every address is classified once, in [`Classes`].

use std::net::{IpAddr, SocketAddr};

use crate::classify::{Classification, Network};
use crate::probe::dns::HostsPin;
use crate::probe::{AddressProbe, CertInfo, DnsOutcome, Failure, Phase};

/// Every address an endpoint's evidence names, classified once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classes(Vec<(IpAddr, Classification)>);

impl Classes {
    /// Classifies each distinct address of `ips` (in order).
    pub fn of(network: &Network, ips: impl IntoIterator<Item = IpAddr>) -> Self {
        let mut out: Vec<(IpAddr, Classification)> = Vec::new();
        for ip in ips {
            if !out.iter().any(|(known, _)| *known == ip) {
                out.push((ip, network.classify(ip)));
            }
        }
        Self(out)
    }

    /// Every address a probe met: the lookup's answer, DNS's own answer
    /// beside a hosts-file pin, and the addresses tried.
    pub fn of_probe(network: &Network, dns: &DnsOutcome, tried: &[AddressProbe]) -> Self {
        let answered =
            |r: &crate::probe::Resolution| r.addresses.iter().map(|a| a.ip).collect::<Vec<_>>();
        let lookup = dns.answer.result.as_ref().map(answered).unwrap_or_default();
        let pinned = dns
            .hosts_pin
            .as_ref()
            .and_then(|p| p.dns.result.as_ref().ok())
            .map(answered)
            .unwrap_or_default();
        Self::of(
            network,
            lookup
                .into_iter()
                .chain(pinned)
                .chain(tried.iter().map(|a| a.ip)),
        )
    }

    /// The addresses tried, each with its class; `self` must come from
    /// [`Self::of_probe`] over the same addresses.
    pub fn attempts<'a>(&self, tried: &'a [AddressProbe]) -> Vec<Attempt<'a>> {
        tried
            .iter()
            .map(|a| {
                let class = self
                    .get(a.ip)
                    .expect("Classes::of_probe classifies every address tried");
                Attempt::probed(a, class)
            })
            .collect()
    }

    /// The classification of `ip`, when the evidence names it.
    pub fn get(&self, ip: IpAddr) -> Option<Classification> {
        self.0
            .iter()
            .find(|(known, _)| *known == ip)
            .map(|(_, c)| *c)
    }
}

/// How far one address got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached<'a> {
    /// A verified TLS handshake completed.
    Verified,
    /// It failed in this phase.
    Failed(Phase, &'a Failure),
    /// TCP connected and no handshake was tried (the round's deadline).
    Connected,
}

/// One address as the judge reads it: where it is and how far it got.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub ip: IpAddr,
    pub class: Classification,
    pub reached: Reached<'a>,
    /// The certificate the server presented, even when it was rejected.
    pub cert: Option<&'a CertInfo>,
}

impl<'a> Attempt<'a> {
    /// What the probe met at one address, of class `class`.
    pub fn probed(probe: &'a AddressProbe, class: Classification) -> Self {
        let reached = match probe.failure() {
            Some((phase, f)) => Reached::Failed(phase, f),
            None if probe.passed() => Reached::Verified,
            None => Reached::Connected,
        };
        Self {
            ip: probe.ip,
            class,
            reached,
            cert: probe.cert.as_ref(),
        }
    }

    /// The phase that failed and how, if one did.
    pub fn failure(&self) -> Option<(Phase, &'a Failure)> {
        match self.reached {
            Reached::Failed(phase, f) => Some((phase, f)),
            Reached::Verified | Reached::Connected => None,
        }
    }

    /// A verified handshake completed.
    pub fn passed(&self) -> bool {
        self.reached == Reached::Verified
    }
}

/// The lookup as the judge reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// The nameservers asked (empty when unknown, or for a hosts-file answer).
    pub nameservers: &'a [SocketAddr],
    /// Why the lookup failed, when it did.
    pub failure: Option<&'a Failure>,
    /// The hosts file answered: its entry and DNS's own answer.
    pub hosts_pin: Option<&'a HostsPin>,
}

impl<'a> Lookup<'a> {
    /// What the probe's lookup met.
    pub fn probed(dns: &'a DnsOutcome) -> Self {
        Self {
            nameservers: &dns.nameservers,
            failure: dns.answer.result.as_ref().err(),
            hosts_pin: dns.hosts_pin.as_deref(),
        }
    }
}
