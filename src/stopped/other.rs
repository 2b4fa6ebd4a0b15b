//! Stopped reasons that are not about reaching anything: the container ran
//! and exited, ran out of memory, failed a health check, could not execute,
//! could not mount a volume; or ECS stopped it on purpose. One honest line
//! each; the probe has nothing to check for them.

use serde::Serialize;

use super::read::Read;

/// What stopped the task, when it was not the network or a service's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The image's binary is for another CPU architecture, or not executable.
    ExecFormat,
    OutOfMemory,
    HealthCheck,
    /// A volume (EFS, a bind mount) could not be mounted.
    Volume,
    /// ECS Exec is not set up for the task.
    EcsExec,
    /// The host ran out of disk space for the image.
    DiskSpace,
    /// The image's name in the task definition does not parse: no request
    /// was sent.
    ImageReference,
    /// ECS could not place the task: no capacity where it may run.
    Capacity,
    /// The image itself is malformed (layers that do not match the manifest).
    ImageFormat,
    /// A secret was fetched but its value is not the JSON the task expects.
    SecretFormat,
    /// The awslogs options are incomplete or wrong (no region).
    LogConfig,
    /// The container's command could not start (missing file, bad entrypoint).
    StartFailed,
    /// The essential container's process exited.
    Exited,
    /// ECS or a person stopped it on purpose (a deployment, scaling, a user).
    Stopped,
    /// The client built a malformed URL: no packet left the task.
    MalformedUrl,
    /// The host's container runtime (the Docker daemon, containerd) did
    /// not answer in time.
    RuntimeTimeout,
    /// The log driver could not get credentials from the ECS agent's
    /// credentials endpoint on the host.
    CredentialsEndpoint,
    /// A connection to the host itself failed (loopback, the instance
    /// metadata service, the ECS agent's endpoints): not a VPC path.
    HostLocal,
    /// The host ran out of a resource the agent needs (open files): it
    /// could not open a socket at all.
    HostLimits,
    /// Nothing the probe recognises.
    Unrecognised,
}

/// ECS Exec's set-up errors: recognised before a service's answer, since
/// the ECS API's refusal to turn Exec on is about the task definition.
const ECS_EXEC: [&str; 6] = [
    "execute command",
    "executecommand",
    "targetnotconnectedexception",
    "session manager plugin",
    "enableexecutecommand",
    "valid taskrolearn",
];

/// A client-side URL error: the request was never sent.
const MALFORMED_URL: [&str; 6] = [
    // The agent's wording is "scheme"; one of its releases says "schema".
    "unsupported protocol schem",
    "missing protocol scheme",
    "first path segment in url cannot contain colon",
    "invalid url escape",
    "invalid character \" \" in host name",
    "invalid port",
];

/// The container runtime's own timeouts on the host.
const RUNTIME_TIMEOUT: [&str; 4] = [
    "could not transition to",
    "dockertimeouterror",
    "docker timeout error",
    "timed out waiting for docker",
];

/// A stop that outranks every other reading: ECS Exec's set-up errors (the
/// ECS API's refusal to turn Exec on is about the task definition), a URL
/// the client could not send, the container runtime's own timeouts (their
/// "timed out" is the host's daemon, not the network).
pub fn ecs_exec(read: &Read) -> Option<Stop> {
    let has = |words: &[&str]| words.iter().any(|w| read.lower.contains(w));
    if has(&ECS_EXEC) {
        Some(Stop::EcsExec)
    } else if has(&MALFORMED_URL) {
        Some(Stop::MalformedUrl)
    } else if has(&RUNTIME_TIMEOUT) {
        Some(Stop::RuntimeTimeout)
    } else if has(&["too many open files"]) {
        Some(Stop::HostLimits)
    } else if has(&[
        "credentialsendpointerror",
        "failed to refresh cached credentials",
        "no ec2 imds role found",
        "retrieving credentials from container-role",
        "attempting to retrieve ecs metadata",
    ]) {
        Some(Stop::CredentialsEndpoint)
    } else {
        None
    }
}

