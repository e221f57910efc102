//! The decider over all aggregates: commands, events, state, decide, evolve.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::account::{self, Account, TopUp};
use crate::context::Context;
use crate::contract::{self, Contract};
use crate::coupon::{self, Coupon};
use crate::customer::{self, Customer};
use crate::error::DomainError;
use crate::ids::{ContractNo, CustomerId, OrderId, PaymentId, VoucherId};
use crate::operations::{self, Operations};
use crate::order::{self, Order};
use crate::payment;

/// Names one aggregate (one stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AggregateId {
    Order(OrderId),
    Contract(ContractNo),
    Customer(CustomerId),
    /// The one stream of operator records about the log itself.
    Operations,
    /// A customer's account (balances).
    Account(CustomerId),
    /// One top-up reference of the payment channel.
    TopUp(PaymentId),
    Coupon(VoucherId),
}

impl fmt::Display for AggregateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AggregateId::Order(id) => write!(f, "order {id}"),
            AggregateId::Contract(no) => write!(f, "contract {no}"),
            AggregateId::Customer(id) => write!(f, "customer {id}"),
            AggregateId::Operations => f.write_str("operations"),
            AggregateId::Account(id) => write!(f, "account {id}"),
            AggregateId::TopUp(id) => write!(f, "top-up {id}"),
            AggregateId::Coupon(id) => write!(f, "coupon {id}"),
        }
    }
}

/// One aggregate's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Order(Order),
    Contract(Contract),
    Customer(Customer),
    Operations(Operations),
    Account(Account),
    TopUp(TopUp),
    Coupon(Coupon),
}

impl Aggregate {
    /// The initial (absent) state of an aggregate.
    pub fn initial(id: &AggregateId) -> Aggregate {
        match id {
            AggregateId::Order(_) => Aggregate::Order(Order::Absent),
            AggregateId::Contract(_) => Aggregate::Contract(Contract::Absent),
            AggregateId::Customer(_) => Aggregate::Customer(Customer::Absent),
            AggregateId::Operations => Aggregate::Operations(Operations::default()),
            AggregateId::Account(_) => Aggregate::Account(Account::default()),
            AggregateId::TopUp(_) => Aggregate::TopUp(TopUp::Absent),
            AggregateId::Coupon(_) => Aggregate::Coupon(Coupon::Absent),
        }
    }

    /// Applies one of this aggregate's events.
    pub fn evolve(self, event: &Event) -> Aggregate {
        match self {
            Aggregate::Order(o) => Aggregate::Order(o.evolve(event)),
            Aggregate::Contract(c) => Aggregate::Contract(c.evolve(event)),
            Aggregate::Customer(c) => Aggregate::Customer(c.evolve(event)),
            Aggregate::Operations(o) => Aggregate::Operations(o.evolve(event)),
            Aggregate::Account(a) => Aggregate::Account(a.evolve(event)),
            Aggregate::TopUp(t) => Aggregate::TopUp(t.evolve(event)),
            Aggregate::Coupon(c) => Aggregate::Coupon(c.evolve(event)),
        }
    }
}

macro_rules! enums {
    (
        commands { $($cmd:ident($cmd_ty:ty)),* $(,)? }
        events { $($ev:ident($ev_ty:ty) => |$e:ident| $id:expr),* $(,)? }
    ) => {
        /// Every command the ledger accepts.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Command { $($cmd($cmd_ty)),* }

        /// Which command, without its data (the rows of [`crate::roles`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CommandKind { $($cmd),* }

        impl CommandKind {
            /// Every kind of command.
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$cmd),*];

            /// The command's name, e.g. `PayOrder`.
            pub fn name(self) -> &'static str {
                match self { $(CommandKind::$cmd => stringify!($cmd)),* }
            }
        }

        impl Command {
            /// The command's name, e.g. `PayOrder`.
            pub fn name(&self) -> &'static str {
                self.kind().name()
            }

            /// Which command this is.
            pub fn kind(&self) -> CommandKind {
                match self { $(Command::$cmd(_) => CommandKind::$cmd),* }
            }
        }

        /// Every event the ledger records. Variant names are the stored event
        /// type names: never rename one.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Event { $($ev($ev_ty)),* }

        impl Event {
            /// The stored event type name, e.g. `OrderPaid`.
            pub fn name(&self) -> &'static str {
                match self { $(Event::$ev(_) => stringify!($ev)),* }
            }

            /// The aggregate (stream) the event belongs to.
            pub fn aggregate_id(&self) -> AggregateId {
                match self { $(Event::$ev($e) => $id),* }
            }
        }
    };
}

