//! Catch-up-then-live subscriptions, built on `read_all` and `watch_head`
//! so every engine gets them for free.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{DynStore, Position, RecordedEvent, StoreError, MAX_READ_BATCH, SUBSCRIPTION_BUFFER};

/// A stream of committed records from a position on: first everything already
/// in the log, then each new commit as it becomes durable. The buffer is
/// bounded by [`SUBSCRIPTION_BUFFER`]; a slow consumer slows only its own
/// reader task, never the writer. Dropping it stops the reader task.
pub struct Subscription {
    receiver: mpsc::Receiver<Result<RecordedEvent, StoreError>>,
    task: JoinHandle<()>,
}

impl Subscription {
    /// The next record, or `None` once the store is gone. After an error the
    /// subscription ends; resubscribe from the last position seen plus one.
    pub async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        self.receiver.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Subscribe to records with position `>= from`.
pub fn subscribe(store: DynStore, from: Position) -> Subscription {
    let (sender, receiver) = mpsc::channel(SUBSCRIPTION_BUFFER);
    let task = tokio::spawn(async move {
        let mut next = Position(from.0.max(1));
        let mut head = store.watch_head();
        loop {
            // Mark the head seen before reading, so a commit that lands
            // during the read wakes the wait below.
            let durable = head.borrow_and_update().position;
            while next <= durable {
                let batch = match store.read_all(next, MAX_READ_BATCH).await {
                    Ok(batch) => batch,
                    Err(e) => {
                        let _ = sender.send(Err(e)).await;
                        return;
                    }
                };
                if batch.is_empty() {
                    break;
                }
                for record in batch {
                    next = record.position.next();
                    if sender.send(Ok(record)).await.is_err() {
                        return;
                    }
                }
            }
            if head.changed().await.is_err() {
                return;
            }
        }
    });
    Subscription { receiver, task }
}
