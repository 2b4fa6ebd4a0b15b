//! The chains one round has verified, so the ENIs of one endpoint cost
//! one chain verification a round instead of one each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The certificate chains one round has verified, by server name: a chain
/// presented again for the same name, equal byte for byte (end-entity
/// certificate, intermediates and OCSP response), is accepted without its
/// path and signatures being verified again. Anything else goes to the
/// verifier in full, and a failure is never remembered, so a different
/// chain on one ENI among good ones (an intercepting proxy, an expired or
/// wrong certificate) is judged on its own. The handshake's signature (the
/// proof that the server holds the certificate's key) is always checked.
///
/// A memo is meant to live for one round ([`super::TlsProber::new_round`]): it
/// takes a chain's validity as of its first verification in the round.
#[derive(Debug)]
pub struct ChainMemo {
    inner: Arc<dyn ServerCertVerifier>,
    /// By the server name as sent in SNI, compared byte for byte (a name
    /// in another case is another key: verified in full; a DNS name cannot
    /// read as an IP address, its last label never all digits and no
    /// colons in it). Not keyed by `ServerName` itself: its case-insensitive
    /// hash goes a byte at a time, 5,600 instructions a lookup.
    verified: Mutex<HashMap<String, Vec<VerifiedChain>>>,
}

/// A chain that verified, as the server sent it.
#[derive(Debug)]
struct VerifiedChain {
    end_entity: CertificateDer<'static>,
    intermediates: Vec<CertificateDer<'static>>,
    ocsp_response: Vec<u8>,
}

impl VerifiedChain {
    fn is(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
    ) -> bool {
        self.end_entity.as_ref() == end_entity.as_ref()
            && self.ocsp_response == ocsp_response
            && self
                .intermediates
                .iter()
                .map(AsRef::as_ref)
                .eq(intermediates.iter().map(AsRef::as_ref))
    }
}

impl ChainMemo {
    /// An empty memo in front of `inner`, which judges every chain not yet seen.
    pub fn new(inner: Arc<dyn ServerCertVerifier>) -> Self {
        Self {
            inner,
            verified: Mutex::new(HashMap::new()),
        }
    }

    fn seen(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
    ) -> bool {
        let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        verified
            .get(server_name.to_str().as_ref())
            .is_some_and(|chains| {
                chains
                    .iter()
                    .any(|c| c.is(end_entity, intermediates, ocsp_response))
            })
    }
}

impl ServerCertVerifier for ChainMemo {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.seen(end_entity, intermediates, server_name, ocsp_response) {
            return Ok(ServerCertVerified::assertion());
        }
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let chain = VerifiedChain {
            end_entity: end_entity.clone().into_owned(),
            intermediates: intermediates
                .iter()
                .map(|c| c.clone().into_owned())
                .collect(),
            ocsp_response: ocsp_response.to_vec(),
        };
        let mut memo = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        let chains = memo.entry(server_name.to_str().into_owned()).or_default();
        if !chains
            .iter()
            .any(|c| c.is(end_entity, intermediates, ocsp_response))
        {
            chains.push(chain);
        }
        Ok(verified)
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

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rustls::CertificateError;

    use super::*;

    /// Stands in for the web PKI verifier: accepts every chain but the ones
    /// whose end-entity certificate is `bad`, and counts its calls.
    #[derive(Debug, Default)]
    struct Counting {
        chains: AtomicUsize,
    }

    const BAD: &[u8] = b"bad";

    impl ServerCertVerifier for Counting {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            self.chains.fetch_add(1, Ordering::SeqCst);
            if end_entity.as_ref() == BAD {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer,
                ))
            } else {
                Ok(ServerCertVerified::assertion())
            }
        }

        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }

        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            vec![SignatureScheme::ECDSA_NISTP256_SHA256]
        }
    }

    fn der(bytes: &[u8]) -> CertificateDer<'static> {
        CertificateDer::from(bytes.to_vec())
    }

    fn name(s: &str) -> ServerName<'static> {
        ServerName::try_from(s.to_owned()).unwrap()
    }

    /// End entity, intermediates, server name, OCSP response.
    type Chain = (
        &'static [u8],
        &'static [&'static [u8]],
        &'static str,
        &'static [u8],
    );

    /// Verifies a chain through the memo.
    fn verify(memo: &ChainMemo, chain: Chain) -> bool {
        let (ee, intermediates, server, ocsp) = chain;
        let intermediates: Vec<_> = intermediates.iter().map(|c| der(c)).collect();
        memo.verify_server_cert(
            &der(ee),
            &intermediates,
            &name(server),
            ocsp,
            UnixTime::now(),
        )
        .is_ok()
    }

    fn memo() -> (Arc<Counting>, ChainMemo) {
        let inner = Arc::new(Counting::default());
        let memo = ChainMemo::new(inner.clone());
        (inner, memo)
    }

    #[test]
    fn a_chain_seen_again_for_the_same_name_is_verified_once() {
        let (inner, memo) = memo();
        let good: Chain = (b"leaf", &[b"intermediate"], "logs.example", b"");
        for _ in 0..3 {
            assert!(verify(&memo, good));
        }
        assert_eq!(inner.chains.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn anything_different_byte_for_byte_is_verified_in_full() {
        let (inner, memo) = memo();
        let good: Chain = (b"leaf", &[b"intermediate"], "logs.example", b"");
        let others: [Chain; 7] = [
            (b"leaf2", &[b"intermediate"], "logs.example", b""),
            (b"leaf", &[b"intermediatf"], "logs.example", b""),
            (b"leaf", &[], "logs.example", b""),
            (b"leaf", &[b"intermediate", b"extra"], "logs.example", b""),
            (b"leaf", &[b"intermediate"], "ssm.example", b""),
            (b"leaf", &[b"intermediate"], "LOGS.example", b""),
            (b"leaf", &[b"intermediate"], "logs.example", b"ocsp"),
        ];
        assert!(verify(&memo, good));
        for (i, other) in others.iter().enumerate() {
            assert!(verify(&memo, *other));
            assert_eq!(inner.chains.load(Ordering::SeqCst), i + 2, "{other:?}");
        }
        // Each is remembered on its own, beside the first.
        for chain in std::iter::once(&good).chain(&others) {
            assert!(verify(&memo, *chain));
        }
        assert_eq!(inner.chains.load(Ordering::SeqCst), 8);
    }

    #[test]
    fn a_failure_is_never_remembered() {
        let (inner, memo) = memo();
        let bad: Chain = (BAD, &[], "logs.example", b"");
        let good: Chain = (b"leaf", &[], "logs.example", b"");
        assert!(verify(&memo, good));
        assert!(
            !verify(&memo, bad),
            "a bad chain after a good one for the name"
        );
        assert!(!verify(&memo, bad), "and again");
        assert!(verify(&memo, good));
        assert_eq!(inner.chains.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_new_round_forgets_the_chains_verified() {
        let prober =
            crate::probe::tls::TlsProber::new(Arc::new(crate::trust::store(None).unwrap()));
        let first = Arc::clone(&prober.round.lock().unwrap());
        prober.new_round();
        let second = Arc::clone(&prober.round.lock().unwrap());
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(second.verified.lock().unwrap().is_empty());
    }
}
