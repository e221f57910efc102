//! One aggregate's current state, straight from the log (not a read
//! model): what `GetAggregate` answers.
//!
//! Shape: `{"kind","id","version","state"}` where `version` is the
//! aggregate's stream version and `state` is the order or contract as the
//! domain serializes it (its own field and variant names, amounts as
//! decimal strings), or the customer's registration, certification and
//! remittance account.

use ledger_domain::ids::CustomerId;
use ledger_domain::{Aggregate, AggregateId, DomainError};
use serde_json::{json, Value};

use super::{money, names, opt_money, opt_str, time, View};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::server::State;

/// The aggregate kinds, as `GetAggregateRequest.kind` names them.
pub const AGGREGATE_KINDS: [&str; 5] = ["order", "contract", "customer", "account", "coupon"];

fn aggregate_id(kind: &str, id: &str) -> Result<AggregateId, ApiError> {
    match kind {
        "" => Err(ApiError::bad_parameter("kind is required")),
        "order" => Ok(AggregateId::Order(field("id", id)?)),
        "contract" => Ok(AggregateId::Contract(field("id", id)?)),
        "customer" => Ok(AggregateId::Customer(field("id", id)?)),
        "account" => Ok(AggregateId::Account(field("id", id)?)),
        "coupon" => Ok(AggregateId::Coupon(field("id", id)?)),
        other => Err(ApiError::invalid_parameter(format!(
            "kind: unknown value {other:?}, expected one of {}",
            AGGREGATE_KINDS.join(", ")
        ))),
    }
}

/// The domain's not-found error for an aggregate.
pub fn not_found(id: &AggregateId) -> ApiError {
    match id {
        AggregateId::Order(o) => DomainError::OrderNotFound(o.clone()).into(),
        AggregateId::Contract(c) => DomainError::ContractNotFound(c.clone()).into(),
        AggregateId::Customer(c) => DomainError::CustomerNotFound(c.clone()).into(),
        AggregateId::Coupon(c) => DomainError::CouponNotFound(c.clone()).into(),
        AggregateId::Account(c) => ApiError::not_found(format!("account {c} has no entries")),
        // Not kinds GetAggregate names (operator records about the log, and
        // top-up references).
        AggregateId::Operations | AggregateId::TopUp(_) => ApiError::not_found("no such aggregate"),
    }
}

/// The customer an aggregate belongs to; `None` while it is absent.
pub fn owner(aggregate: &Aggregate) -> Option<&CustomerId> {
    aggregate.owner()
}

/// Refuses, as not found, an aggregate that is absent or not `customer`'s.
pub async fn check_owner(
    state: &State,
    customer: &CustomerId,
    id: AggregateId,
) -> Result<(), ApiError> {
    let (_, aggregate) = state.ledger.aggregate(&id).await?;
    if owner(&aggregate) == Some(customer) {
        Ok(())
    } else {
        Err(not_found(&id))
    }
}

/// The JSON state of an aggregate; `None` when absent.
fn render(aggregate: &Aggregate) -> Result<Option<Value>, ApiError> {
    let encode = |e: serde_json::Error| ApiError::internal(format!("encoding state: {e}"));
    Ok(match aggregate {
        Aggregate::Order(o) => o
            .placed()
            .map(serde_json::to_value)
            .transpose()
            .map_err(encode)?,
        Aggregate::Contract(c) => c
            .applied()
            .map(serde_json::to_value)
            .transpose()
            .map_err(encode)?,
        Aggregate::Customer(c) => c.registered().map(|r| {
            json!({
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
            })
        }),
        Aggregate::Account(a) => a.customer_id().map(|c| {
            json!({
                "customer_id": c,
                "balances": a.balances().map(|(currency, amount)| json!({
                    "currency": currency.as_str(),
                    "amount": money(amount),
                })).collect::<Vec<_>>(),
            })
        }),
        Aggregate::Coupon(c) => c.issued().map(|c| {
            let s = c.spec();
            json!({
                "coupon_id": s.coupon_id,
                "customer_id": s.customer_id,
                "kind_code": s.kind.huawei_code(),
                "face_value": money(s.face_value),
                "balance": money(c.balance()),
                "currency": s.currency.as_str(),
                "valid_from": time(s.valid_from),
                "valid_until": time(s.valid_until),
                "min_order_amount": opt_money(s.min_order_amount),
                "issued_at": time(c.issued_at()),
                "redemptions": c.redemptions(),
                "last_order_id": opt_str(c.last_order_id()),
            })
        }),
        Aggregate::Operations(_) | Aggregate::TopUp(_) => None,
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
    let (Some(owner), Some(json)) = (owner(&aggregate), render(&aggregate)?) else {
        return Err(not_found(&aggregate_id));
    };
    caller.check_access(owner)?;
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
