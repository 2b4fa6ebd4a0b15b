//! ECS task metadata (v4): who and where this task is, read from
//! `${ECS_CONTAINER_METADATA_URI_V4}/task` and the container root with
//! hyper, under a short timeout and a body cap.
//!
//! Parsing is lenient on purpose: every field is optional, unknown fields
//! are ignored, and a field of the wrong type is skipped rather than
//! failing the whole document ("additional metadata may be added"). Metadata
//! that is down, slow or garbage yields an error the caller turns into a
//! note; it never fails the probe.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::Uri;
use hyper_util::rt::TokioIo;
use ipnet::IpNet;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::catalog::{Region, RegionSource};
use crate::names::AccountId;
use crate::printable::Untrusted;

/// The environment variable ECS sets in every container (Fargate 1.4.0+, agent 1.39.0+).
pub const ENV_URI: &str = "ECS_CONTAINER_METADATA_URI_V4";

/// The largest metadata document accepted; real ones are a few KB.
const MAX_BODY: usize = 1024 * 1024;

/// Why metadata could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("{ENV_URI} is not a usable http:// URI: '{0}'")]
    BadUri(Untrusted),
    #[error("{0} did not answer within {1:?}")]
    Timeout(Untrusted, Duration),
    #[error("{url}: {reason}")]
    Http { url: Untrusted, reason: String },
    #[error("{0}: not a JSON object")]
    NotJson(Untrusted),
}

/// An image hosted in a private ECR registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrImage {
    pub account: AccountId,
    pub region: Region,
    /// The registry host as the image names it (standard, FIPS or
    /// dual-stack): the one the container runtime connects to.
    pub host: String,
    /// The container using it.
    pub container: Untrusted,
}

/// A container of the task, as far as the probe cares; texts [`Untrusted`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    pub name: Untrusted,
    pub image: Option<Untrusted>,
    pub log_driver: Option<Untrusted>,
    pub awslogs_region: Option<Untrusted>,
}

/// What the task metadata says about this task: its texts [`Untrusted`]
/// (shown escaped), what is parsed out of them typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskInfo {
    pub cluster: Option<Untrusted>,
    pub task_arn: Option<Untrusted>,
    pub family: Option<Untrusted>,
    pub revision: Option<Untrusted>,
    pub availability_zone: Option<Untrusted>,
    pub launch_type: Option<Untrusted>,
    pub containers: Vec<Container>,
    pub subnet_cidr: Option<IpNet>,
    pub private_ipv4: Option<Ipv4Addr>,
    /// `IPv6Addresses`: the task's IPv6 addresses (dual-stack and IPv6-only tasks).
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// `IPv6SubnetCIDRBlock`: the task's IPv6 subnet.
    pub ipv6_subnet_cidr: Option<IpNet>,
    /// `SubnetGatewayIpv6Address` (`gw/len`): set for IPv6-only tasks only.
    pub subnet_gateway_ipv6: Option<Untrusted>,
    /// `VPCID`: the agent on EC2 container instances reports it; Fargate does not.
    pub vpc_id: Option<Untrusted>,
    pub dns_servers: Vec<Untrusted>,
}

impl TaskInfo {
    /// The task's region: from the task ARN, else from the availability zone.
    pub fn region(&self) -> Option<(Region, RegionSource)> {
        let from_arn = self
            .task_arn
            .as_ref()
            .and_then(|arn| arn.raw().split(':').nth(3))
            .and_then(|r| r.parse().ok())
            .map(|r| (r, RegionSource::TaskArn));
        from_arn.or_else(|| {
            let az = self.availability_zone.as_ref()?.raw();
            let region = az.trim_end_matches(|c: char| c.is_ascii_lowercase());
            Some((region.parse().ok()?, RegionSource::AvailabilityZone))
        })
    }

    /// The account that owns the task, from its ARN.
    pub fn account(&self) -> Option<AccountId> {
        AccountId::parse(self.task_arn.as_ref()?.raw().split(':').nth(4)?)
    }

    /// Images of the task's containers that live in private ECR, one per
    /// registry (account and region), in container order.
    pub fn ecr_images(&self) -> Vec<EcrImage> {
        let mut out: Vec<EcrImage> = Vec::new();
        for c in &self.containers {
            let image = c.image.as_ref().map(Untrusted::raw);
            let Some((account, region, host)) = image.and_then(parse_ecr_registry) else {
                continue;
            };
            if !out
                .iter()
                .any(|i| i.account == account && i.region == region)
            {
                out.push(EcrImage {
                    account,
                    region,
                    host,
                    container: c.name.clone(),
                });
            }
        }
        out
    }
}