enums! {
    commands {
        PlaceOrder(order::PlaceOrder),
        PayOrder(order::PayOrder),
        CancelOrder(order::CancelOrder),
        VoidOrder(order::VoidOrder),
        ExpireOrder(order::ExpireOrder),
        ApplyContract(contract::ApplyContract),
        ConvertContract(contract::ConvertContract),
        VoidContract(contract::VoidContract),
        EditContractRemarks(contract::EditContractRemarks),
        InvalidateContract(contract::InvalidateContract),
        RegisterCustomer(customer::RegisterCustomer),
        CertifyRealName(customer::CertifyRealName),
        SetRemittanceAccount(customer::SetRemittanceAccount),
        AcceptLoss(operations::AcceptLoss),
        CreditAccount(account::CreditAccount),
        IssueCoupon(coupon::IssueCoupon),
        PayOrderFromBalance(payment::PayOrderFromBalance),
    }
    events {
        OrderPlaced(order::OrderPlaced) => |e| AggregateId::Order(e.spec.order_id.clone()),
        OrderPaid(order::OrderPaid) => |e| AggregateId::Order(e.order_id.clone()),
        OrderCancelled(order::OrderCancelled) => |e| AggregateId::Order(e.order_id.clone()),
        OrderExpired(order::OrderExpired) => |e| AggregateId::Order(e.order_id.clone()),
        OrderVoided(order::OrderVoided) => |e| AggregateId::Order(e.order_id.clone()),
        OrderAttachedToContract(order::OrderAttachedToContract) => |e| AggregateId::Order(e.order_id.clone()),
        OrderReleasedFromContract(order::OrderReleasedFromContract) => |e| AggregateId::Order(e.order_id.clone()),
        ContractApplied(contract::ContractApplied) => |e| AggregateId::Contract(e.contract_no.clone()),
        ContractConverted(contract::ContractConverted) => |e| AggregateId::Contract(e.contract_no.clone()),
        ContractDocumentSealed(contract::ContractDocumentSealed) => |e| AggregateId::Contract(e.contract_no.clone()),
        ContractVoided(contract::ContractVoided) => |e| AggregateId::Contract(e.contract_no.clone()),
        ContractRemarksEdited(contract::ContractRemarksEdited) => |e| AggregateId::Contract(e.contract_no.clone()),
        ContractInvalidated(contract::ContractInvalidated) => |e| AggregateId::Contract(e.contract_no.clone()),
        CustomerRegistered(customer::CustomerRegistered) => |e| AggregateId::Customer(e.customer_id.clone()),
        RealNameCertified(customer::RealNameCertified) => |e| AggregateId::Customer(e.customer_id.clone()),
        RemittanceAccountSet(customer::RemittanceAccountSet) => |e| AggregateId::Customer(e.customer_id.clone()),
        LossAccepted(operations::LossAccepted) => |_e| AggregateId::Operations,
        TopUpReceived(account::TopUpReceived) => |e| AggregateId::TopUp(e.top_up_id.clone()),
        AccountCredited(account::AccountCredited) => |e| AggregateId::Account(e.customer_id.clone()),
        AccountDebited(account::AccountDebited) => |e| AggregateId::Account(e.customer_id.clone()),
        CouponIssued(coupon::CouponIssued) => |e| AggregateId::Coupon(e.coupon.coupon_id.clone()),
        CouponRedeemed(coupon::CouponRedeemed) => |e| AggregateId::Coupon(e.coupon_id.clone()),
    }
}

