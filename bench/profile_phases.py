#!/usr/bin/env python3
"""Splits callgrind's inclusive costs of a `check` process into phases.

Input: `callgrind_annotate --inclusive=yes` listings of `check` runs (the
median run by total is used) and the floor's totals. Each phase is the
inclusive cost of the functions that do it (patterns below, matched on
demangled names); phases that nest are subtracted from their parent, so
the rows add up to the total. "process start, runtime and the rest" is
what no phase claims: the loader, tokio's scheduler and I/O driver, the
allocator outside the phases, thread start and exit.

Async functions are counted where their futures are polled, so a phase is
the instructions spent inside its code, whichever thread ran it.
"""

import argparse
import re
import statistics

# (key, label, parent, patterns): a function's inclusive cost counts once
# for the first phase whose patterns match it. Children are subtracted from
# their parent. Patterns are regexes searched in the function's name.
PHASES = [
    ("args", "argument and environment parsing (clap, config)", None,
     # Building the clap Command (every subcommand's arguments), parsing, and
     # the typed results. Until 20261128T09 the building was counted under
     # "the rest": the pattern named `Cli`'s own `augment_args`, which is no
     # function of its own in these builds.
     [r"^<vpce_probe::cli::Cli as clap_builder::derive::CommandFactory>::command$",
      r"^clap_builder::builder::command::Command::try_get_matches_from$",
      r"^<vpce_probe::cli::Cli as clap_builder::derive::FromArgMatches>::from_arg_matches$",
      r"^core::ptr::drop_in_place<clap_builder::builder::command::Command>$",
      r"^vpce_probe::config::Config::from_args$"]),
    ("trust", "trust store (compiled-in roots, --ca-file)", "args",
     [r"^vpce_probe::trust::store$"]),
    ("tracing", "log set-up", None, [r"^vpce_probe::init_tracing$"]),
    ("setup", "session set-up (plan, resolver, TLS client config)", None,
     [r"^vpce_probe::session::Session::start::\{\{closure\}\}$"]),
    ("dns", "DNS (A and AAAA queries, answers)", None,
     [r"^vpce_probe::probe::dns::Dns::query::\{\{closure\}\}$"]),
    ("tls", "TLS: handshake state machine, records, transcript, key schedule", None,
     [r"^vpce_probe::probe::Prober::address::\{\{closure\}\}$"]),
    ("tcp", "TCP connect", "tls",
     [r"^tokio::net::tcp::stream::TcpStream::connect::\{\{closure\}\}$"]),
    ("kx", "TLS: key exchange (X25519)", "tls",
     [r"^<rustls::crypto::ring::kx::KxGroup as rustls::crypto::SupportedKxGroup>::start$",
      r"^<rustls::crypto::ring::kx::KeyExchange as rustls::crypto::ActiveKeyExchange>::complete$"]),
    ("memo", "TLS: the round's memo of verified chains (lookups, copies kept)", "tls",
     [r"^<vpce_probe::probe::tls::memo::ChainMemo as rustls::verify::ServerCertVerifier>::verify_server_cert$"]),
    # Under the memo when there is one (see `phases`).
    ("chain", "TLS: chain verification (path building, names, validity)", "tls",
     [r"^<rustls::webpki::server_verifier::WebPkiServerVerifier as rustls::verify::ServerCertVerifier>::verify_server_cert$"]),
    ("certparse", "TLS: certificate parsing (webpki)", "chain",
     [r"^webpki::cert::Cert::from_input$"]),
    ("sigchain", "TLS: signature verification (certificate chain)", "chain",
     [r"^webpki::signed_data::verify_signed_data$"]),
    ("sighs", "TLS: signature verification (handshake)", "tls",
     [r"^<rustls::webpki::server_verifier::WebPkiServerVerifier as rustls::verify::ServerCertVerifier>::verify_tls13_signature$",
      r"^<rustls::webpki::server_verifier::WebPkiServerVerifier as rustls::verify::ServerCertVerifier>::verify_tls12_signature$"]),
    ("report_cert", "TLS: certificate parsed again for the report (x509-parser)", "tls",
     [r"^vpce_probe::probe::tls::cert_info$"]),
    ("classify", "classification, diagnosis, report (the round's own poll)", None,
     [r"^vpce_probe::session::Session::round::\{\{closure\}\}$"]),
    ("render", "rendering (JSON to stdout)", None,
     [r"^vpce_probe::render::write$"]),
    ("exit", "exit (runtime shutdown, drops)", None,
     [r"^core::ptr::drop_in_place<tokio::runtime::runtime::Runtime>$",
      r"^core::ptr::drop_in_place<vpce_probe::session::Session>$",
      r"^core::ptr::drop_in_place<vpce_probe::report::Report>$",
      r"^__run_exit_handlers$"]),
]

