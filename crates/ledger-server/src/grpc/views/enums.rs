//! Domain enums → proto enums (exhaustive matches: a new domain value does
//! not compile until it has its proto value). The proto's UNSPECIFIED zero
//! is never sent.

use ledger_domain::catalog::{
    BillType, ChargeType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::ContractKind;
use ledger_domain::customer::CertificationKind;
use ledger_domain::order::CancelReason;
use ledger_projections::contracts::ContractStatusKind;
use ledger_projections::orders::OrderStatusKind;

use crate::pb;

pub fn order_status(s: OrderStatusKind) -> pb::OrderStatus {
    match s {
        OrderStatusKind::Unpaid => pb::OrderStatus::Unpaid,
        OrderStatusKind::Paid => pb::OrderStatus::Paid,
        OrderStatusKind::Cancelled => pb::OrderStatus::Cancelled,
        OrderStatusKind::Voided => pb::OrderStatus::Voided,
    }
}

pub fn order_type(t: OrderType) -> pb::OrderType {
    match t {
        OrderType::Purchase => pb::OrderType::Purchase,
        OrderType::Renewal => pb::OrderType::Renewal,
        OrderType::Upgrade => pb::OrderType::Upgrade,
        OrderType::Downgrade => pb::OrderType::Downgrade,
        OrderType::ConfigurationChange => pb::OrderType::ConfigurationChange,
        OrderType::Compensation => pb::OrderType::Compensation,
    }
}

pub fn charge_type(c: ChargeType) -> pb::ChargeType {
    match c {
        ChargeType::Subscription => pb::ChargeType::Subscription,
        ChargeType::PayAsYouGo => pb::ChargeType::PayAsYouGo,
    }
}

pub fn bill_type(b: BillType) -> pb::BillType {
    match b {
        BillType::Prepay => pb::BillType::Prepay,
        BillType::Postpay => pb::BillType::Postpay,
    }
}

pub fn period_type(p: PeriodType) -> pb::PeriodType {
    match p {
        PeriodType::Day => pb::PeriodType::Day,
        PeriodType::Week => pb::PeriodType::Week,
        PeriodType::Month => pb::PeriodType::Month,
        PeriodType::Year => pb::PeriodType::Year,
        PeriodType::Hour => pb::PeriodType::Hour,
        PeriodType::OneOff => pb::PeriodType::OneOff,
        PeriodType::PayPerUse => pb::PeriodType::PayPerUse,
        PeriodType::ByUsageReport => pb::PeriodType::ByUsageReport,
    }
}

pub fn price_unit(u: PriceUnit) -> pb::PriceUnit {
    match u {
        PriceUnit::Minute => pb::PriceUnit::Minute,
        PriceUnit::Month => pb::PriceUnit::Month,
        PriceUnit::Year => pb::PriceUnit::Year,
        PriceUnit::Gigabyte => pb::PriceUnit::Gigabyte,
        PriceUnit::Request => pb::PriceUnit::Request,
        PriceUnit::TenThousandRequests => pb::PriceUnit::TenThousandRequests,
    }
}

pub fn source_type(s: SourceType) -> pb::SourceType {
    match s {
        SourceType::Customer => pb::SourceType::Customer,
        SourceType::Agent => pb::SourceType::Agent,
        SourceType::Contract => pb::SourceType::Contract,
        SourceType::Distributor => pb::SourceType::Distributor,
        SourceType::DeletedResources => pb::SourceType::DeletedResources,
        SourceType::Supplement => pb::SourceType::Supplement,
        SourceType::Compensation => pb::SourceType::Compensation,
        SourceType::AutoCreated => pb::SourceType::AutoCreated,
    }
}

pub fn voucher_kind(k: VoucherKind) -> pb::VoucherKind {
    match k {
        VoucherKind::DiscountCoupon => pb::VoucherKind::DiscountCoupon,
        VoucherKind::Coupon => pb::VoucherKind::Coupon,
        VoucherKind::CashCoupon => pb::VoucherKind::CashCoupon,
        VoucherKind::Card => pb::VoucherKind::Card,
    }
}

pub fn cancel_reason(r: CancelReason) -> pb::CancelReason {
    match r {
        CancelReason::Requested => pb::CancelReason::Requested,
        CancelReason::Expired => pb::CancelReason::Expired,
    }
}

pub fn contract_kind(k: ContractKind) -> pb::ContractKind {
    match k {
        ContractKind::Order => pb::ContractKind::Order,
        ContractKind::PaymentRequest => pb::ContractKind::PaymentRequest,
    }
}

pub fn contract_status(s: ContractStatusKind) -> pb::ContractStatus {
    match s {
        ContractStatusKind::Draft => pb::ContractStatus::Draft,
        ContractStatusKind::Official => pb::ContractStatus::Official,
        ContractStatusKind::Voided => pb::ContractStatus::Voided,
        ContractStatusKind::Invalid => pb::ContractStatus::Invalid,
    }
}

pub fn certification_kind(k: CertificationKind) -> pb::CertificationKind {
    match k {
        CertificationKind::Personal => pb::CertificationKind::Personal,
        CertificationKind::Enterprise => pb::CertificationKind::Enterprise,
    }
}
