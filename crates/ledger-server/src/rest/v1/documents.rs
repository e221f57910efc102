//! Contract documents: `GET .../contracts/{contract_no}/document.pdf` (the
//! download: a draft with its "DRAFT" watermark, an official contract
//! sealed; voided and invalid contracts refused, 409
//! `contract_not_downloadable`) and `GET .../preview.pdf` (any status, the
//! status printed across the page, never sealed). `Content-Type:
//! application/pdf`, `Content-Disposition` with the contract number, and
//! `X-Document-Sha256`: the SHA-256 the ledger recorded for an official
//! copy (the bytes before its seal line), else of the file.

use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ledger_app::documents::DocumentRequest;
use ledger_domain::ids::ContractNo;

use super::query::Params;
use super::{customer, AppState};
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::rest::Authenticated;
use crate::views::documents;

/// The response header carrying the document's SHA-256.
pub const SHA256_HEADER: &str = "x-document-sha256";

async fn pdf(
    state: AppState,
    caller: crate::auth::Caller,
    customer_id: String,
    contract_no: String,
    raw: Option<String>,
    request: DocumentRequest,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let no: ContractNo = field("contract_no", &contract_no)?;
    Params::parse(raw.as_deref())?.finish()?;
    let doc = documents::document(&state, &customer, &no, request).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                documents::disposition(&no, request),
            ),
            (header::HeaderName::from_static(SHA256_HEADER), doc.sha256),
        ],
        doc.bytes,
    )
        .into_response())
}

/// `GET /v1/customers/{customer_id}/contracts/{contract_no}/document.pdf`
pub async fn download(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    pdf(
        state,
        caller,
        customer_id,
        contract_no,
        raw,
        DocumentRequest::Download,
    )
    .await
}

/// `GET /v1/customers/{customer_id}/contracts/{contract_no}/preview.pdf`
pub async fn preview(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, contract_no)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    pdf(
        state,
        caller,
        customer_id,
        contract_no,
        raw,
        DocumentRequest::Preview,
    )
    .await
}
