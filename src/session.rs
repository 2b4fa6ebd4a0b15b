//! The engine: everything a round needs, prepared once (task metadata, the
//! plan, the network model, the resolver and the TLS configuration), and
//! the round itself: probe the plan, then classify, judge and report. The
//! modes `check` and `watch` drive it; the tests drive it in-process.

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::time::Instant;

use crate::assess::{self, Assessment};
use crate::classify::Network;
use crate::config::Config;
use crate::context::Context;
use crate::error::AppError;
use crate::metadata;
use crate::plan::{self, Plan};
use crate::probe::Prober;
use crate::report::{self, Report};

pub struct Session {
    pub config: Config,
    pub plan: Plan,
    /// What the run knows about the task, for the report.
    pub context: Context,
    /// The VPC ranges and the task's subnet: what classifies every address.
    pub network: Network,
    prober: Arc<Prober>,
}

impl Session {
    /// Reads task metadata (when in ECS), builds the plan and the prober.
    pub async fn start(config: Config) -> Result<Self, AppError> {
        let discovery = metadata::discover(config.metadata.as_ref()).await;
        let plan = plan::build(&config.plan, discovery.task.as_ref())?;
        let prober = Arc::new(Prober::new(&config.probe)?);
        let mut context = Context::new(&discovery, &plan, prober.nameservers());
        if let Some(proxy) = &config.probe.proxy
            && !crate::sdk::https_proxy::exempts_credentials(&proxy.no_proxy)
        {
            context.notes.get_or_insert_with(Vec::new).push(format!(
                "an HTTPS proxy ({}) is set and NO_PROXY lacks 169.254.170.2: the Go SDK v2 \
                 then fetches the task role's credentials through the proxy",
                proxy.shown
            ));
        }
        let task = discovery.task.as_ref();
        let mut network = Network::new(config.vpc_cidrs.clone(), task.and_then(|t| t.subnet_cidr));
        if let Some(ipnet::IpNet::V6(subnet)) = task.and_then(|t| t.ipv6_subnet_cidr) {
            let (with_v6, range) = network.with_task_ipv6(subnet, !config.vpc_cidrs_given);
            network = with_v6;
            context
                .notes
                .get_or_insert_with(Vec::new)
                .push(match range {
                    Some(range) => format!(
                        "IPv6 VPC range taken as {range} from the task's subnet {subnet}; \
                     --vpc-cidr overrides"
                    ),
                    None => format!(
                        "IPv6: the task's subnet {subnet} counts as inside the VPC; no /56 is \
                     assumed around it because --vpc-cidr is given"
                    ),
                });
        }
        Ok(Self {
            config,
            plan,
            context,
            network,
            prober,
        })
    }

    /// Probes the plan once and assesses what it met.
    pub async fn assess(&self) -> Assessment {
        let started = OffsetDateTime::now_utc();
        let start = Instant::now();
        let results = self
            .prober
            .probe_all(&self.plan.endpoints, start + self.config.probe.deadline)
            .await;
        assess::assess(
            self.config.policy,
            &self.network,
            &self.plan,
            results,
            started,
            start.elapsed(),
            &self.context,
        )
    }

    /// Probes the plan once: the report of the assessed round.
    pub async fn round(&self) -> Report {
        report::build(&self.assess().await)
    }
}

/// Probes once: the assessment of a fresh session's round.
pub async fn assess_once(config: &Config) -> Result<Assessment, AppError> {
    Ok(Session::start(config.clone()).await?.assess().await)
}

/// Probes once: the report of a fresh session.
pub async fn probe(config: &Config) -> Result<Report, AppError> {
    Ok(report::build(&assess_once(config).await?))
}
