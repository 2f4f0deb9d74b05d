//! The accept loop every emulator runs on, with a per-connection kill switch.
//!
//! `axum::serve` gives a handler no way to tear down the TCP connection it is
//! answering on, yet the "reset after store" fault needs exactly that: the
//! upload is stored, then the client must see a connection reset instead of a
//! response (the classic "did my write land?" ambiguity a gateway has to
//! survive). So we drive hyper ourselves: every connection gets a
//! [`ConnectionControl`] in its request extensions; calling
//! [`ConnectionControl::reset`] makes the connection task drop the socket with
//! `SO_LINGER = 0`, which the kernel turns into an RST.

use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long a graceful shutdown waits for in-flight requests (a slow-response
/// fault, say) before cutting the remaining connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Handle a request handler can use to reset its own TCP connection.
#[derive(Clone, Default)]
pub struct ConnectionControl {
    inner: Arc<ControlInner>,
}

#[derive(Default)]
struct ControlInner {
    reset: AtomicBool,
    notify: Notify,
}

impl ConnectionControl {
    /// Asks the connection task to drop the socket with an RST. The caller
    /// should then never complete its response (see [`reset_and_hang`]).
    pub fn reset(&self) {
        self.inner.reset.store(true, Ordering::SeqCst);
        // `notify_one` stores a permit, so the reset is not lost if the
        // connection task is not parked on `notified()` at this instant.
        self.inner.notify.notify_one();
    }

    async fn wait_reset(&self) {
        self.inner.notify.notified().await;
    }
}

/// Resets the connection and never returns, so no response can slip out.
pub async fn reset_and_hang(control: &ConnectionControl) -> ! {
    control.reset();
    std::future::pending::<()>().await;
    unreachable!("a pending future never resolves")
}

/// Stops a running server; dropping it also stops the server.
pub struct ServerHandle {
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl ServerHandle {
    /// Stops accepting, lets in-flight requests finish (bounded), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Tie the server's life to its handle: a test that forgets to call
        // `shutdown` must not leave a listener running for the whole process.
        let _ = self.shutdown.send(true);
    }
}

/// Serves `router` on `listener` in a background task.
pub fn spawn(listener: TcpListener, router: Router) -> ServerHandle {
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, router, shutdown_rx));
    ServerHandle { shutdown, task: Some(task) }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, router.clone(), shutdown.clone()));
                }
                // Accept errors (EMFILE, aborted handshakes) are transient;
                // back off briefly instead of spinning.
                Err(err) => {
                    tracing::warn!(%err, "emulator accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            // Reap finished connection tasks so the set does not grow forever.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.abort_all();
    }
}

async fn serve_connection(stream: TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
    let control = ConnectionControl::default();
    let io = TokioIo::new(ResettableStream { stream, control: control.clone() });
    let request_control = control.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(request_control.clone());
        router.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true);
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(%err, "emulator connection ended with an error");
                }
                return;
            }
            // Returning drops `connection`, hence the socket, with the RST
            // armed by `ResettableStream::drop`.
            _ = control.wait_reset() => return,
            _ = shutdown.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A `TcpStream` that closes with an RST once its connection was reset.
struct ResettableStream {
    stream: TcpStream,
    control: ConnectionControl,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.control.inner.reset.load(Ordering::SeqCst) {
            // Zero linger makes close() discard the send queue and send an
            // RST, so the client gets "connection reset" rather than a clean
            // EOF it might mistake for an empty response.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