impl Command {
    /// The aggregates the command reads and may write, given what is loaded
    /// so far. Load them, call again, and stop when nothing new is named: at
    /// most two rounds (a contract first, then the orders it holds).
    pub fn scope(&self, state: &State) -> Vec<AggregateId> {
        match self {
            Command::PlaceOrder(c) => vec![
                AggregateId::Order(c.spec.order_id.clone()),
                AggregateId::Customer(c.spec.customer_id.clone()),
            ],
            Command::PayOrder(c) => {
                let mut ids = vec![AggregateId::Order(c.order_id.clone())];
                ids.extend(
                    c.payment
                        .vouchers
                        .iter()
                        .take(order::MAX_VOUCHERS)
                        .map(|v| AggregateId::Coupon(v.voucher_id.clone())),
                );
                ids
            }
            Command::PayOrderFromBalance(c) => {
                let mut ids = vec![AggregateId::Order(c.order_id.clone())];
                ids.extend(
                    c.coupons
                        .iter()
                        .take(order::MAX_VOUCHERS)
                        .map(|v| AggregateId::Coupon(v.coupon_id.clone())),
                );
                // The account is the order's customer's: known once the
                // order is loaded.
                if let Some(o) = state.order(&c.order_id).placed() {
                    ids.push(AggregateId::Account(o.spec().customer_id.clone()));
                }
                ids
            }
            Command::CreditAccount(c) => vec![
                AggregateId::TopUp(c.top_up_id.clone()),
                AggregateId::Account(c.customer_id.clone()),
                AggregateId::Customer(c.customer_id.clone()),
            ],
            Command::IssueCoupon(c) => vec![
                AggregateId::Coupon(c.coupon_id.clone()),
                AggregateId::Customer(c.customer_id.clone()),
            ],
            Command::CancelOrder(c) => vec![AggregateId::Order(c.order_id.clone())],
            Command::VoidOrder(c) => vec![AggregateId::Order(c.order_id.clone())],
            Command::ExpireOrder(c) => vec![AggregateId::Order(c.order_id.clone())],
            Command::ApplyContract(c) => {
                let mut ids = vec![
                    AggregateId::Contract(c.contract_no.clone()),
                    AggregateId::Customer(c.customer_id.clone()),
                ];
                ids.extend(
                    c.order_ids
                        .iter()
                        .take(contract::MAX_CONTRACT_ORDERS)
                        .cloned()
                        .map(AggregateId::Order),
                );
                ids
            }
            Command::ConvertContract(contract::ConvertContract { contract_no, .. })
            | Command::VoidContract(contract::VoidContract { contract_no, .. })
            | Command::InvalidateContract(contract::InvalidateContract { contract_no }) => {
                let mut ids = vec![AggregateId::Contract(contract_no.clone())];
                if let Some(c) = state.contract(contract_no).applied() {
                    ids.extend(
                        c.orders()
                            .iter()
                            .map(|o| AggregateId::Order(o.order_id.clone())),
                    );
                }
                ids
            }
            Command::EditContractRemarks(c) => vec![AggregateId::Contract(c.contract_no.clone())],
            Command::RegisterCustomer(c) => vec![AggregateId::Customer(c.customer_id.clone())],
            Command::CertifyRealName(c) => vec![AggregateId::Customer(c.customer_id.clone())],
            Command::SetRemittanceAccount(c) => vec![AggregateId::Customer(c.customer_id.clone())],
            Command::AcceptLoss(_) => vec![AggregateId::Operations],
        }
    }
}

static ABSENT_ORDER: Order = Order::Absent;
static ABSENT_CONTRACT: Contract = Contract::Absent;
static ABSENT_CUSTOMER: Customer = Customer::Absent;
static EMPTY_OPERATIONS: Operations = Operations::EMPTY;
static EMPTY_ACCOUNT: Account = Account::EMPTY;
static ABSENT_TOP_UP: TopUp = TopUp::Absent;
static ABSENT_COUPON: Coupon = Coupon::Absent;

/// The aggregates a decision sees. Anything not loaded reads as absent, so
/// load everything [`Command::scope`] names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    orders: BTreeMap<OrderId, Order>,
    contracts: BTreeMap<ContractNo, Contract>,
    customers: BTreeMap<CustomerId, Customer>,
    operations: Option<Operations>,
    accounts: BTreeMap<CustomerId, Account>,
    top_ups: BTreeMap<PaymentId, TopUp>,
    coupons: BTreeMap<VoucherId, Coupon>,
}

impl State {
    pub fn order(&self, id: &OrderId) -> &Order {
        self.orders.get(id).unwrap_or(&ABSENT_ORDER)
    }

    pub fn contract(&self, no: &ContractNo) -> &Contract {
        self.contracts.get(no).unwrap_or(&ABSENT_CONTRACT)
    }

    pub fn customer(&self, id: &CustomerId) -> &Customer {
        self.customers.get(id).unwrap_or(&ABSENT_CUSTOMER)
    }

    pub fn operations(&self) -> &Operations {
        self.operations.as_ref().unwrap_or(&EMPTY_OPERATIONS)
    }

    pub fn account(&self, id: &CustomerId) -> &Account {
        self.accounts.get(id).unwrap_or(&EMPTY_ACCOUNT)
    }

    pub fn top_up(&self, id: &PaymentId) -> &TopUp {
        self.top_ups.get(id).unwrap_or(&ABSENT_TOP_UP)
    }

    pub fn coupon(&self, id: &VoucherId) -> &Coupon {
        self.coupons.get(id).unwrap_or(&ABSENT_COUPON)
    }

