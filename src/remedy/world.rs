//! Test worlds for the remedies: one endpoint, its probe results made by
//! hand, assessed by the real code (`assess::assess`), so a remedy is read
//! from the same assessment as the paragraph `fix` shows.

use std::net::IpAddr;
use std::time::Duration;

use crate::assess::{self, Assessment};
use crate::catalog::{Region, Service};
use crate::choices::Expect;
use crate::classify::Network;
use crate::context::Context;
use crate::diagnose::Policy;
use crate::names::Host;
use crate::plan::{Caller, Endpoint, Kind, Plan, Reason};
use crate::probe::dns::ResolvedAddress;
use crate::probe::fixtures::{cert, session, timed};
use crate::probe::proxy::ProxyProbe;
use crate::probe::{
    AddressProbe, AnswerSource, DnsOutcome, EndpointProbe, Failure, FailureKind, Resolution, Route,
    Timed,
};

pub const TASK_REGION: &str = "ap-northeast-1";
pub const OTHER_REGION: &str = "eu-west-1";
/// A region of another partition than the task's.
pub const OTHER_PARTITION: &str = "cn-north-1";

/// What one address met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Passed, with a certificate from a CA outside Amazon.
    Intercepted,
    /// Passed, with a certificate that expires in three days.
    Expiring,
    TcpTimeout,
    Refused,
    Unreachable,
    Reset,
    TlsTimeout,
    Untrusted,
    Mismatch,
    Deadline,
    /// The peer closed the connection during TCP setup.
    Closed,
    /// The peer closed the connection during the TLS handshake.
    TlsClosed,
    CertExpired,
    CertNotYetValid,
}

impl Outcome {
    /// The outcomes worth combining with each other; [`Self::RARE`] ones
    /// are tried alone.
    pub const MAIN: [Outcome; 11] = [
        Self::Pass,
        Self::Intercepted,
        Self::Expiring,
        Self::TcpTimeout,
        Self::Refused,
        Self::Unreachable,
        Self::Reset,
        Self::TlsTimeout,
        Self::Untrusted,
        Self::Mismatch,
        Self::Deadline,
    ];
    pub const RARE: [Outcome; 4] = [
        Self::Closed,
        Self::TlsClosed,
        Self::CertExpired,
        Self::CertNotYetValid,
    ];
}

/// The route through the app's proxy, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proxied {
    No,
    Passes,
    Denied,
    /// Answers `407 Proxy Authentication Required`.
    WantsCredentials,
    Unreachable,
}

/// One endpoint's world.
#[derive(Debug, Clone)]
pub struct World {
    pub kind: Kind,
    /// The endpoint's region (the task's is [`TASK_REGION`]).
    pub region: &'static str,
    pub host: String,
    /// `Err`: the lookup failed this way; `Ok`: these addresses, in DNS order.
    pub answer: Result<Vec<(IpAddr, Outcome)>, FailureKind>,
    pub proxy: Proxied,
    pub expect: Expect,
}

impl World {
    pub fn new(kind: Kind, region: &'static str) -> Self {
        let parsed: Region = region.parse().unwrap();
        let host = match kind {
            Kind::Aws(s) => s.host(&parsed, None),
            Kind::Target | Kind::Configured(_) => "api.example.com".to_owned(),
            Kind::Registry => "registry-1.docker.io".to_owned(),
        };
        Self {
            kind,
            region,
            host,
            answer: Ok(Vec::new()),
            proxy: Proxied::No,
            expect: Expect::Any,
        }
    }

    pub fn answer(mut self, addresses: &[(&str, Outcome)]) -> Self {
        self.answer = Ok(addresses
            .iter()
            .map(|(ip, o)| (ip.parse().unwrap(), *o))
            .collect());
        self
    }

    pub fn service(&self) -> Option<Service> {
        self.kind.service()
    }

    /// The VPC: `10.0.0.0/16` and `fd00:ec2::/56`.
    pub fn network() -> Network {
        Network::new(
            vec![
                "10.0.0.0/16".parse().unwrap(),
                "fd00:ec2::/56".parse().unwrap(),
            ],
            None,
        )
    }

    pub fn policy(&self) -> Policy {
        Policy {
            expect: self.expect,
            cert_warn_days: 14,
            timeout: Some(Duration::from_secs(3)),
        }
    }

