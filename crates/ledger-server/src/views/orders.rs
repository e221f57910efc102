//! Order views: the order list page, order details, deductions (per order
//! and by discount type) and the orders eligible for a new contract.

use chrono::{DateTime, Utc};
use ledger_domain::catalog::{ChargeType, OrderType};
use ledger_domain::ids::{CustomerId, OrderId};
use ledger_domain::order::{OrderStatus, Payment, VoucherRedemption};
use ledger_domain::DomainError;
use ledger_projections::orders::{
    AmountInfo, DeductionsByType, EligibleOrdersQuery, EligiblePage, OrderDeductions, OrderDetails,
    OrderListQuery, OrderListRow, OrderPage, OrderStatusKind, OrdersView, TimeRange,
    DEFAULT_PAGE_SIZE,
};
use ledger_projections::ORDERS;
use serde_json::{json, Map, Value};

use super::names::{self, name, names};
use super::{money, opt_money, opt_str, opt_time, time, Read, View};
use crate::errors::ApiError;
use crate::server::State;

fn insert_all(map: &mut Map<String, Value>, extra: Value) {
    if let Value::Object(extra) = extra {
        map.extend(extra);
    }
}

/// `order_type`, `order_type_name` (Baidu), `order_type_code` (Huawei).
fn order_type(t: OrderType) -> Value {
    json!({
        "order_type": name(&names::ORDER_TYPES, t),
        "order_type_name": t.baidu_name(),
        "order_type_code": t.huawei_code(),
    })
}

/// `charge_type`, `charge_type_name`, `bill_type`, `bill_type_name`.
fn charge_type(c: ChargeType) -> Value {
    let (charge, charge_name) = names(&names::CHARGE_TYPES, c);
    let (bill, bill_name) = names(&names::BILL_TYPES, c.bill_type());
    json!({
        "charge_type": charge,
        "charge_type_name": charge_name,
        "bill_type": bill,
        "bill_type_name": bill_name,
    })
}

/// `status`, `status_name` (Baidu), `status_code` (Huawei).
fn status(kind: OrderStatusKind, code: u8) -> Value {
    let (wire, display) = names(&names::ORDER_STATUSES, kind);
    json!({ "status": wire, "status_name": display, "status_code": code })
}

fn range(r: Option<TimeRange>) -> Value {
    r.map_or(
        Value::Null,
        |r| json!({ "begin": time(r.begin), "end": time(r.end) }),
    )
}

/// One row of the order list (Baidu's list columns and operations).
pub fn order_row(r: &OrderListRow) -> Value {
    let mut m = Map::new();
    m.insert("order_id".into(), json!(r.order_id));
    m.insert("product_name".into(), json!(r.product_name));
    insert_all(&mut m, status(r.status, r.status_code));
    m.insert("currency".into(), json!(r.currency.as_str()));
    m.insert("order_amount".into(), money(r.order_amount));
    m.insert("amount_due".into(), money(r.amount_due));
    m.insert("cash_payment".into(), money(r.cash_payment));
    insert_all(&mut m, order_type(r.order_type));
    insert_all(&mut m, charge_type(r.charge_type));
    m.insert("order_time".into(), time(r.order_time));
    m.insert("payment_time".into(), opt_time(r.payment_time));
    m.insert(
        "operations".into(),
        json!({
            "view": r.operations.view,
            "pay": r.operations.pay,
            "cancel": r.operations.cancel,
        }),
    );
    Value::Object(m)
}

/// A page of the order list: the rows, the total of every matching order,
/// the order-time range that applied (`null` for an all-time precise
/// search) and the cursor of the next page (`null` on the last).
pub fn order_page(q: &OrderListQuery, page: &OrderPage) -> Value {
    json!({
        "customer_id": q.customer_id,
        "order_time": range(q.effective_order_time()),
        "time_zone": q.time_zone.name(),
        "total": page.total,
        "limit": q.limit.unwrap_or(DEFAULT_PAGE_SIZE),
        "offset": q.offset,
        "next_cursor": opt_str(page.next_cursor.as_ref().map(|c| c.as_str())),
        "orders": page.rows.iter().map(order_row).collect::<Vec<_>>(),
    })
}

fn amount_info(a: &AmountInfo) -> Value {
    json!({
        "discounts": a.discounts.iter().map(|d| json!({
            "discount_type": d.code,
            "description": d.description,
            "amount": money(d.amount),
        })).collect::<Vec<_>>(),
        "coupon_amount": money(a.coupon_amount),
        "card_amount": money(a.card_amount),
        "cash_coupon_amount": money(a.cash_coupon_amount),
        "commission_amount": opt_money(a.commission_amount),
        "consumed_amount": opt_money(a.consumed_amount),
    })
}

