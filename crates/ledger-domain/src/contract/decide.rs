//! The contract rules. Each function is one command's decision.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::types::*;
use crate::context::{Actor, Context};
use crate::customer::{CertificationKind, RealName};
use crate::error::{check_optional_text, check_text, DomainError};
use crate::ids::ContractNo;
use crate::order::{OrderAttachedToContract, OrderReleasedFromContract, OrderStatus, PlacedOrder};
use crate::{Event, State};

/// Most orders one contract may cover ("a maximum of 200 orders at once").
pub const MAX_CONTRACT_ORDERS: usize = 200;
/// Longest contract remarks.
pub const MAX_REMARKS_CHARS: usize = 200;
const MAX_PARTY_CHARS: usize = 256;
/// Longest Party A detail (address, contact, phone, tax id).
pub const MAX_PARTY_A_DETAIL_CHARS: usize = 256;
/// Longest void ticket reason.
pub const MAX_VOID_REASON_CHARS: usize = 512;

fn applied<'a>(state: &'a State, no: &ContractNo) -> Result<&'a AppliedContract, DomainError> {
    state
        .contract(no)
        .applied()
        .ok_or_else(|| DomainError::ContractNotFound(no.clone()))
}

fn check_customer_acts(
    c: &AppliedContract,
    ctx: &Context,
    action: &'static str,
) -> Result<(), DomainError> {
    if ctx.actor.may_act_for(c.customer_id()) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted {
            actor: ctx.actor.to_string(),
            action,
        })
    }
}

/// Release events for every order of a contract that the contract still holds.
fn release_orders(state: &State, c: &AppliedContract, ctx: &Context) -> Vec<Event> {
    c.orders()
        .iter()
        .filter(|o| {
            state
                .order(&o.order_id)
                .placed()
                .and_then(PlacedOrder::contract)
                == Some(c.contract_no())
        })
        .map(|o| {
            Event::OrderReleasedFromContract(OrderReleasedFromContract {
                order_id: o.order_id.clone(),
                contract_no: c.contract_no().clone(),
                released_at: ctx.time,
            })
        })
        .collect()
}

/// The first (earliest-deadline) associated order that is past its deadline
/// at `at` and was never paid (a paid order voided later was paid in
/// time).
pub(crate) fn overdue_order<'a>(
    state: &State,
    c: &'a AppliedContract,
    at: DateTime<Utc>,
) -> Option<&'a ContractOrder> {
    c.orders()
        .iter()
        .filter(|o| o.payment_deadline <= at)
        .filter(|o| {
            !state
                .order(&o.order_id)
                .placed()
                .is_some_and(PlacedOrder::was_paid)
        })
        .min_by_key(|o| (o.payment_deadline, o.order_id.clone()))
}