    fn plan(&self) -> Plan {
        Plan {
            region: TASK_REGION.parse().unwrap(),
            region_source: crate::catalog::RegionSource::Configuration,
            endpoints: vec![Endpoint {
                kind: self.kind,
                host: Host::parse(&self.host).unwrap(),
                port: 443,
                region: self.region.parse().unwrap(),
                reason: Reason::Requested,
                route: Caller::Both,
            }],
            notes: Vec::new(),
        }
    }

    pub fn probe(&self) -> EndpointProbe {
        let (answer, addresses) = match &self.answer {
            Err(kind) => (timed(Err(Failure::new(*kind, "x"))), Vec::new()),
            Ok(list) => (
                timed(Ok(Resolution {
                    source: AnswerSource::Dns,
                    addresses: list
                        .iter()
                        .map(|(ip, _)| ResolvedAddress {
                            ip: *ip,
                            ttl: Some(60),
                        })
                        .collect(),
                    cname_chain: Vec::new(),
                })),
                list.iter().map(|(ip, o)| address(*ip, *o)).collect(),
            ),
        };
        let dns = DnsOutcome {
            nameservers: vec!["10.0.0.2:53".parse().unwrap()],
            answer,
            hosts_pin: None,
        };
        let mut probe = EndpointProbe::direct(dns, addresses);
        if let Some(p) = proxy(self.proxy) {
            probe.routes.push(Route::Proxy(Box::new(p)));
        }
        probe
    }

    /// The round `fix` would read: the real assessment of this world.
    pub fn assessment(&self) -> Assessment {
        assess::assess(
            self.policy(),
            &Self::network(),
            &self.plan(),
            vec![self.probe()],
            time::OffsetDateTime::UNIX_EPOCH,
            Duration::from_millis(1),
            &Context::default(),
        )
    }
}

fn address(ip: IpAddr, outcome: Outcome) -> AddressProbe {
    use FailureKind as K;
    fn fail<T>(k: FailureKind) -> Timed<T> {
        timed(Err(Failure::new(k, "x")))
    }
    let (tcp, tls, cert) = match outcome {
        Outcome::Pass => (
            timed(Ok(())),
            Some(timed(Ok(session()))),
            Some(cert("Amazon", 300)),
        ),
        Outcome::Intercepted => (
            timed(Ok(())),
            Some(timed(Ok(session()))),
            Some(cert("Corp", 300)),
        ),
        Outcome::Expiring => (
            timed(Ok(())),
            Some(timed(Ok(session()))),
            Some(cert("Amazon", 3)),
        ),
        Outcome::TcpTimeout => (fail(K::Timeout), None, None),
        Outcome::Refused => (fail(K::Refused), None, None),
        Outcome::Unreachable => (fail(K::Unreachable), None, None),
        Outcome::Reset => (fail(K::Reset), None, None),
        Outcome::Deadline => (fail(K::Deadline), None, None),
        Outcome::Closed => (fail(K::Closed), None, None),
        Outcome::TlsClosed => (timed(Ok(())), Some(fail(K::Closed)), None),
        Outcome::CertExpired => (
            timed(Ok(())),
            Some(fail(K::CertExpired)),
            Some(cert("Amazon", -1)),
        ),
        Outcome::CertNotYetValid => {
            let tls = Some(fail(K::CertNotYetValid));
            (timed(Ok(())), tls, Some(cert("Amazon", 400)))
        }
        Outcome::TlsTimeout => (timed(Ok(())), Some(fail(K::Timeout)), None),
        Outcome::Untrusted => (
            timed(Ok(())),
            Some(fail(K::UnknownIssuer)),
            Some(cert("Rogue", 300)),
        ),
        Outcome::Mismatch => (
            timed(Ok(())),
            Some(fail(K::HostnameMismatch)),
            Some(cert("Amazon", 300)),
        ),
    };
    AddressProbe { ip, tcp, tls, cert }
}

