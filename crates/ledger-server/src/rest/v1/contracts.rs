//! Contract resources: the list and details, and the operations of the
//! seed as commands: apply (a draft), convert to official, void, edit
//! remarks.
//!
//! List filters: `applied_time_begin`/`applied_time_end` (RFC 3339 or
//! `YYYY-MM-DD`; default the last 3 months), `kind=order|payment_request`,
//! `status=draft|official|voided|invalid|all`, `limit` (1–100, default
//! 10), `offset`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Duration;
use ledger_domain::contract::{
    ApplyContract, ContractKind, ConvertContract, EditContractRemarks, VoidContract,
};
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::{AggregateId, Command};
use ledger_projections::contracts::ContractListQuery;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::query::Params;
use super::{body, command_id, command_response, customer, execute, view_response, AppState};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::rest::Authenticated;
use crate::server::State;
use crate::views::aggregate::check_owner;
use crate::views::{self, names, params};

/// Hex digits of the digest in a generated contract number.
const GENERATED_CONTRACT_NO_HEX: usize = 20;
/// Prefix of generated contract numbers.
const GENERATED_CONTRACT_NO_PREFIX: &str = "EC";

/// `GET /v1/customers/{customer_id}/contracts`
pub async fn list(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = p.parsed("min_position")?.unwrap_or(0);
    let now = state.clock.now();
    let mut q = ContractListQuery::new(customer, now);
    let (begin, end) = (p.one("applied_time_begin")?, p.one("applied_time_end")?);
    // An end alone spans the default window (3 months, as days) before it.
    let span = q.effective_applied_time();
    let span = Duration::milliseconds((span.end - span.begin).num_milliseconds());
    q.applied_time =
        params::time_range("applied_time", begin.as_deref(), end.as_deref(), now, span)?;
    if let Some(k) = p.one("kind")? {
        q.kind = names::filter3("kind", &names::CONTRACT_KINDS, &k)?;
    }
    if let Some(s) = p.one("status")? {
        q.status = names::filter3("status", &names::CONTRACT_STATUSES, &s)?;
    }
    q.limit = p.parsed("limit")?;
    q.offset = p.parsed("offset")?.unwrap_or(0);
    p.finish()?;
    Ok(view_response(
        views::contracts::list(&state, &q, min).await?,
    ))
}

/// `GET /v1/customers/{customer_id}/contracts/{contract_no}`
pub async fn detail(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let no: ContractNo = field("contract_no", &contract_no)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = p.parsed("min_position")?.unwrap_or(0);
    p.finish()?;
    let view = views::contracts::detail(&state, &customer, &no, min).await?;
    Ok(view_response(view))
}

/// The body of an application.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Application {
    /// Optional: generated from the customer and the Idempotency-Key.
    #[serde(default)]
    contract_no: Option<String>,
    kind: String,
    order_ids: Vec<String>,
    party_b: String,
    #[serde(default)]
    remarks: String,
}

/// A contract number derived from the customer and the command id, so a
/// retried application names the same contract.
pub fn generated_contract_no(customer: &CustomerId, command_id: &str) -> ContractNo {
    let digest = Sha256::digest(format!("{customer}\n{command_id}").as_bytes());
    let hex: String = digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<String>()
        .chars()
        .take(GENERATED_CONTRACT_NO_HEX)
        .collect();
    ContractNo::new(format!("{GENERATED_CONTRACT_NO_PREFIX}{hex}"))
        .expect("a generated contract number is valid")
}

/// `POST /v1/customers/{customer_id}/contracts` with
/// `{"kind","order_ids","party_b","remarks"?,"contract_no"?}` and a required
/// `Idempotency-Key`: applies for a draft contract; answers 201 with
/// `Location` and `{..., "contract": <details>}`.
pub async fn apply(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let key = command_id(&headers, true)?;
    let a: Application = body(&bytes)?;
    let contract_no = match a.contract_no.as_deref() {
        None | Some("") => generated_contract_no(&customer, &key),
        Some(no) => field("contract_no", no)?,
    };
    let kind: ContractKind = names::parse3("kind", &names::CONTRACT_KINDS, &a.kind)?;
    let order_ids = a
        .order_ids
        .iter()
        .map(|o| field::<OrderId>("order_ids", o))
        .collect::<Result<_, _>>()?;
    let command = Command::ApplyContract(ApplyContract {
        contract_no: contract_no.clone(),
        customer_id: customer.clone(),
        kind,
        order_ids,
        party_b: a.party_b,
        remarks: a.remarks,
    });
    let outcome = execute(&state, &caller, key, command).await?;
    let view = views::contracts::detail(&state, &customer, &contract_no, 0).await?;
    let mut response = command_response(StatusCode::CREATED, &outcome, "contract", view);
    if let Ok(location) =
        HeaderValue::from_str(&format!("/v1/customers/{customer}/contracts/{contract_no}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Runs an operation on an existing contract of the path's customer and
/// answers with the contract as it is then.
async fn operate(
    state: &State,
    caller: &Caller,
    customer_id: &str,
    contract_no: &str,
    headers: &HeaderMap,
    command: impl FnOnce(ContractNo) -> Command,
) -> Result<Response, ApiError> {
    let customer = customer(caller, customer_id)?;
    let no: ContractNo = field("contract_no", contract_no)?;
    let key = command_id(headers, false)?;
    check_owner(state, &customer, AggregateId::Contract(no.clone())).await?;
    let outcome = execute(state, caller, key, command(no.clone())).await?;
    let view = views::contracts::detail(state, &customer, &no, 0).await?;
    Ok(command_response(StatusCode::OK, &outcome, "contract", view))
}

/// `POST /v1/customers/{customer_id}/contracts/{contract_no}/convert`
pub async fn convert(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    headers: HeaderMap,
    _body: Bytes,
) -> Result<Response, ApiError> {
    operate(
        &state,
        &caller,
        &customer_id,
        &contract_no,
        &headers,
        |no| Command::ConvertContract(ConvertContract { contract_no: no }),
    )
    .await
}

/// `POST /v1/customers/{customer_id}/contracts/{contract_no}/void`: a
/// customer voids a draft; an official contract only an operator.
pub async fn void(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    headers: HeaderMap,
    _body: Bytes,
) -> Result<Response, ApiError> {
    operate(
        &state,
        &caller,
        &customer_id,
        &contract_no,
        &headers,
        |no| Command::VoidContract(VoidContract { contract_no: no }),
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Remarks {
    remarks: String,
}

/// `PUT /v1/customers/{customer_id}/contracts/{contract_no}/remarks` with
/// `{"remarks": "..."}`.
pub async fn remarks(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    customer(&caller, &customer_id)?;
    let r: Remarks = body(&bytes)?;
    operate(
        &state,
        &caller,
        &customer_id,
        &contract_no,
        &headers,
        |no| {
            Command::EditContractRemarks(EditContractRemarks {
                contract_no: no,
                remarks: r.remarks,
            })
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_contract_number_depends_on_customer_and_key_only() {
        let a: CustomerId = "d1".parse().unwrap();
        let b: CustomerId = "d2".parse().unwrap();
        let no = generated_contract_no(&a, "key-1");
        assert_eq!(no, generated_contract_no(&a, "key-1"));
        assert_ne!(no, generated_contract_no(&a, "key-2"));
        assert_ne!(no, generated_contract_no(&b, "key-1"));
        assert_eq!(no.as_str().len(), 2 + GENERATED_CONTRACT_NO_HEX);
        assert!(no.as_str().starts_with(GENERATED_CONTRACT_NO_PREFIX));
    }
}
