//! The TCP connector under the HTTP client, with a signal when a connection first writes.
//!
//! A cold start drives its first request from the JS thread until the request is on the wire
//! (or, for HTTPS, the TLS hello), and only then hands the I/O runtime to its own thread: no
//! thread start or wake-up lies between process start and the request. This signal is how it
//! knows the bytes have left.

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
type ConnectFuture =
    Pin<Box<dyn Future<Output = Result<Signaling<TokioIo<TcpStream>>, BoxError>> + Send>>;

/// [`HttpConnector`] whose connections notify `wrote` (one permit) at their first write.
#[derive(Clone)]
pub struct SignalingConnector {
    pub inner: HttpConnector,
    pub wrote: Arc<Notify>,
}

impl Service<Uri> for SignalingConnector {
    type Response = Signaling<TokioIo<TcpStream>>;
    type Error = BoxError;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let wrote = Some(self.wrote.clone());
        Box::pin(async move {
            let io = connecting.await?;
            Ok(Signaling { io, wrote })
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

/// A connection that notifies once, after its first bytes are written.
pub struct Signaling<T> {
    io: T,
    wrote: Option<Arc<Notify>>,
}

impl<T> Signaling<T> {
    fn written(&mut self, result: &Poll<Result<usize, std::io::Error>>) {
        if let Poll::Ready(Ok(n)) = result
            && *n > 0
            && let Some(wrote) = self.wrote.take()
        {
            crate::timeline::mark(crate::timeline::Lane::Network, "request on the wire");
            wrote.notify_one();
        }
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Signaling<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<Result<(), std::io::Error>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Signaling<T> {
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

impl<T: Connection> Connection for Signaling<T> {
    fn connected(&self) -> Connected {
        self.io.connected()
    }
}

/// Wraps a connector's connections in [`Tracked`]; their [`Reuse`] reaches the error's and the
/// response's connection info.
#[derive(Clone)]
pub struct ReuseConnector<C>(pub C);

impl<C> Service<Uri> for ReuseConnector<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Tracked<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move {
            let io = connecting.await.map_err(Into::into)?;
            Ok(Tracked {
                io,
                reuse: Reuse::default(),
            })
        })
    }
}

/// A connection that records its [`Reuse`].
pub struct Tracked<T> {
    io: T,
    reuse: Reuse,
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<Result<(), std::io::Error>> {
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            self.reuse.0.read.store(true, Ordering::Release);
        }
        r
    }
}

impl<T> Tracked<T> {
    fn written(&self, result: &Poll<Result<usize, std::io::Error>>) {
        if let Poll::Ready(Ok(n)) = result
            && *n > 0
            && self.reuse.0.read.load(Ordering::Acquire)
        {
            self.reuse.0.reused.store(true, Ordering::Release);
        }
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Tracked<T> {
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

impl<T: Connection> Connection for Tracked<T> {
    fn connected(&self) -> Connected {
        self.io.connected().extra(self.reuse.clone())
    }
}
