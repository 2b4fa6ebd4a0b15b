//! What the whole chain a server presented says, beyond its leaf: every
//! certificate's expiry, the expiry of the path the handshake was verified
//! along, and the leaf as `blackbox_exporter` labels it (SHA-256
//! fingerprint, subject and issuer written as Go's `crypto/x509` writes a
//! name, DNS names). The metrics read it; the report's JSON does not carry it.
//!
//! The verified path is followed by name, as the verifier searches it, not
//! verified a second time: its signatures are the largest part of a
//! handshake's cost, and the handshake has checked them (measured:
//! building it again with webpki cost 22% more instructions per `check`).
//! Each round reads a chain once ([`InfoMemo`]): the ENIs of one endpoint
//! present the same chain byte for byte.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use x509_parser::prelude::{
    ASN1Time, FromDer, GeneralName, ParsedExtension, X509Certificate, X509Name,
};

/// The chain beside the leaf's [`super::CertInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainInfo {
    /// Each presented certificate's `notAfter` (seconds since the epoch),
    /// leaf first; a certificate that does not parse is left out.
    pub not_after: Vec<i64>,
    /// The earliest `notAfter` on the path from the leaf to a trusted root
    /// (leaf and the intermediates on it; a trust anchor carries no
    /// expiry). `None` unless the handshake verified.
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

/// What `chain` (leaf first, `leaf` parsed) says, with the path to one
/// of `roots` followed from it; the caller drops the path's expiry when
/// the handshake did not verify.
fn info(
    chain: &[CertificateDer<'_>],
    leaf: &X509Certificate<'_>,
    roots: &RootCertStore,
) -> ChainInfo {
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
    let presented: Vec<X509Certificate<'_>> = chain
        .iter()
        .skip(1)
        .filter_map(|c| X509Certificate::from_der(c).ok().map(|(_, x)| x))
        .collect();
    let not_after = std::iter::once(leaf)
        .chain(&presented)
        .map(|x| x.validity().not_after.timestamp())
        .collect();
    ChainInfo {
        not_after,
        verified_path_expiry: path_expiry(leaf, &presented, roots),
        leaf_sha256: chain.first().map(|c| sha256_hex(c)).unwrap_or_default(),
        leaf_subject_go: go_name(leaf.subject()),
        leaf_issuer_go: go_name(leaf.issuer()),
        leaf_dns_names: dns_names,
    }
}

/// The longest path followed: webpki's own limit on intermediates.
const MAX_INTERMEDIATES: usize = 6;

/// The earliest expiry on the path from `leaf` to a trust anchor, followed
/// by name as webpki searches it: at each step a trust anchor named as the
/// issuer ends the path, else the first certificate `presented` (in the
/// order sent, each used once) named as the issuer, valid now, and with the
/// key the issuer's key identifier names. `None` when no path reaches an
/// anchor.
fn path_expiry(
    leaf: &X509Certificate<'_>,
    presented: &[X509Certificate<'_>],
    roots: &RootCertStore,
) -> Option<i64> {
    let now = ASN1Time::now();
    let mut used = vec![false; presented.len()];
    let mut current = leaf;
    let mut earliest = leaf.validity().not_after.timestamp();
    for _ in 0..=MAX_INTERMEDIATES {
        let issuer = name_value(current.issuer())?;
        if roots.roots.iter().any(|a| a.subject.as_ref() == issuer) {
            return Some(earliest);
        }
        let (i, next) = presented.iter().enumerate().find(|(i, c)| {
            !used[*i]
                && name_value(c.subject()) == Some(issuer)
                && c.validity().is_valid_at(now)
                && key_ids_agree(current, c)
        })?;
        used[i] = true;
        earliest = earliest.min(next.validity().not_after.timestamp());
        current = next;
    }
    None
}

/// A name's DER without its SEQUENCE header: how webpki compares names
/// and how a trust anchor keeps its subject.
fn name_value<'a>(name: &X509Name<'a>) -> Option<&'a [u8]> {
    let raw = name.as_raw();
    let first = *raw.get(1)?;
    let header = if first < 0x80 {
        2
    } else {
        2 + usize::from(first & 0x7f)
    };
    raw.get(header..)
}

/// `cert`'s authority key identifier names `issuer`'s key, or one of the
/// two is absent.
fn key_ids_agree(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    let authority = cert
        .iter_extensions()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref(),
            _ => None,
        });
    let subject = issuer
        .iter_extensions()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(ski) => Some(ski),
            _ => None,
        });
    match (authority, subject) {
        (Some(a), Some(s)) => a.0 == s.0,
        _ => true,
    }
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

