//! Partitions and regions: which partition a region code belongs to, and
//! its DNS suffixes, from AWS's partition data ([`super::data`]).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::data::{PartitionData, data};

/// An AWS partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...): decides
/// the DNS suffix of every hostname.
#[derive(Clone, Copy)]
pub struct Partition(&'static PartitionData);

impl Partition {
    /// The partition a region code belongs to, as the SDKs choose it: the
    /// one that lists it, else the one whose region pattern it matches,
    /// else `aws`, where new regions appear.
    fn of_region(code: &str) -> Self {
        let all = &data().partitions;
        all.iter()
            .find(|p| p.regions.iter().any(|r| r == code))
            .or_else(|| all.iter().find(|p| p.matches(code)))
            .map_or_else(Self::aws, Self)
    }

    /// The commercial partition.
    pub fn aws() -> Self {
        Self::named("aws").expect("the partition data has aws")
    }

    /// The partition with this id (`aws-cn`, ...).
    pub fn named(id: &str) -> Option<Self> {
        data().partitions.iter().find(|p| p.id == id).map(Self)
    }

    /// Every partition of the data.
    pub fn all() -> impl Iterator<Item = Self> {
        data().partitions.iter().map(Self)
    }

    /// The partition's id (`aws`, `aws-cn`, ...).
    pub fn name(self) -> &'static str {
        &self.0.id
    }

    pub fn dns_suffix(self) -> &'static str {
        &self.0.dns_suffix
    }

    /// The suffix of the SDKs' dual-stack names (`api.aws`, ...).
    pub fn dualstack_suffix(self) -> &'static str {
        &self.0.dualstack_dns_suffix
    }

    /// The regions the data lists for the partition.
    pub fn regions(self) -> &'static [String] {
        &self.0.regions
    }
}

impl PartialEq for Partition {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Partition {}

impl fmt::Debug for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Partition({})", self.0.id)
    }
}

impl Serialize for Partition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A well-formed region code such as `ap-northeast-1` or `us-gov-west-1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    code: String,
    partition: Partition,
}

/// The region text is not shaped like an AWS region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid region '{0}': expected a region code like ap-northeast-1")]
pub struct InvalidRegion(pub String);

impl FromStr for Region {
    type Err = InvalidRegion;

    /// Accepts `<2-4 letters>(-<letters>)+-<digits>`: every region AWS has
    /// published, and the ones it will publish, but not typos such as
    /// `ap-northeast`, `AP-NORTHEAST-1` or `ap_northeast_1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('-').collect();
        let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
        // Real codes are under 20 characters; 32 keeps every hostname built
        // from one a valid DNS name (found by fuzz/run: a 70-letter label).
        let well_formed = s.len() <= 32
            && parts.len() >= 3
            && (2..=4).contains(&parts[0].len())
            && lower(&parts[0])
            && parts[1..parts.len() - 1].iter().all(lower)
            && parts[parts.len() - 1].len() <= 2
            && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && !parts[parts.len() - 1].is_empty();
        if well_formed {
            Ok(Self {
                code: s.to_owned(),
                partition: Partition::of_region(s),
            })
        } else {
            Err(InvalidRegion(crate::printable::printable(s)))
        }
    }
}

impl Region {
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn partition(&self) -> Partition {
        self.partition
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

/// Where the run's region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RegionSource {
    /// `--region` (or `AWS_REGION`).
    #[serde(rename = "configuration")]
    Configuration,
    /// The task metadata's task ARN.
    #[serde(rename = "task ARN")]
    TaskArn,
    /// The task metadata's availability zone.
    #[serde(rename = "availability zone")]
    AvailabilityZone,
}

impl std::fmt::Display for RegionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Configuration => "configuration",
            Self::TaskArn => "task ARN",
            Self::AvailabilityZone => "availability zone",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_validated_by_shape_and_find_their_partition() {
        let cases = [
            ("ap-northeast-1", Some("aws")),
            ("us-east-1", Some("aws")),
            ("il-central-1", Some("aws")),
            ("cn-north-1", Some("aws-cn")),
            ("cn-northwest-1", Some("aws-cn")),
            ("us-gov-west-1", Some("aws-us-gov")),
            ("eusc-de-east-1", Some("aws-eusc")),
            ("us-iso-east-1", Some("aws-iso")),
            ("us-isob-east-1", Some("aws-iso-b")),
            ("eu-isoe-west-1", Some("aws-iso-e")),
            ("us-isof-south-1", Some("aws-iso-f")),
            // Not yet listed: by the partition's pattern, else aws.
            ("us-isof-north-9", Some("aws-iso-f")),
            ("cn-south-7", Some("aws-cn")),
            ("xx-newplace-7", Some("aws")),
            ("ap-northeast", None),
            ("AP-NORTHEAST-1", None),
            ("ap_northeast_1", None),
            ("ap-northeast-1 ", None),
            ("", None),
            ("ap--1", None),
            ("-northeast-1", None),
            ("apnortheast1", None),
            ("ap-northeast-123", None),
            (
                "us-gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggwest-2",
                None,
            ),
        ];
        for (input, want) in cases {
            let got = input.parse::<Region>().ok().map(|r| r.partition().name());
            assert_eq!(got, want, "region {input:?}");
        }
        let gov: Region = "us-gov-east-1".parse().unwrap();
        assert_eq!(gov.partition().dns_suffix(), "amazonaws.com");
        let iso: Region = "us-iso-east-1".parse().unwrap();
        assert_eq!(iso.partition().dns_suffix(), "c2s.ic.gov");
    }
}
