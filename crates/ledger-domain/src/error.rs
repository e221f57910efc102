//! Every domain rule's typed error, each with a stable code.
//!
//! Codes are part of the API: never change or reuse one. The server keeps the
//! one table mapping codes to gRPC and HTTP statuses and CBC codes.

use crate::ids::{ContractNo, CustomerId, LineItemId, OrderId, PaymentId, VoucherId};
use crate::money::Money;

/// A refused command. Messages are lowercase with no trailing period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // Input shape.
    #[error("invalid {kind}: {reason}")]
    InvalidId {
        kind: &'static str,
        reason: &'static str,
    },
    #[error("invalid amount: {reason}")]
    InvalidAmount { reason: &'static str },
    #[error("invalid currency: must be three upper-case letters")]
    InvalidCurrency,
    #[error("unknown {table} code {code}")]
    UnknownCode { table: &'static str, code: u32 },
    #[error("invalid {field}: {reason}")]
    InvalidText {
        field: &'static str,
        reason: &'static str,
    },
    #[error("too many {what}: at most {limit}")]
    LimitExceeded { what: &'static str, limit: usize },
    #[error("amount overflow")]
    AmountOverflow,

    // Who may do what.
    #[error("{actor} may not {action}")]
    NotPermitted { actor: String, action: &'static str },
    /// The role table ([`crate::roles`]) does not let this kind of actor send the command.
    #[error("{actor} may not send {command}")]
    ActorNotPermitted {
        command: &'static str,
        actor: String,
    },

    // Orders.
    #[error("order {0} not found")]
    OrderNotFound(OrderId),
    #[error("order {0} already exists with different details")]
    OrderAlreadyExists(OrderId),
    #[error("customer {0} not found")]
    CustomerNotFound(CustomerId),
    #[error("an order needs at least one line item")]
    NoLineItems,
    #[error("line item {0} appears twice")]
    DuplicateLineItem(LineItemId),
    #[error("line item {line}: {reason}")]
    InvalidLineItem {
        line: LineItemId,
        reason: &'static str,
    },
    #[error("line item {line}: a {charge} unit price must be quoted per {expected}")]
    UnitPriceUnitMismatch {
        line: LineItemId,
        charge: &'static str,
        expected: &'static str,
    },
    #[error("line item {line}: discounts and vouchers exceed its list price")]
    DeductionsExceedPrice { line: LineItemId },
    #[error(
        "amount due {given} does not equal list price less discounts and vouchers ({expected})"
    )]
    AmountDueMismatch { expected: Money, given: Money },
    #[error("only renewal orders have a base order")]
    BaseOrderOnlyForRenewal,
    #[error("the payment deadline must be after the order time")]
    DeadlineNotAfterOrderTime,
    #[error("order {order_id} is {status}, not unpaid")]
    OrderNotUnpaid {
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {0} is past its payment deadline")]
    PaymentDeadlinePassed(OrderId),
    #[error("payment of {paid} does not equal the amount due {due}")]
    PaymentAmountMismatch { due: Money, paid: Money },
    #[error("vouchers exceed the payment amount")]
    VouchersExceedPayment,
    #[error("order {order_id} is {status}: only unpaid orders can be cancelled")]
    CancelNotAllowed {
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {order_id} is {status} and cannot be voided")]
    OrderNotVoidable {
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {0} is not yet past its payment deadline")]
    PaymentDeadlineNotReached(OrderId),

    // Contracts.
    #[error("contract {0} not found")]
    ContractNotFound(ContractNo),
    #[error("contract {0} already exists with different details")]
    ContractAlreadyExists(ContractNo),
    #[error("a contract covers 1 to 200 orders, not {count}")]
    ContractOrderCount { count: usize },
    #[error("order {0} is listed twice")]
    DuplicateContractOrder(OrderId),
    #[error("order {0} belongs to another customer")]
    OrderOfAnotherCustomer(OrderId),
    #[error("order {order_id} is {status}: an order contract covers only paid orders")]
    OrderNotPaid {
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {order_id} is already in live contract {contract_no}")]
    OrderInLiveContract {
        order_id: OrderId,
        contract_no: ContractNo,
    },
    #[error("customer {0} has no real-name certification")]
    CustomerNotCertified(CustomerId),
    #[error("customer {0} has no exclusive remittance account")]
    RemittanceAccountMissing(CustomerId),
    #[error("contract {contract_no} is {status}, not a draft")]
    ContractNotDraft {
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("contract {contract_no} is {status}, not live")]
    ContractNotLive {
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("an official contract is voided only by an operator (submit a ticket)")]
    OfficialContractNeedsOperator(ContractNo),
    #[error("contract {0} is not a payment-request contract")]
    NotPaymentRequestContract(ContractNo),
    #[error("contract {0} has no unpaid order past its deadline")]
    ContractNotOverdue(ContractNo),
    #[error("contract {0} has an unpaid order past its deadline")]
    ContractOverdue(ContractNo),
    #[error(
        "party a of customer {0} is a company: complete enterprise real-name certification first"
    )]
    EnterpriseCertificationRequired(CustomerId),
    #[error("party a of customer {0} is certified as an enterprise, not a person")]
    PartyANotAPerson(CustomerId),
    #[error("voiding official contract {0} needs the ticket id and a reason")]
    VoidTicketRequired(ContractNo),
    #[error("contract {0}: the document seal must be a sha-256, a key id and a signature in lowercase hex")]
    MalformedDocumentSeal(ContractNo),
    #[error("contract {contract_no} is {status}: only a draft or an official contract can be downloaded (preview shows its status)")]
    ContractNotDownloadable {
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("contract {contract_no} is {status}, not official: only an official contract has a sealed document")]
    ContractNotOfficial {
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("a {order_type} order has source type {expected}")]
    SourceTypeMismatch {
        order_type: &'static str,
        expected: &'static str,
    },

    // Customers.
    #[error("customer {0} is already registered with different details")]
    CustomerAlreadyRegistered(CustomerId),

    // Accounts.
    #[error("insufficient balance: {needed} {currency} needed, {available} available")]
    InsufficientBalance {
        needed: Money,
        available: Money,
        currency: String,
    },
    #[error("top-up {0} was already recorded with different details")]
    TopUpAlreadyRecorded(PaymentId),

    // Coupons.
    #[error("coupon {0} already exists with different details")]
    CouponAlreadyExists(VoucherId),
    #[error("a coupon's validity must start before it ends, and end in the future")]
    InvalidCouponValidity,
    #[error("coupon {0} not found")]
    CouponNotFound(VoucherId),
    #[error("coupon {0} is of another type")]
    CouponKindMismatch(VoucherId),
    #[error("coupon {0} is in another currency than the order")]
    CouponCurrencyMismatch(VoucherId),
    #[error("coupon {0} has already been used")]
    CouponAlreadyUsed(VoucherId),
    #[error("coupon {0} is not valid at this time")]
    CouponNotValidNow(VoucherId),
    #[error("the order amount does not reach the minimum of coupon {0}")]
    CouponThresholdNotMet(VoucherId),
    #[error("the voucher amount exceeds what coupon {0} holds")]
    VoucherExceedsCoupon(VoucherId),
    #[error("coupon {0} is named twice")]
    DuplicateCoupon(VoucherId),
    #[error("at most one discount coupon or cash coupon (types 300 and 301) per payment")]
    CouponsNotCombinable,
    #[error("coupon {0} is not needed: the earlier coupons cover the amount due")]
    CouponNotNeeded(VoucherId),
}

/// The broad class of an error, for transports that need one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The command is malformed; retrying it unchanged will fail again.
    InvalidInput,
    /// The actor may not do this.
    PermissionDenied,
    /// Something the command names does not exist.
    NotFound,
    /// The command is well formed but the current state refuses it.
    FailedPrecondition,
    /// The thing to create exists already, differently.
    AlreadyExists,
}

impl DomainError {
    /// The stable code: part of the API, never renamed.
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            InvalidId { .. } => "invalid_id",
            InvalidAmount { .. } => "invalid_amount",
            InvalidCurrency => "invalid_currency",
            UnknownCode { .. } => "unknown_code",
            InvalidText { .. } => "invalid_text",
            LimitExceeded { .. } => "limit_exceeded",
            AmountOverflow => "amount_overflow",
            NotPermitted { .. } => "not_permitted",
            ActorNotPermitted { .. } => "actor_not_permitted",
            OrderNotFound(_) => "order_not_found",
            OrderAlreadyExists(_) => "order_already_exists",
            CustomerNotFound(_) => "customer_not_found",
            NoLineItems => "no_line_items",
            DuplicateLineItem(_) => "duplicate_line_item",
            InvalidLineItem { .. } => "invalid_line_item",
            UnitPriceUnitMismatch { .. } => "unit_price_unit_mismatch",
            DeductionsExceedPrice { .. } => "deductions_exceed_price",
            AmountDueMismatch { .. } => "amount_due_mismatch",
            BaseOrderOnlyForRenewal => "base_order_only_for_renewal",
            DeadlineNotAfterOrderTime => "deadline_not_after_order_time",
            OrderNotUnpaid { .. } => "order_not_unpaid",
            PaymentDeadlinePassed(_) => "payment_deadline_passed",
            PaymentAmountMismatch { .. } => "payment_amount_mismatch",
            VouchersExceedPayment => "vouchers_exceed_payment",
            CancelNotAllowed { .. } => "cancel_not_allowed",
            OrderNotVoidable { .. } => "order_not_voidable",
            PaymentDeadlineNotReached(_) => "payment_deadline_not_reached",
            ContractNotFound(_) => "contract_not_found",
            ContractAlreadyExists(_) => "contract_already_exists",
            ContractOrderCount { .. } => "contract_order_count",
            DuplicateContractOrder(_) => "duplicate_contract_order",
            OrderOfAnotherCustomer(_) => "order_of_another_customer",
            OrderNotPaid { .. } => "order_not_paid",
            OrderInLiveContract { .. } => "order_in_live_contract",
            CustomerNotCertified(_) => "customer_not_certified",
            RemittanceAccountMissing(_) => "remittance_account_missing",
            ContractNotDraft { .. } => "contract_not_draft",
            ContractNotLive { .. } => "contract_not_live",
            OfficialContractNeedsOperator(_) => "official_contract_needs_operator",
            NotPaymentRequestContract(_) => "not_payment_request_contract",
            ContractNotOverdue(_) => "contract_not_overdue",
            ContractOverdue(_) => "contract_overdue",
            EnterpriseCertificationRequired(_) => "enterprise_certification_required",
            PartyANotAPerson(_) => "party_a_not_a_person",
            VoidTicketRequired(_) => "void_ticket_required",
            MalformedDocumentSeal(_) => "malformed_document_seal",
            ContractNotDownloadable { .. } => "contract_not_downloadable",
            ContractNotOfficial { .. } => "contract_not_official",
            SourceTypeMismatch { .. } => "source_type_mismatch",
            CustomerAlreadyRegistered(_) => "customer_already_registered",
            InsufficientBalance { .. } => "insufficient_balance",
            TopUpAlreadyRecorded(_) => "top_up_already_recorded",
            CouponAlreadyExists(_) => "coupon_already_exists",
            InvalidCouponValidity => "invalid_coupon_validity",
            CouponNotFound(_) => "coupon_not_found",
            CouponKindMismatch(_) => "coupon_kind_mismatch",
            CouponCurrencyMismatch(_) => "coupon_currency_mismatch",
            CouponAlreadyUsed(_) => "coupon_already_used",
            CouponNotValidNow(_) => "coupon_not_valid_now",
            CouponThresholdNotMet(_) => "coupon_threshold_not_met",
            VoucherExceedsCoupon(_) => "voucher_exceeds_coupon",
            DuplicateCoupon(_) => "duplicate_coupon",
            CouponsNotCombinable => "coupons_not_combinable",
            CouponNotNeeded(_) => "coupon_not_needed",
        }
    }

    pub fn class(&self) -> ErrorClass {
        use DomainError::*;
        match self {
            InvalidId { .. }
            | InvalidAmount { .. }
            | InvalidCurrency
            | UnknownCode { .. }
            | InvalidText { .. }
            | LimitExceeded { .. }
            | AmountOverflow
            | NoLineItems
            | DuplicateLineItem(_)
            | InvalidLineItem { .. }
            | UnitPriceUnitMismatch { .. }
            | DeductionsExceedPrice { .. }
            | AmountDueMismatch { .. }
            | BaseOrderOnlyForRenewal
            | DeadlineNotAfterOrderTime
            | PaymentAmountMismatch { .. }
            | VouchersExceedPayment
            | ContractOrderCount { .. }
            | DuplicateContractOrder(_)
            | InvalidCouponValidity
            | CouponKindMismatch(_)
            | CouponCurrencyMismatch(_)
            | VoucherExceedsCoupon(_)
            | DuplicateCoupon(_)
            | CouponsNotCombinable
            | CouponNotNeeded(_)
            | PartyANotAPerson(_)
            | VoidTicketRequired(_)
            | MalformedDocumentSeal(_)
            | SourceTypeMismatch { .. } => ErrorClass::InvalidInput,
            NotPermitted { .. }
            | ActorNotPermitted { .. }
            | OfficialContractNeedsOperator(_)
            | OrderOfAnotherCustomer(_) => ErrorClass::PermissionDenied,
            OrderNotFound(_) | CustomerNotFound(_) | ContractNotFound(_) | CouponNotFound(_) => {
                ErrorClass::NotFound
            }
            OrderAlreadyExists(_)
            | ContractAlreadyExists(_)
            | CustomerAlreadyRegistered(_)
            | TopUpAlreadyRecorded(_)
            | CouponAlreadyExists(_) => ErrorClass::AlreadyExists,
            OrderNotUnpaid { .. }
            | PaymentDeadlinePassed(_)
            | CancelNotAllowed { .. }
            | OrderNotVoidable { .. }
            | PaymentDeadlineNotReached(_)
            | OrderNotPaid { .. }
            | OrderInLiveContract { .. }
            | CustomerNotCertified(_)
            | RemittanceAccountMissing(_)
            | ContractNotDraft { .. }
            | ContractNotLive { .. }
            | ContractNotDownloadable { .. }
            | ContractNotOfficial { .. }
            | NotPaymentRequestContract(_)
            | ContractNotOverdue(_)
            | ContractOverdue(_)
            | InsufficientBalance { .. }
            | CouponAlreadyUsed(_)
            | CouponNotValidNow(_)
            | CouponThresholdNotMet(_)
            | EnterpriseCertificationRequired(_) => ErrorClass::FailedPrecondition,
        }
    }
}

/// Checks a free-text field: not blank, at most `max` characters, no control
/// characters.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::InvalidText {
            field,
            reason: "must not be blank",
        });
    }
    check_optional_text(field, value, max)
}

/// Like [`check_text`] but an empty value is allowed.
pub(crate) fn check_optional_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), DomainError> {
    if value.chars().count() > max {
        return Err(DomainError::InvalidText {
            field,
            reason: "is too long",
        });
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(DomainError::InvalidText {
            field,
            reason: "must not contain control characters",
        });
    }
    Ok(())
}
