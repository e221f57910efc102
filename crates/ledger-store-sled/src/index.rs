//! In-memory indexes over the durable segments.
//!
//! Only the writer mutates them, and only after a batch is durable, so
//! readers never see a record that could still be lost. They are rebuilt
//! from the segments on open (see `recovery`).

use std::collections::HashMap;

use ledger_store::{CommandId, CommandRecord, Head, Position, StreamId, StreamVersion};

/// Streams, commands and head of the durable log.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Index {
    /// Each stream's record positions in version order: the stream's version
    /// is the vector's length (8 bytes per event).
    streams: HashMap<StreamId, Vec<u64>>,
    commands: HashMap<CommandId, CommandRecord>,
    head: Head,
}

impl Index {
    pub fn head(&self) -> Head {
        self.head
    }

    pub fn version(&self, stream_id: &StreamId) -> StreamVersion {
        StreamVersion(self.streams.get(stream_id).map_or(0, |p| p.len() as u64))
    }

    pub fn command(&self, command_id: &CommandId) -> Option<&CommandRecord> {
        self.commands.get(command_id)
    }

    /// Positions of `stream_id`'s records with version `>= from`, at most `max`.
    pub fn positions(&self, stream_id: &StreamId, from: StreamVersion, max: usize) -> Vec<u64> {
        let Some(positions) = self.streams.get(stream_id) else {
            return Vec::new();
        };
        let skip = usize::try_from(from.0.saturating_sub(1)).unwrap_or(usize::MAX);
        positions.iter().skip(skip).take(max).copied().collect()
    }

    /// Adds the record at `position`, which must be the next position and
    /// `version` the stream's next version.
    pub fn push_record(
        &mut self,
        stream_id: &StreamId,
        version: StreamVersion,
        position: Position,
    ) {
        assert_eq!(
            position,
            self.head.position.next(),
            "positions must be contiguous"
        );
        let positions = match self.streams.get_mut(stream_id) {
            Some(p) => p,
            None => self.streams.entry(stream_id.clone()).or_default(),
        };
        assert_eq!(
            positions.len() as u64 + 1,
            version.0,
            "stream {stream_id} versions must be contiguous"
        );
        positions.push(position.0);
        self.head.position = position;
    }

    /// Sets the head's hash once a batch's records are all pushed.
    pub fn set_head(&mut self, head: Head) {
        assert_eq!(
            head.position, self.head.position,
            "head must name the last record"
        );
        self.head = head;
    }

    pub fn insert_command(&mut self, command_id: CommandId, record: CommandRecord) {
        let previous = self.commands.insert(command_id, record);
        assert!(previous.is_none(), "a command id commits at most once");
    }
}