/// An image of the task that comes from a registry other than private ECR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryImage {
    pub registry: crate::image::Registry,
    pub image: Untrusted,
    /// The container using it.
    pub container: Untrusted,
}

impl TaskInfo {
    /// Images of the task's containers that come from registries other than
    /// private ECR (Docker Hub, ECR Public, ghcr.io, ...), one per registry,
    /// in container order.
    pub fn registry_images(&self) -> Vec<RegistryImage> {
        let mut out: Vec<RegistryImage> = Vec::new();
        for c in &self.containers {
            let Some(image) = c.image.as_ref() else {
                continue;
            };
            if parse_ecr_image(image.raw()).is_some() {
                continue;
            }
            let Some(registry) = crate::image::registry_of(image.raw()) else {
                continue;
            };
            if !out.iter().any(|i| i.registry == registry) {
                out.push(RegistryImage {
                    registry,
                    image: image.clone(),
                    container: c.name.clone(),
                });
            }
        }
        out
    }
}

/// `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/repo:tag`, or ECR's
/// dual-stack `ACCOUNT.dkr-ecr.REGION.on.aws/repo:tag` → (account, region),
/// by [`crate::catalog::names::ecr_registry`].
pub fn parse_ecr_image(image: &str) -> Option<(AccountId, Region)> {
    let (account, region, _) = parse_ecr_registry(image)?;
    Some((account, region))
}

/// [`parse_ecr_image`] with the registry host as the image names it.
pub fn parse_ecr_registry(image: &str) -> Option<(AccountId, Region, String)> {
    let registry = image.split('/').next()?;
    let host = registry.split(':').next()?.to_ascii_lowercase();
    let (account, region) = crate::catalog::names::ecr_registry(&host)?;
    Some((AccountId::parse(account)?, region, host))
}

/// The value of `key`, matched exactly or else case-insensitively: the
/// agent has shipped more than one spelling of a field
/// (`SubnetGatewayIPV6Address`, then `SubnetGatewayIpv6Address`).
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).or_else(|| {
        v.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

fn text(v: &Value, key: &str) -> Option<Untrusted> {
    match field(v, key)? {
        Value::String(s) if !s.is_empty() => Some(s.as_str().into()),
        Value::Number(n) => Some(n.to_string().into()),
        _ => None,
    }
}

fn texts(v: &Value, key: &str) -> Vec<Untrusted> {
    field(v, key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(Untrusted::from))
                .collect()
        })
        .unwrap_or_default()
}

fn container(v: &Value) -> Option<Container> {
    Some(Container {
        name: text(v, "Name")?,
        image: text(v, "Image"),
        log_driver: text(v, "LogDriver"),
        awslogs_region: v.get("LogOptions").and_then(|o| text(o, "awslogs-region")),
    })
}

