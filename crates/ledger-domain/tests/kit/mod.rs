//! Shared test kit: realistic valid commands, a manual clock and a
//! given/when/then harness over `decide` + `evolve`.
//!
//! Each test file pulls it in with `mod kit;`; not every file uses every
//! helper.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};

use ledger_domain::account::{AccountCredited, AccountDebited, CreditAccount, TopUpReceived};
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::{
    ApplyContract, ContractApplied, ContractConverted, ContractDocumentSealed, ContractInvalidated,
    ContractKind, ContractOrder, ContractRemarksEdited, ContractTerms, ContractVoided,
    ConvertContract, DocumentSeal, EditContractRemarks, InvalidateContract, PartyADetails,
    SubjectInfo, VoidContract, VoidTicket,
};
use ledger_domain::coupon::{CouponIssued, CouponRedeemed, IssueCoupon};
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, CustomerRegistered, RealName, RealNameCertified,
    RegisterCustomer, RemittanceAccount, RemittanceAccountSet, SetRemittanceAccount,
};
use ledger_domain::ids::{
    ContractNo, CustomerId, LineItemId, OperatorId, OrderId, PaymentId, ProductId, ServiceName,
    ServiceTypeCode, VoucherId,
};
use ledger_domain::money::{Currency, Money};
use ledger_domain::operations::{AcceptLoss, LossAccepted};
use ledger_domain::order::{
    CancelOrder, Discount, ExpireOrder, LineItem, OrderAttachedToContract, OrderCancelled,
    OrderExpired, OrderPaid, OrderPlaced, OrderReleasedFromContract, OrderSpec, OrderVoided,
    PayOrder, Payment, Period, PlaceOrder, Pricing, UnitPrice, VoidOrder, VoucherRedemption,
};
use ledger_domain::payment::{CouponUse, PayOrderFromBalance};
use ledger_domain::{decide, evolve, Actor, Command, Context, DomainError, Event, State};

// ---- Time -------------------------------------------------------------------

