//! TLS to PostgreSQL with libpq's `sslmode` meanings.
//!
//! `disable`, `prefer` (the default) and `require` are tokio-postgres's own: with `prefer` and
//! `require` the connection is encrypted but, as libpq does in those modes, the server's
//! certificate is not checked. `verify-ca` and `verify-full` (which tokio-postgres does not parse)
//! are taken out of the URL here and turn on certificate verification against the system's
//! authorities, or against `sslrootcert=FILE` when given; `verify-ca` then skips the host name
//! check as libpq does.

use crate::error::Error;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verify {
    /// Encrypt without checking who the server is (libpq's `prefer`/`require`).
    Nothing,
    /// The chain must lead to a trusted authority (`verify-ca`).
    Chain { root_file: Option<String> },
    /// The chain and the host name (`verify-full`).
    Full { root_file: Option<String> },
}

/// Takes the TLS settings tokio-postgres does not know out of a URL: returns the URL to give it
/// and how to verify the server.
pub(super) fn split_url(url: &str) -> Result<(String, Verify), Error> {
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Ok((url.to_string(), Verify::Nothing));
    }
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Verify::Nothing));
    };
    let mut mode = None;
    let mut root_file = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" if matches!(value, "verify-ca" | "verify-full") => mode = Some(value.to_string()),
            "sslrootcert" => root_file = Some(percent_decode(value)),
            _ => kept.push(pair),
        }
    }
    let verify = match mode.as_deref() {
        Some("verify-full") => Verify::Full { root_file },
        Some(_) => Verify::Chain { root_file },
        None if root_file.is_some() => Verify::Full { root_file },
        None => Verify::Nothing,
    };
    if verify != Verify::Nothing {
        kept.push("sslmode=require");
    }
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, verify))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The connector for this verification mode.
pub(super) fn connector(verify: &Verify) -> Result<MakeRustlsConnect, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::database(format!("cannot set up TLS for PostgreSQL: {e}")))?;
    let config = match verify {
        Verify::Nothing => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider.signature_verification_algorithms)))
            .with_no_client_auth(),
        Verify::Chain { root_file } | Verify::Full { root_file } => {
            let roots = Arc::new(roots(root_file.as_deref())?);
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| Error::database(format!("cannot set up TLS for PostgreSQL: {e}")))?;
            let verifier: Arc<dyn ServerCertVerifier> =
                if matches!(verify, Verify::Chain { .. }) { Arc::new(ChainOnly(webpki)) } else { webpki };
            builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()
        }
    };
    Ok(MakeRustlsConnect::new(config))
}

fn roots(file: Option<&str>) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore::empty();
    match file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Error::io(format!("cannot read sslrootcert {path} for PostgreSQL TLS"), e))?;
            let certs: Vec<CertificateDer<'static>> = rustls::pki_types::pem::PemObject::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|e| Error::invalid(format!("sslrootcert {path} is not a PEM certificate file: {e}")))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Error::invalid(format!("sslrootcert {path} holds no usable certificate")));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::debug!(%error, "a system certificate could not be loaded");
            }
            roots.add_parsable_certificates(found.certs);
        }
    }
    Ok(roots)
}

/// libpq's `require`: the session is encrypted, the certificate is not checked (the handshake's
/// signatures still are, so the server must hold the key of the certificate it sends).
#[derive(Debug)]
struct EncryptOnly(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// libpq's `verify-ca`: the chain must be trusted; the name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_modes_come_out_of_the_url() {
        assert_eq!(split_url("postgres://u@h/db").unwrap(), ("postgres://u@h/db".into(), Verify::Nothing));
        assert_eq!(
            split_url("postgres://u@h/db?sslmode=require&application_name=x").unwrap(),
            ("postgres://u@h/db?sslmode=require&application_name=x".into(), Verify::Nothing)
        );
        assert_eq!(
            split_url("postgresql://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem").unwrap(),
            ("postgresql://u@h/db?sslmode=require".into(), Verify::Full { root_file: Some("/etc/ca.pem".into()) })
        );
        assert_eq!(
            split_url("postgres://u@h/db?sslmode=verify-ca").unwrap(),
            ("postgres://u@h/db?sslmode=require".into(), Verify::Chain { root_file: None })
        );
        assert_eq!(split_url("host=h user=u").unwrap(), ("host=h user=u".into(), Verify::Nothing));
    }
}
