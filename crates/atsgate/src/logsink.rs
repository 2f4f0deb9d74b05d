//! Interaction-log writes with group commit: each request hands its entry to one writer task
//! and waits until the batch holding it is committed, so an answered request always has its
//! log entry, even if the process is killed right after (SQLite's WAL survives a killed
//! process). Concurrent requests share one transaction, which keeps the cost per request low.
//! The queue is bounded: a full queue slows callers rather than dropping entries.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::store::{InteractionLog, Store};

const QUEUE: usize = 4096;
const BATCH: usize = 256;

enum Message {
    Log(Box<InteractionLog>, oneshot::Sender<()>),
    Flush(oneshot::Sender<()>),
}

pub struct LogSink {
    tx: mpsc::Sender<Message>,
}

impl LogSink {
    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Message>(QUEUE);
        tokio::spawn(async move {
            let mut buffer = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut buffer, BATCH).await > 0 {
                let mut logs = Vec::with_capacity(buffer.len());
                let mut waiters = Vec::with_capacity(buffer.len());
                for message in buffer.drain(..) {
                    match message {
                        Message::Log(log, done) => {
                            logs.push(*log);
                            waiters.push(done);
                        }
                        Message::Flush(done) => waiters.push(done),
                    }
                }
                if !logs.is_empty() {
                    if let Err(err) = store.insert_logs(&logs).await {
                        tracing::error!(error = %err.0, count = logs.len(), "writing interaction logs failed");
                    }
                }
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
        });
        LogSink { tx }
    }

    /// Returns once the entry is committed (or the write failed and was reported).
    pub async fn record(&self, log: InteractionLog) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Log(Box::new(log), done)).await.is_err() {
            tracing::error!("interaction log writer has stopped");
            return;
        }
        let _ = wait.await;
    }

    /// Waits until everything recorded so far is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}
