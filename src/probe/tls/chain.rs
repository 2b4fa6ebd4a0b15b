//! What the whole chain a server presented says, beyond its leaf: every
//! certificate's expiry, the expiry of the path the handshake was verified
//! along, and the leaf as `blackbox_exporter` labels it (SHA-256
//! fingerprint, subject and issuer written as Go's `crypto/x509` writes a
//! name, DNS names). The metrics read it; the report's JSON does not carry it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use rustls::RootCertStore;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, UnixTime};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

/// The chain beside the leaf's [`super::CertInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainInfo {
    /// Each presented certificate's `notAfter` (seconds since the epoch),
    /// leaf first; a certificate that does not parse is left out.
    pub not_after: Vec<i64>,
    /// The earliest `notAfter` on the path from the leaf to a trusted root
    /// that webpki builds (leaf and the intermediates it used; a trust
    /// anchor carries no expiry). `None` unless the handshake verified.
    pub verified_path_expiry: Option<i64>,
    /// SHA-256 of the leaf's DER, lowercase hex.
    pub leaf_sha256: String,
    /// The leaf's subject and issuer as Go's `pkix.Name.String()` writes
    /// them (`CN=x,O=Amazon,C=US`): `blackbox_exporter`'s label values.
    pub leaf_subject_go: String,
    pub leaf_issuer_go: String,
    /// The leaf's DNS subject alternative names, in order.
    pub leaf_dns_names: Vec<String>,
}

