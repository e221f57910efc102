//! One aggregate's current state, straight from the log (not a read
//! model): what `GetAggregate` answers.
//!
//! Shape: `{"kind","id","version","state"}` where `version` is the
//! aggregate's stream version and `state` is the order or contract as the
//! domain serializes it (its own field and variant names, amounts as
//! decimal strings), or the customer's registration, certification and
//! remittance account.

use ledger_domain::ids::CustomerId;
use ledger_domain::{Aggregate, AggregateId};
use serde_json::{json, Value};

use super::{names, time, View};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::server::State;

/// The aggregate kinds, as `GetAggregateRequest.kind` names them.
pub const AGGREGATE_KINDS: [&str; 3] = ["order", "contract", "customer"];

fn aggregate_id(kind: &str, id: &str) -> Result<AggregateId, ApiError> {
    match kind {
        "" => Err(ApiError::bad_parameter("kind is required")),
        "order" => Ok(AggregateId::Order(field("id", id)?)),
        "contract" => Ok(AggregateId::Contract(field("id", id)?)),
        "customer" => Ok(AggregateId::Customer(field("id", id)?)),
        other => Err(ApiError::invalid_parameter(format!(
            "kind: unknown value {other:?}, expected one of {}",
            AGGREGATE_KINDS.join(", ")
        ))),
    }
}

fn not_found(id: &AggregateId) -> ApiError {
    let code = match id {
        AggregateId::Order(_) => "order_not_found",
        AggregateId::Contract(_) => "contract_not_found",
        AggregateId::Customer(_) => "customer_not_found",
    };
    ApiError::new(code, format!("{id} not found"))
}

/// The owner and the JSON state of an aggregate; `None` when absent.
fn render(aggregate: &Aggregate) -> Result<Option<(CustomerId, Value)>, ApiError> {
    let encode = |e: serde_json::Error| ApiError::internal(format!("encoding state: {e}"));
    Ok(match aggregate {
        Aggregate::Order(o) => match o.placed() {
            None => None,
            Some(p) => Some((
                p.spec().customer_id.clone(),
                serde_json::to_value(p).map_err(encode)?,
            )),
        },
        Aggregate::Contract(c) => match c.applied() {
            None => None,
            Some(a) => Some((
                a.customer_id().clone(),
                serde_json::to_value(a).map_err(encode)?,
            )),
        },
        Aggregate::Customer(c) => c.registered().map(|r| {
            let state = json!({
                "customer_id": r.customer_id(),
                "name": r.name(),
                "registered_at": time(r.registered_at()),
                "real_name": r.real_name().map(|n| json!({
                    "name": n.name,
                    "kind": names::name(&names::CERTIFICATION_KINDS, n.kind),
                })),
                "remittance_account": r.remittance_account().map(|a| json!({
                    "bank_name": a.bank_name,
                    "account_name": a.account_name,
                    "account_number": a.account_number,
                })),
            });
            (r.customer_id().clone(), state)
        }),
    })
}

/// The current state of aggregate `kind`/`id`, if the caller may see it.
/// The position is the log head read before loading: the state includes
/// every event up to it.
pub async fn aggregate(
    state: &State,
    caller: &Caller,
    kind: &str,
    id: &str,
) -> Result<View, ApiError> {
    let aggregate_id = aggregate_id(kind, id)?;
    let position = state.store.head().position.0;
    let (version, aggregate) = state.ledger.aggregate(&aggregate_id).await?;
    let Some((owner, json)) = render(&aggregate)? else {
        return Err(not_found(&aggregate_id));
    };
    caller.check_access(&owner)?;
    Ok(View {
        json: json!({
            "kind": kind,
            "id": id,
            "version": version.0,
            "state": json,
        }),
        position,
    })
}
