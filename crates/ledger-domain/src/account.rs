//! Customer accounts: a balance per currency, credited only by the payment
//! service (a top-up with its payment reference) and debited only by paying
//! an order from it.
//!
//! Two aggregates: the [`Account`] (one stream per customer) holds the
//! balances; a [`TopUp`] (one stream per payment reference) makes a credit
//! happen once however often the payment service retries it, with any
//! command id. Paying an order from the balance ([`PayOrderFromBalance`])
//! records the debit, the coupons it redeems and the order's payment in one
//! atomic append (see [`crate::payment`]).
//!
//! Decisions a finance team expects, where the issue is silent:
//! - a balance never goes negative (no credit line): paying more than the
//!   balance is refused with `insufficient_balance` (CBC.99005003);
//! - a top-up is positive and in the currency its reference says; one
//!   reference credits once, the same details again are a no-op, other
//!   details under the same reference are refused;
//! - at most [`MAX_ACCOUNT_CURRENCIES`] currencies per account.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::customer::Customer;
use crate::error::DomainError;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Currency, Money};
use crate::Event;

/// Most currencies one account holds a balance in.
pub const MAX_ACCOUNT_CURRENCIES: usize = 16;

// ---- Commands ---------------------------------------------------------------

/// The payment service received money for a customer's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditAccount {
    /// The payment channel's reference of the top-up: credits once.
    pub top_up_id: PaymentId,
    pub customer_id: CustomerId,
    pub amount: Money,
    pub currency: Currency,
}

// ---- Events -----------------------------------------------------------------

/// A top-up reference was used (the idempotency record of a credit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpReceived {
    pub top_up_id: PaymentId,
    pub customer_id: CustomerId,
    pub amount: Money,
    pub currency: Currency,
    pub received_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCredited {
    pub customer_id: CustomerId,
    pub top_up_id: PaymentId,
    pub amount: Money,
    pub currency: Currency,
    /// The balance in `currency` after the credit.
    pub balance_after: Money,
    pub credited_at: DateTime<Utc>,
}

/// An order was paid (in part or whole) from the balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDebited {
    pub customer_id: CustomerId,
    pub order_id: OrderId,
    pub amount: Money,
    pub currency: Currency,
    /// The balance in `currency` after the debit.
    pub balance_after: Money,
    pub debited_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

/// A customer's account. The initial state holds no balance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    customer_id: Option<CustomerId>,
    balances: BTreeMap<Currency, Money>,
}

impl Account {
    /// The initial state.
    pub const EMPTY: Account = Account {
        customer_id: None,
        balances: BTreeMap::new(),
    };

    /// The customer, once the account has seen a credit.
    pub fn customer_id(&self) -> Option<&CustomerId> {
        self.customer_id.as_ref()
    }

    /// The balance in one currency (zero if never credited).
    pub fn balance(&self, currency: Currency) -> Money {
        self.balances.get(&currency).copied().unwrap_or(Money::ZERO)
    }

    /// Every currency's balance, in code order.
    pub fn balances(&self) -> impl Iterator<Item = (Currency, Money)> + '_ {
        self.balances.iter().map(|(c, m)| (*c, *m))
    }

    pub fn evolve(mut self, event: &Event) -> Account {
        match event {
            Event::AccountCredited(e) => {
                self.customer_id = Some(e.customer_id.clone());
                self.balances.insert(e.currency, e.balance_after);
            }
            Event::AccountDebited(e) => {
                self.customer_id = Some(e.customer_id.clone());
                self.balances.insert(e.currency, e.balance_after);
            }
            _ => {}
        }
        self
    }

    /// The debit event for paying `amount` of `order_id` from the balance.
    pub(crate) fn debit(
        &self,
        customer_id: &CustomerId,
        order_id: &OrderId,
        amount: Money,
        currency: Currency,
        ctx: &Context,
    ) -> Result<Event, DomainError> {
        let available = self.balance(currency);
        let balance_after =
            available
                .checked_sub(amount)
                .ok_or_else(|| DomainError::InsufficientBalance {
                    needed: amount,
                    available,
                    currency: currency.to_string(),
                })?;
        Ok(Event::AccountDebited(AccountDebited {
            customer_id: customer_id.clone(),
            order_id: order_id.clone(),
            amount,
            currency,
            balance_after,
            debited_at: ctx.time,
        }))
    }
}

/// A top-up reference: absent until used once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TopUp {
    #[default]
    Absent,
    Received(TopUpReceived),
}

impl TopUp {
    pub fn received(&self) -> Option<&TopUpReceived> {
        match self {
            TopUp::Absent => None,
            TopUp::Received(r) => Some(r),
        }
    }

    pub fn evolve(self, event: &Event) -> TopUp {
        match event {
            Event::TopUpReceived(e) => TopUp::Received(e.clone()),
            _ => self,
        }
    }
}

// ---- Decisions --------------------------------------------------------------

/// CreditAccount: a positive amount to a registered customer, once per
/// top-up reference.
pub fn credit(
    top_up: &TopUp,
    account: &Account,
    customer: &Customer,
    cmd: &CreditAccount,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    if let Some(seen) = top_up.received() {
        let same = seen.customer_id == cmd.customer_id
            && seen.amount == cmd.amount
            && seen.currency == cmd.currency;
        return if same {
            Ok(vec![])
        } else {
            Err(DomainError::TopUpAlreadyRecorded(cmd.top_up_id.clone()))
        };
    }
    if customer.registered().is_none() {
        return Err(DomainError::CustomerNotFound(cmd.customer_id.clone()));
    }
    if cmd.amount.is_zero() {
        return Err(DomainError::InvalidAmount {
            reason: "a top-up must be positive",
        });
    }
    let known = account.balances.contains_key(&cmd.currency);
    if !known && account.balances.len() >= MAX_ACCOUNT_CURRENCIES {
        return Err(DomainError::LimitExceeded {
            what: "currencies in one account",
            limit: MAX_ACCOUNT_CURRENCIES,
        });
    }
    let balance_after = account
        .balance(cmd.currency)
        .checked_add(cmd.amount)
        .ok_or(DomainError::AmountOverflow)?;
    Ok(vec![
        Event::TopUpReceived(TopUpReceived {
            top_up_id: cmd.top_up_id.clone(),
            customer_id: cmd.customer_id.clone(),
            amount: cmd.amount,
            currency: cmd.currency,
            received_at: ctx.time,
        }),
        Event::AccountCredited(AccountCredited {
            customer_id: cmd.customer_id.clone(),
            top_up_id: cmd.top_up_id.clone(),
            amount: cmd.amount,
            currency: cmd.currency,
            balance_after,
            credited_at: ctx.time,
        }),
    ])
}
