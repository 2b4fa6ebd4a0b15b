//! The certificates the probe trusts: Mozilla's roots compiled in (so a
//! `FROM scratch` image and a Lambda zip work without a CA bundle) plus any
//! `--ca-file`. A leaf module.

use std::path::Path;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// The compiled-in roots plus every certificate of `ca_file`; the error says
/// why the file is unusable.
pub fn store(ca_file: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        let bytes = crate::files::read_capped(path).map_err(|e| e.to_string())?;
        add_pem_roots(&mut roots, &bytes)?;
    }
    Ok(roots)
}

/// Adds every certificate of a PEM document to `roots`; the error says why
/// the document is unusable.
pub fn add_pem_roots(roots: &mut RootCertStore, pem: &[u8]) -> Result<(), String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not valid PEM ({e})"))?;
    if certs.is_empty() {
        return Err("no PEM CERTIFICATE blocks in the file".into());
    }
    for (i, cert) in certs.into_iter().enumerate() {
        roots
            .add(cert)
            .map_err(|e| format!("certificate {} is not usable as a CA: {e}", i + 1))?;
    }
    Ok(())
}
