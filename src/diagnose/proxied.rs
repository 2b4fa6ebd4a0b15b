//! The paragraphs of the app's proxy route: a proxy that bypasses a
//! working endpoint, cannot be reached, refuses or wants credentials, or
//! takes traffic out of the VPC under `--expect private`.

use super::Finding;
use super::prose::Explainer;

impl Explainer<'_> {
    /// The proxy's URL, without credentials.
    fn proxy_url(&self) -> String {
        self.facts
            .proxy
            .map_or_else(|| "(none)".to_owned(), |p| p.shown.clone())
    }

    /// The `NO_PROXY` entry that exempts every AWS name of the region's partition.
    /// The `NO_PROXY` entry that exempts every AWS name of the region's partition.
    fn aws_suffix(&self) -> String {
        format!(".{}", self.facts.region.partition().dns_suffix())
    }

    /// The paragraph for a finding of the proxy route; `detail` is the
    /// failure's, in parentheses.
    pub(super) fn proxy_paragraph(&self, finding: Finding, detail: &str) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        match finding {
            Finding::ProxyBypassesEndpoint => format!(
                "{host} is served by an interface endpoint inside the VPC, but the app's AWS SDK \
                 would send it to the proxy {proxy} (HTTPS_PROXY), because NO_PROXY does not \
                 exempt it: the app's calls go out through the proxy while the ECS platform \
                 uses the endpoint. Add {suffix} to NO_PROXY in the app container's environment \
                 (with 169.254.169.254 and 169.254.170.2, the metadata and credentials \
                 addresses). The Node.js SDK v3 reads no proxy variables and is not affected.",
                proxy = self.proxy_url(),
                suffix = self.aws_suffix()
            ),
            Finding::ProxyUnreachable => format!(
                "The proxy {proxy} did not open a connection for {host}{detail}. The ECS platform \
                 reaches {host} directly, but every call the app's AWS SDK makes to it goes to \
                 the proxy and fails. Start or fix the proxy and allow egress to it, or exempt \
                 AWS names with NO_PROXY ({suffix}) so the SDK uses the VPC's own path.",
                proxy = self.proxy_url(),
                suffix = self.aws_suffix()
            ),
            Finding::ProxyDenied => format!(
                "The proxy {proxy} refused to open a tunnel to {host}:{port} (CONNECT answered \
                 HTTP {code}): its allow-list does not let the app reach this host. Allow {host} \
                 (or {suffix}) on the proxy, or exempt it with NO_PROXY so the SDK uses the \
                 VPC's own path.",
                proxy = self.proxy_url(),
                code = self
                    .facts
                    .proxy
                    .and_then(|p| p.status_code)
                    .map_or_else(|| "an error".to_owned(), |c| c.to_string()),
                suffix = self.aws_suffix()
            ),
            Finding::ProxyAuthRequired => format!(
                "The proxy {proxy} wants credentials: CONNECT to {host}:{port} answered HTTP 407 \
                 Proxy Authentication Required. Put them in the proxy URL, \
                 http://USER:PASSWORD@HOST:PORT in HTTPS_PROXY, for the app and for this probe \
                 alike (the probe sends them as Basic credentials and never prints them); or \
                 exempt AWS names with NO_PROXY ({suffix}) so the SDK uses the VPC's own path.",
                proxy = self.proxy_url(),
                suffix = self.aws_suffix()
            ),
            Finding::ProxyPath => format!(
                "The app's AWS SDK sends {host} through the proxy {proxy}, and traffic through a \
                 proxy is not provably private: --expect private forbids it. Exempt AWS names \
                 with NO_PROXY ({suffix}) so the SDK uses the interface endpoints.",
                proxy = self.proxy_url(),
                suffix = self.aws_suffix()
            ),
            _ => format!(
                "The proxy {proxy} failed for {host}:{port}{detail}.",
                proxy = self.proxy_url()
            ),
        }
    }
}