fn voucher(v: &VoucherRedemption) -> Value {
    json!({
        "kind": name(&names::VOUCHER_KINDS, v.kind),
        "kind_code": v.kind.huawei_code(),
        "voucher_id": v.voucher_id,
        "amount": money(v.amount),
    })
}

fn payment(p: &Payment) -> Value {
    json!({
        "payment_id": p.payment_id,
        "amount": money(p.amount),
        "cash_amount": opt_money(p.cash_amount()),
        "vouchers": p.vouchers.iter().map(voucher).collect::<Vec<_>>(),
    })
}

/// What the status carries: payment, cancellation, voiding (`null` when
/// not applicable).
fn status_detail(s: &OrderStatus) -> Value {
    let (mut cancelled_at, mut cancel_reason, mut voided_at, mut void_reason) =
        (None, None, None, None);
    let mut paid = s.payment();
    match s {
        OrderStatus::Unpaid => paid = None,
        OrderStatus::Paid { .. } => {}
        OrderStatus::Cancelled {
            reason,
            cancelled_at: at,
        } => {
            cancelled_at = Some(*at);
            cancel_reason = Some(name(&names::CANCEL_REASONS, *reason));
        }
        OrderStatus::Voided {
            reason,
            voided_at: at,
            ..
        } => {
            voided_at = Some(*at);
            void_reason = Some(reason.clone());
        }
    }
    json!({
        "payment": paid.map_or(Value::Null, payment),
        "cancelled_at": opt_time(cancelled_at),
        "cancel_reason": cancel_reason,
        "voided_at": opt_time(voided_at),
        "void_reason": void_reason,
    })
}

/// The order details page: the order, its line items (Baidu's
/// configuration columns) and the allowed operations.
pub fn order_details(d: &OrderDetails) -> Value {
    let mut m = Map::new();
    m.insert("order_id".into(), json!(d.order_id));
    m.insert("customer_id".into(), json!(d.customer_id));
    m.insert("base_order_id".into(), opt_str(d.base_order_id.as_ref()));
    m.insert(
        "source_type".into(),
        json!(name(&names::SOURCE_TYPES, d.source_type)),
    );
    m.insert("source_type_code".into(), json!(d.source_type_code));
    m.insert("product_name".into(), json!(d.product_name));
    m.insert("service_type_code".into(), json!(d.service_type_code));
    insert_all(&mut m, order_type(d.order_type));
    insert_all(&mut m, charge_type(d.charge_type));
    m.insert("currency".into(), json!(d.currency.as_str()));
    insert_all(
        &mut m,
        status(OrderStatusKind::of(&d.status), d.status_code),
    );
    insert_all(&mut m, status_detail(&d.status));
    m.insert("placed_at".into(), time(d.placed_at));
    m.insert("order_time".into(), time(d.order_time));
    m.insert("payment_deadline".into(), time(d.payment_deadline));
    m.insert("payment_time".into(), opt_time(d.payment_time));
    m.insert("updated_at".into(), time(d.updated_at));
    m.insert("contract_no".into(), opt_str(d.contract_no.as_ref()));
    m.insert("instance_ids".into(), json!(d.instance_ids));
    m.insert("order_amount".into(), money(d.currency_official));
    m.insert("currency_official".into(), money(d.currency_official));
    m.insert(
        "currency_after_discount".into(),
        money(d.currency_after_discount),
    );
    m.insert("amount_due".into(), money(d.amount_due));
    m.insert("amount_info".into(), amount_info(&d.amount_info));
    let lines = d.line_items.iter().map(|l| {
        let mut line = json!({
            "line_item_id": l.line_item_id,
            "service_type_code": l.service_type_code,
            "product_id": l.product_id,
            "configuration": l.configuration,
            "category_code": l.category_code,
            "count": l.count,
            "duration": {
                "period_type": name(&names::PERIOD_TYPES, l.duration.period_type),
                "period_type_code": l.period_type_code,
                "number": l.duration.number,
            },
            "unit_price": money(l.unit_price),
            "unit_price_per": name(&names::PRICE_UNITS, l.unit_price_per),
            "product_amount": money(l.product_amount),
            "currency_official": money(l.currency_official),
            "currency_after_discount": money(l.currency_after_discount),
            "amount_due": money(l.amount_due),
            "amount_info": amount_info(&l.amount_info),
            "valid_from": opt_time(l.valid_from),
            "expires_at": opt_time(l.expires_at),
        });
        if let Value::Object(o) = &mut line {
            insert_all(o, charge_type(l.charge_type));
        }
        line
    });
    m.insert("line_items".into(), Value::Array(lines.collect()));
    m.insert(
        "operations".into(),
        json!({
            "view": d.operations.view,
            "pay": d.operations.pay,
            "cancel": d.operations.cancel,
        }),
    );
    Value::Object(m)
}

