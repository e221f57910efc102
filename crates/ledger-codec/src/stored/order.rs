//! The order aggregate's events as stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::catalog::DiscountType;
use ledger_domain::order as domain;

use super::catalog::{ChargeType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind};
use super::{currency, parse, parse_all, parse_opt, try_all};
use crate::CodecError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// The discount type code (200, 300, ...).
    pub discount_type: u16,
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub list_price: String,
    pub discounts: Vec<Discount>,
    pub coupon_amount: String,
    pub card_amount: String,
    pub cash_coupon_amount: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub period_type: PeriodType,
    pub number: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPrice {
    pub amount: String,
    pub per: PriceUnit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub id: String,
    pub service_type_code: String,
    pub product_id: String,
    pub spec: String,
    pub category_code: String,
    pub count: u32,
    pub period: Period,
    pub unit_price: UnitPrice,
    pub valid_from: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub pricing: Pricing,
}

/// `OrderSpec` since `OrderPlaced` v2 (v1 lacks the sales contract).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSpecV2 {
    pub order_id: String,
    pub customer_id: String,
    pub base_order_id: Option<String>,
    pub source_type: SourceType,
    pub product_name: String,
    pub service_type_code: String,
    pub order_type: OrderType,
    pub charge_type: ChargeType,
    pub currency: String,
    pub line_items: Vec<LineItem>,
    pub instance_ids: Vec<String>,
    pub amount_due: String,
    pub sales_contract_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherRedemption {
    pub kind: VoucherKind,
    pub voucher_id: String,
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_id: String,
    pub amount: String,
    pub vouchers: Vec<VoucherRedemption>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlacedV2 {
    pub spec: OrderSpecV2,
    pub placed_at: DateTime<Utc>,
    pub payment_deadline: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaidV1 {
    pub order_id: String,
    pub payment: Payment,
    pub paid_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelledV1 {
    pub order_id: String,
    pub cancelled_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExpiredV1 {
    pub order_id: String,
    pub expired_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderVoidedV1 {
    pub order_id: String,
    pub reason: String,
    pub voided_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAttachedToContractV1 {
    pub order_id: String,
    pub contract_no: String,
    pub attached_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReleasedFromContractV1 {
    pub order_id: String,
    pub contract_no: String,
    pub released_at: DateTime<Utc>,
}

// ---- Domain to stored -------------------------------------------------------

impl From<&domain::Discount> for Discount {
    fn from(d: &domain::Discount) -> Self {
        let domain::Discount {
            discount_type,
            amount,
        } = d;
        Discount {
            discount_type: discount_type.code(),
            amount: amount.to_string(),
        }
    }
}

impl From<&domain::Pricing> for Pricing {
    fn from(p: &domain::Pricing) -> Self {
        let domain::Pricing {
            list_price,
            discounts,
            coupon_amount,
            card_amount,
            cash_coupon_amount,
        } = p;
        Pricing {
            list_price: list_price.to_string(),
            discounts: discounts.iter().map(Discount::from).collect(),
            coupon_amount: coupon_amount.to_string(),
            card_amount: card_amount.to_string(),
            cash_coupon_amount: cash_coupon_amount.to_string(),
        }
    }
}

impl From<&domain::Period> for Period {
    fn from(p: &domain::Period) -> Self {
        let domain::Period {
            period_type,
            number,
        } = p;
        Period {
            period_type: period_type.into(),
            number: *number,
        }
    }
}

impl From<&domain::UnitPrice> for UnitPrice {
    fn from(p: &domain::UnitPrice) -> Self {
        let domain::UnitPrice { amount, per } = p;
        UnitPrice {
            amount: amount.to_string(),
            per: per.into(),
        }
    }
}

impl From<&domain::LineItem> for LineItem {
    fn from(l: &domain::LineItem) -> Self {
        let domain::LineItem {
            id,
            service_type_code,
            product_id,
            spec,
            category_code,
            count,
            period,
            unit_price,
            valid_from,
            expires_at,
            pricing,
        } = l;
        LineItem {
            id: id.to_string(),
            service_type_code: service_type_code.to_string(),
            product_id: product_id.to_string(),
            spec: spec.clone(),
            category_code: category_code.clone(),
            count: *count,
            period: period.into(),
            unit_price: unit_price.into(),
            valid_from: *valid_from,
            expires_at: *expires_at,
            pricing: pricing.into(),
        }
    }
}

impl From<&domain::OrderSpec> for OrderSpecV2 {
    fn from(s: &domain::OrderSpec) -> Self {
        let domain::OrderSpec {
            order_id,
            customer_id,
            base_order_id,
            source_type,
            product_name,
            service_type_code,
            order_type,
            charge_type,
            currency,
            line_items,
            instance_ids,
            amount_due,
            sales_contract_id,
        } = s;
        OrderSpecV2 {
            order_id: order_id.to_string(),
            customer_id: customer_id.to_string(),
            base_order_id: base_order_id.as_ref().map(ToString::to_string),
            source_type: source_type.into(),
            product_name: product_name.clone(),
            service_type_code: service_type_code.to_string(),
            order_type: order_type.into(),
            charge_type: charge_type.into(),
            currency: currency.to_string(),
            line_items: line_items.iter().map(LineItem::from).collect(),
            instance_ids: instance_ids.iter().map(ToString::to_string).collect(),
            amount_due: amount_due.to_string(),
            sales_contract_id: sales_contract_id.as_ref().map(ToString::to_string),
        }
    }
}

impl From<&domain::VoucherRedemption> for VoucherRedemption {
    fn from(v: &domain::VoucherRedemption) -> Self {
        let domain::VoucherRedemption {
            kind,
            voucher_id,
            amount,
        } = v;
        VoucherRedemption {
            kind: kind.into(),
            voucher_id: voucher_id.to_string(),
            amount: amount.to_string(),
        }
    }
}

impl From<&domain::Payment> for Payment {
    fn from(p: &domain::Payment) -> Self {
        let domain::Payment {
            payment_id,
            amount,
            vouchers,
        } = p;
        Payment {
            payment_id: payment_id.to_string(),
            amount: amount.to_string(),
            vouchers: vouchers.iter().map(VoucherRedemption::from).collect(),
        }
    }
}

impl From<&domain::OrderPlaced> for OrderPlacedV2 {
    fn from(e: &domain::OrderPlaced) -> Self {
        let domain::OrderPlaced {
            spec,
            placed_at,
            payment_deadline,
        } = e;
        OrderPlacedV2 {
            spec: spec.into(),
            placed_at: *placed_at,
            payment_deadline: *payment_deadline,
        }
    }
}

impl From<&domain::OrderPaid> for OrderPaidV1 {
    fn from(e: &domain::OrderPaid) -> Self {
        let domain::OrderPaid {
            order_id,
            payment,
            paid_at,
        } = e;
        OrderPaidV1 {
            order_id: order_id.to_string(),
            payment: payment.into(),
            paid_at: *paid_at,
        }
    }
}

impl From<&domain::OrderCancelled> for OrderCancelledV1 {
    fn from(e: &domain::OrderCancelled) -> Self {
        let domain::OrderCancelled {
            order_id,
            cancelled_at,
        } = e;
        OrderCancelledV1 {
            order_id: order_id.to_string(),
            cancelled_at: *cancelled_at,
        }
    }
}

impl From<&domain::OrderExpired> for OrderExpiredV1 {
    fn from(e: &domain::OrderExpired) -> Self {
        let domain::OrderExpired {
            order_id,
            expired_at,
        } = e;
        OrderExpiredV1 {
            order_id: order_id.to_string(),
            expired_at: *expired_at,
        }
    }
}

impl From<&domain::OrderVoided> for OrderVoidedV1 {
    fn from(e: &domain::OrderVoided) -> Self {
        let domain::OrderVoided {
            order_id,
            reason,
            voided_at,
        } = e;
        OrderVoidedV1 {
            order_id: order_id.to_string(),
            reason: reason.clone(),
            voided_at: *voided_at,
        }
    }
}

impl From<&domain::OrderAttachedToContract> for OrderAttachedToContractV1 {
    fn from(e: &domain::OrderAttachedToContract) -> Self {
        let domain::OrderAttachedToContract {
            order_id,
            contract_no,
            attached_at,
        } = e;
        OrderAttachedToContractV1 {
            order_id: order_id.to_string(),
            contract_no: contract_no.to_string(),
            attached_at: *attached_at,
        }
    }
}

impl From<&domain::OrderReleasedFromContract> for OrderReleasedFromContractV1 {
    fn from(e: &domain::OrderReleasedFromContract) -> Self {
        let domain::OrderReleasedFromContract {
            order_id,
            contract_no,
            released_at,
        } = e;
        OrderReleasedFromContractV1 {
            order_id: order_id.to_string(),
            contract_no: contract_no.to_string(),
            released_at: *released_at,
        }
    }
}

// ---- Stored to domain -------------------------------------------------------

impl TryFrom<Discount> for domain::Discount {
    type Error = CodecError;
    fn try_from(d: Discount) -> Result<Self, CodecError> {
        Ok(domain::Discount {
            discount_type: DiscountType::new(d.discount_type)
                .map_err(|e| CodecError::Decode(e.to_string()))?,
            amount: parse(&d.amount)?,
        })
    }
}

impl TryFrom<Pricing> for domain::Pricing {
    type Error = CodecError;
    fn try_from(p: Pricing) -> Result<Self, CodecError> {
        Ok(domain::Pricing {
            list_price: parse(&p.list_price)?,
            discounts: try_all(p.discounts)?,
            coupon_amount: parse(&p.coupon_amount)?,
            card_amount: parse(&p.card_amount)?,
            cash_coupon_amount: parse(&p.cash_coupon_amount)?,
        })
    }
}

impl TryFrom<LineItem> for domain::LineItem {
    type Error = CodecError;
    fn try_from(l: LineItem) -> Result<Self, CodecError> {
        Ok(domain::LineItem {
            id: parse(&l.id)?,
            service_type_code: parse(&l.service_type_code)?,
            product_id: parse(&l.product_id)?,
            spec: l.spec,
            category_code: l.category_code,
            count: l.count,
            period: domain::Period {
                period_type: l.period.period_type.into(),
                number: l.period.number,
            },
            unit_price: domain::UnitPrice {
                amount: parse(&l.unit_price.amount)?,
                per: l.unit_price.per.into(),
            },
            valid_from: l.valid_from,
            expires_at: l.expires_at,
            pricing: l.pricing.try_into()?,
        })
    }
}

impl TryFrom<OrderSpecV2> for domain::OrderSpec {
    type Error = CodecError;
    fn try_from(s: OrderSpecV2) -> Result<Self, CodecError> {
        Ok(domain::OrderSpec {
            order_id: parse(&s.order_id)?,
            customer_id: parse(&s.customer_id)?,
            base_order_id: parse_opt(&s.base_order_id)?,
            source_type: s.source_type.into(),
            product_name: s.product_name,
            service_type_code: parse(&s.service_type_code)?,
            order_type: s.order_type.into(),
            charge_type: s.charge_type.into(),
            currency: currency(&s.currency)?,
            line_items: try_all(s.line_items)?,
            instance_ids: parse_all(&s.instance_ids)?,
            amount_due: parse(&s.amount_due)?,
            sales_contract_id: parse_opt(&s.sales_contract_id)?,
        })
    }
}

impl TryFrom<VoucherRedemption> for domain::VoucherRedemption {
    type Error = CodecError;
    fn try_from(v: VoucherRedemption) -> Result<Self, CodecError> {
        Ok(domain::VoucherRedemption {
            kind: v.kind.into(),
            voucher_id: parse(&v.voucher_id)?,
            amount: parse(&v.amount)?,
        })
    }
}

impl TryFrom<Payment> for domain::Payment {
    type Error = CodecError;
    fn try_from(p: Payment) -> Result<Self, CodecError> {
        Ok(domain::Payment {
            payment_id: parse(&p.payment_id)?,
            amount: parse(&p.amount)?,
            vouchers: try_all(p.vouchers)?,
        })
    }
}

impl TryFrom<OrderPlacedV2> for domain::OrderPlaced {
    type Error = CodecError;
    fn try_from(e: OrderPlacedV2) -> Result<Self, CodecError> {
        Ok(domain::OrderPlaced {
            spec: e.spec.try_into()?,
            placed_at: e.placed_at,
            payment_deadline: e.payment_deadline,
        })
    }
}

impl TryFrom<OrderPaidV1> for domain::OrderPaid {
    type Error = CodecError;
    fn try_from(e: OrderPaidV1) -> Result<Self, CodecError> {
        Ok(domain::OrderPaid {
            order_id: parse(&e.order_id)?,
            payment: e.payment.try_into()?,
            paid_at: e.paid_at,
        })
    }
}

impl TryFrom<OrderCancelledV1> for domain::OrderCancelled {
    type Error = CodecError;
    fn try_from(e: OrderCancelledV1) -> Result<Self, CodecError> {
        Ok(domain::OrderCancelled {
            order_id: parse(&e.order_id)?,
            cancelled_at: e.cancelled_at,
        })
    }
}

impl TryFrom<OrderExpiredV1> for domain::OrderExpired {
    type Error = CodecError;
    fn try_from(e: OrderExpiredV1) -> Result<Self, CodecError> {
        Ok(domain::OrderExpired {
            order_id: parse(&e.order_id)?,
            expired_at: e.expired_at,
        })
    }
}

impl TryFrom<OrderVoidedV1> for domain::OrderVoided {
    type Error = CodecError;
    fn try_from(e: OrderVoidedV1) -> Result<Self, CodecError> {
        Ok(domain::OrderVoided {
            order_id: parse(&e.order_id)?,
            reason: e.reason,
            voided_at: e.voided_at,
        })
    }
}

impl TryFrom<OrderAttachedToContractV1> for domain::OrderAttachedToContract {
    type Error = CodecError;
    fn try_from(e: OrderAttachedToContractV1) -> Result<Self, CodecError> {
        Ok(domain::OrderAttachedToContract {
            order_id: parse(&e.order_id)?,
            contract_no: parse(&e.contract_no)?,
            attached_at: e.attached_at,
        })
    }
}

impl TryFrom<OrderReleasedFromContractV1> for domain::OrderReleasedFromContract {
    type Error = CodecError;
    fn try_from(e: OrderReleasedFromContractV1) -> Result<Self, CodecError> {
        Ok(domain::OrderReleasedFromContract {
            order_id: parse(&e.order_id)?,
            contract_no: parse(&e.contract_no)?,
            released_at: e.released_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{decode_event, encode_value};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn ids_and_amounts_are_validated_when_read_back() {
        let bad_id = encode_value(&OrderCancelledV1 {
            order_id: "a b".into(),
            cancelled_at: at("2024-11-22T08:05:00Z"),
        })
        .unwrap();
        assert!(matches!(
            decode_event("OrderCancelled", 1, &bad_id),
            Err(CodecError::Decode(m)) if m.contains("order id")
        ));
        let bad_amount = encode_value(&OrderPaidV1 {
            order_id: "CS1".into(),
            payment: Payment {
                payment_id: "PAY-1".into(),
                amount: "-1".into(),
                vouchers: vec![],
            },
            paid_at: at("2024-11-22T08:05:00Z"),
        })
        .unwrap();
        assert!(matches!(
            decode_event("OrderPaid", 1, &bad_amount),
            Err(CodecError::Decode(m)) if m.contains("amount")
        ));
    }
}