    /// Whether an aggregate is loaded.
    pub fn contains(&self, id: &AggregateId) -> bool {
        match id {
            AggregateId::Order(k) => self.orders.contains_key(k),
            AggregateId::Contract(k) => self.contracts.contains_key(k),
            AggregateId::Customer(k) => self.customers.contains_key(k),
            AggregateId::Operations => self.operations.is_some(),
            AggregateId::Account(k) => self.accounts.contains_key(k),
            AggregateId::TopUp(k) => self.top_ups.contains_key(k),
            AggregateId::Coupon(k) => self.coupons.contains_key(k),
        }
    }

    /// Puts a loaded aggregate into the state. Panics if the id and the
    /// aggregate's kind disagree (a caller bug).
    pub fn insert(&mut self, id: AggregateId, aggregate: Aggregate) {
        match (id, aggregate) {
            (AggregateId::Order(k), Aggregate::Order(v)) => {
                self.orders.insert(k, v);
            }
            (AggregateId::Contract(k), Aggregate::Contract(v)) => {
                self.contracts.insert(k, v);
            }
            (AggregateId::Customer(k), Aggregate::Customer(v)) => {
                self.customers.insert(k, v);
            }
            (AggregateId::Operations, Aggregate::Operations(v)) => {
                self.operations = Some(v);
            }
            (AggregateId::Account(k), Aggregate::Account(v)) => {
                self.accounts.insert(k, v);
            }
            (AggregateId::TopUp(k), Aggregate::TopUp(v)) => {
                self.top_ups.insert(k, v);
            }
            (AggregateId::Coupon(k), Aggregate::Coupon(v)) => {
                self.coupons.insert(k, v);
            }
            (id, _) => panic!("aggregate of the wrong kind for {id}"),
        }
    }

    /// The loaded state of an aggregate (its initial state if not loaded).
    pub fn get(&self, id: &AggregateId) -> Aggregate {
        match id {
            AggregateId::Order(k) => Aggregate::Order(self.order(k).clone()),
            AggregateId::Contract(k) => Aggregate::Contract(self.contract(k).clone()),
            AggregateId::Customer(k) => Aggregate::Customer(self.customer(k).clone()),
            AggregateId::Operations => Aggregate::Operations(self.operations().clone()),
            AggregateId::Account(k) => Aggregate::Account(self.account(k).clone()),
            AggregateId::TopUp(k) => Aggregate::TopUp(self.top_up(k).clone()),
            AggregateId::Coupon(k) => Aggregate::Coupon(self.coupon(k).clone()),
        }
    }
}

/// Decides what a command means for the state: the events to record, or
/// why it is refused. An idempotent repeat of an applied command yields no
/// events.
pub fn decide(state: &State, command: &Command, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    crate::roles::check(command, &ctx.actor)?;
    match command {
        Command::PlaceOrder(c) => order::place(
            state.order(&c.spec.order_id),
            state.customer(&c.spec.customer_id),
            c,
            ctx,
        ),
        Command::PayOrder(c) => payment::pay(state, c, ctx),
        Command::PayOrderFromBalance(c) => payment::pay_from_balance(state, c, ctx),
        Command::CreditAccount(c) => account::credit(
            state.top_up(&c.top_up_id),
            state.account(&c.customer_id),
            state.customer(&c.customer_id),
            c,
            ctx,
        ),
        Command::IssueCoupon(c) => coupon::issue(
            state.coupon(&c.coupon_id),
            state.customer(&c.customer_id),
            c,
            ctx,
        ),
        Command::CancelOrder(c) => order::cancel(state.order(&c.order_id), c, ctx),
        Command::VoidOrder(c) => order::void(state.order(&c.order_id), c, ctx),
        Command::ExpireOrder(c) => order::expire(state.order(&c.order_id), c, ctx),
        Command::ApplyContract(c) => contract::apply(state, c, ctx),
        Command::ConvertContract(c) => contract::convert(state, c, ctx),
        Command::VoidContract(c) => contract::void(state, c, ctx),
        Command::EditContractRemarks(c) => contract::edit_remarks(state, c, ctx),
        Command::InvalidateContract(c) => contract::invalidate(state, c, ctx),
        Command::RegisterCustomer(c) => customer::register(state.customer(&c.customer_id), c, ctx),
        Command::CertifyRealName(c) => customer::certify(state.customer(&c.customer_id), c, ctx),
        Command::SetRemittanceAccount(c) => {
            customer::set_remittance_account(state.customer(&c.customer_id), c, ctx)
        }
        Command::AcceptLoss(c) => operations::accept_loss(state.operations(), c, ctx),
    }
}

/// Applies one event to the state it belongs to.
pub fn evolve(mut state: State, event: &Event) -> State {
    let id = event.aggregate_id();
    let next = state.get(&id).evolve(event);
    state.insert(id, next);
    state
}
