//! The one table from stable error codes to gRPC status, HTTP status and
//! Huawei CBC code, and the error type both APIs answer with.
//!
//! Every code a client can see is a row here: the domain's rule codes
//! (`DomainError::code`), the command service's (`AppError::code`), and the
//! API's own (authentication, parameters, queries). A test checks that every
//! domain code has a row.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ledger_app::AppError;
use ledger_domain::DomainError;
use ledger_projections::{ProjectionError, QueryError};
use tonic::Code;
use tonic_types::{ErrorDetails, StatusExt};

/// The `domain` of every gRPC ErrorInfo this server sends.
pub const ERROR_DOMAIN: &str = "order-ledger";

/// One row: code → (gRPC code, HTTP status, CBC code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub code: &'static str,
    pub grpc: Code,
    pub http: u16,
    pub cbc: &'static str,
}

const fn row(code: &'static str, grpc: Code, http: u16, cbc: &'static str) -> Mapping {
    Mapping {
        code,
        grpc,
        http,
        cbc,
    }
}

use Code::{
    AlreadyExists, DataLoss, FailedPrecondition, Internal, InvalidArgument, NotFound,
    PermissionDenied, ResourceExhausted, Unauthenticated, Unavailable,
};

/// Huawei: incorrect parameter (missing or malformed).
const CBC_INCORRECT: &str = "CBC.0100";
/// Huawei: invalid parameter (well formed, refused).
const CBC_INVALID: &str = "CBC.0101";
/// Huawei: access denied.
const CBC_DENIED: &str = "CBC.0151";
/// Huawei: request denied (authentication failed).
const CBC_AUTH: &str = "CBC.0155";
/// Huawei: the token expired.
const CBC_TOKEN_EXPIRED: &str = "CBC.0154";
/// Huawei: other errors.
const CBC_OTHER: &str = "CBC.0999";
/// Huawei order codes.
const CBC_CANCEL_NOT_ALLOWED: &str = "CBC.99005010";
const CBC_DEADLINE_PASSED: &str = "CBC.99003110";
const CBC_STATUS_CHANGED: &str = "CBC.99003106";
/// Huawei: the account balance is insufficient.
const CBC_INSUFFICIENT_BALANCE: &str = "CBC.99005003";
/// Huawei: the coupon has already been used.
const CBC_COUPON_USED: &str = "CBC.99003112";

