//! AWS's own endpoint data, as the SDKs publish it: `data/aws-names.json`,
//! written by `data/generate-aws-names.py` from botocore's partitions, its
//! endpoint rule sets and its endpoint table (the version is in the file).
//! Embedded at build time and read once; nothing here is typed from memory.
//!
//! Per service, partition and SDK setting the file holds the hostname the
//! SDK calls as a template (`{region}` for the region code), followed by
//! every region of the partition except those listed with their own name;
//! `null` where the SDK refuses to resolve one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
pub(super) struct Data {
    /// The botocore version the file was generated from.
    pub botocore: String,
    pub partitions: Vec<PartitionData>,
    pub services: Vec<ServiceData>,
}

/// One partition, as botocore's `partitions.json` describes it.
#[derive(Debug, Deserialize)]
pub struct PartitionData {
    pub id: String,
    region_regex: String,
    /// The regions the partition lists (without the `*-global` ones).
    pub regions: Vec<String>,
    pub dns_suffix: String,
    pub dualstack_dns_suffix: String,
    #[serde(skip)]
    regex: OnceLock<Option<regex_lite::Regex>>,
}

impl PartitionData {
    /// Whether `code` is one of the partition's regions, listed or matching
    /// its region pattern (as the SDKs choose a partition).
    pub(super) fn matches(&self, code: &str) -> bool {
        self.regex
            .get_or_init(|| regex_lite::Regex::new(&self.region_regex).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(code))
    }
}

/// The names of one service.
#[derive(Debug, Deserialize)]
pub(super) struct ServiceData {
    /// vpce-probe's name of the service (`ecr.api`, `monitoring`, ...).
    pub service: String,
    /// Partition -> setting -> names.
    pub names: BTreeMap<String, BTreeMap<String, Names>>,
    /// Partition -> the regions where the endpoint table lists a FIPS
    /// endpoint of the service.
    pub fips_regions: BTreeMap<String, Vec<String>>,
}

/// The names of one service in one partition under one setting.
#[derive(Debug, Deserialize)]
pub(super) struct Names {
    template: Option<String>,
    #[serde(rename = "except")]
    exceptions: BTreeMap<String, Option<String>>,
}

impl Names {
    /// The name in `region`; `None` where the SDK resolves none.
    pub fn host(&self, region: &str) -> Option<String> {
        match self.exceptions.get(region) {
            Some(host) => host.clone(),
            None => self
                .template
                .as_ref()
                .map(|t| t.replace("{region}", region)),
        }
    }

    /// Every name that does not follow the template (STS's global name).
    pub fn exceptions(&self) -> impl Iterator<Item = &str> {
        self.exceptions.values().filter_map(|h| h.as_deref())
    }
}

/// Where the data came from (`botocore 1.44.8`), for `endpoints`.
pub fn source() -> String {
    format!("botocore {}", data().botocore)
}

/// The data, parsed on first use.
pub(super) fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/aws-names.json"))
            .expect("data/aws-names.json is checked in and parsed by a unit test")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_and_covers_every_partition() {
        let d = data();
        let ids: Vec<&str> = d.partitions.iter().map(|p| p.id.as_str()).collect();
        for id in [
            "aws",
            "aws-cn",
            "aws-us-gov",
            "aws-iso",
            "aws-iso-b",
            "aws-iso-e",
            "aws-iso-f",
            "aws-eusc",
        ] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        for s in &d.services {
            for id in &ids {
                assert!(s.names.contains_key(*id), "{} in {id}", s.service);
            }
        }
        assert!(
            d.partitions
                .iter()
                .all(|p| { p.regions.iter().all(|r| p.matches(r)) })
        );
    }
}
