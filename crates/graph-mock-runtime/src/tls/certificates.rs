//! The certificates the mock serves HTTPS with, and the HTTPS server (cargo feature `tls`).

use std::net::SocketAddr;
use std::path::Path;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate could not be generated.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate or key.
    #[error("the certificate or key cannot be served: {0}")]
    Config(std::io::Error),
}

/// What the mock serves HTTPS with.
#[derive(Debug, Clone)]
pub struct Certificates {
    /// The server's certificate chain, PEM.
    chain_pem: String,
    /// The server's private key, PEM.
    key_pem: String,
    /// The certificate clients should trust, PEM: the generated authority, or the user's chain.
    ca_pem: String,
}

impl Certificates {
    /// A new authority and a server certificate it signs for `localhost` and `127.0.0.1`.
    pub fn generate() -> Result<Certificates, TlsError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "graph-mock test authority");
        let ca = ca_params.self_signed(&ca_key)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate()?;
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "graph-mock");
        let server = server_params.signed_by(&server_key, &issuer)?;
        Ok(Certificates {
            chain_pem: [server.pem(), ca.pem()].concat(),
            key_pem: server_key.serialize_pem(),
            ca_pem: ca.pem(),
        })
    }

    /// A user's certificate chain and private key, PEM files; clients trust the chain.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Certificates, TlsError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| TlsError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let chain_pem = read(cert)?;
        Ok(Certificates {
            key_pem: read(key)?,
            ca_pem: chain_pem.clone(),
            chain_pem,
        })
    }

    /// The certificate a client should trust, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    async fn rustls(&self) -> Result<RustlsConfig, TlsError> {
        RustlsConfig::from_pem(
            self.chain_pem.clone().into_bytes(),
            self.key_pem.clone().into_bytes(),
        )
        .await
        .map_err(TlsError::Config)
    }
}

/// Serves `app` over HTTPS on `listener` until `handle` shuts it down.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    certificates: &Certificates,
    app: crate::App,
    handle: Handle<SocketAddr>,
) -> Result<(), TlsError> {
    let config = certificates.rustls().await?;
    listener.set_nonblocking(true).map_err(TlsError::Config)?;
    axum_server::from_tcp_rustls(listener, config)
        .map_err(TlsError::Config)?
        .handle(handle)
        .serve(app.over_https().into_make_service())
        .await
        .map_err(TlsError::Config)
}
