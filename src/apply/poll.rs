//! Batched status polls: every wait in flight is served by shared poll rounds, one paged
//! `Describe*` per kind and round for everything waiting ([`Cloud::statuses`]), instead of
//! one call per resource per poll. DMS's API rate limits are low; with a few hundred tasks
//! waiting alone, the polls are where throttling starts.
//!
//! A round runs once some waiter's poll is due (its own backoff), but never sooner than
//! `min_gap` after the previous round, and it answers every waiter registered by then — so a
//! lone wait is polled at once, and a burst of waits shares a round per `min_gap`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::cloud::{Cloud, CloudError, Status, Waitable};

type Answer = Result<Option<Status>, CloudError>;

struct Ask {
    kind: Waitable,
    arn: String,
    /// When this waiter wants its answer (its backoff); a round that runs earlier for others
    /// answers it too.
    due: Instant,
    reply: oneshot::Sender<Answer>,
}

/// A handle to the poll rounds of one run; cheap to clone. The rounds run in a task of their
/// own, which ends when the last handle is dropped.
#[derive(Clone)]
pub struct Poller {
    asks: mpsc::UnboundedSender<Ask>,
}

impl Poller {
    /// Starts the rounds on `cloud`, at most one per `min_gap`.
    pub fn start<C: Cloud + 'static>(cloud: Arc<C>, min_gap: Duration) -> Poller {
        let (asks, rx) = mpsc::unbounded_channel();
        tokio::spawn(rounds(cloud, rx, min_gap));
        Poller { asks }
    }

    /// The status of `arn` from the first round at or after `due` (or an earlier one held for
    /// other waiters); `None` when it no longer exists.
    pub async fn status(&self, kind: Waitable, arn: &str, due: Instant) -> Answer {
        let (reply, answer) = oneshot::channel();
        let ask = Ask {
            kind,
            arn: arn.to_string(),
            due,
            reply,
        };
        if self.asks.send(ask).is_err() {
            return Err(stopped());
        }
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }
}

fn stopped() -> CloudError {
    CloudError {
        kind: crate::cloud::ErrorKind::Other,
        operation: "poll".to_string(),
        message: "the status poller stopped".to_string(),
    }
}

async fn rounds<C: Cloud>(cloud: Arc<C>, mut rx: mpsc::UnboundedReceiver<Ask>, min_gap: Duration) {
    let mut waiting: Vec<Ask> = Vec::new();
    let mut last: Option<Instant> = None;
    // Whether a handle is left to ask; once none is, the waiters still here get their round.
    let mut open = true;
    loop {
        if waiting.is_empty() {
            match rx.recv().await {
                Some(ask) if open => waiting.push(ask),
                _ => return,
            }
        }
        // Whoever asked in the meantime joins this round.
        while let Ok(ask) = rx.try_recv() {
            waiting.push(ask);
        }
        let due = waiting
            .iter()
            .map(|a| a.due)
            .min()
            .expect("a round has a waiter");
        let at = last.map_or(due, |l| due.max(l + min_gap));
        if at > Instant::now() {
            if !open {
                tokio::time::sleep_until(at).await;
            } else {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    ask = rx.recv() => {
                        match ask {
                            Some(ask) => waiting.push(ask),
                            None => open = false,
                        }
                        // A new waiter may be due sooner: plan the round again.
                        continue;
                    }
                }
            }
        }
        while let Ok(ask) = rx.try_recv() {
            waiting.push(ask);
        }
        last = Some(Instant::now());
        let mut by_kind: BTreeMap<Waitable, Vec<String>> = BTreeMap::new();
        for a in &waiting {
            by_kind.entry(a.kind).or_default().push(a.arn.clone());
        }
        let mut answers = BTreeMap::new();
        for (kind, mut arns) in by_kind {
            arns.sort();
            arns.dedup();
            answers.insert(kind, cloud.statuses(kind, &arns).await);
        }
        for a in waiting.drain(..) {
            let answer = match &answers[&a.kind] {
                Ok(found) => Ok(found.get(&a.arn).cloned()),
                Err(e) => Err(e.clone()),
            };
            // A waiter that gave up (its step ended) no longer listens.
            let _ = a.reply.send(answer);
        }
    }
}
