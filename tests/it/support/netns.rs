//! A network namespace of the test's own, for the addresses tests need
//! beyond loopback: IPv6 endpoint ENIs, public IPv6 addresses, NAT64
//! addresses, the Amazon DNS address `fd00:ec2::253` and a hub VPC's
//! private IPv4 ENIs, all on the namespace's loopback. [`enter`] moves the calling thread (and every
//! thread and process it starts later) into a fresh namespace, so a test
//! runs on a current-thread runtime ([`runtime`]). Needs root, as CI has.

use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The VPC's Amazon-provided IPv6 block.
pub const VPC6: &str = "2600:1f18:619e:f900::/56";
/// The task's IPv6 subnet, inside [`VPC6`].
pub const TASK_SUBNET6: &str = "2600:1f18:619e:f901::/64";
/// The endpoint ENIs' IPv6 subnet: inside [`VPC6`], not the task's subnet.
pub const ENI_SUBNET6: &str = "2600:1f18:619e:f9a0::/64";
/// The Amazon-provided DNS server's IPv6 address on Nitro.
pub const AMAZON_DNS6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253);

thread_local! {
    static ENTERED: Cell<bool> = const { Cell::new(false) };
}

/// `2600:1f18:619e:f9a0::N`: an IPv6 endpoint ENI.
pub fn eni6(n: u8) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(
        0x2600,
        0x1f18,
        0x619e,
        0xf9a0,
        0,
        0,
        0,
        u16::from(n),
    ))
}

/// `2a05:d018:7e3:1000::N`: a public IPv6 address outside the VPC.
pub fn public6(n: u8) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(
        0x2a05,
        0xd018,
        0x7e3,
        0x1000,
        0,
        0,
        0,
        u16::from(n),
    ))
}

/// `64:ff9b::198.51.100.N`: what DNS64 synthesises for a public IPv4 address.
pub fn nat64(n: u8) -> IpAddr {
    let v4 = u32::from(Ipv4Addr::new(198, 51, 100, n));
    IpAddr::V6(Ipv6Addr::from(0x0064_ff9b_u128 << 96 | u128::from(v4)))
}

/// `10.100.1.N`: an endpoint ENI in a shared-services (hub) VPC, in a
/// private range outside the spoke VPC's `--vpc-cidr`.
pub fn hub(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 100, 1, n))
}

/// Moves this thread into a new network namespace with its loopback up.
pub fn enter() {
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)
        .expect("unshare(CLONE_NEWNET) needs root; the IPv6 tests run as root in CI");
    ip(&["link", "set", "lo", "up"]);
    ENTERED.with(|e| e.set(true));
}

/// Adds `ip` to the namespace's loopback (only in a namespace [`enter`] made).
pub fn add_address(ip: IpAddr) {
    assert!(
        ENTERED.with(Cell::get),
        "IPv6 test addresses go on a namespace of the test's own: call netns::enter first"
    );
    let with_len = match ip {
        IpAddr::V4(v4) => format!("{v4}/32"),
        IpAddr::V6(v6) => format!("{v6}/128"),
    };
    let out = std::process::Command::new("ip")
        .args(["addr", "add", &with_len, "dev", "lo", "nodad"])
        .output()
        .expect("ip (iproute2) is installed");
    // A retried VPC start adds the same fixed addresses again: iproute2
    // says "File exists" (IPv4) or "address already assigned" (IPv6).
    let stderr = String::from_utf8_lossy(&out.stderr);
    let taken = stderr.contains("File exists") || stderr.contains("already assigned");
    assert!(
        out.status.success() || taken,
        "ip addr add {with_len}: {out:?}"
    );
    until_routable(ip);
}

/// Waits until the kernel routes to `ip`: an address added with `nodad`
/// gets its local route from the kernel's address work queue, a moment
/// after `ip` returns, and a connect in between fails with "network is
/// unreachable". A UDP connect is the route lookup alone (nothing is sent).
fn until_routable(ip: IpAddr) {
    let unspecified: IpAddr = match ip {
        IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        IpAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = std::net::UdpSocket::bind((unspecified, 0)).expect("a UDP socket");
    let started = std::time::Instant::now();
    while socket.connect((ip, 9)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{ip} never became routable"
        );
        std::thread::yield_now();
    }
}

/// A current-thread runtime: every socket it opens lives in this thread's namespace.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn ip(args: &[&str]) {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .expect("ip (iproute2) is installed");
    assert!(out.status.success(), "ip {args:?}: {out:?}");
}