/// The words that identify each, most specific first.
const WORDS: [(Stop, &[&str]); 14] = [
    (Stop::ExecFormat, &["exec format error"]),
    (
        Stop::ImageReference,
        &[
            "invalid reference format",
            "failed to normalize image reference",
        ],
    ),
    (
        Stop::Capacity,
        &[
            "unable to place a task",
            "capacity is unavailable",
            "unable to consume the capacity",
            "insufficient capacity",
            "no container instances were found",
            "resource:memory",
            "resource:cpu",
            "resource:eni",
            "resource:ports",
        ],
    ),
    (
        Stop::OutOfMemory,
        &[
            "outofmemory",
            "out of memory",
            "oomkilled",
            "oom-killed",
            "memory usage",
        ],
    ),
    (
        Stop::HealthCheck,
        &["health check", "healthcheck", "unhealthy"],
    ),
    (
        Stop::Volume,
        &[
            "cannotcreatevolumeerror",
            "efs utils",
            "efs volume",
            "mount.nfs",
            "failed to mount",
            "mount target",
            "efs mount",
            "volumedriver",
        ],
    ),
    (Stop::EcsExec, &ECS_EXEC),
    (Stop::DiskSpace, &["no space left on device"]),
    (
        Stop::ImageFormat,
        &[
            "mismatched image rootfs",
            "failed to register layer",
            "unsupported media type",
            "diffids don't match",
            "failed to unpack image",
        ],
    ),
    (
        Stop::SecretFormat,
        &["looking for beginning of value", "cannot unmarshal"],
    ),
    (
        Stop::LogConfig,
        &[
            "missingendpoint",
            "missingregion",
            "unknown log opt",
            "no log configuration specified",
            "log driver arguments",
        ],
    ),
    (
        Stop::StartFailed,
        &[
            "executable file not found",
            "no such file or directory",
            "permission denied: unknown",
            "oci runtime create failed",
            "oci runtime error",
            "starting container process caused",
        ],
    ),
    (
        Stop::Exited,
        &[
            "essential container in task exited",
            "essentialcontainerexited",
            "exit code",
            "exited with",
        ],
    ),
    (
        Stop::Stopped,
        &[
            "scaling activity initiated",
            "task stopped by user",
            "stopped by user",
            "deployment",
            "spot interruption",
            "spot task was interrupted",
            "host ec2",
            "instance deregistration",
        ],
    ),
];

/// The kind of stop in the text, when it says one.
pub fn stop_in(read: &Read) -> Option<Stop> {
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| read.lower.contains(w)))
        .map(|(stop, _)| *stop)
}

/// Whether the failing call went to a local socket (`http://%2Frun%2F...
/// .sock/...`, `dial unix PATH`: a volume plugin's, the Docker daemon's):
/// the host's own.
pub fn local_socket(read: &Read) -> bool {
    // Go's `dial unix /var/run/docker.sock`.
    read.lower.contains("dial unix ")
        || read.host.as_ref().is_some_and(|h| {
            let h = h.raw();
            h.contains("%2f")
                || std::path::Path::new(h)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("sock"))
        })
}

/// The host's own addresses: `127.0.0.1` and `::1` (where a log driver's
/// local collector or the agent's introspection port listens), and the
/// link-local ones the metadata service and the ECS agent answer on.
pub fn host_local(ip: std::net::IpAddr) -> bool {
    match ip {
        // Not the VPC's own link-local services: the Route 53 Resolver
        // (169.254.169.253) and the time sync service (169.254.169.123).
        std::net::IpAddr::V4(v4) => {
            let vpc_service = [[169, 254, 169, 253], [169, 254, 169, 123]].contains(&v4.octets());
            v4 == std::net::Ipv4Addr::LOCALHOST || (v4.is_link_local() && !vpc_service)
        }
        std::net::IpAddr::V6(v6) => v6.is_loopback(),
    }
}

/// The one line for a stop.
pub fn line(stop: Stop) -> &'static str {
    match stop {
        Stop::HostLocal => LINE_HOST_LOCAL,
        Stop::CredentialsEndpoint => LINE_CREDENTIALS_ENDPOINT,
        Stop::MalformedUrl => LINE_MALFORMED_URL,
        Stop::RuntimeTimeout => LINE_RUNTIME_TIMEOUT,
        Stop::ExecFormat => LINE_EXEC_FORMAT,
        Stop::OutOfMemory => LINE_OUT_OF_MEMORY,
        Stop::HealthCheck => LINE_HEALTH_CHECK,
        Stop::Volume => LINE_VOLUME,
        Stop::EcsExec => LINE_ECS_EXEC,
        Stop::StartFailed => LINE_START_FAILED,
        Stop::DiskSpace => LINE_DISK_SPACE,
        Stop::ImageReference => LINE_IMAGE_REFERENCE,
        Stop::Capacity => LINE_CAPACITY,
        Stop::ImageFormat => LINE_IMAGE_FORMAT,
        Stop::SecretFormat => LINE_SECRET_FORMAT,
        Stop::LogConfig => LINE_LOG_CONFIG,
        Stop::Exited => LINE_EXITED,
        Stop::Stopped => LINE_STOPPED,
        Stop::HostLimits => LINE_HOST_LIMITS,
        Stop::Unrecognised => LINE_UNRECOGNISED,
    }
}

const LINE_HOST_LOCAL: &str = "Not a VPC path: the connection that failed was to the host itself (a loopback \
    address, the instance metadata service at 169.254.169.254, or the ECS agent's \
    endpoints), so no VPC endpoint, route or security group is involved. Check what \
    should listen there on the host: a log driver's local collector (syslog, \
    fluentd), the ECS agent and its introspection port, the metadata service's hop \
    limit for containers.";

const LINE_CREDENTIALS_ENDPOINT: &str = "Not a VPC endpoint failure: the log driver (or an SDK in the container) could not \
    get the task's credentials from the ECS agent's credentials endpoint on the host \
    (169.254.170.2), so no AWS service was called. On EC2 or ECS Anywhere, check the agent (running, its version, \
    ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE for an execution role's awslogs) and the \
    host's iptables rules for 169.254.170.2 (a custom AMI may lack them).";

