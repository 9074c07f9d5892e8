//! HTTPS for `sightline serve`: the certificate chain and key of `[server] tls_cert` and
//! `tls_key`, loaded once at start with rustls (aws-lc-rs), and a listener that hands axum
//! connections whose TLS handshake is done.
//!
//! Messages about the files name the file and what is wrong with it, never its contents: the
//! key file's text must not reach a log.

use anyhow::{Context, Result, anyhow};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A client has this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for the HTTP server to take them.
const READY_QUEUE: usize = 64;

/// The rustls server configuration of a certificate chain file and its key file (PEM).
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let cert_text = std::fs::read(cert_file)
        .with_context(|| format!("server.tls_cert: cannot read the certificate file {}", cert_file.display()))?;
    let certs = certificates(&cert_text).map_err(|why| anyhow!("server.tls_cert: {}: {why}", cert_file.display()))?;
    let key_text = std::fs::read(key_file)
        .with_context(|| format!("server.tls_key: cannot read the key file {}", key_file.display()))?;
    let key = private_key(&key_text).map_err(|why| anyhow!("server.tls_key: {}: {why}", key_file.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS library refused its default protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            anyhow!(
                "server.tls_key: {} does not go with the certificate in {}, or is not a key type rustls \
                 supports (RSA, ECDSA P-256/P-384, Ed25519): {e}",
                key_file.display(),
                cert_file.display()
            )
        })?;
    // axum is built without HTTP/2 here, so offer only HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificates of a PEM chain, leaf first.
fn certificates(text: &[u8]) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    let certs =
        CertificateDer::pem_slice_iter(text).collect::<std::result::Result<Vec<_>, _>>().map_err(pem_problem)?;
    if certs.is_empty() {
        return Err("holds no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)".into());
    }
    Ok(certs)
}

/// The first private key of a PEM file.
fn private_key(text: &[u8]) -> std::result::Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(text).map_err(|e| match e {
        pem::Error::NoItemsFound => "holds no PEM private key (a \"-----BEGIN PRIVATE KEY-----\", \
             \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\" block; encrypted keys are not supported)"
            .to_string(),
        other => pem_problem(other),
    })
}

/// What is wrong with a PEM file, without quoting it: the text may be a key.
fn pem_problem(error: pem::Error) -> String {
    match error {
        pem::Error::MissingSectionEnd { .. } => "a PEM block has no \"-----END ...-----\" line".into(),
        pem::Error::IllegalSectionStart { .. } => "a \"-----BEGIN\" line is malformed".into(),
        pem::Error::Base64Decode(_) => "a PEM block is not valid base64".into(),
        pem::Error::SectionTooLarge => "a PEM block is too large".into(),
        pem::Error::NoItemsFound => "holds no PEM block of the expected kind".into(),
        _ => "is not a valid PEM file".into(),
    }
}

/// A TLS listener for `axum::serve`. Handshakes run on tasks of their own, so a client that stalls
/// in one holds up no other; a failed handshake (plain HTTP, an untrusted certificate) only closes
/// that connection.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Accepts on `tcp` from now on; must be called within the runtime.
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(READY_QUEUE);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    // The server dropped the listener: stop accepting.
                    _ = sender.closed() => return,
                    accepted = tcp.accept() => accepted,
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        if !is_connection_error(&error) {
                            // Out of file descriptors and the like: give the process room.
                            tracing::error!(%error, "cannot accept a connection");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        continue;
                    }
                };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(error.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task ended (it never does while the listener lives): wait for shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_BASE64: &str = "-----BEGIN PRIVATE KEY-----\nnot*base64*at*all\n-----END PRIVATE KEY-----\n";

    #[test]
    fn pem_problems_are_named_without_quoting_the_file() {
        let error = certificates(b"").unwrap_err();
        assert!(error.contains("holds no PEM certificate"), "{error}");
        let error = certificates(NOT_BASE64.replace("PRIVATE KEY", "CERTIFICATE").as_bytes()).unwrap_err();
        assert_eq!(error, "a PEM block is not valid base64");
        let error = private_key(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(error.contains("holds no PEM private key"), "{error}");
        let error = private_key(NOT_BASE64.as_bytes()).unwrap_err();
        assert!(!error.contains("not*base64"), "{error}");
        let error = private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n").unwrap_err();
        assert!(error.contains("no \"-----END"), "{error}");
    }

    #[test]
    fn errors_name_the_file_and_which_setting() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let error = format!("{:#}", server_config(&missing, &missing).unwrap_err());
        assert!(error.contains("server.tls_cert") && error.contains("missing.pem"), "{error}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let error = format!("{:#}", server_config(&empty, &missing).unwrap_err());
        assert!(
            error.contains("server.tls_cert: ") && error.contains("empty.pem: holds no PEM certificate"),
            "{error}"
        );

        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
        let (cert_file, key_file) = (write("cert.pem", &cert.pem()), write("key.pem", &key.serialize_pem()));
        assert_eq!(server_config(&cert_file, &key_file).unwrap().alpn_protocols, [b"http/1.1".to_vec()]);
        let other = write("other.pem", &rcgen::KeyPair::generate().unwrap().serialize_pem());
        let error = format!("{:#}", server_config(&cert_file, &other).unwrap_err());
        assert!(error.contains("server.tls_key") && error.contains("other.pem does not go with"), "{error}");
        let swapped = format!("{:#}", server_config(&key_file, &cert_file).unwrap_err());
        assert!(swapped.contains("key.pem: holds no PEM certificate"), "{swapped}");
        for error in [error, swapped] {
            assert!(!error.contains("PRIVATE KEY-----\n"), "key material in {error}");
        }
    }
}
