//! Protobuf requests → domain commands. Every field is parsed with the
//! domain's own validating constructors; a bad field names itself.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use ledger_domain::account::CreditAccount;
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::{
    ApplyContract, ContractKind, ConvertContract, EditContractRemarks, PartyADetails, VoidContract,
    VoidTicket,
};
use ledger_domain::coupon::IssueCoupon;
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{ContractNo, CustomerId};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{
    CancelOrder, Discount, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder, Pricing,
    UnitPrice, VoidOrder, VoucherRedemption,
};
use ledger_domain::payment::{CouponUse, PayOrderFromBalance};
use ledger_domain::Command;

use crate::errors::ApiError;
use crate::pb;

/// Parses a required field with its type's `FromStr`.
pub fn field<T: FromStr>(name: &str, value: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    if value.is_empty() {
        return Err(ApiError::bad_parameter(format!("{name} is required")));
    }
    value
        .parse()
        .map_err(|e| ApiError::invalid_parameter(format!("{name}: {e}")))
}

/// Parses an optional field: empty means absent.
pub fn optional<T: FromStr>(name: &str, value: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    if value.is_empty() {
        Ok(None)
    } else {
        field(name, value).map(Some)
    }
}

/// Parses an RFC 3339 time.
pub fn time(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    if value.is_empty() {
        return Err(ApiError::bad_parameter(format!("{name} is required")));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ApiError::invalid_parameter(format!("{name}: {e}")))
}

pub fn optional_time(name: &str, value: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    if value.is_empty() {
        Ok(None)
    } else {
        time(name, value).map(Some)
    }
}

fn money(name: &str, value: &str) -> Result<Money, ApiError> {
    field::<Money>(name, value)
}

/// A zero amount when empty (deductions are optional).
fn money_or_zero(name: &str, value: &str) -> Result<Money, ApiError> {
    if value.is_empty() {
        Ok(Money::ZERO)
    } else {
        money(name, value)
    }
}

fn small<T: TryFrom<u32>>(name: &str, value: u32) -> Result<T, ApiError> {
    T::try_from(value).map_err(|_| ApiError::invalid_parameter(format!("{name}: out of range")))
}

pub fn order_type(t: i32) -> Result<OrderType, ApiError> {
    match pb::OrderType::try_from(t) {
        Ok(pb::OrderType::Purchase) => Ok(OrderType::Purchase),
        Ok(pb::OrderType::Renewal) => Ok(OrderType::Renewal),
        Ok(pb::OrderType::Upgrade) => Ok(OrderType::Upgrade),
        Ok(pb::OrderType::Downgrade) => Ok(OrderType::Downgrade),
        Ok(pb::OrderType::ConfigurationChange) => Ok(OrderType::ConfigurationChange),
        Ok(pb::OrderType::Compensation) => Ok(OrderType::Compensation),
        _ => Err(ApiError::bad_parameter("order_type is required")),
    }
}

fn charge_type(t: i32) -> Result<ChargeType, ApiError> {
    match pb::ChargeType::try_from(t) {
        Ok(pb::ChargeType::Subscription) => Ok(ChargeType::Subscription),
        Ok(pb::ChargeType::PayAsYouGo) => Ok(ChargeType::PayAsYouGo),
        _ => Err(ApiError::bad_parameter("charge_type is required")),
    }
}

fn price_unit(t: i32) -> Result<PriceUnit, ApiError> {
    match pb::PriceUnit::try_from(t) {
        Ok(pb::PriceUnit::Minute) => Ok(PriceUnit::Minute),
        Ok(pb::PriceUnit::Month) => Ok(PriceUnit::Month),
        Ok(pb::PriceUnit::Year) => Ok(PriceUnit::Year),
        Ok(pb::PriceUnit::Gigabyte) => Ok(PriceUnit::Gigabyte),
        Ok(pb::PriceUnit::Request) => Ok(PriceUnit::Request),
        Ok(pb::PriceUnit::TenThousandRequests) => Ok(PriceUnit::TenThousandRequests),
        _ => Err(ApiError::bad_parameter("unit_price_per is required")),
    }
}

pub fn contract_kind(t: i32) -> Result<Option<ContractKind>, ApiError> {
    match pb::ContractKind::try_from(t) {
        Ok(pb::ContractKind::Unspecified) => Ok(None),
        Ok(pb::ContractKind::Order) => Ok(Some(ContractKind::Order)),
        Ok(pb::ContractKind::PaymentRequest) => Ok(Some(ContractKind::PaymentRequest)),
        Err(_) => Err(ApiError::invalid_parameter("kind: unknown contract kind")),
    }
}

fn certification_kind(t: i32) -> Result<CertificationKind, ApiError> {
    match pb::CertificationKind::try_from(t) {
        Ok(pb::CertificationKind::Personal) => Ok(CertificationKind::Personal),
        Ok(pb::CertificationKind::Enterprise) => Ok(CertificationKind::Enterprise),
        _ => Err(ApiError::bad_parameter("kind is required")),
    }
}

