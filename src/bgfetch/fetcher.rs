//! The HTTP(S) client behind background fetch (spec sections 2 and 3): one deadline for the
//! whole exchange, redirects followed here (at most 5 hops, http(s) only), the 256 KiB cap
//! enforced while streaming, UTF-8 checked. Behind a trait so callers can be tested alone.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, LOCATION, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::sync::Notify;
use url::Url;

use super::connector::{Reuse, ReuseConnector, SignalingConnector};
use super::wire::display_url_str;
use crate::engine::format_secs;

/// Largest body stored (spec section 3).
pub const MAX_BODY: usize = 262_144;
pub const MAX_REDIRECTS: usize = 5;

/// Request headers dropped when a redirect leads to another origin (scheme, host or port).
const CROSS_ORIGIN_DROPPED: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// Why a fetch stored nothing. Messages never contain a URL's query (it may hold the token).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FetchError {
    #[error("status {0}")]
    Status(u16),
    #[error("body larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error("timed out after {0} s")]
    Timeout(String),
    #[error("connection error: {0}")]
    Connect(String),
    #[error("too many redirects (more than {MAX_REDIRECTS})")]
    TooManyRedirects,
    #[error("bad redirect: {0}")]
    BadRedirect(String),
    #[error("body is not valid UTF-8")]
    InvalidUtf8,
}

pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<String, FetchError>> + Send + 'a>>;

/// A general request (`wx.request`): any method, headers and body.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout: Duration,
    /// Largest response body read.
    pub max_body: usize,
}

/// Any status, its headers and body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub type RequestFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, FetchError>> + Send + 'a>>;