fn proxy(proxied: Proxied) -> Option<ProxyProbe> {
    let base = ProxyProbe {
        shown: "http://proxy.internal:3128".into(),
        used: true,
        no_proxy_match: None,
        connect: Some(timed(Ok(()))),
        status_code: Some(200),
        tls: Some(timed(Ok(session()))),
        cert: Some(cert("Amazon", 300)),
    };
    match proxied {
        Proxied::No => None,
        Proxied::Passes => Some(base),
        Proxied::Denied => Some(ProxyProbe {
            connect: Some(timed(Err(Failure::new(FailureKind::Refused, "403")))),
            status_code: Some(403),
            tls: None,
            cert: None,
            ..base
        }),
        Proxied::WantsCredentials => Some(ProxyProbe {
            connect: Some(timed(Err(Failure::new(FailureKind::Refused, "407")))),
            status_code: Some(407),
            tls: None,
            cert: None,
            ..base
        }),
        Proxied::Unreachable => Some(ProxyProbe {
            connect: Some(timed(Err(Failure::new(FailureKind::Timeout, "x")))),
            status_code: None,
            tls: None,
            cert: None,
            ..base
        }),
    }
}

/// The name the app's SDK calls in dual-stack mode.
pub fn dualstack(service: Service, region: &Region) -> String {
    let dualstack = crate::catalog::SdkVariant {
        dualstack: true,
        ..Default::default()
    };
    let crate::catalog::SdkName::Host(host) = service.sdk_host(region, dualstack) else {
        panic!("{service} has a dual-stack name in {region}");
    };
    host
}

/// STS's global name in the task's partition.
pub fn global_sts(task: &Region) -> String {
    crate::catalog::names::global_sts_host(task.partition())
        .expect("the aws partition has STS's global name")
        .to_owned()
}

/// The endpoints the remedy table walks: in the task's region, an interface
/// service, S3, a FIPS name no endpoint service is known to answer, KMS's
/// FIPS name (`kms-fips`), STS's global name, ECR's dual-stack name, a
/// target and a registry; in another region, the services that take a
/// cross-Region interface endpoint (ECR's two, S3, KMS and its FIPS name),
/// one that takes none (Logs), the FIPS names of S3 and Logs, and ECR's
/// dual-stack name; Logs and S3
/// in another partition.
pub fn subjects() -> Vec<World> {
    let task: Region = TASK_REGION.parse().unwrap();
    let other: Region = OTHER_REGION.parse().unwrap();
    let aws = |s, region| World::new(Kind::Aws(s), region);
    let named = |s, region, host: String| World {
        host,
        ..aws(s, region)
    };
    vec![
        named(Service::Sts, TASK_REGION, global_sts(&task)),
        named(
            Service::Logs,
            TASK_REGION,
            format!("logs-fips.{TASK_REGION}.amazonaws.com"),
        ),
        named(
            Service::Kms,
            TASK_REGION,
            format!("kms-fips.{TASK_REGION}.amazonaws.com"),
        ),
        aws(Service::Secretsmanager, TASK_REGION),
        aws(Service::S3, TASK_REGION),
        named(
            Service::EcrApi,
            TASK_REGION,
            dualstack(Service::EcrApi, &task),
        ),
        World::new(Kind::Target, TASK_REGION),
        World::new(Kind::Registry, TASK_REGION),
        aws(Service::EcrApi, OTHER_REGION),
        aws(Service::EcrDkr, OTHER_REGION),
        aws(Service::S3, OTHER_REGION),
        aws(Service::Kms, OTHER_REGION),
        named(
            Service::Kms,
            OTHER_REGION,
            format!("kms-fips.{OTHER_REGION}.amazonaws.com"),
        ),
        aws(Service::Logs, OTHER_REGION),
        // Names of another region the catalog cannot place: S3's FIPS name;
        // and one it can, Logs' FIPS name (Logs takes no cross-Region one).
        named(
            Service::S3,
            OTHER_REGION,
            format!(
                "prod-{OTHER_REGION}-starport-layer-bucket.s3-fips.{OTHER_REGION}.amazonaws.com"
            ),
        ),
        named(
            Service::Logs,
            OTHER_REGION,
            format!("logs-fips.{OTHER_REGION}.amazonaws.com"),
        ),
        named(
            Service::EcrApi,
            OTHER_REGION,
            dualstack(Service::EcrApi, &other),
        ),
        aws(Service::Logs, OTHER_PARTITION),
        aws(Service::S3, OTHER_PARTITION),
    ]
}
