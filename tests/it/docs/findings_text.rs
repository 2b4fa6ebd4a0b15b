//! The text of the findings reference, one entry per `Finding`. The match is
//! exhaustive, so a new finding does not compile until it has its section;
//! `docs/src/findings.md` is generated from it (`UPDATE_DOCS=1`).

use vpce_probe::diagnose::Finding;

/// One finding's section: what it means, why it happens, what to change,
/// what the report shows.
pub struct FindingDoc {
    /// The statuses an endpoint with this finding can have.
    pub status: &'static str,
    pub means: &'static str,
    pub cause: &'static str,
    pub fix: &'static str,
    pub shows: &'static str,
}

/// "fail, or warn when other addresses pass": the address-level findings.
const PER_ADDRESS: &str = "fail; warn when some of the endpoint's addresses fail and at least one passes (the paragraph then starts with \"N of M addresses failed\")";

#[allow(clippy::too_many_lines, reason = "one entry per finding, in one place")]
pub fn doc(finding: Finding) -> FindingDoc {
    match finding {
        Finding::DnsNxdomain => FindingDoc {
            status: "fail",
            means: "The name does not exist: the resolver answered NXDOMAIN.",
            cause: "A wrong region or service name, or a custom DNS server or Route 53 Resolver rule that does not forward AWS names to the Amazon-provided resolver, where interface endpoints' private DNS names exist.",
            fix: "Check the region and the service name. Make any custom resolver or resolver rule forward AWS names to the Amazon-provided resolver (the VPC base address + 2, or 169.254.169.253). `fix` proposes the DNS settings as text.",
            shows: "The `dns` line reads `nx_domain after ... from RESOLVER: NXDOMAIN: the name does not exist`; path `none`. The paragraph names the resolver that answered.",
        },
        Finding::DnsNoAddresses => FindingDoc {
            status: "fail",
            means: "The name exists but has no A or AAAA records (a CNAME loop ends here too).",
            cause: "A Route 53 private hosted zone or DNS record associated with the VPC shadows the name without addresses.",
            fix: "Check the private hosted zones associated with the VPC and remove or complete the record that shadows the AWS name.",
            shows: "A failed `dns` line with no addresses; path `none`.",
        },
        Finding::DnsResolverUnreachable => FindingDoc {
            status: "fail",
            means: "The resolver did not answer (a timeout, a refused or unreachable port, a reset).",
            cause: "The VPC has `enableDnsSupport` off, the DHCP options set points at a resolver the task cannot reach, or security groups and network ACLs block port 53 to a custom resolver.",
            fix: "Turn on `enableDnsSupport`, point the DHCP options set at a resolver the task can reach, and allow UDP and TCP 53 to a custom resolver.",
            shows: "A failed `dns` line naming the resolver that was asked; path `none`. Nothing that needs DNS works, so every endpoint usually shows it.",
        },
        Finding::DnsServfail => FindingDoc {
            status: "fail",
            means: "The resolver answered SERVFAIL: it failed to get an answer upstream.",
            cause: "A custom resolver or a Route 53 Resolver forwarding rule is failing.",
            fix: "Fix the forwarder, or point the task at the Amazon-provided resolver.",
            shows: "The `dns` line reads `serv_fail ... SERVFAIL`; path `none`.",
        },
        Finding::DnsRefused => FindingDoc {
            status: "fail",
            means: "The resolver refused to answer (REFUSED).",
            cause: "The resolver is not configured to resolve for the task's addresses.",
            fix: "Allow the VPC CIDR on the resolver, or use the Amazon-provided resolver.",
            shows: "The `dns` line reads `dns_refused ... REFUSED`; path `none`.",
        },
        Finding::DnsTcpBlocked => FindingDoc {
            status: "fail",
            means: "The answer was too large for UDP (truncated) and the retry over TCP port 53 failed.",
            cause: "Resolvers switch to TCP 53 for large answers (many addresses, long CNAME chains), and security groups or network ACLs allow only UDP 53.",
            fix: "Allow TCP 53 as well as UDP 53 to the resolver in the security groups and network ACLs.",
            shows: "A failed `dns` line; path `none`.",
        },
        Finding::DnsError => FindingDoc {
            status: "fail",
            means: "Resolving the name failed in a way none of the other DNS findings names.",
            cause: "An unusual resolver answer or error; the paragraph carries its detail.",
            fix: "Read the detail in the paragraph; check the resolver as for the other DNS findings, or use the Amazon-provided resolver.",
            shows: "A failed `dns` line with the resolver's error; path `none`.",
        },
        Finding::PublicConnectTimeout => FindingDoc {
            status: PER_ADDRESS,
            means: "The name resolved to public addresses and TCP connections to them timed out.",
            cause: "For an AWS service: the interface endpoint is missing, or it exists with private DNS turned off so the name still resolves to public addresses, and the subnet has no way out (no NAT route). For an AWS service of another region than the task's (an ECR registry or an `awslogs-region` elsewhere, S3 included): no endpoint in this VPC serves it yet, and the subnet has no way out. For another target: packets to the internet are dropped. For a DNS64 address: nothing carries `64:ff9b::/96` out.",
            fix: "Create the interface endpoint `com.amazonaws.REGION.SERVICE` with private DNS, or enable its private DNS (the VPC needs `enableDnsSupport` and `enableDnsHostnames`); or, if the task is meant to go out through NAT, add a `0.0.0.0/0` route to a NAT gateway. `fix` proposes the endpoint (and `modify-vpc-endpoint --private-dns-enabled` in the CLI form). For DNS64 addresses, an endpoint whose DNS record IP type serves IPv6, or a `64:ff9b::/96` route to a NAT gateway. For another region's S3, ECR, KMS or ECS: the cross-Region interface endpoint first (the remote region's service name, that region as its service region, private DNS; its creator needs `vpce:AllowMultiRegion`), else a NAT route or moving the image or resource into the task's region; another region's Logs, SSM, Secrets Manager, STS or CloudWatch (and another partition's anything) take no cross-Region endpoint, so the paragraph and `fix` offer none: a NAT route, or moving into the task's region (the container's `awslogs-region`, an ECR registry replicated there).",
            shows: "Addresses marked `public` with `tcp timeout after ...`; path `none`.",
        },
        Finding::PrivateConnectTimeout => FindingDoc {
            status: PER_ADDRESS,
            means: "The name resolved to private addresses (interface endpoint ENIs) and TCP connections to them timed out: packets are dropped between the task and the endpoint.",
            cause: "The task's security group lacks egress to the endpoint on 443, the endpoint's security group lacks ingress from the task, or a network ACL of either subnet (return traffic on ephemeral ports included) drops the packets. For centralised endpoints in another VPC, the Transit Gateway or peering routes both ways.",
            fix: "Allow egress TCP 443 to the endpoint ENIs (or the VPC CIDR) in the task's security group, ingress TCP 443 from the task's subnet or security group in the endpoint's security group, and check both subnets' network ACLs. `fix` proposes the egress rule to each ENI that timed out and, to check, the endpoint's ingress rule: a timeout cannot tell the two sides apart.",
            shows: "Addresses marked `private` with `tcp timeout after ...`.",
        },
        Finding::S3ConnectTimeout => FindingDoc {
            status: PER_ADDRESS,
            means: "S3 resolved to public S3 addresses and TCP connections to them timed out.",
            cause: "The subnet's route table has no route to the S3 gateway endpoint (and no NAT), or the task's security group egress does not allow TCP 443 to the S3 managed prefix list. ECR image layers come from S3: this is the `CannotPullContainerError` that follows a successful manifest fetch. Only S3 of the task's region: the gateway endpoint and its prefix list serve no other region, so another region's S3 is judged as an interface service (`public_connect_timeout`, `public_path`).",
            fix: "Associate the S3 gateway endpoint with the subnet's route table, and allow egress TCP 443 to the prefix list `com.amazonaws.REGION.s3` in the task's security group. `fix` proposes the egress rule to the prefix list (looked up by name) and the gateway endpoint with its route-table association.",
            shows: "S3 addresses marked `public` with `tcp timeout after ...`; path `none`.",
        },
        Finding::ConnectRefused => FindingDoc {
            status: PER_ADDRESS,
            means: "An address refused the connection: it answered, but nothing accepts connections on that port.",
            cause: "An endpoint ENI accepts 443, so the name points somewhere else (a stale hosts-file entry, a custom DNS record), or `--port` is wrong.",
            fix: "Find what points the name at that address (the hosts file, a private hosted zone, a custom record) and correct it; check `--port`.",
            shows: "The address with `tcp refused after ...`.",
        },
        Finding::ConnectionReset => FindingDoc {
            status: PER_ADDRESS,
            means: "A connection was reset.",
            cause: "A firewall, proxy or network appliance on the path rejects the destination.",
            fix: "Find the appliance on the path and allow the destination.",
            shows: "The address with a `reset` failure in the TCP or TLS phase.",
        },
        Finding::NetworkUnreachable => FindingDoc {
            status: PER_ADDRESS,
            means: "There is no route to the address.",
            cause: "The subnet's route table does not reach it: no NAT or internet gateway route for public addresses, or a blackholed route.",
            fix: "Fix the subnet's route table.",
            shows: "The address with an `unreachable` TCP failure.",
        },
        Finding::ConnectFailed => FindingDoc {
            status: PER_ADDRESS,
            means: "Connecting failed in a way none of the other connect findings names.",
            cause: "An unusual socket error; the paragraph carries its detail.",
            fix: "Read the detail in the paragraph; check routes, security groups and network ACLs as for the other connect findings.",
            shows: "The address with its TCP error.",
        },
        Finding::TlsHandshakeTimeout => FindingDoc {
            status: PER_ADDRESS,
            means: "TCP connected, but the TLS handshake never finished: something accepted the connection and never answered the ClientHello.",
            cause: "A proxy or firewall that intercepts port 443 and swallows the handshake, or a service that does not speak TLS on this port.",
            fix: "Find the proxy or firewall on the path, or check that the name leads to a TLS service.",
            shows: "The address with `tcp` timing and `tls timeout after ...`.",
        },
        Finding::TlsHandshakeFailed => FindingDoc {
            status: PER_ADDRESS,
            means: "The TLS handshake failed: no common version or cipher, garbage instead of TLS, an alert, or a handshake message too large.",
            cause: "A middlebox corrupting the handshake, or a server without TLS 1.2 or 1.3 (kind `incompatible`), or plain HTTP on the port (kind `protocol`).",
            fix: "Find the middlebox, or check that the name leads to the AWS service.",
            shows: "The address with `tls` failed and its error kind.",
        },
        Finding::TlsUntrusted => FindingDoc {
            status: PER_ADDRESS,
            means: "The certificate does not chain to a trusted root.",
            cause: "A TLS-inspecting proxy or firewall intercepts the connection, or the address belongs to something other than the name.",
            fix: "Pass the inspecting proxy's CA with `--ca-file` to confirm (every application in the task must trust it too), or find the wrong server. The certificate is reported even when verification rejected it, so you can see who answered.",
            shows: "The `cert` line (subject and issuer) beside the failed handshake.",
        },
        Finding::TlsHostnameMismatch => FindingDoc {
            status: PER_ADDRESS,
            means: "The certificate is valid but for other names.",
            cause: "The name leads to a different service: a DNS record or private hosted zone pointing it at the wrong endpoint, a hosts-file entry, or an intercepting proxy.",
            fix: "Correct the record that points the name at the wrong endpoint; the names the certificate presents are in the paragraph.",
            shows: "The `cert` line and, in the paragraph, the subject, the issuer and the names presented.",
        },
        Finding::TlsCertExpired => FindingDoc {
            status: PER_ADDRESS,
            means: "The certificate has expired.",
            cause: "AWS renews its certificates long before expiry, so an intercepting device with a stale certificate, or a wrong clock in the task.",
            fix: "Find the intercepting device, or fix the task's clock.",
            shows: "The `cert` line with its expiry.",
        },
        Finding::TlsCertNotYetValid => FindingDoc {
            status: PER_ADDRESS,
            means: "The certificate is not valid yet.",
            cause: "The task's clock is behind, or an intercepting device presents a fresh certificate.",
            fix: "Fix the task's clock, or find the intercepting device.",
            shows: "The `cert` line with its validity.",
        },
        Finding::TlsInterception => FindingDoc {
            status: "warn",
            means: "The chain is trusted, but the issuer is not Amazon (`O=Amazon`).",
            cause: "A TLS-inspecting proxy or firewall re-signs the traffic. AWS endpoints present certificates from Amazon intermediates. Only AWS endpoints are judged so: a `--target` may have any trusted issuer.",
            fix: "If the inspection is intended, nothing is broken; if not, find the appliance on the path. The issuer is named.",
            shows: "The `cert` line's `issued by` names the inspecting CA; the endpoint passes with `warn`.",
        },
        Finding::CertExpiringSoon => FindingDoc {
            status: "warn",
            means: "The certificate expires within `--cert-warn-days` (14 by default).",
            cause: "AWS rotates its certificates well ahead of expiry, so a certificate this close to it usually belongs to an intercepting device.",
            fix: "Find the intercepting device, or raise `--cert-warn-days` if the certificate is yours.",
            shows: "The `cert` line's days left; `CertDaysLeft` in EMF, `probe_ssl_earliest_cert_expiry` in Prometheus.",
        },
        Finding::PublicPath => FindingDoc {
            status: "fail (only under `--expect private`)",
            means: "The endpoint was reached, but over public addresses: the traffic leaves the VPC through a NAT or internet gateway (or NAT64), and `--expect private` forbids that.",
            cause: "No interface endpoint with private DNS serves the name. S3 of the task's region on public addresses passes (a gateway endpoint keeps S3 names on public addresses), except S3 reached through NAT64, which never uses the gateway endpoint; another region's S3 on public addresses fails, since no gateway endpoint of this VPC serves it.",
            fix: "Create the interface endpoint `com.amazonaws.REGION.SERVICE` with private DNS enabled (for DNS64 names, with a DNS record IP type that serves IPv6); for another region's S3, ECR, KMS or ECS, the cross-Region interface endpoint with that region as its service region. Another region's Logs, SSM, Secrets Manager, STS or CloudWatch have no endpoint that keeps them private: move them into the task's region. A registry outside AWS has no VPC endpoint: pull through an ECR pull-through cache rule or copy the image into ECR. Another `--target` needs its provider's PrivateLink endpoint service. `fix` proposes the interface endpoint for AWS services.",
            shows: "Path `public`, addresses marked `public` (or `NAT64 to ADDRESS`) with passing handshakes.",
        },
        Finding::DeadlineExceeded => FindingDoc {
            status: "fail",
            means: "The run's `--deadline` passed before the endpoint finished.",
            cause: "Too many slow phases for the deadline: the phase `--timeout` times the phases, or too many endpoints at once for `--concurrency`. In Lambda, an invocation deadline shorter than the probe's own.",
            fix: "Raise `--deadline`, lower `--timeout`, or probe fewer endpoints at once.",
            shows: "The unfinished phase with `deadline` as its failure.",
        },
        Finding::RegistryNeedsInternet => FindingDoc {
            status: "fail",
            means: "A registry the task's images come from (Docker Hub, ECR Public, ghcr.io, quay.io, ...) was not reached.",
            cause: "No VPC endpoint exists for registries outside private ECR, so an isolated subnet cannot pull from them.",
            fix: "Route the subnet's `0.0.0.0/0` to a NAT gateway; or create an ECR pull-through cache rule (ECR caches ECR Public, Docker Hub, Quay, registry.k8s.io, GitHub, GitLab, Azure and Chainguard registries) and reference the image through the task's own registry, `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/...` (the first pull of each image still needs a way out); or copy the image into ECR.",
            shows: "An endpoint with `service` `registry` and a `why` line naming the container and the image; its DNS or connect failure.",
        },
        Finding::ProxyBypassesEndpoint => FindingDoc {
            status: "warn",
            means: "The endpoint works through an interface endpoint, but the app's AWS SDK would send its calls to `HTTPS_PROXY`, because `NO_PROXY` does not exempt the name.",
            cause: "The ECS platform never uses the proxy variables, the app's SDK does (Go, Python, Java; the Node.js SDK v3 reads none).",
            fix: "Add `.amazonaws.com` to `NO_PROXY` in the app container's environment (with `169.254.169.254` and `169.254.170.2`, the metadata and credentials addresses).",
            shows: "A `proxy` line with the proxy's `CONNECT` status and handshake; `proxy.used` is `true` in JSON.",
        },
        Finding::ProxyUnreachable => FindingDoc {
            status: "fail",
            means: "The proxy the app's SDK would use refused the connection or did not answer.",
            cause: "The proxy is down, or the task's security group or routes do not reach it.",
            fix: "Start or fix the proxy, allow egress to it, or exempt AWS names with `NO_PROXY`.",
            shows: "A `proxy` line with the connect failure.",
        },
        Finding::ProxyDenied => FindingDoc {
            status: "fail",
            means: "The proxy answered `CONNECT` with a non-2xx status (the status is in the paragraph).",
            cause: "The proxy's allow-list does not include the host.",
            fix: "Allow the host on the proxy's allow-list, or exempt it with `NO_PROXY`.",
            shows: "A `proxy` line with the status code; `proxy.status_code` in JSON.",
        },
        Finding::ProxyAuthRequired => FindingDoc {
            status: "fail",
            means: "The proxy answered `CONNECT` with `407 Proxy Authentication Required`: it wants credentials.",
            cause: "The proxy URL carries no credentials, or wrong ones.",
            fix: "Put them in the URL, `http://USER:PASSWORD@HOST:PORT` in `HTTPS_PROXY`, for the app and the probe alike (the probe sends them as Basic credentials and prints them nowhere); or exempt AWS names with `NO_PROXY`.",
            shows: "A `proxy` line with `407`; the URL is shown without credentials.",
        },
        Finding::ProxyPath => FindingDoc {
            status: "fail (only under `--expect private`)",
            means: "The app's SDK sends the endpoint's calls through a proxy, and `--expect private` forbids that.",
            cause: "`NO_PROXY` does not exempt AWS names.",
            fix: "Exempt AWS names with `NO_PROXY` so the SDK uses the interface endpoints.",
            shows: "A `proxy` line with `CONNECT` through the proxy.",
        },
        Finding::Ipv6EgressBlocked => FindingDoc {
            status: "warn",
            means: "The endpoint's IPv4 addresses handshake, but its IPv6 addresses fail to connect.",
            cause: "At endpoint ENIs: security groups and network ACLs carry separate IPv6 rules, and the IPv6 ones are missing. At NAT64 addresses (`64:ff9b::/96`): the name has no AAAA record inside the VPC and nothing carries NAT64 out. At public addresses: the subnet's IPv6 route out, the task's IPv6 egress rule or the network ACLs, which the probe cannot tell apart (for S3, whether its gateway endpoint carries IPv6 comes first). Calls still work over IPv4, but a client that tries IPv6 first waits for each timeout.",
            fix: "At endpoint ENIs: allow egress TCP 443 to `::/0` (or the endpoint subnets' IPv6 CIDRs) in the task's security group, IPv6 ingress from the task's subnet in the endpoint's, and IPv6 entries in both subnets' network ACLs; `fix` proposes the task's egress to each IPv6 address (`/128`) and the endpoint's ingress to check. At NAT64 addresses: the interface endpoint with a DNS record IP type that serves IPv6 (`fix` proposes it, `dualstack`), or a NAT64 route. At public addresses the paragraph lists the causes in order and `fix` proposes nothing: a `/128` rule to a public address that rotates would not stand.",
            shows: "IPv4 addresses passing and `ipv6` addresses failing to connect.",
        },
        Finding::Ipv4EgressBlocked => FindingDoc {
            status: "warn",
            means: "The endpoint's IPv6 addresses handshake, but its IPv4 addresses fail to connect.",
            cause: "At endpoint ENIs: security groups and network ACLs carry separate IPv4 rules, and the IPv4 ones are missing. At public addresses: the subnet's IPv4 route out (a NAT gateway), the task's IPv4 egress rule or the network ACLs, which the probe cannot tell apart (for S3, its gateway endpoint and prefix-list rule come first).",
            fix: "At endpoint ENIs: allow egress TCP 443 to `0.0.0.0/0` (or the endpoint subnets' IPv4 CIDRs) in the task's security group, IPv4 ingress in the endpoint's, and IPv4 entries in both subnets' network ACLs; `fix` proposes the egress to each address (`/32`) and the endpoint's ingress to check. At public addresses `fix` proposes nothing and the paragraph lists the causes in order.",
            shows: "IPv6 addresses passing and `ipv4` addresses failing to connect.",
        },
        Finding::StsGlobalEndpoint => FindingDoc {
            status: "fail",
            means: "STS's global name `sts.amazonaws.com`, which the app's SDK calls under `AWS_STS_REGIONAL_ENDPOINTS=legacy`, left the VPC or could not be reached. No interface endpoint serves it.",
            cause: "The app's STS setting is `legacy` (`AWS_STS_REGIONAL_ENDPOINTS` or `sts_regional_endpoints` in the config file).",
            fix: "Set it to `regional`, the default of current SDKs, so that the SDK calls `sts.REGION.amazonaws.com`, which the STS interface endpoint answers.",
            shows: "An endpoint for `sts.amazonaws.com` with route `app` and a `why` line naming the setting.",
        },
        Finding::FipsEndpointMissing => FindingDoc {
            status: "fail",
            means: "A FIPS name the app's SDK calls does not exist: FIPS endpoints are turned on in a region where AWS lists none for the service (AWS's endpoint data, as the SDKs ship it).",
            cause: "`AWS_USE_FIPS_ENDPOINT=true`, `use_fips_endpoint` in the config file, or `--use-fips-endpoint`, in a region without that service's FIPS endpoint: the SDK's rules build `SERVICE-fips.REGION...` anyway.",
            fix: "Turn the FIPS setting off for this region or service, or set the service's endpoint URL (`AWS_ENDPOINT_URL_<SERVICE>`) to one that exists. The paragraph lists the regions that have the service's FIPS endpoint. No endpoint or route makes the name exist, so `fix` proposes nothing.",
            shows: "An endpoint with route `app`, a `-fips` host, a `why` line listing the regions with FIPS endpoints, and NXDOMAIN.",
        },
    }
}
