//! The documentation stays in step with the code: the findings reference and
//! the flags reference are generated from the code and compared with the
//! committed pages (`UPDATE_DOCS=1 cargo test --test it docs::` rewrites
//! them), and every relative link and anchor in the README, CONTRIBUTING.md,
//! bench/README.md and the book points somewhere.

mod examples;
mod findings_text;
mod flag_notes;
mod links;

use std::fmt::Write as _;
use std::path::PathBuf;

use vpce_probe::diagnose::Finding;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fails when the committed page differs from `generated`, naming the first
/// line that differs; with `UPDATE_DOCS` set, writes it instead.
fn check_generated(rel: &str, generated: &str) {
    let path = root().join(rel);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{rel} differs from what the code generates (first at line {}: committed {:?}, generated {:?}); \
             run `UPDATE_DOCS=1 cargo test --test it docs::` and commit the page",
            line + 1,
            committed.lines().nth(line),
            generated.lines().nth(line)
        );
    }
}

/// Every variant of `Finding`, in declaration order, read from the enum
/// itself: serde's derive hands its variant names to `deserialize_enum`.
pub fn all_findings() -> Vec<Finding> {
    use serde::de::{Error as _, Visitor, value::Error};
    struct Names(std::cell::Cell<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &Names {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("only an enum"))
        }
        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _: &'static str,
            variants: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0.set(variants);
            Err(Error::custom("names taken"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map struct identifier ignored_any
        }
    }
    let names = Names(std::cell::Cell::new(&[]));
    let _ = <Finding as serde::Deserialize>::deserialize(&names);
    names
        .0
        .get()
        .iter()
        .map(|n| serde_json::from_value(serde_json::Value::from(*n)).unwrap())
        .collect()
}

const FINDINGS_INTRO: &str = "\
Each endpoint that is not `ok` has a stable `finding` code (for scripts and
alarms: the `finding` field of the JSON report, the `Finding` property of
EMF, the `finding` label of `vpce_probe_finding_info`) and a paragraph that
says what happened and what to change, in the terms of the VPC console. When
some addresses fail and others pass, the status is `warn` and the paragraph
starts with \"N of M addresses failed\"; the finding is the most common
failure. Two framings apply to every paragraph of an endpoint (a hosts-file
pin, DNS64): see [How it decides](how-it-decides.md#reading-a-diagnosis).
What `fix` proposes for each finding is in [From findings to the fix](fix.md).
";

pub fn findings_page() -> String {
    let mut out = String::from("# Findings\n\n");
    out.push_str(
        "<!-- Generated from diagnose::Finding and tests/it/docs/findings_text.rs: \
         UPDATE_DOCS=1 cargo test --test it docs:: -->\n\n",
    );
    out.push_str(FINDINGS_INTRO);
    out.push_str("\n| finding | status | what it means |\n|---|---|---|\n");
    let findings = all_findings();
    for &f in &findings {
        let d = findings_text::doc(f);
        let status = d.status.split(';').next().unwrap_or(d.status);
        let _ = writeln!(
            out,
            "| [`{c}`](#{c}) | {} | {} |",
            cell(status),
            cell(d.means),
            c = f.code()
        );
    }
    for &f in &findings {
        let d = findings_text::doc(f);
        let _ = write!(
            out,
            "\n## `{}`\n\n**Status:** {}.\n\n**What it means.** {}\n\n**Why it happens.** {}\n\n\
             **What to change.** {}\n\n**What the report shows.** {}\n",
            f.code(),
            d.status,
            d.means,
            d.cause,
            d.fix,
            d.shows
        );
    }
    out
}

/// Text for a Markdown table cell.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[test]
fn every_finding_has_a_section_and_the_page_is_current() {
    let findings = all_findings();
    // A sanity check on the enumeration itself.
    assert!(findings.len() > 30, "{findings:?}");
    for needle in [
        Finding::DnsNxdomain,
        Finding::StsGlobalEndpoint,
        Finding::FipsEndpointMissing,
        Finding::Ipv4EgressBlocked,
    ] {
        assert!(findings.contains(&needle));
    }
    let page = findings_page();
    for f in &findings {
        assert!(page.contains(&format!("\n## `{}`\n", f.code())), "{f:?}");
    }
    check_generated("docs/src/findings.md", &page);
}

#[test]
fn the_flags_page_is_current() {
    check_generated("docs/src/flags.md", &flag_notes::flags_page());
}

#[test]
fn flag_notes_name_real_flags() {
    flag_notes::every_note_names_a_flag();
}
