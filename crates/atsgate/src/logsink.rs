//! Interaction-log writes, off the response path but never lost. Each entry is first appended
//! to this process's journal file (one `write`, which survives the process being killed), then
//! handed to one writer task that inserts entries in batches. The journal is emptied whenever
//! the writer has caught up, and at start-up the journals of processes that are gone are
//! replayed into the database, so every answered request keeps its log entry even after
//! `kill -9`. The queue is bounded: a full queue slows callers rather than dropping entries.

use std::{
    fs::File,
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use tokio::sync::{mpsc, oneshot};

use crate::store::{InteractionLog, Store};

const QUEUE: usize = 4096;
const BATCH: usize = 256;
/// How long the writer waits for more entries before committing a partial batch.
const LINGER: Duration = Duration::from_millis(50);
/// The journal is emptied (once nothing is pending) only when larger than this: truncating is
/// a metadata write, and replaying committed entries is harmless.
const JOURNAL_TRUNCATE_BYTES: u64 = 1 << 20;
const JOURNAL_DIR: &str = "log-journal";

enum Message {
    Log(Box<InteractionLog>),
    Flush(oneshot::Sender<()>),
}

/// This process's journal: an exclusively locked append-only file of JSON lines.
struct Journal {
    file: Mutex<File>,
    /// Entries appended but not yet committed to the database.
    pending: AtomicUsize,
    /// Bytes appended since the file was last emptied.
    size: AtomicU64,
}

impl Journal {
    fn open(data_dir: &Path) -> std::io::Result<Journal> {
        let dir = data_dir.join(JOURNAL_DIR);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.jsonl", crate::ids::random_id()));
        let file = std::fs::OpenOptions::new().create_new(true).append(true).open(path)?;
        // Held for the life of the process: a lockable journal belongs to a process that is gone.
        file.try_lock().map_err(std::io::Error::other)?;
        Ok(Journal { file: Mutex::new(file), pending: AtomicUsize::new(0), size: AtomicU64::new(0) })
    }

    fn append(&self, log: &InteractionLog) {
        let mut line = match serde_json::to_vec(log) {
            Ok(line) => line,
            Err(err) => return tracing::error!(error = %err, "interaction log entry not serializable"),
        };
        line.push(b'\n');
        self.pending.fetch_add(1, Ordering::SeqCst);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = file.write_all(&line) {
            tracing::error!(error = %err, "appending to the interaction-log journal failed");
        }
        self.size.fetch_add(line.len() as u64, Ordering::Relaxed);
    }

    /// Called after `n` entries were committed; empties a large file once nothing is pending.
    fn committed(&self, n: usize) {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let caught_up = self.pending.fetch_sub(n, Ordering::SeqCst) == n;
        if caught_up && self.size.load(Ordering::Relaxed) >= JOURNAL_TRUNCATE_BYTES {
            match file.set_len(0) {
                Ok(()) => self.size.store(0, Ordering::Relaxed),
                Err(err) => tracing::warn!(error = %err, "truncating the interaction-log journal failed"),
            }
        }
    }
}

/// Waits up to `LINGER` for the batch to fill, unless someone is waiting for a flush.
async fn linger(rx: &mut mpsc::Receiver<Message>, buffer: &mut Vec<Message>) {
    let flush_requested = |buffer: &[Message]| buffer.iter().any(|m| matches!(m, Message::Flush(_)));
    let deadline = tokio::time::sleep(LINGER);
    tokio::pin!(deadline);
    while buffer.len() < BATCH && !flush_requested(buffer) {
        tokio::select! {
            _ = &mut deadline => return,
            received = rx.recv_many(buffer, BATCH - buffer.len()) => if received == 0 { return },
        }
    }
}

pub struct LogSink {
    tx: mpsc::Sender<Message>,
    journal: Option<Arc<Journal>>,
    data_dir: PathBuf,
}

impl LogSink {
    /// Starts the writer; `data_dir` holds the journals.
    pub fn spawn(store: Arc<dyn Store>, data_dir: &Path) -> Self {
        let journal = match Journal::open(data_dir) {
            Ok(journal) => Some(Arc::new(journal)),
            Err(err) => {
                tracing::warn!(error = %err, "no interaction-log journal; entries are only queued in memory");
                None
            }
        };
        let (tx, mut rx) = mpsc::channel::<Message>(QUEUE);
        let writer_journal = journal.clone();
        tokio::spawn(async move {
            let mut buffer = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut buffer, BATCH).await > 0 {
                linger(&mut rx, &mut buffer).await;
                let mut logs = Vec::with_capacity(buffer.len());
                let mut waiters = Vec::new();
                for message in buffer.drain(..) {
                    match message {
                        Message::Log(log) => logs.push(*log),
                        Message::Flush(done) => waiters.push(done),
                    }
                }
                if !logs.is_empty() {
                    match store.insert_logs(&logs).await {
                        Ok(()) => {
                            if let Some(journal) = &writer_journal {
                                journal.committed(logs.len());
                            }
                        }
                        // The journal keeps them; the next start-up replays them.
                        Err(err) => {
                            tracing::error!(error = %err.0, count = logs.len(), "writing interaction logs failed")
                        }
                    }
                }
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
        });
        LogSink { tx, journal, data_dir: data_dir.to_path_buf() }
    }

    /// Records an entry: durable (journaled) when this returns, in the database shortly after.
    pub async fn record(&self, log: InteractionLog) {
        if let Some(journal) = &self.journal {
            journal.append(&log);
        }
        if self.tx.send(Message::Log(Box::new(log))).await.is_err() {
            tracing::error!("interaction log writer has stopped");
        }
    }

    /// Waits until everything recorded so far is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Replays the journals of processes that ended without emptying theirs (a crash), then
    /// deletes them. Entries already in the database are skipped by id.
    pub async fn recover(&self, store: &dyn Store) -> anyhow::Result<usize> {
        let dir = self.data_dir.join(JOURNAL_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(0) };
        let mut replayed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file) = File::open(&path) else { continue };
            if file.try_lock().is_err() {
                continue; // a live process's journal (ours included)
            }
            let mut logs = Vec::new();
            for line in BufReader::new(&file).lines().map_while(Result::ok) {
                // A torn last line (killed mid-write) is skipped; its request was not answered.
                if let Ok(log) = serde_json::from_str::<InteractionLog>(&line) {
                    logs.push(log);
                }
            }
            for chunk in logs.chunks(BATCH) {
                store.insert_logs(chunk).await.map_err(|e| e.0)?;
            }
            replayed += logs.len();
            drop(file);
            std::fs::remove_file(&path)?;
        }
        if replayed > 0 {
            tracing::info!(replayed, "recovered interaction-log entries from a previous process's journal");
        }
        Ok(replayed)
    }
}