/// GETs a URL and returns the body text when the final status is 200 (background fetch);
/// or sends a general request (`wx.request`).
pub trait Fetcher: Send + Sync {
    fn get(&self, url: Url, timeout: Duration) -> FetchFuture<'_>;
    fn request(&self, req: HttpRequest) -> RequestFuture<'_>;
    /// Notified (one permit) when a new connection first writes; `None` when this fetcher
    /// cannot tell.
    fn wire_signal(&self) -> Option<Arc<Notify>> {
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{file}: {reason}")]
    CaFile { file: String, reason: String },
    #[error("TLS setup failed: {0}")]
    Setup(String),
}

type HttpsClient = Client<ReuseConnector<HttpsConnector<SignalingConnector>>, Full<Bytes>>;

/// hyper-util's pooled client with rustls (ring, public webpki roots, plus extra CAs).
pub struct HyperFetcher {
    client: HttpsClient,
    /// The same without a pool: the one retry of a request whose pooled connection was closed.
    fresh: HttpsClient,
    user_agent: String,
    wrote: Arc<Notify>,
}

/// The most a CA file may hold: public bundles are about 250 KB.
const CA_FILE_MAX: u64 = 4 << 20;

/// Reads a CA file, refusing at once what is not a regular file of at most 4 MiB: a FIFO
/// would block forever, `/dev/zero` never ends.
fn read_ca_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| crate::bundle::io_reason(&e))?;
    if !meta.is_file() {
        return Err("not a regular file (a PEM file of CA certificates is expected)".into());
    }
    if meta.len() > CA_FILE_MAX {
        return Err(format!(
            "larger than a CA file can be ({} bytes; at most {CA_FILE_MAX})",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| crate::bundle::io_reason(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(CA_FILE_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::bundle::io_reason(&e))?;
    if bytes.len() as u64 > CA_FILE_MAX {
        return Err(format!(
            "larger than a CA file can be (at most {CA_FILE_MAX} bytes)"
        ));
    }
    Ok(bytes)
}

fn root_store(ca_file: Option<&Path>) -> Result<rustls::RootCertStore, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let file = path.display().to_string();
        let bad = |reason: String| TlsError::CaFile {
            file: file.clone(),
            reason,
        };
        let bytes = read_ca_file(path).map_err(bad)?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&bytes) {
            let cert = cert.map_err(|e| bad(format!("invalid PEM: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| bad(format!("invalid certificate: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(bad("no PEM certificates found".into()));
        }
    }
    Ok(roots)
}

impl HyperFetcher {
    pub fn new(ca_file: Option<&Path>) -> Result<Self, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Setup(e.to_string()))?
            .with_root_certificates(root_store(ca_file)?)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false); // the HTTPS connector wraps it
        http.set_nodelay(true);
        let wrote = Arc::new(Notify::new());
        let tcp = SignalingConnector {
            inner: http,
            wrote: wrote.clone(),
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let https = ReuseConnector(https);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_timer(TokioTimer::new())
            .build(https.clone());
        let fresh = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(https);
        Ok(HyperFetcher {
            client,
            fresh,
            user_agent: format!("ftrun/{}", env!("CARGO_PKG_VERSION")),
            wrote,
        })
    }

    /// Sends the request `make` builds. A server may close an idle connection just as the pool
    /// hands it out (without saying `Connection: close`): the request then fails with the
    /// connection closed before any answer. An idempotent request that failed so on a
    /// connection older than itself is sent once more, on a fresh connection, as browsers do.
    async fn request_once_more_if_stale(
        &self,
        make: impl Fn() -> Result<hyper::Request<Full<Bytes>>, FetchError>,
        idempotent: bool,
    ) -> Result<hyper::Response<hyper::body::Incoming>, FetchError> {
        match self.client.request(make()?).await {
            Err(e) if idempotent && closed_on_a_pooled_connection(&e) => {
                tracing::debug!(
                    "request: pooled connection closed by the server; once more on a fresh one"
                );
                self.fresh
                    .request(make()?)
                    .await
                    .map_err(|e| FetchError::Connect(error_chain(&e)))
            }
            r => r.map_err(|e| FetchError::Connect(error_chain(&e))),
        }
    }

    async fn get_following(&self, start: Url) -> Result<String, FetchError> {
        let mut url = start;
        for hop in 0..=MAX_REDIRECTS {
            let (uri, basic) = request_target(&url)?;
            let make = || {
                let mut builder =
                    hyper::Request::get(uri.clone()).header(USER_AGENT, &self.user_agent);
                if let Some(basic) = &basic {
                    builder = builder.header(AUTHORIZATION, basic);
                }
                builder
                    .body(Full::new(Bytes::new()))
                    .map_err(|e| FetchError::Connect(e.to_string()))
            };
            let res = self.request_once_more_if_stale(make, true).await?;
            let status = res.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308)
                && let Some(loc) = res.headers().get(LOCATION)
            {
                if hop == MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                let loc = loc
                    .to_str()
                    .map_err(|_| FetchError::BadRedirect("Location is not ASCII".into()))?;
                let next = url.join(loc).map_err(|e| {
                    FetchError::BadRedirect(format!("{}: {e}", display_url_str(loc)))
                })?;
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::BadRedirect(format!(
                        "to '{}:' (only http and https are followed)",
                        next.scheme()
                    )));
                }
                url = next;
                continue;
            }
            if status != 200 {
                return Err(FetchError::Status(status));
            }
            let declared = res
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > MAX_BODY as u64) {
                return Err(FetchError::TooLarge);
            }
            let mut body = res.into_body();
            let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0) as usize);
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| FetchError::Connect(error_chain(&e)))?;
                if let Ok(data) = frame.into_data() {
                    if buf.len() + data.len() > MAX_BODY {
                        return Err(FetchError::TooLarge);
                    }
                    buf.extend_from_slice(&data);
                }
            }
            return String::from_utf8(buf).map_err(|_| FetchError::InvalidUtf8);
        }
        Err(FetchError::TooManyRedirects)
    }
}

