//! HTTPS for the mock: Graph is HTTPS only, and some official clients (the JavaScript one) send
//! their token only to `https` hosts.
//!
//! [`Certificates::generate`] makes, at start, a certificate authority and a server certificate
//! it signs for `localhost` and `127.0.0.1`; clients trust the authority ([`Certificates::ca_pem`],
//! written out by `--tls-cert-out`). [`Certificates::from_files`] serves a user's own
//! certificate chain and key instead. Serving HTTPS is the cargo feature `tls`; which scheme a
//! request came over ([`Https`]) every build knows, for the URLs it writes.

#[cfg(feature = "tls")]
mod certificates;

#[cfg(feature = "tls")]
pub(crate) use certificates::serve;
#[cfg(feature = "tls")]
pub use certificates::{Certificates, TlsError};

/// Marks a request that came over HTTPS, so the URLs the mock writes (next links, `Location`,
/// the OpenAPI server) say `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Https;

/// `https://` for a request that came over HTTPS, else `http://`.
pub(crate) fn scheme(extensions: &axum::http::Extensions) -> &'static str {
    if extensions.get::<Https>().is_some() {
        "https://"
    } else {
        "http://"
    }
}
