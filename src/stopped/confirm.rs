//! The probe's command lines that confirm a network cause from inside the
//! VPC: a `vpce-probe check` for a one-shot task, and the same check
//! through the Lambda route. Built from shell-quoted words
//! ([`crate::shell::Command`]), the Lambda payload with serde; the host
//! the text names goes in only when it is a hostname or an IP address
//! ([`Host::parse`]), as the probe would call it.

use serde_json::{Map, Value};

use super::read::Read;
use crate::catalog::Service;
use crate::names::Host;
use crate::shell::Command;

/// The confirming commands, or why there are none.
#[derive(Debug, Default)]
pub(super) struct Confirm {
    pub probe: Option<String>,
    pub lambda: Option<String>,
    /// Why no command could be built from what the text names (one line).
    pub refused: Option<String>,
}

/// The commands for what the text names: its service where the catalog
/// knows one, else its host, else the default services; none without a
/// region, or when the host the text names is not a hostname.
pub(super) fn commands(read: &Read, service: Option<Service>) -> Confirm {
    let Some(region) = read.region.as_ref() else {
        return Confirm::default();
    };
    // A FIPS name is what the SDK calls with FIPS on: probe that name.
    let fips = read
        .host
        .as_ref()
        .is_some_and(|h| crate::catalog::names::fips_name(h.raw()));
    // The check's flags, and the same as the Lambda event's fields.
    let (flags, fields): (Vec<String>, Vec<(&str, Value)>) = match (service, &read.host) {
        (Some(s), _) if fips => (
            words(&["--services", s.name(), "--use-fips-endpoint"]),
            vec![
                ("services", s.name().into()),
                ("use_fips_endpoint", true.into()),
            ],
        ),
        (Some(s), _) => (
            words(&["--services", s.name()]),
            vec![("services", s.name().into())],
        ),
        (None, Some(h)) => {
            let Some(host) = Host::parse(h.raw()).map(|h| h.to_string()) else {
                return Confirm {
                    refused: Some(format!(
                        "No confirming command: '{h}' in the text is not a hostname or an IP \
                         address."
                    )),
                    ..Confirm::default()
                };
            };
            (
                words(&["--services", "none", "--target", &host]),
                vec![("services", "none".into()), ("targets", host.into())],
            )
        }
        (None, None) => (
            words(&["--services", "default"]),
            vec![("services", "default".into())],
        ),
    };
    let probe = Command::new("vpce-probe")
        .args(["check", "--region", region.code()])
        .args(flags);
    let mut event = Map::new();
    event.insert("region".to_owned(), region.code().into());
    event.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    let lambda = Command::new("aws").args([
        "lambda",
        "invoke",
        "--function-name",
        "vpce-probe",
        "--cli-binary-format",
        "raw-in-base64-out",
        "--payload",
        &Value::Object(event).to_string(),
        "report.json",
    ]);
    Confirm {
        probe: Some(probe.to_string()),
        lambda: Some(lambda.to_string()),
        refused: None,
    }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}
