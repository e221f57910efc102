//! `Subscribe(from_position)`: the stored records from a position, then
//! live ones as they become durable. Bounded: a slow consumer holds back
//! only its own stream ([`SUBSCRIPTION_BUFFER`] records), never the log.
//!
//! The log holds every tenant's events (orders, certified names, bank
//! accounts), so only services and operators may follow it: a customer key
//! is refused (403 CBC.0151 / PERMISSION_DENIED) and reads its own orders
//! and contracts through the queries. A tenant-filtered subscription for
//! customers needs the tenant in each record's metadata (issue 9).

use std::pin::Pin;

use ledger_codec::payload::decode_event;
use ledger_codec::{Position, RecordedEvent};
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
    if let Some(customer) = caller.customer() {
        return Err(ApiError::access_denied(format!(
            "customer {customer} may not subscribe to the log: it holds every tenant's events"
        ))
        .into());
    }
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
