//! Re-appending a log into an empty store so that it comes out identical,
//! and the JSON-lines export and import built on it.
//!
//! Each command group is appended as the one append it was: the same
//! command metadata (which carries `recorded_at`), the same event ids and
//! payloads, the same streams in the same order, the same guards. The store
//! then seals the same envelopes at the same positions, so every hash comes
//! out the same. Before a group is appended, each of its records is checked
//! (position, link to the previous record, and the hash its contents give
//! against the hash it carries); after, the positions the store assigned
//! and, at the end, the head.

use std::collections::VecDeque;
use std::future::Future;
use std::io::{BufRead, Write};
use std::pin::Pin;
use std::task::Poll;

use tracing::{debug, info};

use ledger_store::{
    AppendRequest, Committed, DynStore, ExpectedVersion, Head, Position, StoreError, StreamVersion,
    StreamWrite,
};

use crate::records::{content_hash, CommandGroup, GroupReader, Guard, RecordJson};
use crate::OpsError;

/// Appends in flight at once while copying. The store's writer takes all
/// queued appends into one batch (one fdatasync), so a deep pipeline is
/// what makes a copy fast; it stays far below the store's queue bound.
pub const COPY_PIPELINE_DEPTH: usize = 256;
/// Longest line `events import` accepts (a record is at most 1 MiB of
/// envelope, about 2 MiB as hex, plus its JSON).
pub const MAX_IMPORT_LINE_BYTES: usize = 4 << 20;

type Pending = Pin<Box<dyn Future<Output = Result<Committed, StoreError>> + Send>>;

/// Re-appends command groups into an empty store, checking every record.
pub struct Appender {
    target: DynStore,
    /// The head the records appended so far should give.
    chain: Head,
    in_flight: VecDeque<(Position, Position, Pending)>,
}

fn mismatch(position: Position, reason: impl Into<String>) -> OpsError {
    OpsError::Mismatch {
        position,
        reason: reason.into(),
    }
}

impl Appender {
    /// Starts a copy into `target`, which must be empty.
    pub fn new(target: DynStore) -> Result<Appender, OpsError> {
        let head = target.head();
        if head.position != Position::ORIGIN {
            return Err(OpsError::Invalid(format!(
                "the target log is not empty: it ends at position {}",
                head.position
            )));
        }
        Ok(Appender {
            target,
            chain: Head::default(),
            in_flight: VecDeque::new(),
        })
    }

    /// The head the groups pushed so far give.
    pub fn head(&self) -> Head {
        self.chain
    }

    /// Checks a group and appends it (without waiting for it, up to
    /// [`COPY_PIPELINE_DEPTH`] appends at once).
    pub async fn push(&mut self, group: CommandGroup) -> Result<(), OpsError> {
        let request = self.check(&group)?;
        let first = group.records[0].position;
        let last = self.chain.position;
        let target = self.target.clone();
        let mut pending: Pending = Box::pin(async move { target.append(request).await });
        // Poll once now, in order: the store queues an append on its first
        // poll, so appends reach its writer in log order. Should an engine
        // not, the positions or the hashes would differ, and that is caught
        // below, never written silently.
        let polled = tokio::task::unconstrained(std::future::poll_fn(|cx| {
            Poll::Ready(pending.as_mut().poll(cx))
        }))
        .await;
        match polled {
            Poll::Ready(result) => check_committed(first, last, result)?,
            Poll::Pending => self.in_flight.push_back((first, last, pending)),
        }
        while self.in_flight.len() >= COPY_PIPELINE_DEPTH {
            self.settle_one().await?;
        }
        Ok(())
    }

    async fn settle_one(&mut self) -> Result<(), OpsError> {
        if let Some((first, last, pending)) = self.in_flight.pop_front() {
            check_committed(first, last, pending.await)?;
        }
        Ok(())
    }

    /// Waits for every append and checks the target's head is the chain's.
    pub async fn finish(mut self) -> Result<Head, OpsError> {
        while !self.in_flight.is_empty() {
            self.settle_one().await?;
        }
        let head = self.target.head();
        if head != self.chain {
            return Err(mismatch(
                head.position,
                format!(
                    "the copy ends at position {} with hash {}, expected position {} with hash {}",
                    head.position, head.hash, self.chain.position, self.chain.hash
                ),
            ));
        }
        debug!(head = head.position.0, "copy finished");
        Ok(head)
    }