/// An order's deductions: order totals, per line, vouchers and cash.
pub fn order_deductions(d: &OrderDeductions) -> Value {
    json!({
        "order_id": d.order_id,
        "currency": d.currency.as_str(),
        "currency_official": money(d.currency_official),
        "currency_after_discount": money(d.currency_after_discount),
        "amount_due": money(d.amount_due),
        "amount_info": amount_info(&d.amount_info),
        "line_items": d.line_items.iter().map(|l| json!({
            "line_item_id": l.line_item_id,
            "currency_official": money(l.currency_official),
            "currency_after_discount": money(l.currency_after_discount),
            "amount_due": money(l.amount_due),
            "amount_info": amount_info(&l.amount_info),
        })).collect::<Vec<_>>(),
        "vouchers": d.vouchers.iter().map(voucher).collect::<Vec<_>>(),
        "cash_amount": opt_money(d.cash_amount),
        "balance_amount": opt_money(d.balance_amount),
        "channel_amount": opt_money(d.channel_amount),
        "payment_time": opt_time(d.payment_time),
    })
}

/// The customer's deductions by discount type, one entry per currency.
pub fn deductions_by_type(customer: &CustomerId, d: &DeductionsByType) -> Value {
    json!({
        "customer_id": customer,
        "order_time": range(Some(d.range)),
        "totals": d.totals.iter().map(|t| json!({
            "currency": t.currency.as_str(),
            "order_count": t.order_count,
            "currency_official": money(t.currency_official),
            "discounts": t.discounts.iter().map(|x| json!({
                "discount_type": x.code,
                "description": x.description,
                "amount": money(x.amount),
                "order_count": x.order_count,
            })).collect::<Vec<_>>(),
            "coupon_amount": money(t.coupon_amount),
            "card_amount": money(t.card_amount),
            "cash_coupon_amount": money(t.cash_coupon_amount),
            "voucher_amount": money(t.voucher_amount),
            "cash_amount": money(t.cash_amount),
            "balance_amount": money(t.balance_amount),
        })).collect::<Vec<_>>(),
    })
}

/// The order picker of a contract application.
pub fn eligible_page(q: &EligibleOrdersQuery, page: &EligiblePage) -> Value {
    let (kind, kind_name) = names(&names::CONTRACT_KINDS, q.kind);
    let (order_time, payment_time) = q.effective_windows();
    let rows = page.rows.iter().map(|r| {
        let mut m = Map::new();
        m.insert("order_id".into(), json!(r.order_id));
        m.insert("product_name".into(), json!(r.product_name));
        insert_all(&mut m, order_type(r.order_type));
        insert_all(&mut m, charge_type(r.charge_type));
        m.insert("order_time".into(), time(r.order_time));
        m.insert("order_amount".into(), money(r.order_amount));
        m.insert("amount_due".into(), money(r.amount_due));
        m.insert("payment_time".into(), opt_time(r.payment_time));
        m.insert("payment_deadline".into(), opt_time(r.payment_deadline));
        m.insert("unpaid_amount".into(), opt_money(r.unpaid_amount));
        Value::Object(m)
    });
    json!({
        "customer_id": q.customer_id,
        "kind": kind,
        "kind_name": kind_name,
        "order_time": range(order_time),
        "payment_time": range(payment_time),
        "time_zone": q.time_zone.name(),
        "total": page.total,
        "offset": q.offset,
        "orders": rows.collect::<Vec<_>>(),
    })
}

// ---- Reads (shared by REST and gRPC) ----------------------------------------

/// Waits until the `orders` projection has applied `min_position` (see
/// [`super::wait`]), then renders a view of it.
async fn read_orders<T>(
    state: &State,
    min_position: u64,
    render: impl FnOnce(&OrdersView) -> Result<T, ApiError>,
) -> Result<Read<T>, ApiError> {
    super::read_with(
        state,
        ORDERS,
        min_position,
        |s| Ok(OrdersView::open(&s.projector)?),
        render,
    )
    .await
}

/// A page of the order list, rendered by `render` (the REST document, or
/// a typed gRPC reply).
pub async fn list_as<T>(
    state: &State,
    q: &OrderListQuery,
    min_position: u64,
    render: impl FnOnce(&OrderPage) -> T,
) -> Result<Read<T>, ApiError> {
    read_orders(state, min_position, |v| Ok(render(&v.list(q)?))).await
}

pub async fn list(state: &State, q: &OrderListQuery, min_position: u64) -> Result<View, ApiError> {
    list_as(state, q, min_position, |p| order_page(q, p))
        .await
        .map(View::from)
}

