//! Phase 3: a full TLS handshake with rustls (ring), hostname verification
//! always on, SNI = the hostname, trust = the compiled-in web PKI roots plus
//! `--ca-file`. Session resumption is off so every address gets a full
//! handshake and its certificate is verified.
//!
//! The verifier records the certificate the server presented before it
//! judges it, so a failed handshake still tells *who* answered: the issuer
//! of an interception proxy, or the names of the wrong service.
//!
//! Within one round, a chain that verified is not verified again for the
//! same name ([`ChainMemo`]): the ENIs of one endpoint present the same
//! chain byte for byte, and its signatures are the largest part of a
//! handshake's cost. Each handshake still checks the server's signature
//! with the certificate's key.

mod chain;
mod memo;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, ProtocolVersion,
    RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::{Budget, Failure, FailureKind, Timed};
use crate::printable::Untrusted;

pub use chain::ChainInfo;
pub use memo::ChainMemo;

/// What the handshake negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSession {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    pub cipher: String,
}

/// The end-entity certificate a server presented. Its names are the
/// server's text, [`Untrusted`]: shown escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: Untrusted,
    pub issuer: Untrusted,
    /// The issuer's organization (`O=`), used to tell Amazon from a proxy CA.
    pub issuer_org: Option<Untrusted>,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Whole days from the probe to `not_after` (negative once expired).
    pub days_left: i64,
    /// DNS and IP subject alternative names.
    pub sans: Vec<Untrusted>,
    /// Certificates the server sent, leaf included.
    pub chain_len: usize,
    /// The whole chain: each certificate's expiry, the verified path's,
    /// and the leaf as the metrics label it.
    pub chain: ChainInfo,
}

/// Performs handshakes; cheap to share across tasks.
pub struct TlsProber {
    base: ClientConfig,
    verifier: Arc<WebPkiServerVerifier>,
    /// The current round's memo of verified chains; [`Self::new_round`]
    /// replaces it, and a handshake keeps the one it started with.
    round: Mutex<Arc<ChainMemo>>,
    /// The trust the verifier was built with: the verified path ends at
    /// one of its anchors.
    roots: Arc<RootCertStore>,
    /// The current round's chains as read, replaced with `round`.
    chains: Mutex<Arc<chain::InfoMemo>>,
}

impl TlsProber {
    pub fn new(roots: Arc<RootCertStore>) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::clone(&roots), Arc::clone(&provider))
                .build()
                .expect("a store holding the compiled-in roots is never empty");
        let mut base = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        base.resumption = rustls::client::Resumption::disabled();
        let round = Mutex::new(Arc::new(ChainMemo::new(verifier.clone())));
        Self {
            base,
            verifier,
            round,
            roots,
            chains: Mutex::default(),
        }
    }

    /// Starts a round: the chains verified so far are forgotten, so every
    /// round verifies each chain at least once (a sidecar notices a
    /// certificate that expired or a root that changed on its next round).
    pub fn new_round(&self) {
        let fresh = Arc::new(ChainMemo::new(self.verifier.clone()));
        *self.round.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
        *self.chains.lock().unwrap_or_else(PoisonError::into_inner) = Arc::default();
    }

    /// Runs the handshake over `stream` within the budget. Returns the
    /// outcome and, when the server sent one, its leaf certificate. The
    /// stream is any byte stream: a TCP connection to the address, or a
    /// tunnel to it.
    pub async fn handshake<S>(
        &self,
        stream: S,
        server_name: ServerName<'static>,
        budget: Budget,
    ) -> (Timed<TlsSession>, Option<CertInfo>)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let memo: Arc<dyn ServerCertVerifier> = self
            .round
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let seen = Arc::new(Recording {
            inner: memo,
            chain: Mutex::new(Vec::new()),
        });
        let mut config = self.base.clone();
        config.dangerous().set_certificate_verifier(seen.clone());
        let connector = TlsConnector::from(Arc::new(config));
        let timed = budget
            .run(async {
                let tls = connector
                    .connect(server_name, stream)
                    .await
                    .map_err(|e| classify(&e))?;
                let (_, conn) = tls.get_ref();
                Ok(TlsSession {
                    version: conn
                        .protocol_version()
                        .map_or_else(|| "unknown".to_owned(), version_name),
                    cipher: conn
                        .negotiated_cipher_suite()
                        .and_then(|s| s.suite().as_str())
                        .unwrap_or("unknown")
                        .to_owned(),
                })
            })
            .await;
        let chain = seen.chain.lock().map(|c| c.clone()).unwrap_or_default();
        let chains = self
            .chains
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let verified = timed.result.is_ok();
        let cert = cert_info(&chain, |leaf| {
            chains.info(&chain, leaf, &self.roots, verified)
        });
        (timed, cert)
    }
}

fn version_name(v: ProtocolVersion) -> String {
    match v {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => other.as_str().unwrap_or("unknown").to_owned(),
    }
}

/// Classifies a handshake error: rustls errors by variant, the rest by
/// their I/O kind.
fn classify(err: &std::io::Error) -> Failure {
    let Some(tls) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    else {
        return Failure::from_io(err);
    };
    let kind = match tls {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => FailureKind::UnknownIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                FailureKind::HostnameMismatch
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                FailureKind::CertExpired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                FailureKind::CertNotYetValid
            }
            _ => FailureKind::CertInvalid,
        },
        rustls::Error::PeerIncompatible(_)
        | rustls::Error::AlertReceived(
            AlertDescription::ProtocolVersion | AlertDescription::HandshakeFailure,
        ) => FailureKind::Incompatible,
        _ => FailureKind::Protocol,
    };
    Failure::new(kind, tls.to_string())
}

/// Extracts what the report shows of the leaf certificate; `read` reads
/// the whole chain from the parsed leaf.
fn cert_info(
    chain: &[CertificateDer<'static>],
    read: impl FnOnce(&X509Certificate<'_>) -> ChainInfo,
) -> Option<CertInfo> {
    let leaf = chain.first()?;
    let (_, x) = X509Certificate::from_der(leaf.as_ref()).ok()?;
    let now = crate::clock::unix_secs(SystemTime::now());
    let not_after = x.validity().not_after.timestamp();
    let sans = match x.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(Untrusted::from(*d)),
                GeneralName::IPAddress(b) => ip_from_bytes(b).map(|ip| ip.to_string().into()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(CertInfo {
        subject: x.subject().to_string().into(),
        issuer: x.issuer().to_string().into(),
        issuer_org: x
            .issuer()
            .iter_organization()
            .next()
            .and_then(|o| o.as_str().ok())
            .map(Untrusted::from),
        not_before: x.validity().not_before.timestamp(),
        not_after,
        days_left: (not_after - now).div_euclid(86_400),
        sans,
        chain_len: chain.len(),
        chain: read(&x),
    })
}

fn ip_from_bytes(b: &[u8]) -> Option<std::net::IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(Into::into),
        16 => <[u8; 16]>::try_from(b).ok().map(Into::into),
        _ => None,
    }
}

/// Delegates to the round's verifier after keeping a copy of the chain.
#[derive(Debug)]
struct Recording {
    inner: Arc<dyn ServerCertVerifier>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            chain.clear();
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
