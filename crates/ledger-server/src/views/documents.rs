//! Contract documents (PDF), shared by REST (`document.pdf`, `preview.pdf`)
//! and gRPC (`GetContractDocument`). Rendered from the ledger's state of
//! the contract and its orders (`ledger_app::documents`), not a read model:
//! an official copy must reproduce the bytes sealed at conversion.

use ledger_app::documents::{DocumentRequest, RenderedDocument};
use ledger_domain::ids::{ContractNo, CustomerId};
use ledger_domain::AggregateId;

use super::aggregate::check_owner;
use crate::errors::ApiError;
use crate::server::State;

/// The document `request` asks for of `customer`'s contract `no`. Another
/// customer's contract is not found, whatever its status.
pub async fn document(
    state: &State,
    customer: &CustomerId,
    no: &ContractNo,
    request: DocumentRequest,
) -> Result<RenderedDocument, ApiError> {
    check_owner(state, customer, AggregateId::Contract(no.clone())).await?;
    let (_, document) = state.ledger.contract_document(no, request).await?;
    Ok(document)
}

/// `<contract no>[-preview].pdf`.
pub fn file_name(no: &ContractNo, request: DocumentRequest) -> String {
    let suffix = match request {
        DocumentRequest::Preview => "-preview",
        DocumentRequest::Draft | DocumentRequest::Official | DocumentRequest::Download => "",
    };
    format!("{no}{suffix}.pdf")
}

/// `attachment; filename="<contract no>[-preview].pdf"`.
pub fn disposition(no: &ContractNo, request: DocumentRequest) -> String {
    format!("attachment; filename=\"{}\"", file_name(no, request))
}