/// ApplyContract: 1–200 distinct orders of the applying customer, all paid
/// (order contract) or all unpaid and before their deadlines (payment
/// request), none in a live contract; the customer is certified (Party A)
/// and, for a payment request, has a remittance account. Creates a draft and
/// attaches the orders.
pub fn apply(state: &State, cmd: &ApplyContract, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    if !ctx.actor.may_act_for(&cmd.customer_id) {
        return Err(DomainError::NotPermitted {
            actor: ctx.actor.to_string(),
            action: "apply for this customer",
        });
    }
    if let Some(existing) = state.contract(&cmd.contract_no).applied() {
        let a = existing.application();
        let same = a.customer_id == cmd.customer_id
            && a.terms.kind() == cmd.kind
            && a.orders
                .iter()
                .map(|o| &o.order_id)
                .eq(cmd.order_ids.iter())
            && a.subject.party_b == cmd.party_b
            && a.subject.party_a_details == cmd.party_a_details
            && cmd.party_a_kind.is_none_or(|k| k == a.subject.party_a.kind)
            && a.remarks == cmd.remarks;
        return if same {
            Ok(vec![])
        } else {
            Err(DomainError::ContractAlreadyExists(cmd.contract_no.clone()))
        };
    }
    if cmd.order_ids.is_empty() || cmd.order_ids.len() > MAX_CONTRACT_ORDERS {
        return Err(DomainError::ContractOrderCount {
            count: cmd.order_ids.len(),
        });
    }
    check_text("party b", &cmd.party_b, MAX_PARTY_CHARS)?;
    check_optional_text("remarks", &cmd.remarks, MAX_REMARKS_CHARS)?;
    let customer = state
        .customer(&cmd.customer_id)
        .registered()
        .ok_or_else(|| DomainError::CustomerNotFound(cmd.customer_id.clone()))?;
    let party_a = customer
        .real_name()
        .ok_or_else(|| DomainError::CustomerNotCertified(cmd.customer_id.clone()))?;
    check_party_a(cmd, party_a)?;
    let terms = match cmd.kind {
        ContractKind::Order => ContractTerms::Order,
        ContractKind::PaymentRequest => ContractTerms::PaymentRequest {
            remittance_account: customer
                .remittance_account()
                .cloned()
                .ok_or_else(|| DomainError::RemittanceAccountMissing(cmd.customer_id.clone()))?,
        },
    };

    let mut seen = HashSet::with_capacity(cmd.order_ids.len());
    let mut orders = Vec::with_capacity(cmd.order_ids.len());
    for id in &cmd.order_ids {
        if !seen.insert(id) {
            return Err(DomainError::DuplicateContractOrder(id.clone()));
        }
        let o = state
            .order(id)
            .placed()
            .ok_or_else(|| DomainError::OrderNotFound(id.clone()))?;
        if o.spec().customer_id != cmd.customer_id {
            return Err(DomainError::OrderOfAnotherCustomer(id.clone()));
        }
        match (cmd.kind, o.status()) {
            (ContractKind::Order, OrderStatus::Paid { .. }) => {}
            (ContractKind::Order, other) => {
                return Err(DomainError::OrderNotPaid {
                    order_id: id.clone(),
                    status: other.name(),
                })
            }
            (ContractKind::PaymentRequest, OrderStatus::Unpaid) => {
                if ctx.time >= o.payment_deadline() {
                    return Err(DomainError::PaymentDeadlinePassed(id.clone()));
                }
            }
            (ContractKind::PaymentRequest, other) => {
                return Err(DomainError::OrderNotUnpaid {
                    order_id: id.clone(),
                    status: other.name(),
                })
            }
        }
        if let Some(live) = o.contract() {
            return Err(DomainError::OrderInLiveContract {
                order_id: id.clone(),
                contract_no: live.clone(),
            });
        }
        let (service_start, service_end) = o.spec().service_period();
        orders.push(ContractOrder {
            order_id: id.clone(),
            amount_due: o.spec().amount_due,
            payment_deadline: o.payment_deadline(),
            service_start,
            service_end,
        });
    }

    let mut events = Vec::with_capacity(1 + orders.len());
    events.push(Event::ContractApplied(ContractApplied {
        contract_no: cmd.contract_no.clone(),
        customer_id: cmd.customer_id.clone(),
        terms,
        subject: SubjectInfo {
            party_a: party_a.clone(),
            party_a_details: cmd.party_a_details.clone(),
            party_b: cmd.party_b.clone(),
        },
        remarks: cmd.remarks.clone(),
        applied_at: ctx.time,
        orders: orders.clone(),
    }));
    events.extend(orders.into_iter().map(|o| {
        Event::OrderAttachedToContract(OrderAttachedToContract {
            order_id: o.order_id,
            contract_no: cmd.contract_no.clone(),
            attached_at: ctx.time,
        })
    }));
    Ok(events)
}

/// Party A as the customer describes it must agree with its certification:
/// the seed's "If Party A is a company name, please first complete
/// Enterprise Real-name Certification". A tax id names a company.
fn check_party_a(cmd: &ApplyContract, certified: &RealName) -> Result<(), DomainError> {
    let d = &cmd.party_a_details;
    for (field, value) in [
        ("party a address", &d.address),
        ("party a contact name", &d.contact_name),
        ("party a contact phone", &d.contact_phone),
        ("party a tax id", &d.tax_id),
    ] {
        check_optional_text(field, value, MAX_PARTY_A_DETAIL_CHARS)?;
    }
    let company = cmd.party_a_kind == Some(CertificationKind::Enterprise) || !d.tax_id.is_empty();
    match certified.kind {
        CertificationKind::Personal if company => Err(
            DomainError::EnterpriseCertificationRequired(cmd.customer_id.clone()),
        ),
        CertificationKind::Enterprise if cmd.party_a_kind == Some(CertificationKind::Personal) => {
            Err(DomainError::PartyANotAPerson(cmd.customer_id.clone()))
        }
        _ => Ok(()),
    }
}

