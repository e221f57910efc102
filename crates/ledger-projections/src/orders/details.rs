//! Order details, deduction details and the orders eligible for a new
//! contract. All per customer; range queries read the customer's
//! order-time index over the range only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use ledger_domain::catalog::{
    BillType, ChargeType, DiscountType, OrderType, PriceUnit, SourceType,
};
use ledger_domain::contract::{ContractKind, MAX_CONTRACT_ORDERS};
use ledger_domain::ids::{
    ContractNo, CustomerId, InstanceId, LineItemId, OrderId, ProductId, SalesContractId,
    ServiceTypeCode,
};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{OrderStatus, Period, Pricing, VoucherRedemption};

use super::query::{query_limit, rows_in, to_minute, Operations, ProductNameFilter, TimeRange};
use super::{
    balance_paid, customer_time_prefix, load_row, payment_time_prefix, OrderRow, QueryError,
};
use crate::calendar::{current_month, DEFAULT_TIME_ZONE};
use chrono_tz::Tz;

/// Largest page of eligible orders: one contract takes at most this many.
pub const MAX_ELIGIBLE_PAGE_SIZE: u32 = MAX_CONTRACT_ORDERS as u32;

/// One discount of an amount info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountAmount {
    pub discount_type: DiscountType,
    /// Huawei `discountType` code.
    pub code: u16,
    pub description: &'static str,
    pub amount: Money,
}

/// Huawei `AmountInfo`: the deductions of an order or a line item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountInfo {
    /// `discounts`, by type code in code order.
    pub discounts: Vec<DiscountAmount>,
    pub coupon_amount: Money,
    pub card_amount: Money,
    pub cash_coupon_amount: Money,
    /// Only for unsubscription orders, which this ledger does not have.
    pub commission_amount: Option<Money>,
    /// Only for unsubscription orders, which this ledger does not have.
    pub consumed_amount: Option<Money>,
}

impl AmountInfo {
    fn of(p: &Pricing) -> AmountInfo {
        let mut discounts: Vec<DiscountAmount> = p
            .discounts
            .iter()
            .map(|d| DiscountAmount {
                discount_type: d.discount_type,
                code: d.discount_type.code(),
                description: d.discount_type.description(),
                amount: d.amount,
            })
            .collect();
        discounts.sort_by_key(|d| d.code);
        AmountInfo {
            discounts,
            coupon_amount: p.coupon_amount,
            card_amount: p.card_amount,
            cash_coupon_amount: p.cash_coupon_amount,
            commission_amount: None,
            consumed_amount: None,
        }
    }
}

/// Amounts of a pricing: (official, after discount, due).
fn amounts(p: &Pricing) -> Result<(Money, Money, Money), QueryError> {
    let corrupt = || crate::ProjectionError::Corrupt("deductions exceed list price".into());
    Ok((
        p.list_price,
        p.after_discount().ok_or_else(corrupt)?,
        p.amount_due().ok_or_else(corrupt)?,
    ))
}