/// The chains one round has read, by chain: the ENIs of one endpoint
/// present the same chain, so a round reads each once.
#[derive(Debug, Default)]
pub struct InfoMemo {
    read: Mutex<HashMap<Vec<CertificateDer<'static>>, ChainInfo>>,
}

impl InfoMemo {
    /// What `chain` (leaf first, `leaf` parsed) says, read once a round;
    /// the path's expiry only when the handshake `verified`.
    pub fn info(
        &self,
        chain: &[CertificateDer<'static>],
        leaf: &X509Certificate<'_>,
        roots: &RootCertStore,
        verified: bool,
    ) -> ChainInfo {
        let known = self
            .read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(chain)
            .cloned();
        let mut info = known.unwrap_or_else(|| {
            let info = info(chain, leaf, roots);
            self.read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(chain.to_vec(), info.clone());
            info
        });
        if !verified {
            info.verified_path_expiry = None;
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
        KeyUsagePurpose,
    };

    use super::*;

    /// Days from now, as unix seconds (whole seconds, as certificates keep them).
    fn in_days(days: i64) -> time::OffsetDateTime {
        let t = time::OffsetDateTime::now_utc() + time::Duration::days(days);
        t.replace_nanosecond(0).unwrap()
    }

    fn ca(cn: &str, expires_in_days: i64) -> CertificateParams {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(DnType::OrganizationName, "Amazon");
        p.distinguished_name.push(DnType::CommonName, cn);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        p.not_before = in_days(-1);
        p.not_after = in_days(expires_in_days);
        p
    }

    type Issuer = CertifiedIssuer<'static, KeyPair>;

    fn issuer(params: CertificateParams, by: Option<&Issuer>) -> Issuer {
        let key = KeyPair::generate().unwrap();
        match by {
            Some(by) => CertifiedIssuer::signed_by(params, key, by).unwrap(),
            None => CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    fn leaf(by: &Issuer, expires_in_days: i64) -> CertificateDer<'static> {
        let mut p = CertificateParams::new(vec!["x.example".to_owned()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, "x.example");
        p.distinguished_name.push(DnType::CountryName, "JP");
        p.distinguished_name.push(DnType::OrganizationName, "A; B");
        p.not_before = in_days(-1);
        p.not_after = in_days(expires_in_days);
        p.signed_by(&KeyPair::generate().unwrap(), by)
            .unwrap()
            .der()
            .clone()
    }

    fn read(chain: &[CertificateDer<'static>], roots: &RootCertStore) -> ChainInfo {
        let (_, x) = X509Certificate::from_der(&chain[0]).unwrap();
        InfoMemo::default().info(chain, &x, roots, true)
    }

    #[test]
    fn the_path_is_followed_by_name_to_an_anchor_and_no_further() {
        let root = issuer(ca("Root", 3650), None);
        let intermediate = issuer(ca("Intermediate", 30), Some(&root));
        // Sent but on no path: a certificate of another issuer that
        // expires first, and the root cross-signed by an older root that
        // expires before the intermediate (the anchor ends the path first).
        let other = issuer(ca("Other", 5), None);
        let old_root = issuer(ca("Old Root", 3650), None);
        let cross = issuer(ca("Root", 10), Some(&old_root));
        let mut roots = RootCertStore::empty();
        roots.add(root.der().clone()).unwrap();
        let chain = vec![
            leaf(&intermediate, 300),
            other.der().clone(),
            intermediate.der().clone(),
            cross.der().clone(),
        ];
        let info = read(&chain, &roots);
        let day = |d| in_days(d).unix_timestamp();
        assert_eq!(info.not_after, [day(300), day(5), day(30), day(10)]);
        assert_eq!(info.verified_path_expiry, Some(day(30)));
        assert_eq!(info.leaf_subject_go, r"CN=x.example,O=A\; B,C=JP");
        assert_eq!(info.leaf_issuer_go, "CN=Intermediate,O=Amazon");
        assert_eq!(info.leaf_dns_names, ["x.example"]);
        assert_eq!(info.leaf_sha256, sha256_hex(&chain[0]));

        // Without the intermediate, or without the root, no path.
        assert_eq!(read(&chain[..2], &roots).verified_path_expiry, None);
        assert_eq!(
            read(&chain, &RootCertStore::empty()).verified_path_expiry,
            None
        );
        // A handshake that did not verify has no verified path.
        let (_, x) = X509Certificate::from_der(&chain[0]).unwrap();
        let memo = InfoMemo::default();
        assert_eq!(
            memo.info(&chain, &x, &roots, false).verified_path_expiry,
            None
        );
        assert_eq!(
            memo.info(&chain, &x, &roots, true).verified_path_expiry,
            Some(day(30))
        );
    }

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
