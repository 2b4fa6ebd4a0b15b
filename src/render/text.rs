//! The text report: one block per endpoint, readable at a glance, closing
//! with the verdict. Colour only when asked for (the caller decides from
//! the terminal and `NO_COLOR`).

use std::io::{self, Write};

use crate::classify::{AddressNetwork, OTHER_PRIVATE_NOTE};
use crate::diagnose::Status;
use crate::plan::Caller;
use crate::printable::Untrusted;
use crate::report::{
    AddressReport, CertReport, EndpointReport, HostsFileReport, ProxyReport, Report, SharedCause,
    Verdict,
};

const INDENT: &str = "      ";
const WIDTH: usize = 96;

struct Style {
    color: bool,
}

impl Style {
    fn status(&self, s: Status) -> String {
        let (word, code) = match s {
            Status::Ok => ("OK  ", "32"),
            Status::Warn => ("WARN", "33"),
            Status::Fail => ("FAIL", "31"),
        };
        self.paint(word, code)
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[1;{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Writes the report for people.
pub fn render(report: &Report, out: &mut impl Write, color: bool) -> io::Result<()> {
    let style = Style { color };
    writeln!(
        out,
        "vpce-probe {} · region {} ({}) · expect {} · {} endpoint(s) in {:.0} ms",
        report.tool.version,
        report.region,
        report.partition,
        report.expect.as_str(),
        report.endpoints.len(),
        report.duration_ms
    )?;
    context(report, out)?;
    let shared: Vec<&SharedCause> = report.causes.iter().filter(|c| c.is_shared()).collect();
    for cause in &shared {
        writeln!(out)?;
        writeln!(
            out,
            "{}  {}  ({} endpoints: {})",
            style.paint("CAUSE", "1"),
            cause.cause,
            cause.endpoints.len(),
            cause.endpoints.join(", ")
        )?;
        for line in wrap(&cause.diagnosis, WIDTH - INDENT.len()) {
            writeln!(out, "{INDENT}{line}")?;
        }
    }
    for (i, e) in report.endpoints.iter().enumerate() {
        writeln!(out)?;
        let cause = shared.iter().find(|c| c.members.contains(&i)).copied();
        endpoint(&style, e, cause, out)?;
    }
    let verdict = match report.verdict {
        Verdict::Pass => style.paint("PASS", "32"),
        Verdict::Fail => style.paint("FAIL", "31"),
    };
    writeln!(
        out,
        "\nverdict: {verdict}  ({} ok, {} warn, {} fail)",
        report.summary.ok, report.summary.warn, report.summary.fail
    )
}

/// The task, when running in ECS, and the notes about it.
fn context(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let c = &report.context;
    if let Some(task) = &c.task_arn {
        let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "?".to_owned());
        // An IPv6-only task has no IPv4 fields: that is normal, not unknown.
        let ipv6_only = c.private_ipv4.is_none() && c.ipv6_addresses.is_some();
        let mut network = Vec::new();
        if !ipv6_only {
            network.push(format!(
                "subnet {}, ip {}",
                or_unknown(c.subnet_cidr.map(|n| n.to_string())),
                or_unknown(c.private_ipv4.map(|ip| ip.to_string())),
            ));
        }
        if let Some(v6) = &c.ipv6_addresses {
            let ips: Vec<String> = v6.iter().map(ToString::to_string).collect();
            network.push(format!(
                "ipv6 subnet {}, ipv6 {}",
                or_unknown(c.ipv6_subnet_cidr.map(|n| n.to_string())),
                ips.join(" ")
            ));
        }
        writeln!(
            out,
            "task {task} ({}, {}), {}",
            or_unknown(c.launch_type.as_ref().map(ToString::to_string)),
            or_unknown(c.availability_zone.as_ref().map(ToString::to_string)),
            network.join(", "),
        )?;
    }
    for note in c.notes.iter().flatten() {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

fn endpoint(
    style: &Style,
    e: &EndpointReport,
    shared: Option<&SharedCause>,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}  {:<15} {}:{}",
        style.status(e.status),
        e.service,
        e.host,
        e.port
    )?;
    if e.reason.from_task() || e.route != Caller::Both {
        let reason = match e.route {
            Caller::Platform => format!("ECS itself ({})", e.reason),
            Caller::Both | Caller::App => e.reason.to_string(),
        };
        for (i, line) in wrap(&reason, WIDTH - INDENT.len() - 9).iter().enumerate() {
            let label = if i == 0 { "why" } else { "" };
            writeln!(out, "{INDENT}{label:<8} {line}")?;
        }
    }
    writeln!(out, "{INDENT}path     {}", e.path.as_str())?;
    let dns = &e.dns;
    let from = if dns.nameservers.is_empty() {
        match dns.source {
            Some(crate::probe::AnswerSource::HostsFile) => "the hosts file".to_owned(),
            Some(crate::probe::AnswerSource::IpLiteral) => "an IP literal".to_owned(),
            _ => "the resolver".to_owned(),
        }
    } else {
        dns.nameservers.join(", ")
    };
    if let Some(err) = &dns.error {
        writeln!(
            out,
            "{INDENT}dns      {} after {:.1} ms from {from}: {}",
            serde_plain(&err.kind),
            dns.lookup_ms,
            err.message
        )?;
    } else {
        {
            let n = dns.addresses.len();
            write!(
                out,
                "{INDENT}dns      {n} address{} in {:.1} ms from {from}",
                if n == 1 { "" } else { "es" },
                dns.lookup_ms
            )?;
            if !dns.cname_chain.is_empty() {
                write!(out, "  via {}", dns.cname_chain.join(" -> "))?;
            }
            writeln!(out)?;
        }
    }
    if let Some(pin) = &dns.hosts_file {
        hosts_pin(pin, out)?;
    }
    // The address column fits the longest address (IPv6 ones run to 39 characters).
    let column = e
        .addresses
        .iter()
        .map(|a| a.ip.to_string().len() + 1)
        .max()
        .unwrap_or(0)
        .max(16);
    for a in &e.addresses {
        address(a, column, out)?;
    }
    other_private_note(&e.addresses, out)?;
    let mut seen: Vec<&CertReport> = Vec::new();
    for cert in e
        .addresses
        .iter()
        .filter_map(|a| a.tls.as_ref()?.certificate.as_ref())
    {
        if !seen
            .iter()
            .any(|c| c.subject == cert.subject && c.issuer == cert.issuer)
        {
            seen.push(cert);
            writeln!(
                out,
                "{INDENT}cert     {}  issued by {}  expires {} ({} days)",
                cert.subject,
                cert.issuer,
                cert.not_after.get(..10).unwrap_or(&cert.not_after),
                cert.days_left
            )?;
        }
    }
    if let Some(p) = &e.proxy {
        proxy(p, out)?;
    }
    finding(e, shared, out)
}

/// The finding, and its paragraph or the shared cause said above.
fn finding(
    e: &EndpointReport,
    shared: Option<&SharedCause>,
    out: &mut impl Write,
) -> io::Result<()> {
    if let (Some(finding), Some(diagnosis)) = (&e.finding, &e.diagnosis) {
        writeln!(out, "{INDENT}finding  {}", serde_plain(finding))?;
        if let Some(cause) = shared {
            writeln!(
                out,
                "{INDENT}cause    {}, shared with {} other endpoint(s): said above",
                cause.cause,
                cause.endpoints.len() - 1
            )?;
        } else {
            for line in wrap(diagnosis, WIDTH - INDENT.len()) {
                writeln!(out, "{INDENT}{line}")?;
            }
        }
    }
    Ok(())
}

/// The route through the app's proxy, on one line.
fn proxy(p: &ProxyReport, out: &mut impl Write) -> io::Result<()> {
    let how = if !p.used {
        let entry = p
            .no_proxy_match
            .as_ref()
            .map_or_else(String::new, |m| m.entry.to_string());
        format!("not used: NO_PROXY entry '{entry}'")
    } else if let Some(err) = &p.error {
        let status = p
            .status_code
            .map_or_else(String::new, |c| format!("CONNECT {c}  "));
        format!(
            "{status}{} after {:.1} ms",
            err.message,
            p.connect_ms.unwrap_or(0.0)
        )
    } else {
        let tls = p.tls.as_ref().map_or_else(String::new, |t| {
            format!(
                "  tls {:.1} ms  {}",
                t.handshake_ms,
                t.version.as_deref().unwrap_or("")
            )
        });
        format!(
            "CONNECT {} in {:.1} ms{tls}",
            p.status_code.unwrap_or(0),
            p.connect_ms.unwrap_or(0.0)
        )
    };
    writeln!(out, "{INDENT}proxy    {}  {how}", p.url)
}

/// The hosts-file entry that answered, and what DNS says beside it.
fn hosts_pin(pin: &HostsFileReport, out: &mut impl Write) -> io::Result<()> {
    let dns = if let Some(err) = &pin.dns.error {
        format!("DNS says {}: {}", serde_plain(&err.kind), err.message)
    } else {
        let ips: Vec<String> = pin
            .dns
            .addresses
            .iter()
            .map(|a| format!("{} {}", a.ip, a.class.as_str()))
            .collect();
        format!("DNS says {}", ips.join(", "))
    };
    let line = format!(
        "pinned by {} ('{}'); {dns}",
        pin.path,
        Untrusted::join(&pin.entries, "'; '")
    );
    for (i, part) in wrap(&line, WIDTH - INDENT.len() - 9).iter().enumerate() {
        let label = if i == 0 { "hosts" } else { "" };
        writeln!(out, "{INDENT}{label:<8} {part}")?;
    }
    Ok(())
}

fn address(a: &AddressReport, column: usize, out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "{INDENT}{:<column$} {:<8}",
        a.ip.to_string(),
        a.class.as_str()
    )?;
    match &a.tcp.error {
        Some(err) => write!(
            out,
            " tcp {} after {:.1} ms",
            serde_plain(&err.kind),
            a.tcp.connect_ms
        )?,
        None => write!(out, " tcp {:.1} ms", a.tcp.connect_ms)?,
    }
    if let Some(tls) = &a.tls {
        match &tls.error {
            Some(err) => write!(
                out,
                "  tls {} after {:.1} ms: {}",
                serde_plain(&err.kind),
                tls.handshake_ms,
                err.message
            )?,
            None => write!(
                out,
                "  tls {:.1} ms  {} {}",
                tls.handshake_ms,
                tls.version.as_deref().unwrap_or("?"),
                tls.cipher.as_deref().unwrap_or("?")
            )?,
        }
    }
    if let Some(v4) = a.nat64_ipv4 {
        write!(out, "  NAT64 to {v4}")?;
    }
    if a.network == AddressNetwork::OtherPrivate {
        write!(out, "  other private network")?;
    }
    writeln!(out)
}

/// Why addresses outside the VPC's ranges are still private, once per endpoint.
fn other_private_note(addresses: &[AddressReport], out: &mut impl Write) -> io::Result<()> {
    let ips: Vec<String> = addresses
        .iter()
        .filter(|a| a.network == AddressNetwork::OtherPrivate)
        .map(|a| a.ip.to_string())
        .collect();
    if ips.is_empty() {
        return Ok(());
    }
    let line = format!(
        "{} outside the VPC's ranges, in {OTHER_PRIVATE_NOTE}",
        ips.join(", ")
    );
    for (i, part) in wrap(&line, WIDTH - INDENT.len() - 9).iter().enumerate() {
        let label = if i == 0 { "network" } else { "" };
        writeln!(out, "{INDENT}{label:<8} {part}")?;
    }
    Ok(())
}

/// A unit enum's serde name (`FailureKind::NxDomain` -> `nx_domain`).
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::from("?"),
    }
}

/// Greedy word wrap.
/// Breaks `text` into lines of at most `width` characters, at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_on_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), Vec::<String>::new());
        assert_eq!(
            wrap("averyveryverylongword x", 6),
            vec!["averyveryverylongword", "x"]
        );
    }
}
