//! Order views → ListOrdersReply, GetOrderReply, GetOrderDeductionsReply:
//! the same values as `crate::views::orders`' REST documents.

use ledger_domain::catalog::{ChargeType, OrderType};
use ledger_domain::order::{OrderStatus, Payment, VoucherRedemption};
use ledger_projections::orders::{
    AmountInfo, LineItemDetails, Operations, OrderDeductions, OrderDetails, OrderListQuery,
    OrderListRow, OrderPage, OrderStatusKind, TimeRange, DEFAULT_PAGE_SIZE,
};

use super::{enums, money, opt_money, opt_str, opt_time, time};
use crate::pb;
use crate::views::names::{self, names};
use crate::views::orders as rest;

/// The order type's enum, Baidu name and Huawei code.
struct TypeFields {
    order_type: i32,
    order_type_name: String,
    order_type_code: u32,
}

fn type_fields(t: OrderType) -> TypeFields {
    TypeFields {
        order_type: enums::order_type(t) as i32,
        order_type_name: t.baidu_name().to_owned(),
        order_type_code: u32::from(t.huawei_code()),
    }
}

/// The charge type's and the bill type's enums and Baidu names.
struct ChargeFields {
    charge_type: i32,
    charge_type_name: String,
    bill_type: i32,
    bill_type_name: String,
}

fn charge_fields(c: ChargeType) -> ChargeFields {
    let (_, charge_name) = names(&names::CHARGE_TYPES, c);
    let (_, bill_name) = names(&names::BILL_TYPES, c.bill_type());
    ChargeFields {
        charge_type: enums::charge_type(c) as i32,
        charge_type_name: charge_name.to_owned(),
        bill_type: enums::bill_type(c.bill_type()) as i32,
        bill_type_name: bill_name.to_owned(),
    }
}

fn status_name(kind: OrderStatusKind) -> String {
    names(&names::ORDER_STATUSES, kind).1.to_owned()
}

fn operations(o: &Operations) -> pb::OrderOperations {
    pb::OrderOperations {
        view: o.view,
        pay: o.pay,
        cancel: o.cancel,
    }
}

fn window(r: TimeRange) -> pb::TimeWindow {
    pb::TimeWindow {
        begin: time(r.begin),
        end: time(r.end),
    }
}

/// One row of the order list.
pub fn order_row(r: &OrderListRow) -> pb::OrderRow {
    let t = type_fields(r.order_type);
    let c = charge_fields(r.charge_type);
    pb::OrderRow {
        order_id: r.order_id.to_string(),
        product_name: r.product_name.clone(),
        status: enums::order_status(r.status) as i32,
        status_name: status_name(r.status),
        status_code: u32::from(r.status_code),
        currency: r.currency.as_str().to_owned(),
        order_amount: money(r.order_amount),
        amount_due: money(r.amount_due),
        cash_payment: money(r.cash_payment),
        order_type: t.order_type,
        order_type_name: t.order_type_name,
        order_type_code: t.order_type_code,
        charge_type: c.charge_type,
        charge_type_name: c.charge_type_name,
        bill_type: c.bill_type,
        bill_type_name: c.bill_type_name,
        order_time: time(r.order_time),
        payment_time: opt_time(r.payment_time),
        operations: Some(operations(&r.operations)),
    }
}

/// A page of the order list (position 0: the caller sets the read's).
#[allow(deprecated)] // `json`: the compatibility path, filled in 0.1.x.
pub fn list_orders_reply(q: &OrderListQuery, page: &OrderPage) -> pb::ListOrdersReply {
    pb::ListOrdersReply {
        json: rest::order_page(q, page).to_string(),
        position: 0,
        customer_id: q.customer_id.to_string(),
        order_time: q.effective_order_time().map(window),
        time_zone: q.time_zone.name().to_owned(),
        total_count: page.total,
        limit: q.limit.unwrap_or(DEFAULT_PAGE_SIZE),
        offset: q.offset,
        next_cursor: opt_str(page.next_cursor.as_ref().map(|c| c.as_str())),
        orders: page.rows.iter().map(order_row).collect(),
    }
}

