//! Order values, commands, events and state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use crate::ids::{
    ContractNo, CustomerId, InstanceId, LineItemId, OrderId, PaymentId, ProductId, SalesContractId,
    ServiceTypeCode, VoucherId,
};
use crate::money::{Currency, Money};

/// One discount on a line item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    pub discount_type: DiscountType,
    pub amount: Money,
}

/// A line item's amounts: the list price less discounts (price-level), less
/// coupons, cards and cash coupons (vouchers applied when ordering), is the
/// amount due. See [`Pricing::amount_due`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// Huawei `currencyOfficial`, Baidu "Product amount".
    pub list_price: Money,
    pub discounts: Vec<Discount>,
    /// Huawei `couponAmount` (cash coupon).
    pub coupon_amount: Money,
    /// Huawei `cardAmount` (stored-value card).
    pub card_amount: Money,
    /// Huawei `cashcouponAmount` (flexi-purchase coupon).
    pub cash_coupon_amount: Money,
}

impl Pricing {
    pub fn discount_total(&self) -> Option<Money> {
        Money::sum(self.discounts.iter().map(|d| &d.amount))
    }

    /// List price less discounts (Huawei `currencyAfterDiscount`); `None` if
    /// the discounts exceed the list price.
    pub fn after_discount(&self) -> Option<Money> {
        self.list_price.checked_sub(self.discount_total()?)
    }

    /// What the customer owes for this line; `None` if deductions exceed the
    /// list price.
    pub fn amount_due(&self) -> Option<Money> {
        let vouchers = Money::sum([
            &self.coupon_amount,
            &self.card_amount,
            &self.cash_coupon_amount,
        ])?;
        self.after_discount()?.checked_sub(vouchers)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub period_type: PeriodType,
    pub number: u32,
}

/// A unit price and the time unit it is quoted per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPrice {
    pub amount: Money,
    pub per: PriceUnit,
}

/// One line of an order (Huawei OrderLineItemEntity; Baidu order details).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub id: LineItemId,
    /// Huawei `cloudServiceType`.
    pub service_type_code: ServiceTypeCode,
    pub product_id: ProductId,
    /// Specification / configuration text (Huawei `productSpecDesc`).
    pub spec: String,
    /// Product catalogue code (Huawei `categoryCode`).
    pub category_code: String,
    /// Number of instances (Huawei `subscriptionNum`, Baidu "Count").
    pub count: u32,
    pub period: Period,
    pub unit_price: UnitPrice,
    /// Service period start (Huawei `validTime`), once known.
    pub valid_from: Option<DateTime<Utc>>,
    /// Service period end (Huawei `expireTime`), once known.
    pub expires_at: Option<DateTime<Utc>>,
    pub pricing: Pricing,
}

/// Everything an order is when placed (what the seeds show of an order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSpec {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    /// The order a renewal renews (Huawei `baseOrderId`).
    pub base_order_id: Option<OrderId>,
    pub source_type: SourceType,
    pub product_name: String,
    pub service_type_code: ServiceTypeCode,
    pub order_type: OrderType,
    pub charge_type: ChargeType,
    pub currency: Currency,
    pub line_items: Vec<LineItem>,
    /// The resources the order concerns (Baidu precise search by instance id).
    pub instance_ids: Vec<InstanceId>,
    /// Sum of the line items' amounts due; checked when placed.
    pub amount_due: Money,
    /// The sales contract an account manager placed the order under
    /// (Huawei `contractId`); schema version 2 of `OrderPlaced`.
    pub sales_contract_id: Option<SalesContractId>,
}

impl OrderSpec {
    /// The order's amounts: the line items' pricing summed, discounts merged
    /// by type code (in code order).
    pub fn pricing(&self) -> Pricing {
        let mut discounts: Vec<Discount> = Vec::new();
        for d in self.line_items.iter().flat_map(|l| &l.pricing.discounts) {
            match discounts
                .iter_mut()
                .find(|x| x.discount_type == d.discount_type)
            {
                Some(x) => x.amount = x.amount.checked_add(d.amount).expect("checked when placed"),
                None => discounts.push(d.clone()),
            }
        }
        discounts.sort_by_key(|d| d.discount_type);
        let total = |f: fn(&Pricing) -> Money| self.line_items.iter().map(|l| f(&l.pricing)).sum();
        Pricing {
            list_price: total(|p| p.list_price),
            discounts,
            coupon_amount: total(|p| p.coupon_amount),
            card_amount: total(|p| p.card_amount),
            cash_coupon_amount: total(|p| p.cash_coupon_amount),
        }
    }

    /// The service period the order covers: earliest start to latest end of
    /// its line items, where known.
    pub fn service_period(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let start = self.line_items.iter().filter_map(|l| l.valid_from).min();
        let end = self.line_items.iter().filter_map(|l| l.expires_at).max();
        (start, end)
    }
}

/// A voucher (coupon, card, cash coupon) redeemed at payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherRedemption {
    pub kind: VoucherKind,
    pub voucher_id: VoucherId,
    pub amount: Money,
}

/// One payment of an order: the amount (which equals the amount due), of
/// which vouchers cover part and cash the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_id: PaymentId,
    pub amount: Money,
    pub vouchers: Vec<VoucherRedemption>,
}