fn pricing(p: Option<pb::Pricing>) -> Result<Pricing, ApiError> {
    let p = p.ok_or_else(|| ApiError::bad_parameter("pricing is required"))?;
    let discounts = p
        .discounts
        .iter()
        .map(|d| {
            Ok(Discount {
                discount_type: DiscountType::new(small("discount_type", d.discount_type)?)
                    .map_err(ApiError::from)?,
                amount: money("discount amount", &d.amount)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Pricing {
        list_price: money("list_price", &p.list_price)?,
        discounts,
        coupon_amount: money_or_zero("coupon_amount", &p.coupon_amount)?,
        card_amount: money_or_zero("card_amount", &p.card_amount)?,
        cash_coupon_amount: money_or_zero("cash_coupon_amount", &p.cash_coupon_amount)?,
    })
}

fn line_item(l: pb::LineItem) -> Result<LineItem, ApiError> {
    Ok(LineItem {
        id: field("line_item_id", &l.line_item_id)?,
        service_type_code: field("service_type_code", &l.service_type_code)?,
        product_id: field("product_id", &l.product_id)?,
        spec: l.configuration,
        category_code: l.category_code,
        count: l.count,
        period: Period {
            period_type: PeriodType::from_huawei_code(small("period_type", l.period_type)?)
                .map_err(ApiError::from)?,
            number: l.period_number,
        },
        unit_price: UnitPrice {
            amount: money("unit_price", &l.unit_price)?,
            per: price_unit(l.unit_price_per)?,
        },
        valid_from: optional_time("valid_from", &l.valid_from)?,
        expires_at: optional_time("expires_at", &l.expires_at)?,
        pricing: pricing(l.pricing)?,
    })
}

pub fn place_order(r: pb::PlaceOrderRequest) -> Result<Command, ApiError> {
    let spec = OrderSpec {
        order_id: field("order_id", &r.order_id)?,
        customer_id: field("customer_id", &r.customer_id)?,
        base_order_id: optional("base_order_id", &r.base_order_id)?,
        source_type: SourceType::from_huawei_code(small("source_type", r.source_type)?)
            .map_err(ApiError::from)?,
        product_name: r.product_name,
        service_type_code: field("service_type_code", &r.service_type_code)?,
        order_type: order_type(r.order_type)?,
        charge_type: charge_type(r.charge_type)?,
        currency: Currency::new(&r.currency).map_err(ApiError::from)?,
        line_items: r
            .line_items
            .into_iter()
            .map(line_item)
            .collect::<Result<_, _>>()?,
        instance_ids: r
            .instance_ids
            .iter()
            .map(|i| field("instance_id", i))
            .collect::<Result<_, _>>()?,
        amount_due: money("amount_due", &r.amount_due)?,
        sales_contract_id: optional("sales_contract_id", &r.sales_contract_id)?,
    };
    Ok(Command::PlaceOrder(PlaceOrder {
        spec,
        payment_deadline: optional_time("payment_deadline", &r.payment_deadline)?,
    }))
}

pub fn pay_order(r: pb::PayOrderRequest) -> Result<Command, ApiError> {
    let vouchers = r
        .vouchers
        .iter()
        .map(|v| {
            Ok(VoucherRedemption {
                kind: voucher_kind("voucher kind", v.kind)?,
                voucher_id: field("voucher_id", &v.voucher_id)?,
                amount: money("voucher amount", &v.amount)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Command::PayOrder(PayOrder {
        order_id: field("order_id", &r.order_id)?,
        payment: Payment {
            payment_id: field("payment_id", &r.payment_id)?,
            amount: money("amount", &r.amount)?,
            vouchers,
        },
    }))
}

pub fn cancel_order(r: pb::CancelOrderRequest) -> Result<Command, ApiError> {
    Ok(Command::CancelOrder(CancelOrder {
        order_id: field("order_id", &r.order_id)?,
    }))
}

pub fn void_order(r: pb::VoidOrderRequest) -> Result<Command, ApiError> {
    Ok(Command::VoidOrder(VoidOrder {
        order_id: field("order_id", &r.order_id)?,
        reason: r.reason,
    }))
}

/// What the ledger, not the caller, supplies to a command: the contract
/// number (from the customer and the command id) and Party B.
#[derive(Clone, Copy, Debug)]
pub struct Assign<'a> {
    pub command_id: &'a str,
    pub party_b: &'a str,
}

/// A conversion that needs nothing from the ledger.
pub fn plain<T>(
    f: fn(T) -> Result<Command, ApiError>,
) -> impl FnOnce(T, Assign<'_>) -> Result<Command, ApiError> {
    move |r, _| f(r)
}

pub fn apply_contract(r: pb::ApplyContractRequest, a: Assign<'_>) -> Result<Command, ApiError> {
    let customer_id: CustomerId = field("customer_id", &r.customer_id)?;
    let party_a_kind = match pb::CertificationKind::try_from(r.party_a_kind) {
        Ok(pb::CertificationKind::Unspecified) => None,
        _ => Some(certification_kind(r.party_a_kind)?),
    };
    let details = r.party_a.unwrap_or_default();
    Ok(Command::ApplyContract(ApplyContract {
        contract_no: ContractNo::assigned(&customer_id, a.command_id),
        customer_id,
        kind: contract_kind(r.kind)?.ok_or_else(|| ApiError::bad_parameter("kind is required"))?,
        order_ids: r
            .order_ids
            .iter()
            .map(|o| field("order_id", o))
            .collect::<Result<_, _>>()?,
        party_a_kind,
        party_a_details: PartyADetails {
            address: details.address,
            contact_name: details.contact_name,
            contact_phone: details.contact_phone,
            tax_id: details.tax_id,
        },
        party_b: a.party_b.to_owned(),
        remarks: r.remarks,
    }))
}

pub fn convert_contract(r: pb::ConvertContractRequest) -> Result<Command, ApiError> {
    Ok(Command::ConvertContract(ConvertContract::new(field(
        "contract_no",
        &r.contract_no,
    )?)))
}

pub fn void_contract(r: pb::VoidContractRequest) -> Result<Command, ApiError> {
    let ticket = if r.ticket_id.is_empty() && r.void_reason.is_empty() {
        None
    } else {
        Some(VoidTicket {
            ticket_id: field("ticket_id", &r.ticket_id)?,
            reason: r.void_reason,
        })
    };
    Ok(Command::VoidContract(VoidContract {
        contract_no: field("contract_no", &r.contract_no)?,
        ticket,
    }))
}

pub fn edit_contract_remarks(r: pb::EditContractRemarksRequest) -> Result<Command, ApiError> {
    Ok(Command::EditContractRemarks(EditContractRemarks {
        contract_no: field("contract_no", &r.contract_no)?,
        remarks: r.remarks,
    }))
}

pub fn register_customer(r: pb::RegisterCustomerRequest) -> Result<Command, ApiError> {
    Ok(Command::RegisterCustomer(RegisterCustomer {
        customer_id: field("customer_id", &r.customer_id)?,
        name: r.name,
    }))
}

pub fn certify_real_name(r: pb::CertifyRealNameRequest) -> Result<Command, ApiError> {
    Ok(Command::CertifyRealName(CertifyRealName {
        customer_id: field("customer_id", &r.customer_id)?,
        real_name: RealName {
            name: r.name,
            kind: certification_kind(r.kind)?,
        },
    }))
}

pub fn set_remittance_account(r: pb::SetRemittanceAccountRequest) -> Result<Command, ApiError> {
    Ok(Command::SetRemittanceAccount(SetRemittanceAccount {
        customer_id: field("customer_id", &r.customer_id)?,
        account: RemittanceAccount {
            bank_name: r.bank_name,
            account_name: r.account_name,
            account_number: r.account_number,
        },
    }))
}

fn voucher_kind(name: &str, code: u32) -> Result<VoucherKind, ApiError> {
    VoucherKind::from_huawei_code(small(name, code)?).map_err(ApiError::from)
}

fn currency(value: &str) -> Result<Currency, ApiError> {
    if value.is_empty() {
        return Err(ApiError::bad_parameter("currency is required"));
    }
    Currency::new(value).map_err(|e| ApiError::invalid_parameter(format!("currency: {e}")))
}

pub fn credit_account(r: pb::CreditAccountRequest) -> Result<Command, ApiError> {
    Ok(Command::CreditAccount(CreditAccount {
        top_up_id: field("top_up_id", &r.top_up_id)?,
        customer_id: field("customer_id", &r.customer_id)?,
        amount: money("amount", &r.amount)?,
        currency: currency(&r.currency)?,
    }))
}

pub fn issue_coupon(r: pb::IssueCouponRequest) -> Result<Command, ApiError> {
    Ok(Command::IssueCoupon(IssueCoupon {
        coupon_id: field("coupon_id", &r.coupon_id)?,
        customer_id: field("customer_id", &r.customer_id)?,
        kind: voucher_kind("kind", r.kind)?,
        face_value: money("face_value", &r.face_value)?,
        currency: currency(&r.currency)?,
        valid_from: time("valid_from", &r.valid_from)?,
        valid_until: time("valid_until", &r.valid_until)?,
        min_order_amount: optional("min_order_amount", &r.min_order_amount)?,
    }))
}

pub fn pay_order_from_balance(r: pb::PayOrderFromBalanceRequest) -> Result<Command, ApiError> {
    Ok(Command::PayOrderFromBalance(PayOrderFromBalance {
        order_id: field("order_id", &r.order_id)?,
        coupons: r
            .coupons
            .iter()
            .map(|c| {
                Ok(CouponUse {
                    kind: voucher_kind("coupon kind", c.kind)?,
                    coupon_id: field("coupon_id", &c.coupon_id)?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}