impl HyperFetcher {
    /// Sends `req`; GET and HEAD follow redirects (at most 5 hops), other methods return them.
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, FetchError> {
        let mut url = req.url.clone();
        let mut headers = req.headers.clone();
        let follow = matches!(req.method.as_str(), "GET" | "HEAD");
        for hop in 0..=MAX_REDIRECTS {
            let (uri, basic) = request_target(&url)?;
            let basic = basic.filter(|_| {
                !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            });
            let method = hyper::Method::from_bytes(req.method.as_bytes())
                .map_err(|_| FetchError::Connect(format!("invalid method '{}'", req.method)))?;
            let make = || {
                let mut builder = hyper::Request::builder()
                    .method(method.clone())
                    .uri(uri.clone())
                    .header(USER_AGENT, &self.user_agent);
                for (k, v) in &headers {
                    builder = builder.header(k.as_str(), v.as_str());
                }
                if let Some(basic) = &basic {
                    builder = builder.header(AUTHORIZATION, basic);
                }
                builder
                    .body(Full::new(Bytes::from(req.body.clone())))
                    .map_err(|e| FetchError::Connect(format!("invalid request: {e}")))
            };
            let res = self
                .request_once_more_if_stale(make, method.is_idempotent())
                .await?;
            let status = res.status().as_u16();
            if follow
                && matches!(status, 301 | 302 | 303 | 307 | 308)
                && let Some(loc) = res.headers().get(LOCATION).and_then(|v| v.to_str().ok())
            {
                if hop == MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                let next = url.join(loc).map_err(|e| {
                    FetchError::BadRedirect(format!("{}: {e}", display_url_str(loc)))
                })?;
                if next.origin() != url.origin() {
                    // Credentials meant for one origin never go to another (as browsers and
                    // curl do).
                    headers.retain(|(k, _)| {
                        !CROSS_ORIGIN_DROPPED
                            .iter()
                            .any(|d| k.eq_ignore_ascii_case(d))
                    });
                }
                url = next;
                continue;
            }
            let headers = res
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut body = res.into_body();
            let mut buf = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| FetchError::Connect(error_chain(&e)))?;
                if let Ok(data) = frame.into_data() {
                    if buf.len() + data.len() > req.max_body {
                        return Err(FetchError::TooLarge);
                    }
                    buf.extend_from_slice(&data);
                }
            }
            return Ok(HttpResponse {
                status,
                headers,
                body: buf,
            });
        }
        Err(FetchError::TooManyRedirects)
    }
}

impl Fetcher for HyperFetcher {
    fn get(&self, url: Url, timeout: Duration) -> FetchFuture<'_> {
        Box::pin(async move {
            match tokio::time::timeout(timeout, self.get_following(url)).await {
                Ok(r) => r,
                Err(_) => Err(FetchError::Timeout(format_secs(timeout))),
            }
        })
    }

    fn wire_signal(&self) -> Option<Arc<Notify>> {
        Some(self.wrote.clone())
    }

    fn request(&self, req: HttpRequest) -> RequestFuture<'_> {
        Box::pin(async move {
            let timeout = req.timeout;
            match tokio::time::timeout(timeout, self.send(req)).await {
                Ok(r) => r,
                Err(_) => Err(FetchError::Timeout(format_secs(timeout))),
            }
        })
    }
}

/// The URI a request goes to, without the URL's userinfo (`user:password@`), which becomes a
/// Basic `Authorization` header instead, as curl sends it: the client's connection pool keys,
/// and the logs that print them, never hold a password.
fn request_target(url: &Url) -> Result<(hyper::Uri, Option<String>), FetchError> {
    let mut bare = url.clone();
    let basic = (!url.username().is_empty() || url.password().is_some()).then(|| {
        let decode = |s: &str| percent_encoding_decode(s);
        let pair = format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or(""))
        );
        format!("Basic {}", crate::apis::request::base64(pair.as_bytes()))
    });
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    let uri = bare
        .as_str()
        .parse()
        .map_err(|e| FetchError::BadRedirect(format!("{}: {e}", display_url_str(url.as_str()))))?;
    Ok((uri, basic))
}

/// `%XX` sequences decoded (userinfo as written in a URL).
fn percent_encoding_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The request went out on a reused (pooled) connection, which ended before any answer: closed,
/// reset, or cut mid-way.
fn closed_on_a_pooled_connection(e: &hyper_util::client::legacy::Error) -> bool {
    let Some(info) = e.connect_info() else {
        return false;
    };
    let mut extras = hyper::http::Extensions::new();
    info.get_extras(&mut extras);
    let pooled = extras.get::<Reuse>().is_some_and(Reuse::reused);
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut closed = false;
    while let Some(s) = src {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            closed |= h.is_incomplete_message() || h.is_canceled();
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            closed |= matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            );
        }
        src = s.source();
    }
    pooled && closed && !e.is_connect()
}

/// An error and its sources, joined: "client error (Connect): tcp connect error: ...".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        src = s.source();
    }
    text
}