    /// Checks each record of `group` continues the chain and carries the
    /// hash its contents give, and builds its append.
    fn check(&mut self, group: &CommandGroup) -> Result<AppendRequest, OpsError> {
        let command = &group.records[0].metadata.command;
        let mut writes: Vec<StreamWrite> = Vec::new();
        for record in &group.records {
            let p = record.position;
            if p != self.chain.position.next() {
                return Err(mismatch(
                    self.chain.position.next(),
                    format!(
                        "expected position {}, found {p}",
                        self.chain.position.next()
                    ),
                ));
            }
            if record.prev_hash != self.chain.hash {
                return Err(mismatch(
                    p,
                    format!(
                        "previous hash {} is not the previous record's hash {}",
                        record.prev_hash, self.chain.hash
                    ),
                ));
            }
            let computed = content_hash(record)?;
            if computed != record.hash {
                return Err(mismatch(
                    p,
                    format!(
                        "recorded hash {} is not the hash of the record's contents {computed}",
                        record.hash
                    ),
                ));
            }
            if record.metadata.command != *command {
                return Err(mismatch(
                    p,
                    format!(
                        "records of command {} carry different metadata",
                        command.command_id
                    ),
                ));
            }
            let data = ledger_store::EventData {
                event_type: record.event_type.clone(),
                schema_version: record.schema_version,
                event_id: record.metadata.event_id,
                payload: record.payload.clone(),
                tenant: record.metadata.tenant.clone(),
            };
            match writes.last_mut() {
                Some(w) if w.stream_id == record.stream_id => w.events.push(data),
                _ => {
                    if writes.iter().any(|w| w.stream_id == record.stream_id) {
                        return Err(mismatch(
                            p,
                            format!(
                                "command {} writes stream {} twice, apart",
                                command.command_id, record.stream_id
                            ),
                        ));
                    }
                    writes.push(StreamWrite {
                        stream_id: record.stream_id.clone(),
                        expected: expected(StreamVersion(
                            record.stream_version.0.saturating_sub(1),
                        )),
                        events: vec![data],
                    });
                }
            }
            self.chain = Head {
                position: p,
                hash: record.hash,
            };
        }
        insert_guards(&mut writes, &group.guards, group.records[0].position)?;
        Ok(AppendRequest {
            command: command.clone(),
            writes,
        })
    }
}

fn expected(version: StreamVersion) -> ExpectedVersion {
    if version == StreamVersion::EMPTY {
        ExpectedVersion::NoStream
    } else {
        ExpectedVersion::Exact(version)
    }
}

fn insert_guards(
    writes: &mut Vec<StreamWrite>,
    guards: &[Guard],
    at: Position,
) -> Result<(), OpsError> {
    for g in guards {
        let index = g.index as usize;
        if index > writes.len() {
            return Err(mismatch(
                at,
                format!(
                    "guard on stream {} has index {index} past the writes",
                    g.stream_id
                ),
            ));
        }
        writes.insert(
            index,
            StreamWrite {
                stream_id: g.stream_id.clone(),
                expected: expected(g.version),
                events: Vec::new(),
            },
        );
    }
    Ok(())
}