const LINE_MALFORMED_URL: &str = "Not a network failure: the client never sent the request, because the URL it \
    built is malformed (a scheme other than https, a stray character, a port that \
    does not parse). No packet left the task. Check the endpoint settings the agent or \
    the SDK read (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, an endpoint_url in \
    the config file, a proxy URL in HTTPS_PROXY) and the task definition's values.";

const LINE_RUNTIME_TIMEOUT: &str = "Not a network failure first: the container runtime on the host (the Docker daemon \
    or containerd) did not answer the agent in time. On EC2, check the instance: the \
    daemon's health, its disk and CPU, and the ECS agent's log \
    (/var/log/ecs/ecs-agent.log); restart the daemon or replace the instance. Later in \
    order: a log driver whose endpoint (CloudWatch Logs) cannot be reached can hold \
    the container's start, so check the logs endpoint if the daemon is healthy.";

const LINE_EXEC_FORMAT: &str = "Not a network failure: the container's binary is built for another CPU \
    architecture (or its entrypoint is a script without a #! line). Compare \
    runtimePlatform's cpuArchitecture with the platform the image was built for.";

const LINE_OUT_OF_MEMORY: &str = "Not a network failure: the container used more memory than its limit and was \
    killed. Raise memory (task or container) in the task definition, or find what \
    grows.";

const LINE_HEALTH_CHECK: &str = "Not a network failure: the task started and a health check (the container's \
    healthCheck or the load balancer's) stopped it. Check the check's command, path \
    and port, and give the app a longer startPeriod or healthCheckGracePeriodSeconds.";

const LINE_VOLUME: &str = "Not something the probe checks: a volume could not be mounted. For EFS, check \
    that the file system has a mount target in the task's Availability Zone, that its \
    DNS name resolves in the VPC (enableDnsSupport and enableDnsHostnames on), that \
    the mount target's security group allows NFS (TCP 2049) from the task, and the \
    access point and IAM authorization settings.";

const LINE_ECS_EXEC: &str = "Not a stopped task's network failure: ECS Exec is not set up. The task needs \
    enableExecuteCommand, a task role allowing ssmmessages:CreateControlChannel, \
    CreateDataChannel, OpenControlChannel and OpenDataChannel, and the Session Manager \
    plugin where the command runs.";

const LINE_START_FAILED: &str = "Not a network failure: the container's command could not start (a missing \
    executable or file, a wrong entrypoint or working directory, permissions, or a \
    volume mounted over the path). Check the image's entrypoint and command against \
    the task definition and its mount points.";

const LINE_DISK_SPACE: &str = "Not a network failure: the host ran out of disk space while pulling the image. \
    Give the task more ephemeral storage (ephemeralStorage on Fargate) or the \
    instance a bigger volume, or make the image smaller.";

const LINE_IMAGE_REFERENCE: &str = "Not a network failure: the image's name in the task definition does not parse (a \
    space, an upper-case letter in the repository, a stray character in the tag, a \
    registry with a scheme), so no request was sent. Correct containerDefinitions' \
    image: REGISTRY/REPOSITORY:TAG or @sha256:DIGEST.";

const LINE_CAPACITY: &str = "Not a network failure: ECS could not place the task. There was no capacity where \
    it may run: Fargate capacity in the chosen zones (retry, or give the service more \
    subnets in other zones), or container instances with the CPU, memory, ports or ENIs \
    it needs (scale the capacity provider, check placement constraints).";

const LINE_IMAGE_FORMAT: &str = "Not a network failure: the image itself is malformed (its layers do not match \
    its manifest). Rebuild and push it with one tool and one layer compression.";

const LINE_SECRET_FORMAT: &str = "Not a network failure: the secret was fetched, but its value is not the JSON \
    the task definition expects (a JSON key in valueFrom, or repositoryCredentials' \
    username and password). Check the secret's value.";

const LINE_LOG_CONFIG: &str = "Not a network failure: the container's log configuration is incomplete (for \
    awslogs, awslogs-region missing or not a region; for awsfirelens or fluentd, no \
    options where the driver needs them). Fix logConfiguration's options in the task \
    definition.";

const LINE_EXITED: &str = "Not a network failure by itself: the container started and its process exited. \
    Its logs and exit code say why; if the app exited because a call failed, the \
    call's own error is the text to explain.";

const LINE_STOPPED: &str = "Not a failure: ECS or a person stopped the task on purpose (a deployment, a \
    scaling action, a user, a Spot interruption or an instance leaving the cluster).";

const LINE_HOST_LIMITS: &str = "Not a network failure: the host ran out of open files, so the \
    ECS agent (or the daemon) could not open a socket at all, not even for DNS; the VPC was \
    never tried. On EC2, raise the agent's and the daemon's open-file limit (LimitNOFILE), \
    restart them or replace the instance, and update the agent if it leaks descriptors.";

const LINE_UNRECOGNISED: &str = "The text names no network failure, service answer or stop reason that this tool \
    knows.";
