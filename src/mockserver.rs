//! A small real HTTP(S) server on 127.0.0.1 that plays the developer's endpoint: routes with a
//! status, body, headers and delay, and a log of every request received (with its decoded
//! query). Used by `ftrun serve`, the demo, `ftrun test` scenarios and the integration tests.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What a route answers.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send the headers, then wait this long before the body (a slow body).
    pub body_delay: Duration,
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
            body_delay: Duration::ZERO,
        }
    }

    pub fn status(mut self, status: u16) -> Route {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, d: Duration) -> Route {
        self.delay = d;
        self
    }

    pub fn body_delay(mut self, d: Duration) -> Route {
        self.body_delay = d;
        self
    }

    pub fn redirect(status: u16, location: &str) -> Route {
        Route::ok(Vec::new())
            .status(status)
            .header("location", location)
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// The raw query string, as sent.
    pub raw_query: String,
    /// The query decoded by `application/x-www-form-urlencoded` rules, in order.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// ms since epoch when the request arrived.
    pub at_ms: i64,
    /// When the request reached this host, on this process's monotonic clock: for the first
    /// request of a plain HTTP connection, the kernel's receive timestamp of its first bytes
    /// (Linux), else when its handler ran. A route's delay counts from here.
    #[serde(skip)]
    pub arrived: std::time::Instant,
    /// When this server's handler for the request ran (later than `arrived` by the server's
    /// own wake-up, a millisecond when the client keeps the cores busy).
    #[serde(skip)]
    pub handled: std::time::Instant,
    /// The request body as text (lossy UTF-8), up to 1 MiB.
    pub body: String,
}

impl Received {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

type Printer = Arc<dyn Fn(&Received) + Send + Sync>;

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    fallback: Option<Route>,
    received: Vec<Received>,
}

/// A running server; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    stop: watch::Sender<bool>,
}

/// A TLS identity for an HTTPS server: PEM certificate chain and private key.
pub struct TlsIdentity {
    pub cert_pem: String,
    pub key_pem: String,
}

