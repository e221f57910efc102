//! The SDK's wire shapes (snake_case, `/v2` and `/v3`) built from the read
//! models. Field names and JSON types follow the SDK's models exactly:
//! integers are JSON numbers, amounts are exact JSON numbers written from
//! the decimal text (never through a float), times are
//! `yyyy-MM-ddTHH:mm:ssZ`.

use chrono::{DateTime, Utc};
use ledger_domain::money::Money;
use ledger_projections::orders::{AmountInfo, LineItemDetails, OrderDetails};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Huawei `measure_id`: 1 = the currency's main unit (yuan, dollar).
pub const MEASURE_ID_MAIN_UNIT: u8 = 1;

/// The time format of every Huawei time field and time parameter.
pub const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An amount, written as the exact JSON number of its decimal text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(pub Money);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A non-negative decimal's text (digits, at most one point) is a
        // valid JSON number; RawValue checks it all the same.
        let raw = RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A time in Huawei's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time(pub DateTime<Utc>);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format(TIME_FORMAT))
    }
}

pub fn time(t: Option<DateTime<Utc>>) -> Option<Time> {
    t.map(Time)
}

/// `DiscountItemV2`.
#[derive(Serialize)]
pub struct DiscountItemV2 {
    /// The type code as a string ("301"), as the SDK declares it.
    pub discount_type: String,
    pub discount_amount: Amount,
}

/// `AmountInfomationV2` (sic, the SDK's spelling of the model name).
#[derive(Serialize)]
pub struct AmountInfoV2 {
    pub discounts: Vec<DiscountItemV2>,
    pub flexipurchase_coupon_amount: Amount,
    pub coupon_amount: Amount,
    pub stored_card_amount: Amount,
    /// Only unsubscription orders have one; this ledger has none.
    pub commission_amount: Option<Amount>,
    pub consumed_amount: Option<Amount>,
}

impl AmountInfoV2 {
    pub fn of(a: &AmountInfo) -> AmountInfoV2 {
        AmountInfoV2 {
            discounts: a
                .discounts
                .iter()
                .map(|d| DiscountItemV2 {
                    discount_type: d.code.to_string(),
                    discount_amount: Amount(d.amount),
                })
                .collect(),
            flexipurchase_coupon_amount: Amount(a.cash_coupon_amount),
            coupon_amount: Amount(a.coupon_amount),
            stored_card_amount: Amount(a.card_amount),
            commission_amount: a.commission_amount.map(Amount),
            consumed_amount: a.consumed_amount.map(Amount),
        }
    }
}

/// The fields `CustomerOrderV2` (list) and `CustomerOrderV3` (details)
/// share.
#[derive(Serialize)]
pub struct CustomerOrderCommon {
    pub order_id: String,
    pub customer_id: String,
    pub service_type_code: String,
    /// The order's product name (the ledger keeps no service-type names).
    pub service_type_name: String,
    pub source_type: u8,
    pub status: u8,
    pub order_type: u8,
    /// List price less discounts (before coupons and cards).
    pub amount_after_discount: Amount,
    /// List price.
    pub official_amount: Amount,
    pub measure_id: u8,
    pub create_time: Time,
    pub payment_time: Option<Time>,
    pub currency: String,
    pub contract_id: Option<String>,
    pub amount_info: AmountInfoV2,
}

impl CustomerOrderCommon {
    pub fn of(d: &OrderDetails) -> CustomerOrderCommon {
        CustomerOrderCommon {
            order_id: d.order_id.to_string(),
            customer_id: d.customer_id.to_string(),
            service_type_code: d.service_type_code.to_string(),
            service_type_name: d.product_name.clone(),
            source_type: d.source_type_code,
            status: d.status_code,
            order_type: d.order_type_code,
            amount_after_discount: Amount(d.currency_after_discount),
            official_amount: Amount(d.currency_official),
            measure_id: MEASURE_ID_MAIN_UNIT,
            create_time: Time(d.placed_at),
            payment_time: time(d.payment_time),
            currency: d.currency.to_string(),
            contract_id: d.sales_contract_id.as_ref().map(ToString::to_string),
            amount_info: AmountInfoV2::of(&d.amount_info),
        }
    }
}