/// The fixed base time of every test: 2024-06-03 09:30:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0).unwrap()
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// A manual clock: starts at [`t0`] and only moves when told to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManualClock {
    now: DateTime<Utc>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl ManualClock {
    pub fn new() -> ManualClock {
        ManualClock { now: t0() }
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
    /// Moves the clock forward and returns the new time.
    pub fn advance(&mut self, by: Duration) -> DateTime<Utc> {
        assert!(by >= Duration::zero(), "a clock never goes back");
        self.now += by;
        self.now
    }
}

// ---- Ids, money, actors -----------------------------------------------------

pub fn money(s: &str) -> Money {
    s.parse().expect("valid money literal")
}

pub fn cust(s: &str) -> CustomerId {
    CustomerId::new(s).unwrap()
}

pub fn oid(s: &str) -> OrderId {
    OrderId::new(s).unwrap()
}

pub fn cno(s: &str) -> ContractNo {
    ContractNo::new(s).unwrap()
}

pub fn pid(s: &str) -> PaymentId {
    PaymentId::new(s).unwrap()
}

pub fn line_id(s: &str) -> LineItemId {
    LineItemId::new(s).unwrap()
}

/// The customer most tests act for.
pub const ALICE: &str = "d75298ab";
/// Another customer.
pub const BOB: &str = "e1190c7f";

pub fn alice() -> CustomerId {
    cust(ALICE)
}

pub fn bob() -> CustomerId {
    cust(BOB)
}

pub fn as_customer(id: &CustomerId) -> Actor {
    Actor::Customer(id.clone())
}

pub fn operator() -> Actor {
    Actor::Operator(OperatorId::new("ops-1").unwrap())
}

pub fn service() -> Actor {
    Actor::Service(ServiceName::new("purchase").unwrap())
}

pub fn system() -> Actor {
    Actor::System
}

pub fn ctx(actor: Actor, time: DateTime<Utc>) -> Context {
    Context { time, actor }
}

// ---- Customers --------------------------------------------------------------

pub fn customer_name(id: &CustomerId) -> String {
    format!("account {id}")
}

pub fn real_name(id: &CustomerId) -> RealName {
    RealName {
        name: format!("Beijing Cloud Billing Co., Ltd. ({id})"),
        kind: CertificationKind::Enterprise,
    }
}

pub fn remittance_account(id: &CustomerId) -> RemittanceAccount {
    RemittanceAccount {
        bank_name: "China Merchants Bank Beijing Branch".into(),
        account_name: real_name(id).name,
        account_number: format!("1109-0833-{}", id.as_str().len() * 1111),
    }
}

pub fn register_customer(id: &CustomerId) -> Command {
    Command::RegisterCustomer(RegisterCustomer {
        customer_id: id.clone(),
        name: customer_name(id),
    })
}

pub fn certify(id: &CustomerId) -> Command {
    Command::CertifyRealName(CertifyRealName {
        customer_id: id.clone(),
        real_name: real_name(id),
    })
}

pub fn set_remittance(id: &CustomerId) -> Command {
    Command::SetRemittanceAccount(SetRemittanceAccount {
        customer_id: id.clone(),
        account: remittance_account(id),
    })
}

pub fn customer_registered(id: &CustomerId, at: DateTime<Utc>) -> Event {
    Event::CustomerRegistered(CustomerRegistered {
        customer_id: id.clone(),
        name: customer_name(id),
        registered_at: at,
    })
}

pub fn real_name_certified(id: &CustomerId, at: DateTime<Utc>) -> Event {
    Event::RealNameCertified(RealNameCertified {
        customer_id: id.clone(),
        real_name: real_name(id),
        certified_at: at,
    })
}

pub fn remittance_account_set(id: &CustomerId, at: DateTime<Utc>) -> Event {
    Event::RemittanceAccountSet(RemittanceAccountSet {
        customer_id: id.clone(),
        account: remittance_account(id),
        set_at: at,
    })
}

/// A registered, certified customer with a remittance account, as of a day
/// before [`t0`].
pub fn ready_customer(id: &CustomerId) -> Vec<Event> {
    let at = t0() - days(1);
    vec![
        customer_registered(id, at),
        real_name_certified(id, at),
        remittance_account_set(id, at),
    ]
}

// ---- Orders -----------------------------------------------------------------

fn discount(code: u16, amount: &str) -> Discount {
    Discount {
        discount_type: DiscountType::new(code).unwrap(),
        amount: money(amount),
    }
}

/// An ECS one-year subscription line: 1200.00 list, 100.00 promotion and
/// 50.00 price-adjustment discounts, 20.00 coupon and 10.00 card: 1020.00 due.
pub fn ecs_line() -> LineItem {
    LineItem {
        id: line_id("L1"),
        service_type_code: ServiceTypeCode::new("hws.service.type.ec2").unwrap(),
        product_id: ProductId::new("00301-225396-0--0").unwrap(),
        spec: "s6.large.2 | 2vCPUs | 4GiB | linux".into(),
        category_code: "hws.resource.type.vm".into(),
        count: 1,
        period: Period {
            period_type: PeriodType::Year,
            number: 1,
        },
        unit_price: UnitPrice {
            amount: money("1200.00"),
            per: PriceUnit::Year,
        },
        valid_from: Some(t0() + days(1)),
        expires_at: Some(t0() + days(366)),
        pricing: Pricing {
            list_price: money("1200.00"),
            discounts: vec![discount(200, "100.00"), discount(609, "50.00")],
            coupon_amount: money("20.00"),
            card_amount: money("10.00"),
            cash_coupon_amount: money("0"),
        },
    }
}

/// An EVS disk line: 3 x 100.00 per month, 30.00 promotion discount:
/// 270.00 due.
pub fn disk_line() -> LineItem {
    LineItem {
        id: line_id("L2"),
        service_type_code: ServiceTypeCode::new("hws.service.type.ebs").unwrap(),
        product_id: ProductId::new("00301-110055-0--0").unwrap(),
        spec: "SSD | 100GB".into(),
        category_code: "hws.resource.type.volume".into(),
        count: 3,
        period: Period {
            period_type: PeriodType::Month,
            number: 1,
        },
        unit_price: UnitPrice {
            amount: money("100.00"),
            per: PriceUnit::Month,
        },
        valid_from: Some(t0() + days(2)),
        expires_at: Some(t0() + days(32)),
        pricing: Pricing {
            list_price: money("300.00"),
            discounts: vec![discount(700, "30.00")],
            coupon_amount: money("0"),
            card_amount: money("0"),
            cash_coupon_amount: money("0"),
        },
    }
}

/// The amount due of [`subscription_order`]: 1020.00 + 270.00.
pub const SUBSCRIPTION_DUE: &str = "1290.00";

/// A subscription purchase with two line items whose amounts add up.
pub fn subscription_order(order_id: &OrderId, customer_id: &CustomerId) -> OrderSpec {
    OrderSpec {
        order_id: order_id.clone(),
        customer_id: customer_id.clone(),
        base_order_id: None,
        source_type: SourceType::Customer,
        product_name: "Elastic Cloud Server".into(),
        service_type_code: ServiceTypeCode::new("hws.service.type.ec2").unwrap(),
        order_type: OrderType::Purchase,
        charge_type: ChargeType::Subscription,
        currency: Currency::new("CNY").unwrap(),
        line_items: vec![ecs_line(), disk_line()],
        instance_ids: vec![ledger_domain::ids::InstanceId::new("i-0a1b2c3d").unwrap()],
        amount_due: money(SUBSCRIPTION_DUE),
        sales_contract_id: None,
    }
}

/// A pay-as-you-go configuration change quoted per minute: 12.34567890 due.
pub fn pay_as_you_go_order(order_id: &OrderId, customer_id: &CustomerId) -> OrderSpec {
    OrderSpec {
        order_id: order_id.clone(),
        customer_id: customer_id.clone(),
        base_order_id: None,
        source_type: SourceType::AutoCreated,
        product_name: "Object Storage Service".into(),
        service_type_code: ServiceTypeCode::new("hws.service.type.obs").unwrap(),
        order_type: OrderType::ConfigurationChange,
        charge_type: ChargeType::PayAsYouGo,
        currency: Currency::new("CNY").unwrap(),
        line_items: vec![LineItem {
            id: line_id("L1"),
            service_type_code: ServiceTypeCode::new("hws.service.type.obs").unwrap(),
            product_id: ProductId::new("obs-standard").unwrap(),
            spec: "standard storage".into(),
            category_code: "hws.resource.type.obs".into(),
            count: 1,
            period: Period {
                period_type: PeriodType::PayPerUse,
                number: 1,
            },
            unit_price: UnitPrice {
                amount: money("0.00012345"),
                per: PriceUnit::Minute,
            },
            valid_from: None,
            expires_at: None,
            pricing: Pricing {
                list_price: money("12.34567890"),
                discounts: vec![],
                coupon_amount: money("0"),
                card_amount: money("0"),
                cash_coupon_amount: money("0"),
            },
        }],
        instance_ids: vec![],
        amount_due: money("12.34567890"),
        sales_contract_id: None,
    }
}

pub fn place(spec: OrderSpec) -> Command {
    Command::PlaceOrder(PlaceOrder {
        spec,
        payment_deadline: None,
    })
}

pub fn place_with_deadline(spec: OrderSpec, deadline: DateTime<Utc>) -> Command {
    Command::PlaceOrder(PlaceOrder {
        spec,
        payment_deadline: Some(deadline),
    })
}

/// The OrderPlaced event of an order placed at `at` with the default
/// seven-day deadline.
pub fn order_placed(spec: OrderSpec, at: DateTime<Utc>) -> Event {
    order_placed_with_deadline(spec, at, at + days(7))
}

pub fn order_placed_with_deadline(
    spec: OrderSpec,
    at: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Event {
    Event::OrderPlaced(OrderPlaced {
        spec,
        placed_at: at,
        payment_deadline: deadline,
    })
}

/// A subscription order of `customer_id` placed at [`t0`] (deadline t0 + 7d).
pub fn placed_subscription(order: &str, customer_id: &CustomerId) -> Event {
    order_placed(subscription_order(&oid(order), customer_id), t0())
}

/// Payment of `amount` with a 20.00 coupon, the rest in cash.
pub fn payment(payment_id: &str, amount: &str) -> Payment {
    Payment {
        payment_id: pid(payment_id),
        amount: money(amount),
        vouchers: vec![voucher("CP-1", "20.00")],
    }
}

pub fn voucher(id: &str, amount: &str) -> VoucherRedemption {
    VoucherRedemption {
        kind: VoucherKind::Coupon,
        voucher_id: VoucherId::new(id).unwrap(),
        amount: money(amount),
    }
}

pub fn pay(order: &str, payment: Payment) -> Command {
    Command::PayOrder(PayOrder {
        order_id: oid(order),
        payment,
    })
}

/// Pays a subscription order in full.
pub fn pay_in_full(order: &str, payment_id: &str) -> Command {
    pay(order, payment(payment_id, SUBSCRIPTION_DUE))
}

pub fn order_paid(order: &str, payment: Payment, at: DateTime<Utc>) -> Event {
    Event::OrderPaid(OrderPaid {
        order_id: oid(order),
        payment,
        paid_at: at,
    })
}

/// A subscription order paid in full (payment id `P-<order>`).
pub fn paid_in_full(order: &str, at: DateTime<Utc>) -> Event {
    order_paid(order, payment(&format!("P-{order}"), SUBSCRIPTION_DUE), at)
}

pub fn cancel(order: &str) -> Command {
    Command::CancelOrder(CancelOrder {
        order_id: oid(order),
    })
}

pub fn order_cancelled(order: &str, at: DateTime<Utc>) -> Event {
    Event::OrderCancelled(OrderCancelled {
        order_id: oid(order),
        cancelled_at: at,
    })
}

pub const VOID_REASON: &str = "provisioning failed";

pub fn void_order(order: &str) -> Command {
    Command::VoidOrder(VoidOrder {
        order_id: oid(order),
        reason: VOID_REASON.into(),
    })
}

pub fn order_voided(order: &str, at: DateTime<Utc>) -> Event {
    Event::OrderVoided(OrderVoided {
        order_id: oid(order),
        reason: VOID_REASON.into(),
        voided_at: at,
    })
}

pub fn expire(order: &str) -> Command {
    Command::ExpireOrder(ExpireOrder {
        order_id: oid(order),
    })
}

pub fn order_expired(order: &str, at: DateTime<Utc>) -> Event {
    Event::OrderExpired(OrderExpired {
        order_id: oid(order),
        expired_at: at,
    })
}

pub fn attached(order: &str, contract: &str, at: DateTime<Utc>) -> Event {
    Event::OrderAttachedToContract(OrderAttachedToContract {
        order_id: oid(order),
        contract_no: cno(contract),
        attached_at: at,
    })
}

pub fn released(order: &str, contract: &str, at: DateTime<Utc>) -> Event {
    Event::OrderReleasedFromContract(OrderReleasedFromContract {
        order_id: oid(order),
        contract_no: cno(contract),
        released_at: at,
    })
}

// ---- Contracts --------------------------------------------------------------

pub const PARTY_B: &str = "Baidu AI Cloud Computing Technology (Beijing) Co., Ltd.";
pub const REMARKS: &str = "for the q3 procurement file";

pub fn apply_contract(
    contract: &str,
    customer_id: &CustomerId,
    kind: ContractKind,
    orders: &[&str],
) -> Command {
    Command::ApplyContract(ApplyContract {
        contract_no: cno(contract),
        customer_id: customer_id.clone(),
        kind,
        order_ids: orders.iter().map(|o| oid(o)).collect(),
        party_a_kind: None,
        party_a_details: PartyADetails::default(),
        party_b: PARTY_B.into(),
        remarks: REMARKS.into(),
    })
}

/// The ContractOrder a subscription order placed at `placed_at` becomes.
pub fn contract_order(order: &str, placed_at: DateTime<Utc>) -> ContractOrder {
    let spec = subscription_order(&oid(order), &alice());
    let (service_start, service_end) = spec.service_period();
    ContractOrder {
        order_id: oid(order),
        amount_due: money(SUBSCRIPTION_DUE),
        payment_deadline: placed_at + days(7),
        service_start,
        service_end,
    }
}

pub fn terms(kind: ContractKind, customer_id: &CustomerId) -> ContractTerms {
    match kind {
        ContractKind::Order => ContractTerms::Order,
        ContractKind::PaymentRequest => ContractTerms::PaymentRequest {
            remittance_account: remittance_account(customer_id),
        },
    }
}

/// The ContractApplied event for subscription orders (all placed at [`t0`]).
pub fn contract_applied(
    contract: &str,
    customer_id: &CustomerId,
    kind: ContractKind,
    orders: &[&str],
    at: DateTime<Utc>,
) -> Event {
    contract_applied_with(
        contract,
        customer_id,
        kind,
        orders.iter().map(|o| contract_order(o, t0())).collect(),
        at,
    )
}

pub fn contract_applied_with(
    contract: &str,
    customer_id: &CustomerId,
    kind: ContractKind,
    orders: Vec<ContractOrder>,
    at: DateTime<Utc>,
) -> Event {
    Event::ContractApplied(ContractApplied {
        contract_no: cno(contract),
        customer_id: customer_id.clone(),
        terms: terms(kind, customer_id),
        orders,
        subject: SubjectInfo {
            party_a: real_name(customer_id),
            party_a_details: PartyADetails::default(),
            party_b: PARTY_B.into(),
        },
        remarks: REMARKS.into(),
        applied_at: at,
    })
}

/// ContractApplied followed by one OrderAttachedToContract per order: what an
/// accepted ApplyContract records.
pub fn contract_applied_and_attached(
    contract: &str,
    customer_id: &CustomerId,
    kind: ContractKind,
    orders: &[&str],
    at: DateTime<Utc>,
) -> Vec<Event> {
    let mut events = vec![contract_applied(contract, customer_id, kind, orders, at)];
    events.extend(orders.iter().map(|o| attached(o, contract, at)));
    events
}

pub fn convert_contract(contract: &str) -> Command {
    Command::ConvertContract(ConvertContract::new(cno(contract)))
}

/// A well-formed document seal (the digits stand for a real one).
pub fn a_seal() -> DocumentSeal {
    DocumentSeal {
        sha256: "ab".repeat(32),
        key_id: "cd".repeat(32),
        signature: "ef".repeat(64),
    }
}

pub fn convert_contract_sealed(contract: &str, seal: DocumentSeal) -> Command {
    Command::ConvertContract(ConvertContract {
        contract_no: cno(contract),
        document: Some(seal),
    })
}

pub fn document_sealed(contract: &str, seal: DocumentSeal, at: DateTime<Utc>) -> Event {
    Event::ContractDocumentSealed(ContractDocumentSealed {
        contract_no: cno(contract),
        seal,
        sealed_at: at,
    })
}

pub fn contract_converted(contract: &str, at: DateTime<Utc>) -> Event {
    Event::ContractConverted(ContractConverted {
        contract_no: cno(contract),
        converted_at: at,
    })
}

pub fn void_contract(contract: &str) -> Command {
    Command::VoidContract(VoidContract {
        contract_no: cno(contract),
        ticket: None,
    })
}

/// The ticket an operator voids an official contract under.
pub fn ticket() -> VoidTicket {
    VoidTicket {
        ticket_id: "TK-2024-0042".parse().unwrap(),
        reason: "signed in error, customer request".into(),
    }
}

/// VoidContract with [`ticket`] (an operator's void of an official contract).
pub fn void_contract_by_ticket(contract: &str) -> Command {
    Command::VoidContract(VoidContract {
        contract_no: cno(contract),
        ticket: Some(ticket()),
    })
}

pub fn contract_voided(contract: &str, at: DateTime<Utc>) -> Event {
    Event::ContractVoided(ContractVoided {
        contract_no: cno(contract),
        voided_at: at,
        ticket: None,
    })
}

pub fn contract_voided_by_ticket(contract: &str, at: DateTime<Utc>) -> Event {
    Event::ContractVoided(ContractVoided {
        contract_no: cno(contract),
        voided_at: at,
        ticket: Some(ticket()),
    })
}

pub fn edit_remarks(contract: &str, remarks: &str) -> Command {
    Command::EditContractRemarks(EditContractRemarks {
        contract_no: cno(contract),
        remarks: remarks.into(),
    })
}

pub fn remarks_edited(contract: &str, remarks: &str, at: DateTime<Utc>) -> Event {
    Event::ContractRemarksEdited(ContractRemarksEdited {
        contract_no: cno(contract),
        remarks: remarks.into(),
        edited_at: at,
    })
}

pub fn invalidate_contract(contract: &str) -> Command {
    Command::InvalidateContract(InvalidateContract {
        contract_no: cno(contract),
    })
}

pub fn contract_invalidated(contract: &str, overdue: &str, at: DateTime<Utc>) -> Event {
    Event::ContractInvalidated(ContractInvalidated {
        contract_no: cno(contract),
        overdue_order: oid(overdue),
        invalidated_at: at,
    })
}

// ---- Operations -------------------------------------------------------------

/// A digest as the engine's journal would hold it (any 64 lower-case hex).
pub const LOSS_SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

pub fn accept_loss(first: u64, last: u64, reason: &str) -> Command {
    Command::AcceptLoss(AcceptLoss {
        first_position: first,
        last_position: last,
        head_position: first - 1,
        reason: reason.into(),
        record_sha256: LOSS_SHA.into(),
    })
}

pub fn loss_accepted(first: u64, last: u64, reason: &str, at: DateTime<Utc>) -> Event {
    Event::LossAccepted(LossAccepted {
        first_position: first,
        last_position: last,
        head_position: first - 1,
        reason: reason.into(),
        record_sha256: LOSS_SHA.into(),
        accepted_at: at,
    })
}

// ---- Accounts and coupons ---------------------------------------------------

pub fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

pub fn coupon_id(s: &str) -> VoucherId {
    VoucherId::new(s).unwrap()
}

pub fn credit_account(customer: &CustomerId, top_up: &str, amount: &str) -> Command {
    Command::CreditAccount(CreditAccount {
        top_up_id: pid(top_up),
        customer_id: customer.clone(),
        amount: money(amount),
        currency: cny(),
    })
}

/// The two events of a top-up of `amount` to an account holding `before`.
pub fn credited(
    customer: &CustomerId,
    top_up: &str,
    amount: &str,
    before: &str,
    at: DateTime<Utc>,
) -> Vec<Event> {
    let after = money(before).checked_add(money(amount)).unwrap();
    vec![
        Event::TopUpReceived(TopUpReceived {
            top_up_id: pid(top_up),
            customer_id: customer.clone(),
            amount: money(amount),
            currency: cny(),
            received_at: at,
        }),
        Event::AccountCredited(AccountCredited {
            customer_id: customer.clone(),
            top_up_id: pid(top_up),
            amount: money(amount),
            currency: cny(),
            balance_after: after,
            credited_at: at,
        }),
    ]
}

pub fn debited(
    customer: &CustomerId,
    order: &str,
    amount: &str,
    after: &str,
    at: DateTime<Utc>,
) -> Event {
    Event::AccountDebited(AccountDebited {
        customer_id: customer.clone(),
        order_id: oid(order),
        amount: money(amount),
        currency: cny(),
        balance_after: money(after),
        debited_at: at,
    })
}

/// A coupon valid from t0 - 1 day for 30 days, no minimum.
pub fn coupon_spec(id: &str, customer: &CustomerId, kind: VoucherKind, face: &str) -> IssueCoupon {
    IssueCoupon {
        coupon_id: coupon_id(id),
        customer_id: customer.clone(),
        kind,
        face_value: money(face),
        currency: cny(),
        valid_from: t0() - days(1),
        valid_until: t0() + days(30),
        min_order_amount: None,
    }
}

pub fn issue_coupon(id: &str, customer: &CustomerId, kind: VoucherKind, face: &str) -> Command {
    Command::IssueCoupon(coupon_spec(id, customer, kind, face))
}

pub fn coupon_issued(spec: IssueCoupon, at: DateTime<Utc>) -> Event {
    Event::CouponIssued(CouponIssued {
        coupon: spec,
        issued_at: at,
    })
}

pub fn coupon_redeemed(
    id: &str,
    order: &str,
    amount: &str,
    after: &str,
    at: DateTime<Utc>,
) -> Event {
    Event::CouponRedeemed(CouponRedeemed {
        coupon_id: coupon_id(id),
        order_id: oid(order),
        amount: money(amount),
        balance_after: money(after),
        redeemed_at: at,
    })
}

pub fn pay_from_balance(order: &str, coupons: &[(&str, VoucherKind)]) -> Command {
    Command::PayOrderFromBalance(PayOrderFromBalance {
        order_id: oid(order),
        coupons: coupons
            .iter()
            .map(|(id, kind)| CouponUse {
                kind: *kind,
                coupon_id: coupon_id(id),
            })
            .collect(),
    })
}

// ---- given / when / then ----------------------------------------------------

/// Builds a state by folding events with `evolve`.
pub fn state_of(events: &[Event]) -> State {
    events.iter().fold(State::default(), evolve)
}

/// A state holding only what `command.scope` names (loaded from `full`), as
/// a caller that loads streams would build it.
pub fn scoped_state(full: &State, command: &Command) -> State {
    let mut scoped = State::default();
    for _round in 0..3 {
        let missing: Vec<_> = command
            .scope(&scoped)
            .into_iter()
            .filter(|id| !scoped.contains(id))
            .collect();
        if missing.is_empty() {
            return scoped;
        }
        for id in missing {
            let aggregate = full.get(&id);
            scoped.insert(id, aggregate);
        }
    }
    panic!("{} scope still growing after two rounds", command.name());
}

/// Decides `command` on `state` and checks what every decision must
/// satisfy: the scoped state decides the same, and every event names an
/// aggregate in the command's scope.
#[track_caller]
pub fn decide_checked(
    state: &State,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let scoped = scoped_state(state, command);
    let result = decide(state, command, ctx);
    assert_eq!(
        decide(&scoped, command, ctx),
        result,
        "{} decides differently on the state its scope loads",
        command.name()
    );
    if let Ok(events) = &result {
        let scope = command.scope(&scoped);
        for e in events {
            assert!(
                scope.contains(&e.aggregate_id()),
                "{} emitted {} for {}, outside its scope {scope:?}",
                command.name(),
                e.name(),
                e.aggregate_id()
            );
        }
    }
    result
}

pub struct Given {
    state: State,
}

/// Starts a scenario from the state these events build.
pub fn given(events: &[Event]) -> Given {
    Given {
        state: state_of(events),
    }
}

impl Given {
    pub fn when(self, command: Command) -> When {
        When {
            state: self.state,
            command,
            actor: service(),
            time: t0(),
        }
    }
}

/// A command about to be decided. Defaults: actor `service:purchase`, time
/// [`t0`].
pub struct When {
    state: State,
    command: Command,
    actor: Actor,
    time: DateTime<Utc>,
}

impl When {
    pub fn by(mut self, actor: Actor) -> When {
        self.actor = actor;
        self
    }

    pub fn at(mut self, time: DateTime<Utc>) -> When {
        self.time = time;
        self
    }

    #[track_caller]
    fn run(&self) -> Result<Vec<Event>, DomainError> {
        decide_checked(
            &self.state,
            &self.command,
            &ctx(self.actor.clone(), self.time),
        )
    }

    /// Asserts the command records exactly these events; returns the state
    /// after them.
    #[track_caller]
    pub fn then(self, expected: &[Event]) -> State {
        assert!(
            !expected.is_empty(),
            "use then_no_events() to expect no events"
        );
        match self.run() {
            Ok(events) => {
                assert_eq!(
                    events,
                    expected,
                    "{} by {} recorded other events",
                    self.command.name(),
                    self.actor
                );
                events.iter().fold(self.state, evolve)
            }
            Err(e) => panic!(
                "{} by {} refused with {} ({e}), expected {} events",
                self.command.name(),
                self.actor,
                e.code(),
                expected.len()
            ),
        }
    }

    /// Asserts the command records `count` events (of any content); returns
    /// the state after them.
    #[track_caller]
    pub fn then_events_count(self, count: usize) -> State {
        match self.run() {
            Ok(events) => {
                assert_eq!(
                    events.len(),
                    count,
                    "{} by {} recorded {events:?}",
                    self.command.name(),
                    self.actor
                );
                events.iter().fold(self.state, evolve)
            }
            Err(e) => panic!(
                "{} by {} refused with {} ({e}), expected {count} events",
                self.command.name(),
                self.actor,
                e.code(),
            ),
        }
    }

    /// Asserts the command is accepted but records nothing (an idempotent
    /// repeat); returns the unchanged state.
    #[track_caller]
    pub fn then_no_events(self) -> State {
        match self.run() {
            Ok(events) => assert!(
                events.is_empty(),
                "{} by {} recorded {events:?}, expected no events",
                self.command.name(),
                self.actor
            ),
            Err(e) => panic!(
                "{} by {} refused with {} ({e}), expected no events",
                self.command.name(),
                self.actor,
                e.code()
            ),
        }
        self.state
    }

    /// Asserts the command is refused with this stable code (and so records
    /// nothing); returns the error.
    #[track_caller]
    pub fn then_error(self, code: &str) -> DomainError {
        match self.run() {
            Ok(events) => panic!(
                "{} by {} was accepted with {events:?}, expected error {code}",
                self.command.name(),
                self.actor
            ),
            Err(e) => {
                assert_eq!(
                    e.code(),
                    code,
                    "{} by {} refused with another error: {e}",
                    self.command.name(),
                    self.actor
                );
                e
            }
        }
    }
}