fn amount_info(a: &AmountInfo) -> pb::AmountInfo {
    pb::AmountInfo {
        discounts: a
            .discounts
            .iter()
            .map(|d| pb::DiscountAmount {
                discount_type: u32::from(d.code),
                description: d.description.to_owned(),
                amount: money(d.amount),
            })
            .collect(),
        coupon_amount: money(a.coupon_amount),
        card_amount: money(a.card_amount),
        cash_coupon_amount: money(a.cash_coupon_amount),
        commission_amount: opt_money(a.commission_amount),
        consumed_amount: opt_money(a.consumed_amount),
    }
}

fn voucher(v: &VoucherRedemption) -> pb::VoucherRedemption {
    pb::VoucherRedemption {
        kind: enums::voucher_kind(v.kind) as i32,
        kind_code: u32::from(v.kind.huawei_code()),
        voucher_id: v.voucher_id.to_string(),
        amount: money(v.amount),
    }
}

fn payment(p: &Payment) -> pb::OrderPayment {
    pb::OrderPayment {
        payment_id: p.payment_id.to_string(),
        amount: money(p.amount),
        cash_amount: opt_money(p.cash_amount()),
        vouchers: p.vouchers.iter().map(voucher).collect(),
    }
}

fn line_item(l: &LineItemDetails) -> pb::OrderLineItem {
    let c = charge_fields(l.charge_type);
    pb::OrderLineItem {
        line_item_id: l.line_item_id.to_string(),
        service_type_code: l.service_type_code.to_string(),
        product_id: l.product_id.to_string(),
        configuration: l.configuration.clone(),
        category_code: l.category_code.clone(),
        count: l.count,
        duration: Some(pb::OrderDuration {
            period_type: enums::period_type(l.duration.period_type) as i32,
            period_type_code: u32::from(l.period_type_code),
            number: l.duration.number,
        }),
        unit_price: money(l.unit_price),
        unit_price_per: enums::price_unit(l.unit_price_per) as i32,
        charge_type: c.charge_type,
        charge_type_name: c.charge_type_name,
        bill_type: c.bill_type,
        bill_type_name: c.bill_type_name,
        product_amount: money(l.product_amount),
        currency_official: money(l.currency_official),
        currency_after_discount: money(l.currency_after_discount),
        amount_due: money(l.amount_due),
        amount_info: Some(amount_info(&l.amount_info)),
        valid_from: opt_time(l.valid_from),
        expires_at: opt_time(l.expires_at),
    }
}

/// The order in full.
pub fn order_detail(d: &OrderDetails) -> pb::OrderDetail {
    let t = type_fields(d.order_type);
    let c = charge_fields(d.charge_type);
    let kind = OrderStatusKind::of(&d.status);
    let mut o = pb::OrderDetail {
        order_id: d.order_id.to_string(),
        customer_id: d.customer_id.to_string(),
        base_order_id: opt_str(d.base_order_id.as_ref()),
        source_type: enums::source_type(d.source_type) as i32,
        source_type_code: u32::from(d.source_type_code),
        product_name: d.product_name.clone(),
        service_type_code: d.service_type_code.to_string(),
        order_type: t.order_type,
        order_type_name: t.order_type_name,
        order_type_code: t.order_type_code,
        charge_type: c.charge_type,
        charge_type_name: c.charge_type_name,
        bill_type: c.bill_type,
        bill_type_name: c.bill_type_name,
        currency: d.currency.as_str().to_owned(),
        status: enums::order_status(kind) as i32,
        status_name: status_name(kind),
        status_code: u32::from(d.status_code),
        payment: None,
        cancelled_at: String::new(),
        cancel_reason: pb::CancelReason::Unspecified as i32,
        voided_at: String::new(),
        void_reason: String::new(),
        placed_at: time(d.placed_at),
        order_time: time(d.order_time),
        payment_deadline: time(d.payment_deadline),
        payment_time: opt_time(d.payment_time),
        updated_at: time(d.updated_at),
        contract_no: opt_str(d.contract_no.as_ref()),
        instance_ids: d.instance_ids.iter().map(|i| i.to_string()).collect(),
        order_amount: money(d.currency_official),
        currency_official: money(d.currency_official),
        currency_after_discount: money(d.currency_after_discount),
        amount_due: money(d.amount_due),
        amount_info: Some(amount_info(&d.amount_info)),
        line_items: d.line_items.iter().map(line_item).collect(),
        operations: Some(operations(&d.operations)),
    };
    // What the status carries, as the REST document's status fields.
    match &d.status {
        OrderStatus::Unpaid => {}
        OrderStatus::Paid { payment: p, .. } => o.payment = Some(payment(p)),
        OrderStatus::Cancelled {
            reason,
            cancelled_at,
        } => {
            o.cancelled_at = time(*cancelled_at);
            o.cancel_reason = enums::cancel_reason(*reason) as i32;
        }
        OrderStatus::Voided {
            reason,
            voided_at,
            payment: p,
        } => {
            o.voided_at = time(*voided_at);
            o.void_reason = reason.clone();
            o.payment = p.as_ref().map(payment);
        }
    }
    o
}

