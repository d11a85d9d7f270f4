//! The TCP connector under the HTTP client, with a signal when a connection first writes.
//!
//! A cold start drives its first request from the JS thread until the request is on the wire
//! (or, for HTTPS, the TLS hello), and only then hands the I/O runtime to its own thread: no
//! thread start or wake-up lies between process start and the request. This signal is how it
//! knows the bytes have left.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
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
            Ok(Signaling {
                io,
                wrote,
                answers: Answers::default(),
            })
        })
    }
}

/// How many answers a connection has brought (counted by the fetcher from each response's
/// extensions): a request that fails on a connection that answered before went out on a
/// reused, pooled one (`fetcher.rs` retries that once on a fresh connection).
#[derive(Debug, Clone, Default)]
pub struct Answers(pub Arc<AtomicUsize>);

/// A connection that notifies once, after its first bytes are written.
pub struct Signaling<T> {
    io: T,
    wrote: Option<Arc<Notify>>,
    answers: Answers,
}

impl<T> Signaling<T> {
    fn written(&mut self, result: &Poll<Result<usize, std::io::Error>>) {
        if let Poll::Ready(Ok(n)) = result
            && *n > 0
            && let Some(wrote) = self.wrote.take()
        {
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
        self.io.connected().extra(self.answers.clone())
    }
}
