//! The connectors under the HTTP client, and what they watch on their connections.
//!
//! A cold start drives its first request from the JS thread until the request is on the wire
//! (or, for HTTPS, the TLS hello), and only then hands the I/O runtime to its own thread: no
//! thread start or wake-up lies between process start and the request. [`SignalingConnector`]'s
//! first-write signal is how it knows the bytes have left. [`ReuseConnector`] tells the fetcher
//! whether a failed request went out on a reused connection.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// What a [`Watched`] connection reports as it is used.
pub trait Watch: Send + Unpin {
    /// A read completed (data, or the end of the stream).
    fn read(&mut self) {}
    /// `n > 0` bytes were written.
    fn wrote(&mut self, n: usize);
    /// The connection's info, for the response's and the error's extensions.
    fn connected(&self, c: Connected) -> Connected {
        c
    }
}

/// A connection with a [`Watch`] on its reads and writes.
pub struct Watched<T, W> {
    io: T,
    watch: W,
}

/// [`HttpConnector`] whose connections notify `wrote` (one permit) at their first write.
#[derive(Clone)]
pub struct SignalingConnector {
    pub inner: HttpConnector,
    pub wrote: Arc<Notify>,
}

/// The first-write signal.
pub struct FirstWrite(Option<Arc<Notify>>);

impl Watch for FirstWrite {
    fn wrote(&mut self, _n: usize) {
        if let Some(wrote) = self.0.take() {
            crate::timeline::mark(crate::timeline::Lane::Network, "request on the wire");
            wrote.notify_one();
        }
    }
}

impl Service<Uri> for SignalingConnector {
    type Response = Watched<TokioIo<TcpStream>, FirstWrite>;
    type Error = BoxError;
    type Future = Connecting<Self::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let watch = FirstWrite(Some(self.wrote.clone()));
        Box::pin(async move {
            let io = connecting.await?;
            Ok(Watched { io, watch })
        })
    }
}

/// Whether an HTTP connection has been reused: written to after the server had sent on it (a
/// second request on a kept-alive, pooled connection). A request that fails on a reused
/// connection closed by the server is sent once more on a fresh one (`fetcher.rs`). Seen by the
/// connection itself (above TLS, where the bytes are HTTP), so it holds before the request can
/// fail: counting answers where the fetcher receives them raced with the pool, which may hand
/// the connection to another request before the first one's task has run.
#[derive(Debug, Clone, Default)]
pub struct Reuse(Arc<ReuseState>);

#[derive(Debug, Default)]
struct ReuseState {
    read: AtomicBool,
    reused: AtomicBool,
}

impl Reuse {
    pub fn reused(&self) -> bool {
        self.0.reused.load(Ordering::Acquire)
    }
}

impl Watch for Reuse {
    fn read(&mut self) {
        self.0.read.store(true, Ordering::Release);
    }
    fn wrote(&mut self, _n: usize) {
        if self.0.read.load(Ordering::Acquire) {
            self.0.reused.store(true, Ordering::Release);
        }
    }
    fn connected(&self, c: Connected) -> Connected {
        c.extra(self.clone())
    }
}

/// Wraps a connector's connections with their [`Reuse`].
#[derive(Clone)]
pub struct ReuseConnector<C>(pub C);

impl<C> Service<Uri> for ReuseConnector<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Watched<C::Response, Reuse>;
    type Error = BoxError;
    type Future = Connecting<Self::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move {
            let io = connecting.await.map_err(Into::into)?;
            Ok(Watched {
                io,
                watch: Reuse::default(),
            })
        })
    }
}

impl<T, W: Watch> Watched<T, W> {
    fn written(&mut self, result: &Poll<Result<usize, std::io::Error>>) {
        if let Poll::Ready(Ok(n)) = result
            && *n > 0
        {
            self.watch.wrote(*n);
        }
    }
}

impl<T: hyper::rt::Read + Unpin, W: Watch> hyper::rt::Read for Watched<T, W> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<Result<(), std::io::Error>> {
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            self.watch.read();
        }
        r
    }
}

impl<T: hyper::rt::Write + Unpin, W: Watch> hyper::rt::Write for Watched<T, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<Result<usize, std::io::Error>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.written(&r);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<Result<usize, std::io::Error>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.written(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), std::io::Error>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), std::io::Error>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl<T: Connection, W: Watch> Connection for Watched<T, W> {
    fn connected(&self) -> Connected {
        self.watch.connected(self.io.connected())
    }
}