fn check_committed(
    first: Position,
    last: Position,
    result: Result<Committed, StoreError>,
) -> Result<(), OpsError> {
    let committed = result.map_err(|e| mismatch(first, format!("the target refused: {e}")))?;
    if committed.deduplicated || committed.first != first || committed.last != last {
        return Err(mismatch(
            first,
            format!(
                "the target committed positions {} to {}{}, expected {first} to {last}",
                committed.first,
                committed.last,
                if committed.deduplicated {
                    " (as a repeat)"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}

/// Copies `source`'s records up to `upto` (a head of `source`) into the
/// empty `target`; `progress(done, total)` after each group.
pub async fn copy_log(
    source: &DynStore,
    upto: Head,
    target: DynStore,
    mut progress: impl FnMut(u64, u64),
) -> Result<Head, OpsError> {
    let mut reader = GroupReader::new(source.clone(), Position(1), upto.position);
    let mut appender = Appender::new(target)?;
    while let Some(group) = reader.next().await? {
        appender.push(group).await?;
        progress(appender.head().position.0, upto.position.0);
    }
    let head = appender.finish().await?;
    if head != upto {
        return Err(mismatch(
            head.position,
            format!(
                "the copy ends at position {} with hash {}, the source's head was position {} with hash {}",
                head.position, head.hash, upto.position, upto.hash
            ),
        ));
    }
    Ok(head)
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportReport {
    pub from: Position,
    pub to: Position,
    pub events: u64,
}

/// Writes records `from..=to` of `store` as JSON lines (see
/// [`crate::records`]). `to` beyond the head is refused.
pub async fn export_jsonl(
    store: &DynStore,
    from: Position,
    to: Option<Position>,
    out: &mut dyn Write,
    mut progress: impl FnMut(u64, u64),
) -> Result<ExportReport, OpsError> {
    let head = store.head().position;
    let to = to.unwrap_or(head);
    if from.0 == 0 || from > to {
        return Err(OpsError::Invalid(format!(
            "cannot export from {from} to {to}: positions start at 1 and from must not pass to"
        )));
    }
    if to > head {
        return Err(OpsError::Invalid(format!(
            "position {to} is beyond the head {head}"
        )));
    }
    let mut reader = GroupReader::new(store.clone(), from, to);
    let mut events = 0u64;
    let io = |source| OpsError::Io {
        path: "export output".into(),
        source,
    };
    while let Some(group) = reader.next().await? {
        for (i, record) in group.records.iter().enumerate() {
            let guards = if i == 0 { &group.guards[..] } else { &[] };
            serde_json::to_writer(&mut *out, &RecordJson::new(record, guards))
                .map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)?;
            events += 1;
        }
        progress(events, to.0 - from.0 + 1);
    }
    out.flush().map_err(io)?;
    info!(from = from.0, to = to.0, events, "exported");
    Ok(ExportReport { from, to, events })
}

/// Reads JSON lines as command groups.
struct JsonlGroups<R> {
    lines: std::io::Split<R>,
    line: u64,
    pending: Option<(ledger_store::RecordedEvent, Vec<Guard>)>,
}

impl<R: BufRead> JsonlGroups<R> {
    fn read_record(
        &mut self,
    ) -> Result<Option<(ledger_store::RecordedEvent, Vec<Guard>)>, OpsError> {
        loop {
            let Some(bytes) = self.lines.next() else {
                return Ok(None);
            };
            self.line += 1;
            let line = self.line;
            let bad = |reason: String| OpsError::Format { line, reason };
            let bytes = bytes.map_err(|e| bad(e.to_string()))?;
            if bytes.len() > MAX_IMPORT_LINE_BYTES {
                return Err(bad(format!(
                    "line of {} bytes exceeds the limit of {MAX_IMPORT_LINE_BYTES}",
                    bytes.len()
                )));
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let json: RecordJson =
                serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
            let record = json.to_record().map_err(bad)?;
            return Ok(Some((record, json.guards)));
        }
    }

    fn next_group(&mut self) -> Result<Option<CommandGroup>, OpsError> {
        let first = match self.pending.take() {
            Some(p) => p,
            None => match self.read_record()? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let (record, guards) = first;
        let mut group = CommandGroup {
            records: vec![record],
            guards,
        };
        while let Some((record, guards)) = self.read_record()? {
            if record.metadata.command.command_id == *group.command_id() {
                if !guards.is_empty() {
                    return Err(OpsError::Format {
                        line: self.line,
                        reason: "guards on a record that does not start its command".into(),
                    });
                }
                group.records.push(record);
            } else {
                self.pending = Some((record, guards));
                break;
            }
        }
        Ok(Some(group))
    }
}

/// Imports JSON lines (an export from position 1) into the empty `target`.
/// Every record's hash is recomputed and compared with the exported one;
/// the first difference fails the import, naming its position.
pub async fn import_jsonl(
    input: impl BufRead,
    target: DynStore,
    mut progress: impl FnMut(u64),
) -> Result<Head, OpsError> {
    let mut groups = JsonlGroups {
        lines: input.split(b'\n'),
        line: 0,
        pending: None,
    };
    let mut appender = Appender::new(target)?;
    while let Some(group) = groups.next_group()? {
        appender.push(group).await?;
        progress(appender.head().position.0);
    }
    let head = appender.finish().await?;
    info!(head = head.position.0, hash = %head.hash, "imported");
    Ok(head)
}