/// What `chain` (leaf first, `leaf` parsed) says; the verified path's
/// expiry is added once the handshake is known to have verified.
pub fn info(chain: &[CertificateDer<'_>], leaf: &X509Certificate<'_>) -> ChainInfo {
    let dns_names = match leaf.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some((*d).to_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    ChainInfo {
        not_after: chain.iter().filter_map(|c| not_after(c)).collect(),
        verified_path_expiry: None,
        leaf_sha256: chain.first().map(|c| sha256_hex(c)).unwrap_or_default(),
        leaf_subject_go: go_name(leaf.subject()),
        leaf_issuer_go: go_name(leaf.issuer()),
        leaf_dns_names: dns_names,
    }
}

fn not_after(der: &[u8]) -> Option<i64> {
    let (_, x) = X509Certificate::from_der(der).ok()?;
    Some(x.validity().not_after.timestamp())
}

fn sha256_hex(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The attributes Go parses into a `pkix.Name`'s fields, in the order
/// `ToRDNSequence` lays them out (`2.5.4.n`, and its short name).
const GO_FIELDS: [(u8, &str); 9] = [
    (6, "C"),
    (8, "ST"),
    (7, "L"),
    (9, "STREET"),
    (17, "POSTALCODE"),
    (10, "O"),
    (11, "OU"),
    (3, "CN"),
    (5, "SERIALNUMBER"),
];

/// `name` as Go's `pkix.Name.String()` writes it: the known attributes
/// grouped by type in Go's order (one RDN per type, values joined by `+`;
/// only the last CN and serial number count), other attributes first in
/// the sequence as `OID=#hex` of their DER, then the sequence reversed and
/// joined by `,`, with RFC 4514's escapes.
pub fn go_name(name: &X509Name<'_>) -> String {
    let mut known: Vec<Vec<String>> = vec![Vec::new(); GO_FIELDS.len()];
    let mut rdns: Vec<String> = Vec::new();
    for atv in name
        .iter()
        .flat_map(x509_parser::prelude::RelativeDistinguishedName::iter)
    {
        let Some(value) = attribute_text(atv.attr_value()) else {
            continue;
        };
        let oid = atv.attr_type().as_bytes();
        match GO_FIELDS.iter().position(|(n, _)| oid == [0x55, 0x04, *n]) {
            // Go keeps one common name and one serial number: the last.
            Some(i @ (7 | 8)) => known[i] = vec![value],
            Some(i) => known[i].push(value),
            None => rdns.push(format!(
                "{}=#{}",
                atv.attr_type().to_id_string(),
                go_der_hex(&value)
            )),
        }
    }
    for (values, (_, short)) in known.iter().zip(GO_FIELDS) {
        if !values.is_empty() {
            let rdn: Vec<String> = values
                .iter()
                .map(|v| format!("{short}={}", escape(v)))
                .collect();
            rdns.push(rdn.join("+"));
        }
    }
    rdns.reverse();
    rdns.join(",")
}

/// The string types Go reads in a name; `None` for others.
fn attribute_text(value: &x509_parser::der_parser::asn1_rs::Any<'_>) -> Option<String> {
    use x509_parser::der_parser::asn1_rs::Tag;
    match value.tag() {
        Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String => {
            std::str::from_utf8(value.data).ok().map(str::to_owned)
        }
        Tag::BmpString => {
            let units: Vec<u16> = value
                .data
                .chunks_exact(2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// RFC 4514's escapes as Go applies them.
fn escape(value: &str) -> String {
    let last = value.len().saturating_sub(1);
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.char_indices() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (c == ' ' && (i == 0 || i == last))
            || (c == '#' && i == 0);
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The hex of `value` as Go's `asn1.Marshal` encodes a string: a
/// `PrintableString` when every character is in its set, else `UTF8String`.
fn go_der_hex(value: &str) -> String {
    let printable = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let mut der = vec![if printable { 0x13 } else { 0x0c }];
    let len = value.len();
    if len < 0x80 {
        der.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        der.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        der.extend(bytes);
    }
    der.extend(value.as_bytes());
    der.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The verified paths' expiries one round has computed, by chain: the
/// ENIs of one endpoint present the same chain, so a round builds each
/// path once (as [`super::ChainMemo`] verifies each chain once).
#[derive(Debug, Default)]
pub struct PathMemo {
    expiries: Mutex<HashMap<Vec<CertificateDer<'static>>, Option<i64>>>,
}

impl PathMemo {
    /// The expiry of the path webpki builds for `chain` (leaf first) to
    /// one of `roots`, for server authentication now; computed once per
    /// chain. Call it only for a chain the handshake verified.
    pub fn expiry(
        &self,
        roots: &RootCertStore,
        algorithms: WebPkiSupportedAlgorithms,
        chain: &[CertificateDer<'static>],
    ) -> Option<i64> {
        let memo = |m: &Self| {
            m.expiries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(chain)
                .copied()
        };
        if let Some(known) = memo(self) {
            return known;
        }
        let expiry = path_expiry(roots, algorithms, chain);
        self.expiries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(chain.to_vec(), expiry);
        expiry
    }
}

fn path_expiry(
    roots: &RootCertStore,
    algorithms: WebPkiSupportedAlgorithms,
    chain: &[CertificateDer<'static>],
) -> Option<i64> {
    let (leaf, intermediates) = chain.split_first()?;
    let end_entity = webpki::EndEntityCert::try_from(leaf).ok()?;
    let path = end_entity
        .verify_for_usage(
            algorithms.all,
            &roots.roots,
            intermediates,
            UnixTime::now(),
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .ok()?;
    let mut earliest = not_after(leaf)?;
    for cert in path.intermediate_certificates() {
        earliest = earliest.min(not_after(&cert.der())?);
    }
    Some(earliest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes_and_encodes_as_go_does() {
        assert_eq!(escape("Test Int, with comma"), r"Test Int\, with comma");
        assert_eq!(escape(" #a+b "), r"\ #a\+b\ ");
        assert_eq!(escape("#x#"), r"\#x#");
        assert_eq!(escape(""), "");
        // businessCategory "Private Organization", as Go prints it.
        assert_eq!(
            go_der_hex("Private Organization"),
            "131450726976617465204f7267616e697a6174696f6e"
        );
        assert_eq!(go_der_hex("a@b"), "0c03614062");
        assert_eq!(go_der_hex(&"x".repeat(200))[..6], *"1381c8");
    }

    #[test]
    fn fingerprints_are_lowercase_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