impl Payment {
    /// Baidu "Cash payment": the amount less vouchers; `None` if vouchers
    /// exceed the amount.
    pub fn cash_amount(&self) -> Option<Money> {
        self.amount
            .checked_sub(Money::sum(self.vouchers.iter().map(|v| &v.amount))?)
    }
}

// ---- Commands ---------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrder {
    pub spec: OrderSpec,
    /// Defaults to the order time plus seven days.
    pub payment_deadline: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOrder {
    pub order_id: OrderId,
    pub payment: Payment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelOrder {
    pub order_id: OrderId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidOrder {
    pub order_id: OrderId,
    /// Why, e.g. "provisioning failed".
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireOrder {
    pub order_id: OrderId,
}

// ---- Events -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub spec: OrderSpec,
    pub placed_at: DateTime<Utc>,
    pub payment_deadline: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    pub order_id: OrderId,
    pub payment: Payment,
    pub paid_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub cancelled_at: DateTime<Utc>,
}

/// An unpaid order reached its payment deadline; it is now cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExpired {
    pub order_id: OrderId,
    /// The deadline itself (the timer's effective time).
    pub expired_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderVoided {
    pub order_id: OrderId,
    pub reason: String,
    pub voided_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAttachedToContract {
    pub order_id: OrderId,
    pub contract_no: ContractNo,
    pub attached_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReleasedFromContract {
    pub order_id: OrderId,
    pub contract_no: ContractNo,
    pub released_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CancelReason {
    /// Cancelled by the customer or a service while unpaid.
    Requested,
    /// Still unpaid at its payment deadline.
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Unpaid,
    Paid {
        payment: Payment,
        paid_at: DateTime<Utc>,
    },
    Cancelled {
        reason: CancelReason,
        cancelled_at: DateTime<Utc>,
    },
    Voided {
        reason: String,
        voided_at: DateTime<Utc>,
        /// The payment, when a paid order was voided.
        payment: Option<Payment>,
    },
}

impl OrderStatus {
    /// Baidu's status name, lowercase.
    pub fn name(&self) -> &'static str {
        match self {
            OrderStatus::Unpaid => "unpaid",
            OrderStatus::Paid { .. } => "paid",
            OrderStatus::Cancelled { .. } => "cancelled",
            OrderStatus::Voided { .. } => "voided",
        }
    }

    /// The payment time while the order is paid (not once voided).
    pub fn paid_at(&self) -> Option<DateTime<Utc>> {
        match self {
            OrderStatus::Paid { paid_at, .. } => Some(*paid_at),
            _ => None,
        }
    }

    /// The payment, also of a paid order that was voided.
    pub fn payment(&self) -> Option<&Payment> {
        match self {
            OrderStatus::Paid { payment, .. } => Some(payment),
            OrderStatus::Voided { payment, .. } => payment.as_ref(),
            _ => None,
        }
    }

    /// Huawei's order `status` code (see the module table).
    pub fn huawei_code(&self) -> u8 {
        match self {
            OrderStatus::Unpaid => 6,
            OrderStatus::Paid { .. } => 5,
            OrderStatus::Cancelled { .. } | OrderStatus::Voided { .. } => 4,
        }
    }
}

/// An order's state. `Absent` is the initial state.
// Absent is the transient initial state; boxing the common case buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Absent,
    Placed(PlacedOrder),
}

/// A placed order. Fields are private: only events change them. It is
/// serializable so read models can keep it as is and evolve it with the
/// same code the decider uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub(super) spec: OrderSpec,
    pub(super) placed_at: DateTime<Utc>,
    pub(super) payment_deadline: DateTime<Utc>,
    pub(super) status: OrderStatus,
    pub(super) contract: Option<ContractNo>,
    pub(super) updated_at: DateTime<Utc>,
}

impl PlacedOrder {
    pub fn spec(&self) -> &OrderSpec {
        &self.spec
    }
    pub fn placed_at(&self) -> DateTime<Utc> {
        self.placed_at
    }
    pub fn payment_deadline(&self) -> DateTime<Utc> {
        self.payment_deadline
    }
    pub fn status(&self) -> &OrderStatus {
        &self.status
    }
    /// The live contract the order is attached to, if any.
    pub fn contract(&self) -> Option<&ContractNo> {
        self.contract.as_ref()
    }
    /// Time of the latest status change (Huawei `lastUpdateTime`).
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn is_unpaid(&self) -> bool {
        matches!(self.status, OrderStatus::Unpaid)
    }
    pub fn is_paid(&self) -> bool {
        matches!(self.status, OrderStatus::Paid { .. })
    }
    /// Whether the order was ever paid (also when voided afterwards).
    pub fn was_paid(&self) -> bool {
        self.status.payment().is_some()
    }
    /// Pay and cancel are open only while unpaid and before the deadline.
    pub fn payable_at(&self, now: DateTime<Utc>) -> bool {
        self.is_unpaid() && now < self.payment_deadline
    }
}

impl Order {
    pub fn placed(&self) -> Option<&PlacedOrder> {
        match self {
            Order::Absent => None,
            Order::Placed(p) => Some(p),
        }
    }
}
