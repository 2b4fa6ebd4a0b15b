//! What frames every paragraph of an endpoint: a hosts-file entry that
//! pinned the name comes first (with what DNS would have returned), then
//! the sentence that opens a partial failure, and a dual-stack ECR name
//! that `PrivateLink` does not serve is said last.

use std::fmt::Write as _;
use std::net::IpAddr;

use super::Finding;
use super::prose::{Evidence, Explainer, Said};
use crate::probe::dns::HostsPin;

impl Explainer<'_> {
    /// The paragraph for `finding`, framed by what holds for the whole
    /// endpoint: the likely cause and the fix, in the terms of the VPC console.
    pub fn explain(&self, finding: Finding, evidence: Evidence<'_>) -> Said {
        self.explain_after("", finding, evidence)
    }

    /// Like [`Self::explain`], with `opening` (the partial-failure sentence)
    /// after the hosts-file pin and before the paragraph.
    pub fn explain_after(&self, opening: &str, finding: Finding, evidence: Evidence<'_>) -> Said {
        let causes = super::causes::causes(self.facts, finding, &evidence);
        let mut text = self
            .facts
            .lookup
            .hosts_pin
            .map_or_else(String::new, |pin| self.pinned(pin));
        text.push_str(opening);
        text.push_str(&self.render(finding, &causes, evidence));
        // ECR's dual-stack names: no endpoint serves them, said once (the
        // paragraph of a public path or timeout says it itself), and not
        // where the name resolved to private addresses (something inside
        // the VPC answers it; the paragraph speaks for those).
        let ecr_dualstack =
            super::elsewhere::ecr_dualstack_name(self.facts.service, self.facts.host);
        let private = self
            .facts
            .addresses
            .iter()
            .any(|a| a.class.class == crate::classify::AddressClass::Private);
        let said = causes.first()
            == Some(&super::Cause::NotServed {
                why: super::Unserved::EcrDualstack,
            });
        if ecr_dualstack && !private && !said {
            text.push(' ');
            text.push_str(&self.ecr_dualstack_sentence());
        }
        Said { causes, text }
    }

    /// The sentence that opens a `warn` when some addresses fail and others pass.
    pub fn partial(failing: &[IpAddr], total: usize) -> String {
        format!(
            "{} of {} addresses failed ({}); the endpoint works through the others, \
             but calls that land on a failing address fail, an intermittent outage. ",
            failing.len(),
            total,
            super::prose::join_ips(failing.iter().copied()),
        )
    }

    /// "The hosts file pinned NAME ...; DNS would have returned ...".
    fn pinned(&self, pin: &HostsPin) -> String {
        let host = self.facts.host;
        let entries = if pin.entries.is_empty() {
            String::new()
        } else {
            format!(
                " ('{}')",
                crate::printable::Untrusted::join(&pin.entries, "'; '")
            )
        };
        let mut text = format!(
            "The hosts file {path} pins {host}{entries}, and the task's resolver reads it before \
             DNS; ",
            path = pin.path
        );
        match &pin.dns.result {
            Ok(r) if !r.addresses.is_empty() => {
                let ips: Vec<String> = r
                    .addresses
                    .iter()
                    .map(|a| match self.facts.classes.get(a.ip) {
                        Some(c) => format!("{} ({})", a.ip, c.class.as_str()),
                        None => a.ip.to_string(),
                    })
                    .collect();
                let _ = write!(text, "DNS would have returned {}. ", ips.join(", "));
            }
            Ok(_) => text.push_str("DNS would have returned no addresses. "),
            Err(f) => {
                let _ = write!(text, "DNS would have failed too ({}). ", f.detail);
            }
        }
        text.push_str("Remove or correct the entry (an image's /etc/hosts, extraHosts in the task definition). ");
        text
    }
}