/// The customer's order in full, rendered by `render`; `order_not_found`
/// if it is not the customer's.
pub async fn details_as<T>(
    state: &State,
    customer: &CustomerId,
    id: &OrderId,
    now: DateTime<Utc>,
    min_position: u64,
    render: impl FnOnce(&OrderDetails) -> T,
) -> Result<Read<T>, ApiError> {
    read_orders(state, min_position, |v| {
        v.details(customer, id, now)?
            .map(|d| render(&d))
            .ok_or_else(|| DomainError::OrderNotFound(id.clone()).into())
    })
    .await
}

pub async fn details(
    state: &State,
    customer: &CustomerId,
    id: &OrderId,
    now: DateTime<Utc>,
    min_position: u64,
) -> Result<View, ApiError> {
    details_as(state, customer, id, now, min_position, order_details)
        .await
        .map(View::from)
}

/// The customer's order's deductions, rendered by `render`.
pub async fn deductions_as<T>(
    state: &State,
    customer: &CustomerId,
    id: &OrderId,
    min_position: u64,
    render: impl FnOnce(&OrderDeductions) -> T,
) -> Result<Read<T>, ApiError> {
    read_orders(state, min_position, |v| {
        v.deductions(customer, id)?
            .map(|d| render(&d))
            .ok_or_else(|| DomainError::OrderNotFound(id.clone()).into())
    })
    .await
}

pub async fn deductions(
    state: &State,
    customer: &CustomerId,
    id: &OrderId,
    min_position: u64,
) -> Result<View, ApiError> {
    deductions_as(state, customer, id, min_position, order_deductions)
        .await
        .map(View::from)
}

pub async fn by_discount_type(
    state: &State,
    customer: &CustomerId,
    range: TimeRange,
    min_position: u64,
) -> Result<View, ApiError> {
    read_orders(state, min_position, |v| {
        Ok(deductions_by_type(
            customer,
            &v.by_discount_type(customer, range)?,
        ))
    })
    .await
    .map(View::from)
}

pub async fn eligible(
    state: &State,
    q: &EligibleOrdersQuery,
    min_position: u64,
) -> Result<View, ApiError> {
    read_orders(state, min_position, |v| {
        Ok(eligible_page(q, &v.eligible(q)?))
    })
    .await
    .map(View::from)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use ledger_projections::orders::Operations;

    use super::*;

    pub(crate) fn row() -> OrderListRow {
        OrderListRow {
            order_id: "CS2411220001".parse().unwrap(),
            product_name: "Elastic Cloud Server".into(),
            status: OrderStatusKind::Paid,
            status_code: 5,
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
            order_amount: "100.00".parse().unwrap(),
            amount_due: "85.00".parse().unwrap(),
            cash_payment: "80.5".parse().unwrap(),
            order_type: OrderType::ConfigurationChange,
            charge_type: ChargeType::PayAsYouGo,
            order_time: Utc.with_ymd_and_hms(2024, 11, 22, 8, 5, 0).unwrap(),
            payment_time: None,
            operations: Operations {
                view: true,
                pay: false,
                cancel: false,
            },
        }
    }

    #[test]
    fn a_list_row_carries_wire_names_baidu_names_huawei_codes_and_exact_amounts() {
        assert_eq!(
            order_row(&row()),
            json!({
                "order_id": "CS2411220001",
                "product_name": "Elastic Cloud Server",
                "status": "paid",
                "status_name": "Paid",
                "status_code": 5,
                "currency": "USD",
                "order_amount": "100.00",
                "amount_due": "85.00",
                "cash_payment": "80.5",
                "order_type": "configuration_change",
                "order_type_name": "Configuration change",
                "order_type_code": 3,
                "charge_type": "pay_as_you_go",
                "charge_type_name": "Pay-as-you-go",
                "bill_type": "postpay",
                "bill_type_name": "Postpay",
                "order_time": "2024-11-22T08:05:00Z",
                "payment_time": null,
                "operations": {"view": true, "pay": false, "cancel": false},
            })
        );
    }

    #[test]
    fn a_page_names_its_window_paging_and_cursor() {
        let now = Utc.with_ymd_and_hms(2024, 11, 22, 8, 0, 0).unwrap();
        let q = OrderListQuery::new("d1".parse().unwrap(), now);
        let page = OrderPage {
            rows: vec![row()],
            total: 7,
            next_cursor: None,
        };
        let v = order_page(&q, &page);
        assert_eq!(v["customer_id"], "d1");
        assert_eq!(v["total"], 7);
        assert_eq!(v["limit"], DEFAULT_PAGE_SIZE);
        assert_eq!(v["next_cursor"], Value::Null);
        // The last 7 days of the Shanghai calendar: from 15 Nov 00:00 +08.
        assert_eq!(v["order_time"]["begin"], "2024-11-14T16:00:00Z");
        assert_eq!(v["time_zone"], "Asia/Shanghai");
        assert_eq!(v["orders"].as_array().unwrap().len(), 1);
    }
}
