//! `Subscribe(from_position)`: the stored records from a position, then
//! live ones as they become durable. Bounded: a slow consumer holds back
//! only its own stream ([`SUBSCRIPTION_BUFFER`] records), never the log.
//!
//! The log holds every tenant's events (orders, certified names, bank
//! accounts). Services and operators follow all of it; a customer key
//! follows only the records whose metadata names it as tenant (record
//! format 2, see `ledger_codec::Tenant`): the filter reads the metadata,
//! never a payload, and records of format 1 (no recorded tenant) or of no
//! customer are never sent to a customer. Positions stay the log's, so a
//! customer's stream has gaps where other tenants' records are.

use std::pin::Pin;

use ledger_codec::payload::decode_event;
use ledger_codec::{Position, RecordedEvent};
use ledger_domain::ids::CustomerId;
use ledger_store::{subscribe as follow, SUBSCRIPTION_BUFFER};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::errors::ApiError;
use crate::pb;
use crate::server::State;

pub type EventStream = Pin<Box<dyn Stream<Item = Result<pb::RecordedEvent, Status>> + Send>>;

/// A stored record as the API shows it: the event as JSON, metadata, hashes.
pub fn to_pb(r: &RecordedEvent) -> Result<pb::RecordedEvent, ApiError> {
    let event = decode_event(&r.event_type, r.schema_version, &r.payload)
        .map_err(|e| ApiError::new("corrupt", e.to_string()))?;
    let json = serde_json::to_string(&event).map_err(|e| ApiError::internal(e.to_string()))?;
    let c = &r.metadata.command;
    Ok(pb::RecordedEvent {
        position: r.position.0,
        stream_id: r.stream_id.as_str().to_owned(),
        stream_version: r.stream_version.0,
        event_type: r.event_type.clone(),
        schema_version: u32::from(r.schema_version),
        json,
        command_id: c.command_id.as_str().to_owned(),
        actor: c.actor.clone(),
        recorded_at: c
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        causation_id: c.causation_id.clone().unwrap_or_default(),
        correlation_id: c.correlation_id.clone().unwrap_or_default(),
        prev_hash: r.prev_hash.to_hex(),
        hash: r.hash.to_hex(),
    })
}

pub fn subscribe(
    state: &State,
    req: Request<pb::SubscribeRequest>,
) -> Result<Response<EventStream>, Status> {
    let caller = super::caller(&req)?;
    // `None`: every record (services, operators); `Some`: that tenant's only.
    let only: Option<CustomerId> = caller.customer().cloned();
    let from = Position(req.into_inner().from_position.max(1));
    let mut sub = follow(state.store.clone(), from);
    let mut stop = state.stop.clone();
    let (tx, rx) = mpsc::channel(SUBSCRIPTION_BUFFER);
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                next = sub.next() => next,
                _ = stop.wait_for(|s| *s) => return,
                () = tx.closed() => return,
            };
            let item = match next {
                None => return,
                Some(Ok(r)) if !visible(&r, only.as_ref()) => continue,
                Some(Ok(r)) => to_pb(&r).map_err(Status::from),
                Some(Err(e)) => Err(ApiError::new("unavailable", e.to_string()).into()),
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
}

/// Whether a record goes to a subscriber limited to `only` (a customer):
/// by its recorded tenant alone, no payload decoded.
fn visible(r: &RecordedEvent, only: Option<&CustomerId>) -> bool {
    only.is_none_or(|c| r.metadata.tenant.is(c))
}

#[cfg(test)]
mod tests {
    use ledger_codec::{envelope, CommandId, CommandMetadata, Digest, EventData, StreamId};
    use ledger_codec::{StreamVersion, Tenant};

    use super::*;

    fn record(tenant: Tenant) -> RecordedEvent {
        let command = CommandMetadata {
            command_id: CommandId("c".into()),
            fingerprint: Digest::ZERO,
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            causation_id: None,
            correlation_id: None,
            actor: "system".into(),
        };
        // A payload that decodes to nothing: the filter must not need it.
        let data = EventData {
            event_type: "OrderPaid".into(),
            schema_version: 1,
            event_id: [0; 16],
            payload: vec![0xff],
            tenant,
        };
        let stream = StreamId("order-x".into());
        envelope::seal(
            Position(1),
            &stream,
            StreamVersion(1),
            &command,
            &data,
            Digest::ZERO,
        )
        .unwrap()
        .1
    }

    #[test]
    fn customers_see_only_records_that_name_them_as_tenant() {
        let me: CustomerId = "me".parse().unwrap();
        let other: CustomerId = "other".parse().unwrap();
        assert!(visible(&record(Tenant::Customer(me.clone())), Some(&me)));
        for hidden in [
            Tenant::Customer(other.clone()),
            Tenant::Nobody,
            Tenant::Unrecorded,
        ] {
            let r = record(hidden.clone());
            assert!(!visible(&r, Some(&me)), "{hidden:?}");
            assert!(visible(&r, None), "services see {hidden:?}");
        }
    }
}