impl MockServer {
    /// Starts on 127.0.0.1 at `port` (0 = any) on the current tokio runtime.
    pub async fn start(
        port: u16,
        tls: Option<TlsIdentity>,
        printer: Option<Printer>,
    ) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        wire::stamp_arrivals(&listener);
        let state: Arc<Mutex<State>> = Arc::default();
        let (stop, stop_rx) = watch::channel(false);
        let acceptor = match tls {
            Some(id) => Some(tls_acceptor(&id)?),
            None => None,
        };
        let is_tls = acceptor.is_some();
        let st = state.clone();
        tokio::spawn(async move {
            let mut stop_rx = stop_rx;
            loop {
                let (tcp, _) = tokio::select! {
                    r = listener.accept() => match r { Ok(c) => c, Err(_) => continue },
                    _ = stop_rx.changed() => break,
                };
                let (st, printer, acceptor) = (st.clone(), printer.clone(), acceptor.clone());
                tokio::spawn(async move {
                    // Over TLS the first bytes are the handshake's, not the request's.
                    let wire = match acceptor {
                        None => wire::first_bytes_at(&tcp).await,
                        Some(_) => None,
                    };
                    // Only the connection's first request came with those bytes.
                    let first = std::cell::Cell::new(wire);
                    let svc = service_fn(move |req| {
                        handle(st.clone(), printer.clone(), req, first.take())
                    });
                    let builder = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        Some(acc) => {
                            if let Ok(stream) = acc.accept(tcp).await {
                                let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                            }
                        }
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(tcp), svc).await;
                        }
                    }
                });
            }
        });
        Ok(MockServer {
            addr,
            tls: is_tls,
            state,
            stop,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT<path>` (or `https://localhost:PORT<path>` for TLS, to match
    /// the certificate name).
    pub fn url(&self, path: &str) -> String {
        if self.tls {
            format!("https://localhost:{}{path}", self.addr.port())
        } else {
            format!("http://127.0.0.1:{}{path}", self.addr.port())
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    pub fn route(&self, path: &str, route: Route) {
        self.with(|s| s.routes.insert(path.to_string(), route));
    }

    /// What every path without its own route answers (default: 404).
    pub fn fallback(&self, route: Route) {
        self.with(|s| s.fallback = Some(route));
    }

    pub fn received(&self) -> Vec<Received> {
        self.with(|s| s.received.clone())
    }

    pub fn received_on(&self, path: &str) -> Vec<Received> {
        self.with(|s| {
            s.received
                .iter()
                .filter(|r| r.path == path)
                .cloned()
                .collect()
        })
    }
}

/// A server with a tokio runtime of its own, for callers that are not async (tests,
/// benchmarks): it serves while the caller runs other processes against it.
pub struct BackgroundServer {
    // The server stops before its runtime goes.
    server: MockServer,
    _rt: tokio::runtime::Runtime,
}

impl BackgroundServer {
    pub fn start(tls: Option<TlsIdentity>) -> std::io::Result<BackgroundServer> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let server = rt.block_on(MockServer::start(0, tls, None))?;
        Ok(BackgroundServer { server, _rt: rt })
    }
}

impl std::ops::Deref for BackgroundServer {
    type Target = MockServer;
    fn deref(&self) -> &MockServer {
        &self.server
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn tls_acceptor(id: &TlsIdentity) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(id.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| bad(format!("certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes())
        .map_err(|e| bad(format!("key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn handle(
    state: Arc<Mutex<State>>,
    printer: Option<Printer>,
    req: Request<Incoming>,
    wire: Option<std::time::Instant>,
) -> Result<Response<Body>, Infallible> {
    use http_body_util::BodyExt;
    let handled = std::time::Instant::now();
    let arrived = wire.unwrap_or(handled);
    let (parts, body) = req.into_parts();
    let body = http_body_util::Limited::new(body, 1 << 20)
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    let req = Request::from_parts(parts, ());
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let received = Received {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        query: form_urlencoded::parse(raw_query.as_bytes())
            .into_owned()
            .collect(),
        raw_query,
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        at_ms: chrono::Utc::now().timestamp_millis(),
        arrived,
        handled,
        body,
    };
    if let Some(p) = &printer {
        p(&received);
    }
    let route = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        let route = s
            .routes
            .get(&received.path)
            .or(s.fallback.as_ref())
            .cloned();
        s.received.push(received);
        route
    };
    let route = route.unwrap_or_else(|| Route::ok("not found").status(404));
    if !route.delay.is_zero() {
        sleep_until_precisely(arrived + route.delay).await;
    }
    let body: Body = if route.body_delay.is_zero() {
        Full::new(Bytes::from(route.body.clone())).boxed()
    } else {
        // Headers now, the body later: a stream that sleeps before its only frame.
        let (delay, data) = (route.body_delay, Bytes::from(route.body.clone()));
        let stream = delayed_body(delay, data);
        http_body_util::StreamBody::new(stream).boxed()
    };
    let mut resp = Response::builder().status(route.status);
    for (k, v) in &route.headers {
        resp = resp.header(k.as_str(), v.as_str());
    }
    Ok(resp
        .body(body)
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).boxed())))
}

/// tokio's timer has millisecond granularity, and a hand-off to a sleeping thread adds its
/// wake-up (0.15 ms here): sleep to within 1.5 ms of `until`, then spin on this task (yielding,
/// so other requests are served meanwhile), so a declared delay is what the client sees
/// (benchmarks compare against it).
async fn sleep_until_precisely(until: std::time::Instant) {
    let margin = Duration::from_micros(1500);
    if let Some(coarse) = until.checked_sub(margin)
        && coarse > std::time::Instant::now()
    {
        tokio::time::sleep_until(coarse.into()).await;
    }
    while std::time::Instant::now() < until {
        tokio::task::yield_now().await;
    }
}

/// A one-frame body stream that waits `delay` first.
fn delayed_body(
    delay: Duration,
    data: Bytes,
) -> impl futures_core::Stream<Item = Result<hyper::body::Frame<Bytes>, Infallible>> + Send {
    struct Once {
        sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
        data: Option<Bytes>,
    }
    impl futures_core::Stream for Once {
        type Item = Result<hyper::body::Frame<Bytes>, Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.data.is_none() {
                return std::task::Poll::Ready(None);
            }
            match self.sleep.as_mut().poll(cx) {
                std::task::Poll::Pending => std::task::Poll::Pending,
                std::task::Poll::Ready(()) => std::task::Poll::Ready(
                    self.data.take().map(|d| Ok(hyper::body::Frame::data(d))),
                ),
            }
        }
    }
    use std::future::Future;
    Once {
        sleep: Box::pin(tokio::time::sleep(delay)),
        data: Some(data),
    }
}

/// When a request reached this host, as the kernel stamped it (Linux's SO_TIMESTAMPNS): what
/// a benchmark means by "on the wire", which the handler's own clock reading follows only once
/// this server's task gets a core.
#[cfg(target_os = "linux")]
mod wire {
    use std::os::fd::AsRawFd;
    use std::time::{Duration, Instant, SystemTime};

    /// Asks for receive timestamps on the listener; accepted connections inherit the option.
    pub fn stamp_arrivals(listener: &tokio::net::TcpListener) {
        let on: libc::c_int = 1;
        // SAFETY: a valid socket and an int option of the right size; failure only loses stamps.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }

    /// The kernel's timestamp of the connection's first bytes, read with a peek (the bytes
    /// stay for hyper), on this process's monotonic clock; None when none came.
    pub async fn first_bytes_at(tcp: &tokio::net::TcpStream) -> Option<Instant> {
        loop {
            tcp.readable().await.ok()?;
            match tcp.try_io(tokio::io::Interest::READABLE, || {
                peek_stamp(tcp.as_raw_fd())
            }) {
                // Unstamped (the kernel turns stamping on a moment after the first socket
                // asks): when this task first saw the bytes.
                Ok(stamp) => return stamp.or_else(|| Some(Instant::now())),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return None,
            }
        }
    }

    fn peek_stamp(fd: std::os::fd::RawFd) -> std::io::Result<Option<Instant>> {
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        let mut control = [0u64; 8]; // room for one aligned cmsg holding a timespec
        // SAFETY: msghdr is plain data; the pointers set below outlive the call, and the
        // control messages are read only within the length the kernel wrote.
        unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = std::mem::size_of_val(&control) as _;
            let n = libc::recvmsg(fd, &mut msg, libc::MSG_PEEK | libc::MSG_DONTWAIT);
            if n < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                    let at = SystemTime::UNIX_EPOCH
                        + Duration::new(
                            ts.tv_sec.max(0) as u64,
                            ts.tv_nsec.clamp(0, 999_999_999) as u32,
                        );
                    let ago = SystemTime::now().duration_since(at).unwrap_or_default();
                    return Ok(Instant::now().checked_sub(ago));
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        Ok(None)
    }
}

#[cfg(not(target_os = "linux"))]
mod wire {
    pub fn stamp_arrivals(_: &tokio::net::TcpListener) {}
    pub async fn first_bytes_at(_: &tokio::net::TcpStream) -> Option<std::time::Instant> {
        None
    }
}