/// THE table. Order: API codes, application codes, domain codes.
pub const TABLE: &[Mapping] = &[
    // The API's own.
    row("bad_parameter", InvalidArgument, 400, CBC_INCORRECT),
    row("invalid_parameter", InvalidArgument, 400, CBC_INVALID),
    row("unauthenticated", Unauthenticated, 403, CBC_AUTH),
    row("token_expired", Unauthenticated, 401, CBC_TOKEN_EXPIRED),
    row("access_denied", PermissionDenied, 403, CBC_DENIED),
    row("not_found", NotFound, 404, CBC_INVALID),
    row("not_caught_up", Unavailable, 503, CBC_OTHER),
    row("body_too_large", ResourceExhausted, 413, CBC_INCORRECT),
    row("backup_failed", FailedPrecondition, 400, CBC_OTHER),
    // The command service's.
    row("command_id_reused", AlreadyExists, 409, CBC_INVALID),
    row("invalid_metadata", InvalidArgument, 400, CBC_INCORRECT),
    row("contention", Code::Aborted, 503, CBC_OTHER),
    row("unavailable", Unavailable, 503, CBC_OTHER),
    row("corrupt", DataLoss, 500, CBC_OTHER),
    row("internal", Internal, 500, CBC_OTHER),
    // The domain's rules.
    row("invalid_id", InvalidArgument, 400, CBC_INVALID),
    row("invalid_amount", InvalidArgument, 400, CBC_INVALID),
    row("invalid_currency", InvalidArgument, 400, CBC_INVALID),
    row("unknown_code", InvalidArgument, 400, CBC_INVALID),
    row("invalid_text", InvalidArgument, 400, CBC_INVALID),
    row("limit_exceeded", InvalidArgument, 400, CBC_INVALID),
    row("amount_overflow", InvalidArgument, 400, CBC_INVALID),
    row("not_permitted", PermissionDenied, 403, CBC_DENIED),
    row("actor_not_permitted", PermissionDenied, 403, CBC_DENIED),
    row("order_not_found", NotFound, 404, CBC_INVALID),
    row("order_already_exists", AlreadyExists, 409, CBC_INVALID),
    row("customer_not_found", NotFound, 404, CBC_INVALID),
    row("no_line_items", InvalidArgument, 400, CBC_INVALID),
    row("duplicate_line_item", InvalidArgument, 400, CBC_INVALID),
    row("invalid_line_item", InvalidArgument, 400, CBC_INVALID),
    row(
        "unit_price_unit_mismatch",
        InvalidArgument,
        400,
        CBC_INVALID,
    ),
    row("deductions_exceed_price", InvalidArgument, 400, CBC_INVALID),
    row("amount_due_mismatch", InvalidArgument, 400, CBC_INVALID),
    row(
        "base_order_only_for_renewal",
        InvalidArgument,
        400,
        CBC_INVALID,
    ),
    row(
        "deadline_not_after_order_time",
        InvalidArgument,
        400,
        CBC_INVALID,
    ),
    row(
        "order_not_unpaid",
        FailedPrecondition,
        400,
        CBC_STATUS_CHANGED,
    ),
    row(
        "payment_deadline_passed",
        FailedPrecondition,
        400,
        CBC_DEADLINE_PASSED,
    ),
    row("payment_amount_mismatch", InvalidArgument, 400, CBC_INVALID),
    row("vouchers_exceed_payment", InvalidArgument, 400, CBC_INVALID),
    row(
        "cancel_not_allowed",
        FailedPrecondition,
        400,
        CBC_CANCEL_NOT_ALLOWED,
    ),
    row(
        "order_not_voidable",
        FailedPrecondition,
        400,
        CBC_STATUS_CHANGED,
    ),
    row(
        "payment_deadline_not_reached",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row("contract_not_found", NotFound, 404, CBC_INVALID),
    row("contract_already_exists", AlreadyExists, 409, CBC_INVALID),
    row("contract_order_count", InvalidArgument, 400, CBC_INVALID),
    row(
        "duplicate_contract_order",
        InvalidArgument,
        400,
        CBC_INVALID,
    ),
    row(
        "order_of_another_customer",
        PermissionDenied,
        403,
        CBC_DENIED,
    ),
    row(
        "order_not_paid",
        FailedPrecondition,
        400,
        CBC_STATUS_CHANGED,
    ),
    row(
        "order_in_live_contract",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row(
        "customer_not_certified",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row(
        "remittance_account_missing",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row("contract_not_draft", FailedPrecondition, 400, CBC_INVALID),
    row("contract_not_live", FailedPrecondition, 400, CBC_INVALID),
    // Documents: a voided or invalid contract has a preview only, and only
    // an official contract a sealed copy (409: the contract's state).
    row(
        "contract_not_downloadable",
        FailedPrecondition,
        409,
        CBC_INVALID,
    ),
    row(
        "contract_not_official",
        FailedPrecondition,
        409,
        CBC_INVALID,
    ),
    row("malformed_document_seal", InvalidArgument, 400, CBC_INVALID),
    row(
        "document_unrenderable",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row(
        "official_contract_needs_operator",
        PermissionDenied,
        403,
        CBC_DENIED,
    ),
    row(
        "not_payment_request_contract",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row("contract_not_overdue", FailedPrecondition, 400, CBC_INVALID),
    row("contract_overdue", FailedPrecondition, 400, CBC_INVALID),
    row(
        "enterprise_certification_required",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row("party_a_not_a_person", InvalidArgument, 400, CBC_INVALID),
    row("void_ticket_required", InvalidArgument, 400, CBC_INVALID),
    row("source_type_mismatch", InvalidArgument, 400, CBC_INVALID),
    row(
        "customer_already_registered",
        AlreadyExists,
        409,
        CBC_INVALID,
    ),
    row(
        "insufficient_balance",
        FailedPrecondition,
        400,
        CBC_INSUFFICIENT_BALANCE,
    ),
    row("top_up_already_recorded", AlreadyExists, 409, CBC_INVALID),
    row("coupon_already_exists", AlreadyExists, 409, CBC_INVALID),
    row("invalid_coupon_validity", InvalidArgument, 400, CBC_INVALID),
    // Not found, as an absent coupon: another customer's coupon is not
    // told apart from one that does not exist.
    row("coupon_not_found", NotFound, 404, CBC_INVALID),
    row("coupon_kind_mismatch", InvalidArgument, 400, CBC_INVALID),
    row(
        "coupon_currency_mismatch",
        InvalidArgument,
        400,
        CBC_INVALID,
    ),
    row(
        "coupon_already_used",
        FailedPrecondition,
        400,
        CBC_COUPON_USED,
    ),
    row("coupon_not_valid_now", FailedPrecondition, 400, CBC_INVALID),
    row(
        "coupon_threshold_not_met",
        FailedPrecondition,
        400,
        CBC_INVALID,
    ),
    row("voucher_exceeds_coupon", InvalidArgument, 400, CBC_INVALID),
    row("duplicate_coupon", InvalidArgument, 400, CBC_INVALID),
    row("coupons_not_combinable", InvalidArgument, 400, CBC_INVALID),
    row("coupon_not_needed", InvalidArgument, 400, CBC_INVALID),
];

/// The row of `code`; unknown codes map as `internal` (a missing row is a
/// bug the table test catches for domain codes).
pub fn mapping(code: &str) -> Mapping {
    TABLE
        .iter()
        .find(|m| m.code == code)
        .copied()
        .unwrap_or(row("internal", Internal, 500, CBC_OTHER))
}

/// An error answered to a client: a stable code and a lowercase message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// A missing or malformed parameter.
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new("bad_parameter", message)
    }

    /// A well-formed parameter with a refused value.
    pub fn invalid_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new("invalid_parameter", message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new("unauthenticated", message)
    }

    pub fn access_denied(message: impl Into<String>) -> ApiError {
        ApiError::new("access_denied", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new("not_found", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new("internal", message)
    }

    pub fn mapping(&self) -> Mapping {
        mapping(self.code)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        match e {
            QueryError::Projection(p) => p.into(),
            QueryError::Overflow => ApiError::internal(e.to_string()),
            other => ApiError::invalid_parameter(other.to_string()),
        }
    }
}

impl From<ProjectionError> for ApiError {
    fn from(e: ProjectionError) -> ApiError {
        match e {
            ProjectionError::NotCaughtUp { .. } => ApiError::new("not_caught_up", e.to_string()),
            ProjectionError::UnknownProjection(_) => ApiError::not_found(e.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<ApiError> for tonic::Status {
    fn from(e: ApiError) -> tonic::Status {
        let m = e.mapping();
        // The stable code travels three ways: as the standard
        // google.rpc.ErrorInfo reason in the status details, as the
        // `x-error-code` metadata, and as the message's prefix.
        let details = ErrorDetails::with_error_info(
            e.code,
            ERROR_DOMAIN,
            [("cbc_code".to_owned(), m.cbc.to_owned())],
        );
        let mut status = tonic::Status::with_error_details(
            m.grpc,
            format!("{}: {}", e.code, e.message),
            details,
        );
        if let Ok(v) = e.code.parse() {
            status.metadata_mut().insert("x-error-code", v);
        }
        status
    }
}

/// Huawei's error body: `{"error_code","error_msg"}`.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
    /// Our stable code, for clients that want more than the CBC code.
    code: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let m = self.mapping();
        let status = StatusCode::from_u16(m.http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error_code: m.cbc,
            error_msg: &self.message,
            code: self.code,
        };
        (status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_error_code_has_a_row() {
        let source = include_str!("../../ledger-domain/src/error.rs");
        let codes: Vec<&str> = source
            .lines()
            .filter_map(|l| l.split_once("=> \""))
            .filter_map(|(_, rest)| rest.split_once('"'))
            .map(|(code, _)| code)
            .collect();
        assert!(codes.len() >= 40, "found only {} domain codes", codes.len());
        for code in codes {
            assert!(
                TABLE.iter().any(|m| m.code == code),
                "domain code {code} has no row in the error table"
            );
        }
    }

    #[test]
    fn codes_are_unique() {
        for (i, m) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|n| n.code != m.code),
                "{} twice",
                m.code
            );
        }
    }

    #[test]
    fn the_seeds_order_codes_are_mapped() {
        assert_eq!(mapping("cancel_not_allowed").cbc, "CBC.99005010");
        assert_eq!(mapping("payment_deadline_passed").cbc, "CBC.99003110");
        assert_eq!(mapping("order_not_unpaid").cbc, "CBC.99003106");
        assert_eq!(mapping("insufficient_balance").cbc, "CBC.99005003");
        assert_eq!(mapping("coupon_already_used").cbc, "CBC.99003112");
        assert_eq!(mapping("access_denied").http, 403);
        assert_eq!(mapping("unauthenticated").cbc, "CBC.0155");
        let expired = mapping("token_expired");
        assert_eq!((expired.http, expired.cbc), (401, "CBC.0154"));
        assert_eq!(expired.grpc, Code::Unauthenticated);
    }
}