/// ConvertContract: a draft becomes official (legally binding). A
/// payment-request contract with an order already overdue cannot. The
/// official document's seal, when the command carries one (the application
/// layer renders and seals it), is recorded in the same decision.
pub fn convert(
    state: &State,
    cmd: &ConvertContract,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let c = applied(state, &cmd.contract_no)?;
    check_customer_acts(c, ctx, "convert this contract")?;
    match c.status() {
        ContractStatus::Draft => {}
        ContractStatus::Official { .. } => return Ok(vec![]),
        other => {
            return Err(DomainError::ContractNotDraft {
                contract_no: cmd.contract_no.clone(),
                status: other.name(),
            })
        }
    }
    if c.terms().kind() == ContractKind::PaymentRequest
        && overdue_order(state, c, ctx.time).is_some()
    {
        return Err(DomainError::ContractOverdue(cmd.contract_no.clone()));
    }
    let mut events = vec![Event::ContractConverted(ContractConverted {
        contract_no: cmd.contract_no.clone(),
        converted_at: ctx.time,
    })];
    if let Some(seal) = &cmd.document {
        if !seal.is_well_formed() {
            return Err(DomainError::MalformedDocumentSeal(cmd.contract_no.clone()));
        }
        events.push(Event::ContractDocumentSealed(ContractDocumentSealed {
            contract_no: cmd.contract_no.clone(),
            seal: seal.clone(),
            sealed_at: ctx.time,
        }));
    }
    Ok(events)
}

/// VoidContract: a draft by its customer; an official contract only by an
/// operator, with the ticket id and reason (the seed's "please submit a
/// ticket"). Releases the orders.
pub fn void(state: &State, cmd: &VoidContract, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let c = applied(state, &cmd.contract_no)?;
    check_customer_acts(c, ctx, "void this contract")?;
    match c.status() {
        ContractStatus::Draft => {}
        ContractStatus::Official { .. } if matches!(ctx.actor, Actor::Operator(_)) => {
            if cmd.ticket.is_none() {
                return Err(DomainError::VoidTicketRequired(cmd.contract_no.clone()));
            }
        }
        ContractStatus::Official { .. } => {
            return Err(DomainError::OfficialContractNeedsOperator(
                cmd.contract_no.clone(),
            ))
        }
        ContractStatus::Voided { .. } => return Ok(vec![]),
        other => {
            return Err(DomainError::ContractNotLive {
                contract_no: cmd.contract_no.clone(),
                status: other.name(),
            })
        }
    }
    if let Some(t) = &cmd.ticket {
        check_text("void reason", &t.reason, MAX_VOID_REASON_CHARS)?;
    }
    let mut events = vec![Event::ContractVoided(ContractVoided {
        contract_no: cmd.contract_no.clone(),
        voided_at: ctx.time,
        ticket: cmd.ticket.clone(),
    })];
    events.extend(release_orders(state, c, ctx));
    Ok(events)
}

/// EditContractRemarks: any contract, by its customer.
pub fn edit_remarks(
    state: &State,
    cmd: &EditContractRemarks,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let c = applied(state, &cmd.contract_no)?;
    check_customer_acts(c, ctx, "edit this contract")?;
    check_optional_text("remarks", &cmd.remarks, MAX_REMARKS_CHARS)?;
    if c.remarks() == cmd.remarks {
        return Ok(vec![]);
    }
    Ok(vec![Event::ContractRemarksEdited(ContractRemarksEdited {
        contract_no: cmd.contract_no.clone(),
        remarks: cmd.remarks.clone(),
        edited_at: ctx.time,
    })])
}

/// InvalidateContract: the system, when a live payment-request contract has
/// an associated order still unpaid at its deadline. Releases the orders.
pub fn invalidate(
    state: &State,
    cmd: &InvalidateContract,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let c = applied(state, &cmd.contract_no)?;
    if c.terms().kind() != ContractKind::PaymentRequest {
        return Err(DomainError::NotPaymentRequestContract(
            cmd.contract_no.clone(),
        ));
    }
    match c.status() {
        ContractStatus::Invalid { .. } => return Ok(vec![]),
        s if !s.is_live() => {
            return Err(DomainError::ContractNotLive {
                contract_no: cmd.contract_no.clone(),
                status: s.name(),
            })
        }
        _ => {}
    }
    let overdue = overdue_order(state, c, ctx.time)
        .ok_or_else(|| DomainError::ContractNotOverdue(cmd.contract_no.clone()))?;
    let mut events = vec![Event::ContractInvalidated(ContractInvalidated {
        contract_no: cmd.contract_no.clone(),
        overdue_order: overdue.order_id.clone(),
        invalidated_at: ctx.time,
    })];
    events.extend(release_orders(state, c, ctx));
    Ok(events)
}
