//! The hosts file, read the way the task's libc reads it (before DNS), and
//! kept as text as well, so a report can name the entry that pinned a name.

use std::net::SocketAddr;
use std::path::Path;

use hickory_resolver::Hosts;
use hickory_resolver::proto::op::Query;
use hickory_resolver::proto::rr::{Name, RecordType};

use super::Timed;
use super::dns::{AnswerSource, Resolution, ResolvedAddress, SetupError};

/// A hosts-file answer for a name, and what DNS says beside it: the hosts
/// file wins in the task's libc, so a stale entry hides what the VPC serves.
#[derive(Debug, Clone)]
pub struct HostsPin {
    /// The hosts file that answered.
    pub path: String,
    /// Its lines that name the host, as written (comments dropped): the
    /// file's text, shown escaped.
    pub entries: Vec<crate::printable::Untrusted>,
    /// The nameservers asked beside it.
    pub nameservers: Vec<SocketAddr>,
    /// DNS's answer for the same name, asked within the same budget.
    pub dns: Timed<Resolution>,
}

/// A hosts file: its entries, and its path and text to name an entry by.
pub struct HostsFile {
    hosts: Hosts,
    path: String,
    text: String,
}

impl HostsFile {
    /// Reads the file; a missing one has no entries.
    pub fn read(path: &Path) -> Result<Self, SetupError> {
        let shown = crate::printable::printable_path(path);
        let fail = |e: std::io::Error| SetupError::HostsFile {
            path: shown.clone(),
            reason: e.to_string(),
        };
        let mut hosts = Hosts::default();
        let text = match crate::files::read_capped(path) {
            Ok(bytes) => {
                hosts.read_hosts_conf(bytes.as_slice()).map_err(fail)?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(fail(e)),
        };
        Ok(Self {
            hosts,
            path: shown,
            text,
        })
    }

    /// The file's path, as reports show it.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The addresses the file gives `name`, if it names it.
    pub fn answer(&self, name: &str) -> Option<Resolution> {
        let name = Name::from_ascii(name).ok()?;
        let addresses: Vec<ResolvedAddress> = [RecordType::A, RecordType::AAAA]
            .into_iter()
            .filter_map(|rt| {
                self.hosts
                    .lookup_static_host(&Query::query(name.clone(), rt))
            })
            .flat_map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|r| r.data.ip_addr())
                    .collect::<Vec<_>>()
            })
            .map(|ip| ResolvedAddress { ip, ttl: None })
            .collect();
        (!addresses.is_empty()).then_some(Resolution {
            source: AnswerSource::HostsFile,
            addresses,
            cname_chain: Vec::new(),
        })
    }

    /// The file's lines that name `host` (comments dropped, spaces folded).
    pub fn entries(&self, host: &str) -> Vec<crate::printable::Untrusted> {
        self.text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| {
                l.split_whitespace()
                    .skip(1)
                    .any(|name| name.trim_end_matches('.').eq_ignore_ascii_case(host))
            })
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ").into())
            .collect()
    }
}
