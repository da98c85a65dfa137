//! TLS for PostgreSQL connections, over rustls with the ring provider, with the
//! checks each libpq `sslmode` makes:
//!
//! - `prefer` and `require` encrypt but do not check the server's certificate (as
//!   libpq does without a root CA): they guard against eavesdropping, not against
//!   a server that pretends to be another.
//! - `verify-ca` checks that a CA featurearr trusts signed the certificate.
//! - `verify-full` also checks that the certificate names the host.
//!
//! The CA comes from the URL's `sslrootcert`, else `[http] ca_file`, else
//! `~/.postgresql/root.crt` (libpq's default).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::target::SslMode;

/// The rustls configuration for `mode`; `ca` is where the trusted CA was found
/// (needed by the verify modes only).
pub(super) fn client_config(mode: SslMode, ca: Option<&Path>) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?;
    let chain = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => None,
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let Some(ca) = ca else {
                bail!(
                    "sslmode={} needs the CA that signed the server's certificate; add sslrootcert=PATH to the URL, \
                     set [http] ca_file in the config, or put it in ~/.postgresql/root.crt",
                    mode.name()
                );
            };
            let roots = Arc::new(read_roots(ca)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .with_context(|| format!("cannot use the CA file {}", ca.display()))?;
            Some(webpki)
        }
    };
    let verifier = Verifier {
        chain,
        check_name: mode == SslMode::VerifyFull,
        provider,
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The CA file for a verify mode: `sslrootcert`, else `[http] ca_file`, else libpq's
/// `~/.postgresql/root.crt` when it exists.
pub(super) fn ca_file(sslrootcert: Option<&Path>, config_ca: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    sslrootcert
        .or(config_ca)
        .map(Path::to_path_buf)
        .or_else(|| home.map(|h| h.join(".postgresql/root.crt")).filter(|p| p.is_file()))
}

fn read_roots(path: &Path) -> Result<RootCertStore> {
    let pem = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the CA file {}; check the path in sslrootcert or [http] ca_file",
            path.display()
        )
    })?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| anyhow!("{} is not a PEM file of certificates ({e})", path.display()))?;
        roots
            .add(cert)
            .map_err(|e| anyhow!("{} holds a certificate rustls cannot use ({e})", path.display()))?;
    }
    if roots.is_empty() {
        bail!(
            "{} holds no certificate; it must be PEM (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
    }
    Ok(roots)
}

/// The certificate checks of an sslmode. The handshake's signatures are always
/// checked, so the session is encrypted with the holder of the certificate's key.
#[derive(Debug)]
struct Verifier {
    /// The CA's checks of the chain (`verify-ca`, `verify-full`); None takes any
    /// certificate (`prefer`, `require`).
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// The certificate must name the host (`verify-full`).
    check_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