LINE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(.+?)(?: \[[^\]]*\])?\s*$")


def parse(path):
    total, funcs = None, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if total is None and re.match(r"^\s*[\d,]+ \(100\.0%\)\s+PROGRAM TOTALS", line):
                total = int(line.split()[0].replace(",", ""))
                continue
            m = LINE.match(line)
            if m and total is not None:
                cost = int(m.group(1).replace(",", ""))
                name = m.group(2)
                # "file:function": drop the file (`???` or a path)
                if name.startswith("???:"):
                    name = name[4:]
                elif name.startswith("/"):
                    name = name.split(":", 1)[1]
                funcs[name] = max(cost, funcs.get(name, 0))
    return total, funcs


def phases(funcs):
    """Inclusive cost per phase (largest match per pattern; nested matches
    of one pattern, e.g. a closure inside a closure, are not added twice)."""
    raw = {}
    for key, _, _, pats in PHASES:
        s = 0
        for p in pats:
            rx = re.compile(p)
            matched = [c for n, c in funcs.items() if rx.search(n)]
            s += max(matched, default=0)
        raw[key] = s
    own = dict(raw)
    for key, _, parent, _ in PHASES:
        if key == "chain" and raw["memo"]:
            parent = "memo"
        if parent:
            own[parent] -= raw[key]
    return raw, own


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--floor-one", type=int, required=True)
    ap.add_argument("--floor-n", type=int, required=True)
    ap.add_argument("--floor-rounds", type=int, required=True)
    ap.add_argument("--floor-memo-one", type=int)
    ap.add_argument("--floor-memo-n", type=int)
    ap.add_argument("--handshakes", type=int, required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--stamp", required=True)
    ap.add_argument("listings", nargs="+")
    a = ap.parse_args()
    runs = [parse(p) for p in a.listings]
    totals = sorted(t for t, _ in runs)
    total, funcs = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    raw, own = phases(funcs)
    floor = (a.floor_n - a.floor_one) / a.floor_rounds
    claimed = sum(own.values())
    rest = total - claimed
    f = lambda n: f"{n:,.0f}"
    out = []
    out.append(f"## Instructions of one `check` round, by phase ({a.stamp}, {a.commit})\n")
    out.append(f"callgrind (bench/profile): `check` as a whole process, static release binary, "
               f"{a.handshakes} verified handshakes; median of {len(runs)} runs by total "
               f"(totals {', '.join(f(t) for t in totals)}).\n")
    out.append("| phase | instructions | share | per handshake |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| process start, runtime and the rest (claimed by no phase below) | {f(rest)} | {rest / total:.1%} | |")
    for key, label, _, _ in PHASES:
        per = f(own[key] / a.handshakes) if key in ("tcp", "tls", "memo", "kx", "chain", "certparse", "sigchain", "sighs", "report_cert") else ""
        out.append(f"| {label} | {f(own[key])} | {own[key] / total:.1%} | {per} |")
    out.append(f"| **total** | **{f(total)}** | 100% | |")
    out.append("")
    out.append(f"| floor (bench/floor.rs under callgrind) | instructions |")
    out.append("|---|---:|")
    out.append(f"| the {a.handshakes} handshakes alone: slope from 1 to {1 + a.floor_rounds} rounds | {f(floor)} |")
    out.append(f"| the floor as a whole process with 1 round (start, runtime, 1 round) | {f(a.floor_one)} |")
    out.append(f"| **`check` / the handshakes alone** | **{total / floor:.3f}** |")
    out.append(f"| `check` / the floor's one-round process | {total / a.floor_one:.3f} |")
    if a.floor_memo_one and a.floor_memo_n:
        memo = (a.floor_memo_n - a.floor_memo_one) / a.floor_rounds
        out.append(f"| the {a.handshakes} handshakes with the round's memo of verified chains (vpce-probe's): slope | {f(memo)} |")
        out.append(f"| the same as a whole process with 1 round | {f(a.floor_memo_one)} |")
        out.append(f"| **`check` / the handshakes with the memo** | **{total / memo:.3f}** |")
        out.append(f"| `check` / the memo floor's one-round process | {total / a.floor_memo_one:.3f} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
