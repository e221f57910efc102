//! The wire names of the enums the views carry: snake_case, one table per
//! enum, read in both directions (rendering views, parsing filters).

use ledger_domain::catalog::{
    BillType, ChargeType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::ContractKind;
use ledger_domain::customer::CertificationKind;
use ledger_domain::order::CancelReason;
use ledger_projections::contracts::ContractStatusKind;
use ledger_projections::orders::{OrderStatusKind, SortOrder};

use crate::errors::ApiError;

/// Order types: wire name (Baidu's name and Huawei's code come from
/// `ledger_domain::catalog::ORDER_TYPES`).
pub const ORDER_TYPES: [(OrderType, &str); 6] = [
    (OrderType::Purchase, "purchase"),
    (OrderType::Renewal, "renewal"),
    (OrderType::Upgrade, "upgrade"),
    (OrderType::Downgrade, "downgrade"),
    (OrderType::ConfigurationChange, "configuration_change"),
    (OrderType::Compensation, "compensation"),
];

/// Order statuses: wire name, Baidu's name.
pub const ORDER_STATUSES: [(OrderStatusKind, &str, &str); 4] = [
    (OrderStatusKind::Unpaid, "unpaid", "Unpaid"),
    (OrderStatusKind::Paid, "paid", "Paid"),
    (OrderStatusKind::Cancelled, "cancelled", "Cancelled"),
    (OrderStatusKind::Voided, "voided", "Voided"),
];

/// Charge types: wire name, Baidu's name.
pub const CHARGE_TYPES: [(ChargeType, &str, &str); 2] = [
    (ChargeType::Subscription, "subscription", "Subscription"),
    (ChargeType::PayAsYouGo, "pay_as_you_go", "Pay-as-you-go"),
];

/// Bill types (Baidu's filter): wire name, Baidu's name.
pub const BILL_TYPES: [(BillType, &str, &str); 2] = [
    (BillType::Prepay, "prepay", "Prepay"),
    (BillType::Postpay, "postpay", "Postpay"),
];

/// Contract kinds: wire name, Baidu's name.
pub const CONTRACT_KINDS: [(ContractKind, &str, &str); 2] = [
    (ContractKind::Order, "order", "Order contract"),
    (
        ContractKind::PaymentRequest,
        "payment_request",
        "Payment request contract",
    ),
];

/// Contract statuses: wire name, Baidu's name.
pub const CONTRACT_STATUSES: [(ContractStatusKind, &str, &str); 4] = [
    (ContractStatusKind::Draft, "draft", "Draft contract"),
    (
        ContractStatusKind::Official,
        "official",
        "Active official contract",
    ),
    (ContractStatusKind::Voided, "voided", "Voided"),
    (ContractStatusKind::Invalid, "invalid", "Invalid"),
];

pub const SORT_ORDERS: [(SortOrder, &str); 2] = [
    (SortOrder::NewestFirst, "newest_first"),
    (SortOrder::OldestFirst, "oldest_first"),
];

pub const PERIOD_TYPES: [(PeriodType, &str); 8] = [
    (PeriodType::Day, "day"),
    (PeriodType::Week, "week"),
    (PeriodType::Month, "month"),
    (PeriodType::Year, "year"),
    (PeriodType::Hour, "hour"),
    (PeriodType::OneOff, "one_off"),
    (PeriodType::PayPerUse, "pay_per_use"),
    (PeriodType::ByUsageReport, "by_usage_report"),
];

pub const PRICE_UNITS: [(PriceUnit, &str); 6] = [
    (PriceUnit::Minute, "minute"),
    (PriceUnit::Month, "month"),
    (PriceUnit::Year, "year"),
    (PriceUnit::Gigabyte, "gigabyte"),
    (PriceUnit::Request, "request"),
    (PriceUnit::TenThousandRequests, "ten_thousand_requests"),
];

pub const SOURCE_TYPES: [(SourceType, &str); 8] = [
    (SourceType::Customer, "customer"),
    (SourceType::Agent, "agent"),
    (SourceType::Contract, "contract"),
    (SourceType::Distributor, "distributor"),
    (SourceType::DeletedResources, "deleted_resources"),
    (SourceType::Supplement, "supplement"),
    (SourceType::Compensation, "compensation"),
    (SourceType::AutoCreated, "auto_created"),
];

pub const VOUCHER_KINDS: [(VoucherKind, &str); 4] = [
    (VoucherKind::DiscountCoupon, "discount_coupon"),
    (VoucherKind::Coupon, "coupon"),
    (VoucherKind::CashCoupon, "cash_coupon"),
    (VoucherKind::Card, "card"),
];

pub const CERTIFICATION_KINDS: [(CertificationKind, &str); 2] = [
    (CertificationKind::Personal, "personal"),
    (CertificationKind::Enterprise, "enterprise"),
];

pub const CANCEL_REASONS: [(CancelReason, &str); 2] = [
    (CancelReason::Requested, "requested"),
    (CancelReason::Expired, "expired"),
];

/// The wire name of `value` in a two-column table.
pub fn name<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|r| r.0 == value)
        .map(|r| r.1)
        .expect("every value has a wire name")
}