#[allow(deprecated)] // `json`: the compatibility path, filled in 0.1.x.
pub fn get_order_reply(d: &OrderDetails) -> pb::GetOrderReply {
    pb::GetOrderReply {
        json: rest::order_details(d).to_string(),
        position: 0,
        order: Some(order_detail(d)),
    }
}

/// An order's deductions.
pub fn order_deductions(d: &OrderDeductions) -> pb::OrderDeductions {
    pb::OrderDeductions {
        order_id: d.order_id.to_string(),
        currency: d.currency.as_str().to_owned(),
        currency_official: money(d.currency_official),
        currency_after_discount: money(d.currency_after_discount),
        amount_due: money(d.amount_due),
        amount_info: Some(amount_info(&d.amount_info)),
        line_items: d
            .line_items
            .iter()
            .map(|l| pb::LineItemDeductions {
                line_item_id: l.line_item_id.to_string(),
                currency_official: money(l.currency_official),
                currency_after_discount: money(l.currency_after_discount),
                amount_due: money(l.amount_due),
                amount_info: Some(amount_info(&l.amount_info)),
            })
            .collect(),
        vouchers: d.vouchers.iter().map(voucher).collect(),
        cash_amount: opt_money(d.cash_amount),
        balance_amount: opt_money(d.balance_amount),
        channel_amount: opt_money(d.channel_amount),
        payment_time: opt_time(d.payment_time),
    }
}

#[allow(deprecated)] // `json`: the compatibility path, filled in 0.1.x.
pub fn get_order_deductions_reply(d: &OrderDeductions) -> pb::GetOrderDeductionsReply {
    pb::GetOrderDeductionsReply {
        json: rest::order_deductions(d).to_string(),
        position: 0,
        deductions: Some(order_deductions(d)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use ledger_domain::money::Currency;

    use super::*;

    #[test]
    fn a_row_carries_the_rest_rows_values_typed() {
        let r = OrderListRow {
            order_id: "CS2411220001".parse().unwrap(),
            product_name: "Elastic Cloud Server".into(),
            status: OrderStatusKind::Paid,
            status_code: 5,
            currency: Currency::new("USD").unwrap(),
            order_amount: "100.00".parse().unwrap(),
            amount_due: "85.00".parse().unwrap(),
            cash_payment: "0.00000001".parse().unwrap(),
            order_type: OrderType::ConfigurationChange,
            charge_type: ChargeType::PayAsYouGo,
            order_time: Utc.with_ymd_and_hms(2024, 11, 22, 8, 5, 0).unwrap(),
            payment_time: None,
            operations: Operations {
                view: true,
                pay: false,
                cancel: false,
            },
        };
        let row = order_row(&r);
        assert_eq!(row.status(), pb::OrderStatus::Paid);
        assert_eq!(row.status_name, "Paid");
        assert_eq!(row.currency, "USD");
        assert_eq!(row.order_amount, "100.00");
        assert_eq!(row.cash_payment, "0.00000001");
        assert_eq!(row.order_type(), pb::OrderType::ConfigurationChange);
        assert_eq!(row.order_type_code, 3);
        assert_eq!(row.bill_type(), pb::BillType::Postpay);
        assert_eq!(row.order_time, "2024-11-22T08:05:00Z");
        assert_eq!(row.payment_time, "");
        let rest = rest::order_row(&r);
        for (key, typed) in [
            ("order_id", &row.order_id),
            ("status_name", &row.status_name),
            ("order_amount", &row.order_amount),
            ("amount_due", &row.amount_due),
            ("cash_payment", &row.cash_payment),
            ("order_type_name", &row.order_type_name),
            ("charge_type_name", &row.charge_type_name),
            ("bill_type_name", &row.bill_type_name),
            ("order_time", &row.order_time),
        ] {
            assert_eq!(rest[key], typed.as_str(), "{key}");
        }
    }
}