/// Builds the task information from the `/task` document and, when it
/// could be read, the container root document.
pub fn parse(task: &Value, this_container: Option<&Value>) -> TaskInfo {
    let mut containers: Vec<Container> = task
        .get("Containers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(container).collect())
        .unwrap_or_default();
    let own = this_container.and_then(container);
    if let Some(c) = own.filter(|c| !containers.iter().any(|x| x.name == c.name)) {
        containers.push(c);
    }
    // The task's network: this container's first awsvpc network, else any container's.
    let network = this_container
        .into_iter()
        .chain(
            task.get("Containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
        .find_map(|c| c.get("Networks").and_then(Value::as_array)?.first());
    let label = |key: &str| {
        this_container
            .and_then(|c| c.get("Labels"))
            .and_then(|l| text(l, key))
    };
    TaskInfo {
        cluster: text(task, "Cluster").or_else(|| label("com.amazonaws.ecs.cluster")),
        task_arn: text(task, "TaskARN").or_else(|| label("com.amazonaws.ecs.task-arn")),
        family: text(task, "Family").or_else(|| label("com.amazonaws.ecs.task-definition-family")),
        revision: text(task, "Revision")
            .or_else(|| label("com.amazonaws.ecs.task-definition-version")),
        availability_zone: text(task, "AvailabilityZone"),
        launch_type: text(task, "LaunchType"),
        vpc_id: text(task, "VPCID"),
        containers,
        subnet_cidr: network
            .and_then(|n| text(n, "IPv4SubnetCIDRBlock"))
            .and_then(|c| c.raw().parse::<IpNet>().ok())
            .map(|n| n.trunc()),
        private_ipv4: network.and_then(|n| {
            texts(n, "IPv4Addresses")
                .into_iter()
                .find_map(|ip| ip.raw().parse().ok())
        }),
        ipv6_addresses: network
            .map(|n| {
                texts(n, "IPv6Addresses")
                    .iter()
                    .filter_map(|ip| ip.raw().parse().ok())
                    .collect()
            })
            .unwrap_or_default(),
        ipv6_subnet_cidr: network
            .and_then(|n| text(n, "IPv6SubnetCIDRBlock"))
            .and_then(|c| c.raw().parse::<IpNet>().ok())
            .filter(|n| matches!(n, IpNet::V6(_)))
            .map(|n| n.trunc()),
        subnet_gateway_ipv6: network.and_then(|n| text(n, "SubnetGatewayIpv6Address")),
        dns_servers: network
            .map(|n| texts(n, "DomainNameServers"))
            .unwrap_or_default(),
    }
}

/// Where to read ECS task metadata from, when running in ECS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSource {
    /// The value of `ECS_CONTAINER_METADATA_URI_V4`.
    pub uri: String,
    pub timeout: Duration,
}

/// What metadata discovery found: the task, or a note saying why not.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub task: Option<TaskInfo>,
    pub note: Option<String>,
}

/// Reads the task metadata when running in ECS. Never fails: outside ECS
/// there is nothing to read, and a broken endpoint becomes a note.
pub async fn discover(source: Option<&MetadataSource>) -> Discovery {
    let Some(source) = source else {
        return Discovery::default();
    };
    match fetch(&source.uri, source.timeout).await {
        Ok(task) => Discovery {
            task: Some(task),
            note: None,
        },
        Err(e) => {
            tracing::warn!(error = %e, "ECS task metadata unavailable; probing without task context");
            Discovery {
                task: None,
                note: Some(format!("ECS task metadata unavailable: {e}")),
            }
        }
    }
}

/// Reads `/task` and the container root. The container root is optional:
/// only `/task` failing is an error.
pub async fn fetch(base: &str, timeout: Duration) -> Result<TaskInfo, MetadataError> {
    let base = base.trim_end_matches('/');
    let task_url = format!("{base}/task");
    let (task, this) = tokio::join!(get_json(&task_url, timeout), get_json(base, timeout));
    let task = task?;
    match &this {
        Ok(_) => {}
        Err(e) => tracing::info!(error = %e, "container metadata unavailable; using /task only"),
    }
    Ok(parse(&task, this.ok().as_ref()))
}

/// GET `url` and parse the body as a JSON object, all within `timeout`.
async fn get_json(url: &str, timeout: Duration) -> Result<Value, MetadataError> {
    let body = tokio::time::timeout(timeout, get(url))
        .await
        .map_err(|_| MetadataError::Timeout(url.into(), timeout))??;
    match serde_json::from_slice::<Value>(&body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(MetadataError::NotJson(url.into())),
    }
}

async fn get(url: &str) -> Result<Bytes, MetadataError> {
    let uri: Uri = url.parse().map_err(|_| MetadataError::BadUri(url.into()))?;
    let http_err = |reason: String| MetadataError::Http {
        url: url.into(),
        reason,
    };
    if uri.scheme_str() != Some("http") {
        return Err(MetadataError::BadUri(url.into()));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| MetadataError::BadUri(url.into()))?
        .clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((authority.host().trim_matches(['[', ']']), port))
        .await
        .map_err(|e| http_err(format!("connect: {e}")))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| http_err(e.to_string()))?;
    let driver = tokio::spawn(conn);
    let request = hyper::Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(hyper::header::HOST, authority.as_str())
        .header(hyper::header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| http_err(e.to_string()))?;
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| http_err(e.to_string()))?;
        if !response.status().is_success() {
            return Err(http_err(format!("HTTP {}", response.status())));
        }
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| http_err(format!("reading the body: {e}")))?;
        Ok(body.to_bytes())
    }
    .await;
    driver.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_images_are_recognised() {
        let cases = [
            (
                "111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest",
                Some(("111122223333", "us-west-2")),
            ),
            (
                "111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a@sha256:abc",
                Some(("111122223333", "us-gov-west-1")),
            ),
            (
                "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app",
                Some(("111122223333", "cn-north-1")),
            ),
            (
                "111122223333.dkr-ecr.us-west-2.on.aws/app:1",
                Some(("111122223333", "us-west-2")),
            ),
            (
                "111122223333.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/app",
                Some(("111122223333", "cn-north-1")),
            ),
            ("111122223333.dkr-ecr.us-west-2.example.aws/app", None),
            ("111122223333.dkr.ecr.us-west-2.on.aws/app", None),
            ("public.ecr.aws/docker/library/httpd:latest", None),
            ("curlimages/curl", None),
            ("nginx", None),
            ("1111.dkr.ecr.us-west-2.amazonaws.com/x", None),
            ("111122223333.dkr.ecr.nowhere.amazonaws.com/x", None),
            ("111122223333.dkr.ecr.us-west-2.example.com/x", None),
        ];
        for (image, want) in cases {
            let got = parse_ecr_image(image);
            let got = got.as_ref().map(|(a, r)| (a.as_str(), r.code()));
            assert_eq!(got, want, "{image}");
        }
    }

    #[test]
    fn lenient_parsing_skips_what_it_cannot_read() {
        let task: Value = serde_json::json!({
            "Cluster": true,
            "TaskARN": "arn:aws:ecs:eu-west-1:123456789012:task/c/abc",
            "Revision": 7,
            "Containers": [{"Name": "a", "Image": ["not", "a", "string"]}, {"NoName": true}, "junk"],
            "SomethingNew": {"nested": true}
        });
        let info = parse(&task, None);
        assert_eq!(info.cluster, None);
        assert_eq!(info.revision.as_ref().map(Untrusted::raw), Some("7"));
        assert_eq!(info.containers.len(), 1);
        assert_eq!(
            info.region().map(|(r, _)| r.code().to_owned()).as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            info.account().as_ref().map(AccountId::as_str),
            Some("123456789012")
        );
        assert_eq!(parse(&serde_json::json!({}), None), TaskInfo::default());
    }

    #[test]
    fn ipv6_fields_are_read_in_either_spelling() {
        // The agent's IPv6-only fixture, with the first spelling of the gateway field.
        let task: Value = serde_json::json!({"Containers": [{"Name": "app", "Networks": [{
            "NetworkMode": "awsvpc",
            "IPv6Addresses": ["8:3:1:9::", "not an address"],
            "IPv6SubnetCIDRBlock": "8:3:1::/48",
            "IPv4SubnetCIDRBlock": "",
            "SubnetGatewayIPV6Address": "8:3:1:1::/48"
        }]}]});
        let info = parse(&task, None);
        assert_eq!(
            info.ipv6_addresses,
            vec!["8:3:1:9::".parse::<Ipv6Addr>().unwrap()]
        );
        assert_eq!(info.ipv6_subnet_cidr, Some("8:3:1::/48".parse().unwrap()));
        assert_eq!(
            info.subnet_gateway_ipv6.as_ref().map(Untrusted::raw),
            Some("8:3:1:1::/48")
        );
        assert_eq!(info.private_ipv4, None);
        assert_eq!(info.subnet_cidr, None);
        // The later spelling, and the doc's mixed-case address.
        let task: Value = serde_json::json!({"Containers": [{"Name": "app", "Networks": [{
            "IPv6Addresses": ["2001:dB8:10b:1a00:32bf:a372:d80f:e958"],
            "IPv6SubnetCIDRBlock": "2600:1f13:10b:1a00::/64",
            "SubnetGatewayIpv6Address": "2600:1f13:10b:1a00::1/64"
        }]}]});
        let info = parse(&task, None);
        assert_eq!(info.ipv6_addresses.len(), 1);
        assert_eq!(
            info.subnet_gateway_ipv6.as_ref().map(Untrusted::raw),
            Some("2600:1f13:10b:1a00::1/64")
        );
    }

    #[test]
    fn region_falls_back_to_the_availability_zone() {
        let info = TaskInfo {
            availability_zone: Some("ap-northeast-1a".into()),
            ..TaskInfo::default()
        };
        assert_eq!(info.region().unwrap().0.code(), "ap-northeast-1");
        assert_eq!(
            info.region().unwrap().1,
            crate::catalog::RegionSource::AvailabilityZone
        );
    }
}
