//! Contract resources: the list and details, and the operations of the
//! seed as commands: apply (a draft), convert to official, void, edit
//! remarks.
//!
//! List filters: `applied_time_begin`/`applied_time_end` (RFC 3339 or
//! `YYYY-MM-DD`, a day of `time_zone`; default the last 3 months of the
//! customer's calendar), `time_zone` (IANA, default Asia/Shanghai),
//! `kind=order|payment_request`,
//! `status=draft|official|voided|invalid|all`, `limit` (1–100, default
//! 10), `offset`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Duration;
use ledger_domain::contract::{
    ApplyContract, ContractKind, ConvertContract, EditContractRemarks, PartyADetails, VoidContract,
    VoidTicket,
};
use ledger_domain::ids::{ContractNo, OrderId, TicketId};
use ledger_domain::{AggregateId, Command};
use ledger_projections::contracts::ContractListQuery;
use serde::Deserialize;

use super::query::Params;
use super::{body, command_id, command_response, customer, execute, view_response, AppState};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::rest::Authenticated;
use crate::server::State;
use crate::trace::RequestTrace;
use crate::views::aggregate::check_owner;
use crate::views::{self, names, params};

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
    q.time_zone = params::time_zone(p.one("time_zone")?.as_deref())?;
    let (begin, end) = (p.one("applied_time_begin")?, p.one("applied_time_end")?);
    // An end alone spans the default window (3 months, as days) before it.
    let span = q.effective_applied_time();
    let span = Duration::milliseconds((span.end - span.begin).num_milliseconds());
    q.applied_time = params::time_range(
        "applied_time",
        begin.as_deref(),
        end.as_deref(),
        now,
        span,
        q.time_zone,
    )?;
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

/// Party A's subject details the customer "manually supplements".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyABody {
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    tax_id: String,
}

/// The body of an application. The contract number and Party B are the
/// provider's: a body naming `contract_no` or `party_b` is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Application {
    /// Named only to refuse it with a clear message.
    #[serde(default)]
    contract_no: Option<serde_json::Value>,
    /// Named only to refuse it with a clear message.
    #[serde(default)]
    party_b: Option<serde_json::Value>,
    kind: String,
    order_ids: Vec<String>,
    /// `personal` or `enterprise`; default: as certified.
    #[serde(default)]
    party_a_kind: Option<String>,
    #[serde(default)]
    party_a: PartyABody,
    #[serde(default)]
    remarks: String,
}

/// `POST /v1/customers/{customer_id}/contracts` with
/// `{"kind","order_ids","party_a_kind"?,"party_a"?:{"address","contact_name",
/// "contact_phone","tax_id"},"remarks"?}` and a required `Idempotency-Key`:
/// applies for a draft contract. The ledger assigns the contract number
/// (from the customer and the key, so a retry names the same contract) and
/// Party B (its configuration); answers 201 with `Location` and
/// `{..., "contract": <details>}`.
pub async fn apply(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    trace: RequestTrace,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let key = command_id(&headers, true)?;
    let a: Application = body(&bytes)?;
    if a.contract_no.is_some() {
        return Err(ApiError::invalid_parameter(
            "contract_no is assigned by the ledger, not chosen by the customer",
        ));
    }
    if a.party_b.is_some() {
        return Err(ApiError::invalid_parameter(
            "party_b is the provider's legal entity from the ledger's configuration",
        ));
    }
    let contract_no = ContractNo::assigned(&customer, &key);
    let kind: ContractKind = names::parse3("kind", &names::CONTRACT_KINDS, &a.kind)?;
    let party_a_kind = a
        .party_a_kind
        .as_deref()
        .map(|k| names::parse("party_a_kind", &names::CERTIFICATION_KINDS, k))
        .transpose()?;
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
        party_a_kind,
        party_a_details: PartyADetails {
            address: a.party_a.address,
            contact_name: a.party_a.contact_name,
            contact_phone: a.party_a.contact_phone,
            tax_id: a.party_a.tax_id,
        },
        party_b: state.party_b.to_string(),
        remarks: a.remarks,
    });
    let outcome = execute(&state, &caller, &trace, key, command).await?;
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
    trace: &RequestTrace,
    headers: &HeaderMap,
    command: impl FnOnce(ContractNo) -> Command,
) -> Result<Response, ApiError> {
    let customer = customer(caller, customer_id)?;
    let no: ContractNo = field("contract_no", contract_no)?;
    let key = command_id(headers, false)?;
    check_owner(state, &customer, AggregateId::Contract(no.clone())).await?;
    let outcome = execute(state, caller, trace, key, command(no.clone())).await?;
    let view = views::contracts::detail(state, &customer, &no, 0).await?;
    Ok(command_response(StatusCode::OK, &outcome, "contract", view))
}

/// `POST /v1/customers/{customer_id}/contracts/{contract_no}/convert`
pub async fn convert(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    trace: RequestTrace,
    headers: HeaderMap,
    _body: Bytes,
) -> Result<Response, ApiError> {
    operate(
        &state,
        &caller,
        &customer_id,
        &contract_no,
        &trace,
        &headers,
        |no| Command::ConvertContract(ConvertContract::new(no)),
    )
    .await
}

/// The optional body of a void: the ticket an official void needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    ticket_id: String,
    reason: String,
}

/// `POST /v1/customers/{customer_id}/contracts/{contract_no}/void` with an
/// empty body or `{"ticket_id","reason"}`: a customer voids a draft; an
/// official contract only an operator, with the ticket ("please submit a
/// ticket").
pub async fn void(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    trace: RequestTrace,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let ticket = if bytes.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let v: VoidBody = body(&bytes)?;
        Some(VoidTicket {
            ticket_id: field::<TicketId>("ticket_id", &v.ticket_id)?,
            reason: v.reason,
        })
    };
    operate(
        &state,
        &caller,
        &customer_id,
        &contract_no,
        &trace,
        &headers,
        |no| {
            Command::VoidContract(VoidContract {
                contract_no: no,
                ticket,
            })
        },
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
    trace: RequestTrace,
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
        &trace,
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