/// One line of the order details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineItemDetails {
    pub line_item_id: LineItemId,
    pub service_type_code: ServiceTypeCode,
    pub product_id: ProductId,
    /// Baidu "Configuration" (Huawei `productSpecDesc`).
    pub configuration: String,
    pub category_code: String,
    /// Baidu "Count" (Huawei `subscriptionNum`).
    pub count: u32,
    /// Baidu "Duration": period type and number.
    pub duration: Period,
    /// Huawei `periodType` code.
    pub period_type_code: u8,
    pub unit_price: Money,
    pub unit_price_per: PriceUnit,
    pub charge_type: ChargeType,
    /// Baidu "Product amount": the list price (= Huawei `currencyOfficial`).
    pub product_amount: Money,
    pub currency_official: Money,
    pub currency_after_discount: Money,
    pub amount_due: Money,
    pub amount_info: AmountInfo,
    pub valid_from: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The order details page (Baidu) / CustomerOrderEntity (Huawei).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderDetails {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub base_order_id: Option<OrderId>,
    pub source_type: SourceType,
    pub source_type_code: u8,
    pub product_name: String,
    pub service_type_code: ServiceTypeCode,
    pub order_type: OrderType,
    /// Baidu's name of the order type.
    pub order_type_name: &'static str,
    /// Huawei `orderType` code.
    pub order_type_code: u8,
    pub charge_type: ChargeType,
    pub bill_type: BillType,
    pub currency: Currency,
    pub status: OrderStatus,
    /// Huawei `status` code.
    pub status_code: u8,
    pub placed_at: DateTime<Utc>,
    /// Order time to the minute.
    pub order_time: DateTime<Utc>,
    pub payment_deadline: DateTime<Utc>,
    pub payment_time: Option<DateTime<Utc>>,
    /// Huawei `lastUpdateTime`.
    pub updated_at: DateTime<Utc>,
    /// The live electronic contract holding the order (the /v1 views).
    pub contract_no: Option<ContractNo>,
    /// The sales contract the order was placed under (Huawei `contractId`).
    pub sales_contract_id: Option<SalesContractId>,
    pub instance_ids: Vec<InstanceId>,
    /// Baidu "Order amount" = product amount = list price.
    pub currency_official: Money,
    pub currency_after_discount: Money,
    pub amount_due: Money,
    pub amount_info: AmountInfo,
    pub line_items: Vec<LineItemDetails>,
    pub operations: Operations,
}

fn owned(row: Option<OrderRow>, customer: &CustomerId) -> Option<OrderRow> {
    row.filter(|r| r.spec().customer_id == *customer)
}

/// The customer's order with its line items; `None` if there is no such
/// order of this customer.
pub fn order_details(
    tree: &sled::Tree,
    customer: &CustomerId,
    order_id: &OrderId,
    now: DateTime<Utc>,
) -> Result<Option<OrderDetails>, QueryError> {
    let Some(row) = owned(load_row(tree, order_id)?, customer) else {
        return Ok(None);
    };
    let spec = &row.spec();
    let pricing = spec.pricing();
    let (currency_official, currency_after_discount, _) = amounts(&pricing)?;
    let mut line_items = Vec::with_capacity(spec.line_items.len());
    for l in &spec.line_items {
        let (official, after, due) = amounts(&l.pricing)?;
        line_items.push(LineItemDetails {
            line_item_id: l.id.clone(),
            service_type_code: l.service_type_code.clone(),
            product_id: l.product_id.clone(),
            configuration: l.spec.clone(),
            category_code: l.category_code.clone(),
            count: l.count,
            duration: l.period,
            period_type_code: l.period.period_type.huawei_code(),
            unit_price: l.unit_price.amount,
            unit_price_per: l.unit_price.per,
            charge_type: spec.charge_type,
            product_amount: official,
            currency_official: official,
            currency_after_discount: after,
            amount_due: due,
            amount_info: AmountInfo::of(&l.pricing),
            valid_from: l.valid_from,
            expires_at: l.expires_at,
        });
    }
    let status = row.status().clone();
    Ok(Some(OrderDetails {
        order_id: spec.order_id.clone(),
        customer_id: spec.customer_id.clone(),
        base_order_id: spec.base_order_id.clone(),
        source_type: spec.source_type,
        source_type_code: spec.source_type.huawei_code(),
        product_name: spec.product_name.clone(),
        service_type_code: spec.service_type_code.clone(),
        order_type: spec.order_type,
        order_type_name: spec.order_type.baidu_name(),
        order_type_code: spec.order_type.huawei_code(),
        charge_type: spec.charge_type,
        bill_type: spec.charge_type.bill_type(),
        currency: spec.currency,
        status_code: status.huawei_code(),
        status,
        placed_at: row.placed_at(),
        order_time: to_minute(row.placed_at()),
        payment_deadline: row.payment_deadline(),
        payment_time: row.status().paid_at(),
        updated_at: row.updated_at(),
        contract_no: row.contract().cloned(),
        sales_contract_id: spec.sales_contract_id.clone(),
        instance_ids: spec.instance_ids.clone(),
        currency_official,
        currency_after_discount,
        amount_due: spec.amount_due,
        amount_info: AmountInfo::of(&pricing),
        line_items,
        operations: Operations::of(&row, now),
    }))
}