/// `CustomerOrderV2`: one row of ListCustomerOrders.
#[derive(Serialize)]
pub struct CustomerOrderV2 {
    #[serde(flatten)]
    pub common: CustomerOrderCommon,
    /// The ledger has no enterprise projects.
    pub enterprise_projects: Vec<()>,
    /// Only combined orders have sub-orders; this ledger has none.
    pub sub_order_infos: Vec<()>,
}

impl CustomerOrderV2 {
    pub fn of(d: &OrderDetails) -> CustomerOrderV2 {
        CustomerOrderV2 {
            common: CustomerOrderCommon::of(d),
            enterprise_projects: Vec::new(),
            sub_order_infos: Vec::new(),
        }
    }
}

/// `CustomerOrderV3`: ShowCustomerOrderDetails' `order_info`.
#[derive(Serialize)]
pub struct CustomerOrderV3 {
    #[serde(flatten)]
    pub common: CustomerOrderCommon,
    /// The ledger does not record who placed an order by name.
    pub user_name: Option<String>,
    /// The payment deadline, while the order is pending payment.
    pub pending_payment_end_time: Option<Time>,
    pub sub_order_infos: Vec<()>,
}

impl CustomerOrderV3 {
    pub fn of(d: &OrderDetails) -> CustomerOrderV3 {
        let pending = d.status_code == PENDING_PAYMENT;
        CustomerOrderV3 {
            common: CustomerOrderCommon::of(d),
            user_name: None,
            pending_payment_end_time: pending.then_some(Time(d.payment_deadline)),
            sub_order_infos: Vec::new(),
        }
    }
}

/// Huawei order status "pending payment".
pub const PENDING_PAYMENT: u8 = 6;

/// `OrderLineItemEntityV2`.
#[derive(Serialize)]
pub struct OrderLineItemV2 {
    pub order_line_item_id: String,
    pub service_type_code: String,
    pub service_type_name: String,
    pub product_id: String,
    pub product_spec_desc: String,
    pub period_type: u8,
    pub period_num: u32,
    pub effective_time: Option<Time>,
    pub expire_time: Option<Time>,
    pub subscription_num: u32,
    pub amount_after_discount: Amount,
    pub official_amount: Amount,
    pub amount_info: AmountInfoV2,
    pub currency: String,
    pub category_code: String,
    pub product_owner_service: String,
    /// The ledger does not know resource types.
    pub commercial_resource: Option<String>,
    pub base_product_info: Option<()>,
    pub order_id: String,
}

impl OrderLineItemV2 {
    pub fn of(d: &OrderDetails, l: &LineItemDetails) -> OrderLineItemV2 {
        OrderLineItemV2 {
            order_line_item_id: l.line_item_id.to_string(),
            service_type_code: l.service_type_code.to_string(),
            service_type_name: d.product_name.clone(),
            product_id: l.product_id.to_string(),
            product_spec_desc: l.configuration.clone(),
            period_type: l.period_type_code,
            period_num: l.duration.number,
            effective_time: time(l.valid_from),
            expire_time: time(l.expires_at),
            subscription_num: l.count,
            amount_after_discount: Amount(l.currency_after_discount),
            official_amount: Amount(l.currency_official),
            amount_info: AmountInfoV2::of(&l.amount_info),
            currency: d.currency.to_string(),
            category_code: l.category_code.clone(),
            product_owner_service: l.service_type_code.to_string(),
            commercial_resource: None,
            base_product_info: None,
            order_id: d.order_id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_json_numbers() {
        let a = |s: &str| serde_json::to_string(&Amount(s.parse().unwrap())).unwrap();
        assert_eq!(a("0.30000000"), "0.30000000");
        assert_eq!(a("0.00000001"), "0.00000001");
        assert_eq!(
            a("12345678901234567890.12345678"),
            "12345678901234567890.12345678"
        );
        assert_eq!(a("0"), "0");
    }

    #[test]
    fn times_are_in_huawei_format() {
        let t = DateTime::parse_from_rfc3339("2019-05-06T08:05:01.123Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            serde_json::to_string(&Time(t)).unwrap(),
            "\"2019-05-06T08:05:01Z\""
        );
    }
}