/// The wire name and display name of `value` in a three-column table.
pub fn names<T: PartialEq + Copy>(
    table: &[(T, &'static str, &'static str)],
    value: T,
) -> (&'static str, &'static str) {
    table
        .iter()
        .find(|r| r.0 == value)
        .map(|r| (r.1, r.2))
        .expect("every value has a wire name")
}

fn unknown(what: &str, given: &str, known: Vec<&str>) -> ApiError {
    ApiError::invalid_parameter(format!(
        "{what}: unknown value {given:?}, expected one of {}",
        known.join(", ")
    ))
}

/// Parses a wire name of a two-column table.
pub fn parse<T: Copy>(what: &str, table: &[(T, &'static str)], given: &str) -> Result<T, ApiError> {
    table
        .iter()
        .find(|r| r.1 == given)
        .map(|r| r.0)
        .ok_or_else(|| unknown(what, given, table.iter().map(|r| r.1).collect()))
}

/// Parses a wire name of a three-column table.
pub fn parse3<T: Copy>(
    what: &str,
    table: &[(T, &'static str, &'static str)],
    given: &str,
) -> Result<T, ApiError> {
    table
        .iter()
        .find(|r| r.1 == given)
        .map(|r| r.0)
        .ok_or_else(|| unknown(what, given, table.iter().map(|r| r.1).collect()))
}

/// Parses a three-column filter where `all` (or empty) means no filter.
pub fn filter3<T: Copy>(
    what: &str,
    table: &[(T, &'static str, &'static str)],
    given: &str,
) -> Result<Option<T>, ApiError> {
    match given {
        "" | "all" => Ok(None),
        g => parse3(what, table, g).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for (t, n) in ORDER_TYPES {
            assert_eq!(parse("order_type", &ORDER_TYPES, n).unwrap(), t);
        }
        for (s, n, _) in ORDER_STATUSES {
            assert_eq!(filter3("status", &ORDER_STATUSES, n).unwrap(), Some(s));
        }
        for (s, n, _) in CONTRACT_STATUSES {
            assert_eq!(parse3("status", &CONTRACT_STATUSES, n).unwrap(), s);
        }
        assert_eq!(filter3("bill_type", &BILL_TYPES, "all").unwrap(), None);
    }

    #[test]
    fn an_unknown_name_is_an_invalid_parameter_listing_the_known_ones() {
        let e = parse3("status", &ORDER_STATUSES, "refunded").unwrap_err();
        assert_eq!(e.code, "invalid_parameter");
        assert!(e.message.contains("unpaid, paid, cancelled, voided"), "{e}");
    }
}