/// One line item's deductions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineItemDeductions {
    pub line_item_id: LineItemId,
    pub currency_official: Money,
    pub currency_after_discount: Money,
    pub amount_due: Money,
    pub amount_info: AmountInfo,
}

/// An order's deduction details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderDeductions {
    pub order_id: OrderId,
    pub currency: Currency,
    pub currency_official: Money,
    pub currency_after_discount: Money,
    pub amount_due: Money,
    pub amount_info: AmountInfo,
    pub line_items: Vec<LineItemDeductions>,
    /// Vouchers redeemed at payment (also of a paid order since voided).
    pub vouchers: Vec<VoucherRedemption>,
    /// Cash paid (the amount less coupons); `None` until paid.
    pub cash_amount: Option<Money>,
    /// Of the cash, what the customer's balance paid; `None` until paid.
    pub balance_amount: Option<Money>,
    /// Of the cash, what the external payment channel paid; `None` until paid.
    pub channel_amount: Option<Money>,
    pub payment_time: Option<DateTime<Utc>>,
}

/// The deductions of the customer's order; `None` if not the customer's.
pub fn order_deductions(
    tree: &sled::Tree,
    customer: &CustomerId,
    order_id: &OrderId,
) -> Result<Option<OrderDeductions>, QueryError> {
    let Some(row) = owned(load_row(tree, order_id)?, customer) else {
        return Ok(None);
    };
    let pricing = row.spec().pricing();
    let (official, after, _) = amounts(&pricing)?;
    let line_items = row
        .spec()
        .line_items
        .iter()
        .map(|l| {
            let (o, a, d) = amounts(&l.pricing)?;
            Ok(LineItemDeductions {
                line_item_id: l.id.clone(),
                currency_official: o,
                currency_after_discount: a,
                amount_due: d,
                amount_info: AmountInfo::of(&l.pricing),
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let payment = row.status().payment();
    let cash = payment.and_then(|p| p.cash_amount());
    let balance = match payment {
        Some(_) => Some(balance_paid(tree, order_id)?),
        None => None,
    };
    let channel = match (cash, balance) {
        (Some(c), Some(b)) => Some(c.checked_sub(b).ok_or(QueryError::Overflow)?),
        _ => None,
    };
    Ok(Some(OrderDeductions {
        order_id: row.spec().order_id.clone(),
        currency: row.spec().currency,
        currency_official: official,
        currency_after_discount: after,
        amount_due: row.spec().amount_due,
        amount_info: AmountInfo::of(&pricing),
        line_items,
        vouchers: payment.map(|p| p.vouchers.clone()).unwrap_or_default(),
        cash_amount: cash,
        balance_amount: balance,
        channel_amount: channel,
        payment_time: row.status().paid_at(),
    }))
}

/// The total of one discount type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountTotal {
    pub discount_type: DiscountType,
    pub code: u16,
    pub description: &'static str,
    pub amount: Money,
    /// Orders with a discount of this type.
    pub order_count: u64,
}

/// Deduction totals in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeductionTotals {
    pub currency: Currency,
    pub order_count: u64,
    pub currency_official: Money,
    /// By discount type, in code order.
    pub discounts: Vec<DiscountTotal>,
    pub coupon_amount: Money,
    pub card_amount: Money,
    pub cash_coupon_amount: Money,
    /// Vouchers redeemed at payment.
    pub voucher_amount: Money,
    /// The amount less coupons: balance and channel together.
    pub cash_amount: Money,
    /// Of the cash, paid from the customer's balance.
    pub balance_amount: Money,
}

/// The customer's deductions by discount type over orders placed in a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeductionsByType {
    pub range: TimeRange,
    /// One entry per currency, in currency-code order.
    pub totals: Vec<DeductionTotals>,
}

fn add(a: &mut Money, b: Money) -> Result<(), QueryError> {
    *a = a.checked_add(b).ok_or(QueryError::Overflow)?;
    Ok(())
}

/// Totals per discount type code (and coupon, card, cash-coupon, voucher and
/// cash totals) of the customer's *paid* orders placed in `range` (unpaid,
/// cancelled and voided orders deducted nothing). Reads the customer's
/// order-time index over `range` only.
pub fn deductions_by_discount_type(
    tree: &sled::Tree,
    customer: &CustomerId,
    range: TimeRange,
) -> Result<DeductionsByType, QueryError> {
    range.check("order time")?;
    let mut by_currency: BTreeMap<
        Currency,
        (DeductionTotals, BTreeMap<DiscountType, DiscountTotal>),
    > = BTreeMap::new();
    for row in rows_in(tree, customer_time_prefix(customer), Some(range))? {
        let OrderStatus::Paid { payment, .. } = &row.status() else {
            continue;
        };
        let spec = &row.spec();
        let (t, discounts) = by_currency.entry(spec.currency).or_insert_with(|| {
            (
                DeductionTotals {
                    currency: spec.currency,
                    order_count: 0,
                    currency_official: Money::ZERO,
                    discounts: Vec::new(),
                    coupon_amount: Money::ZERO,
                    card_amount: Money::ZERO,
                    cash_coupon_amount: Money::ZERO,
                    voucher_amount: Money::ZERO,
                    cash_amount: Money::ZERO,
                    balance_amount: Money::ZERO,
                },
                BTreeMap::new(),
            )
        });
        let p = spec.pricing();
        t.order_count += 1;
        add(&mut t.currency_official, p.list_price)?;
        add(&mut t.coupon_amount, p.coupon_amount)?;
        add(&mut t.card_amount, p.card_amount)?;
        add(&mut t.cash_coupon_amount, p.cash_coupon_amount)?;
        let vouchers =
            Money::sum(payment.vouchers.iter().map(|v| &v.amount)).ok_or(QueryError::Overflow)?;
        add(&mut t.voucher_amount, vouchers)?;
        add(
            &mut t.cash_amount,
            payment.cash_amount().ok_or(QueryError::Overflow)?,
        )?;
        add(&mut t.balance_amount, balance_paid(tree, &spec.order_id)?)?;
        for d in &p.discounts {
            let total = discounts
                .entry(d.discount_type)
                .or_insert_with(|| DiscountTotal {
                    discount_type: d.discount_type,
                    code: d.discount_type.code(),
                    description: d.discount_type.description(),
                    amount: Money::ZERO,
                    order_count: 0,
                });
            add(&mut total.amount, d.amount)?;
            total.order_count += 1;
        }
    }
    Ok(DeductionsByType {
        range,
        totals: by_currency
            .into_values()
            .map(|(mut t, d)| {
                t.discounts = d.into_values().collect();
                t
            })
            .collect(),
    })
}

/// The order picker of a contract application.
#[derive(Clone, Debug)]
pub struct EligibleOrdersQuery {
    pub customer_id: CustomerId,
    pub kind: ContractKind,
    /// The caller's now: fixes the current month and the deadlines.
    pub now: DateTime<Utc>,
    pub product_name: Option<ProductNameFilter>,
    /// Order-time range. Neither range given: the current month of the
    /// customer's calendar, by payment time for an order contract ("orders
    /// Paid for in the Current Month") and by order time for a payment
    /// request ("Unpaid for in the Current Month": placed this month).
    pub order_time: Option<TimeRange>,
    /// Payment-time range (order contracts).
    pub payment_time: Option<TimeRange>,
    /// The customer's zone for the current month.
    pub time_zone: Tz,
    /// 1–[`MAX_ELIGIBLE_PAGE_SIZE`], default the maximum.
    pub limit: Option<u32>,
    pub offset: u64,
}

impl EligibleOrdersQuery {
    pub fn new(customer_id: CustomerId, kind: ContractKind, now: DateTime<Utc>) -> Self {
        EligibleOrdersQuery {
            customer_id,
            kind,
            now,
            product_name: None,
            order_time: None,
            payment_time: None,
            time_zone: DEFAULT_TIME_ZONE,
            limit: None,
            offset: 0,
        }
    }

    /// The (order time, payment time) ranges that apply: as given, or the
    /// current month of the customer's calendar (see `order_time`).
    pub fn effective_windows(&self) -> (Option<TimeRange>, Option<TimeRange>) {
        match (self.order_time, self.payment_time, self.kind) {
            (None, None, ContractKind::Order) => {
                (None, Some(current_month(self.now, self.time_zone)))
            }
            (None, None, ContractKind::PaymentRequest) => {
                (Some(current_month(self.now, self.time_zone)), None)
            }
            (o, p, _) => (o, p),
        }
    }
}

/// An order that may go into a new contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EligibleOrder {
    pub order_id: OrderId,
    pub product_name: String,
    pub order_type: OrderType,
    pub charge_type: ChargeType,
    pub order_time: DateTime<Utc>,
    /// List price.
    pub order_amount: Money,
    pub amount_due: Money,
    pub payment_time: Option<DateTime<Utc>>,
    /// Payment-request contracts: the latest payment deadline.
    pub payment_deadline: Option<DateTime<Utc>>,
    /// Payment-request contracts: the amount still to pay (= amount due).
    pub unpaid_amount: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EligiblePage {
    /// Newest first.
    pub rows: Vec<EligibleOrder>,
    pub total: u64,
}

/// Orders eligible for a new contract of `q.kind`: paid (order contract) or
/// unpaid before the deadline (payment request), in the windows of
/// [`EligibleOrdersQuery::effective_windows`], in no live contract. Reads
/// the customer's order-time index over the order-time window, else its
/// payment-time index over the payment-time window; newest first by that
/// time.
pub fn eligible_orders(
    tree: &sled::Tree,
    q: &EligibleOrdersQuery,
) -> Result<EligiblePage, QueryError> {
    let limit = query_limit(q.limit, MAX_ELIGIBLE_PAGE_SIZE, MAX_ELIGIBLE_PAGE_SIZE)? as usize;
    let (order_time, payment_time) = q.effective_windows();
    if let Some(r) = &order_time {
        r.check("order time")?;
    }
    if let Some(r) = &payment_time {
        r.check("payment time")?;
    }
    if let Some(p) = &q.product_name {
        p.check()?;
    }
    let scanned = match (order_time, payment_time) {
        (Some(o), _) => rows_in(tree, customer_time_prefix(&q.customer_id), Some(o))?,
        (None, p) => rows_in(tree, payment_time_prefix(&q.customer_id), p)?,
    };
    let mut rows: Vec<OrderRow> = scanned
        .into_iter()
        .filter(|r| {
            payment_time.is_none_or(|p| r.status().paid_at().is_some_and(|t| p.contains(t)))
        })
        .filter(|r| r.contract().is_none())
        .filter(|r| match q.kind {
            ContractKind::Order => matches!(r.status(), OrderStatus::Paid { .. }),
            ContractKind::PaymentRequest => r.payable_at(q.now),
        })
        .filter(|r| {
            q.product_name
                .as_ref()
                .is_none_or(|p| p.matches(&r.spec().product_name))
        })
        .collect();
    rows.reverse();
    let total = rows.len() as u64;
    let offset = usize::try_from(q.offset).unwrap_or(usize::MAX);
    let request = q.kind == ContractKind::PaymentRequest;
    Ok(EligiblePage {
        rows: rows
            .iter()
            .skip(offset)
            .take(limit)
            .map(|r| EligibleOrder {
                order_id: r.spec().order_id.clone(),
                product_name: r.spec().product_name.clone(),
                order_type: r.spec().order_type,
                charge_type: r.spec().charge_type,
                order_time: to_minute(r.placed_at()),
                order_amount: r.spec().pricing().list_price,
                amount_due: r.spec().amount_due,
                payment_time: r.status().paid_at(),
                payment_deadline: request.then_some(r.payment_deadline()),
                unpaid_amount: request.then_some(r.spec().amount_due),
            })
            .collect(),
        total,
    })
}
