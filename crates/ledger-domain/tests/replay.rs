//! Property tests: random command sequences through `decide` + `evolve`.
//!
//! Each case runs up to 40 commands (valid and invalid, random actors,
//! advancing time) over a small id space and checks that
//! (a) replaying every accepted event from `State::default()` rebuilds the
//!     state the decider saw,
//! (b) folding each aggregate's own events from `Aggregate::initial` gives
//!     the same aggregates,
//! (c) a refused command changes nothing, and an accepted one repeated at
//!     once records nothing (idempotency),
//! (d) invariants hold after every step: an order is in at most one live
//!     contract and every live contract's orders point back to it, and a
//!     paid order's payment equals its amount due.
//! Across all cases, every event type must have been produced at least once,
//! so the generator keeps reaching every rule.

mod kit;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use kit::*;
use ledger_domain::contract::{ContractKind, MAX_CONTRACT_ORDERS};
use ledger_domain::customer::RegisterCustomer;
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::order::{OrderSpec, OrderStatus, Payment, VoidOrder};
use ledger_domain::{evolve, Actor, Aggregate, AggregateId, Command, Event, State};

const ORDERS: usize = 6;
const CONTRACTS: usize = 2;
const CUSTOMERS: usize = 2;

fn order_name(i: usize) -> String {
    format!("O{i}")
}

fn contract_name(i: usize) -> String {
    format!("K{i}")
}

fn customer(i: usize) -> CustomerId {
    if i == 0 {
        alice()
    } else {
        bob()
    }
}

#[derive(Clone, Debug)]
enum Op {
    Register {
        c: usize,
        other_name: bool,
    },
    Certify {
        c: usize,
    },
    SetAccount {
        c: usize,
    },
    Place {
        o: usize,
        c: usize,
        shape: u8,
        deadline_hours: Option<i64>,
    },
    Pay {
        o: usize,
        p: usize,
        right_amount: bool,
        voucher: bool,
    },
    Cancel {
        o: usize,
    },
    VoidOrder {
        o: usize,
        blank: bool,
    },
    Expire {
        o: usize,
    },
    /// `orders` pick among the orders placed so far, unless `raw`. `kind`:
    /// 0 order contract, 1 payment request, else the kind that fits the
    /// first order (unpaid: payment request).
    Apply {
        k: usize,
        c: usize,
        kind: u8,
        orders: Vec<usize>,
        raw: bool,
    },
    Convert {
        k: usize,
    },
    VoidContract {
        k: usize,
    },
    Edit {
        k: usize,
        remarks: u8,
    },
    Invalidate {
        k: usize,
    },
}

#[derive(Clone, Debug)]
struct Step {
    op: Op,
    /// 0–6: the actor the command is meant for; 7–11: a fixed actor.
    actor: u8,
    advance_hours: i64,
}

fn op() -> impl Strategy<Value = Op> {
    // Order and contract ops pick among existing ones (see `resolve`); the
    // extra last value names one that never exists.
    let o = 0..ORDERS + 1;
    let k = 0..CONTRACTS + 1;
    let c = 0..CUSTOMERS;
    prop_oneof![
        1 => (c.clone(), any::<bool>()).prop_map(|(c, other_name)| Op::Register { c, other_name }),
        1 => c.clone().prop_map(|c| Op::Certify { c }),
        1 => c.clone().prop_map(|c| Op::SetAccount { c }),
        8 => (0..ORDERS, prop_oneof![4 => Just(0usize), 1 => Just(1usize)], 0u8..6,
              prop_oneof![3 => Just(None), 1 => (-2i64..72).prop_map(Some)])
            .prop_map(|(o, c, shape, deadline_hours)| Op::Place { o, c, shape, deadline_hours }),
        6 => (o.clone(), 0..2usize, prop_oneof![5 => Just(true), 1 => Just(false)], any::<bool>())
            .prop_map(|(o, p, right_amount, voucher)| Op::Pay { o, p, right_amount, voucher }),
        1 => o.clone().prop_map(|o| Op::Cancel { o }),
        1 => (o.clone(), prop_oneof![5 => Just(false), 1 => Just(true)])
            .prop_map(|(o, blank)| Op::VoidOrder { o, blank }),
        2 => o.clone().prop_map(|o| Op::Expire { o }),
        7 => (0..CONTRACTS, prop_oneof![4 => Just(0usize), 1 => Just(1usize)], 0u8..4,
              prop_oneof![3 => proptest::collection::vec(o.clone(), 1..2), 1 => proptest::collection::vec(o.clone(), 0..4)], prop_oneof![5 => Just(false), 1 => Just(true)])
            .prop_map(|(k, c, kind, orders, raw)| Op::Apply { k, c, kind, orders, raw }),
        3 => k.clone().prop_map(|k| Op::Convert { k }),
        2 => k.clone().prop_map(|k| Op::VoidContract { k }),
        2 => (k.clone(), 0u8..4).prop_map(|(k, remarks)| Op::Edit { k, remarks }),
        5 => k.prop_map(|k| Op::Invalidate { k }),
    ]
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (
            op(),
            0u8..12,
            prop_oneof![1 => Just(0i64), 6 => 1i64..12, 2 => 12i64..120],
        )
            .prop_map(|(op, actor, advance_hours)| Step {
                op,
                actor,
                advance_hours,
            }),
        5..=40,
    )
}

fn order_spec(o: usize, c: usize, shape: u8) -> OrderSpec {
    let id = OrderId::new(order_name(o)).unwrap();
    let cust = customer(c);
    match shape {
        0 | 1 => subscription_order(&id, &cust),
        2 => pay_as_you_go_order(&id, &cust),
        3 => {
            let mut s = subscription_order(&id, &cust);
            s.amount_due = money("1290.01");
            s
        }
        4 => {
            let mut s = subscription_order(&id, &cust);
            s.line_items.clear();
            s
        }
        _ => {
            let mut s = subscription_order(&id, &cust);
            s.product_name = "Elastic Volume Service".into();
            s
        }
    }
}

/// Maps an order or contract selector onto the orders placed (contracts
/// applied) so far, so most commands meet something that exists.
fn resolve(op: &Op, state: &State) -> Op {
    let placed: Vec<usize> = (0..ORDERS)
        .filter(|o| {
            state
                .order(&OrderId::new(order_name(*o)).unwrap())
                .placed()
                .is_some()
        })
        .collect();
    let applied: Vec<usize> = (0..CONTRACTS)
        .filter(|k| {
            state
                .contract(&ContractNo::new(contract_name(*k)).unwrap())
                .applied()
                .is_some()
        })
        .collect();
    let o = |o: &usize| {
        if *o < ORDERS && !placed.is_empty() {
            placed[*o % placed.len()]
        } else {
            *o
        }
    };
    let k = |k: &usize| {
        if *k < CONTRACTS && !applied.is_empty() {
            applied[*k % applied.len()]
        } else {
            *k
        }
    };
    let mut op = op.clone();
    match &mut op {
        Op::Pay { o: x, .. }
        | Op::Cancel { o: x }
        | Op::VoidOrder { o: x, .. }
        | Op::Expire { o: x } => *x = o(x),
        Op::Convert { k: x }
        | Op::VoidContract { k: x }
        | Op::Edit { k: x, .. }
        | Op::Invalidate { k: x } => *x = k(x),
        _ => {}
    }
    op
}

/// The concrete command of an op, given the state (an amount to pay is read
/// from the order, as a payment service would).
fn command(op: &Op, state: &State, now: DateTime<Utc>) -> Command {
    match op {
        Op::Register { c, other_name } => {
            if *other_name {
                Command::RegisterCustomer(RegisterCustomer {
                    customer_id: customer(*c),
                    name: "renamed account".into(),
                })
            } else {
                register_customer(&customer(*c))
            }
        }
        Op::Certify { c } => certify(&customer(*c)),
        Op::SetAccount { c } => set_remittance(&customer(*c)),
        Op::Place {
            o,
            c,
            shape,
            deadline_hours,
        } => {
            let spec = order_spec(*o, *c, *shape);
            match deadline_hours {
                None => place(spec),
                Some(h) => place_with_deadline(spec, now + hours(*h)),
            }
        }
        Op::Pay {
            o,
            p,
            right_amount,
            voucher: with_voucher,
        } => {
            let name = order_name(*o);
            let due = state
                .order(&OrderId::new(&name).unwrap())
                .placed()
                .map_or(money("1.00"), |x| x.spec().amount_due);
            let amount = if *right_amount {
                due
            } else {
                due.checked_add(money("0.01")).unwrap()
            };
            let vouchers = if *with_voucher {
                vec![voucher("CP-1", "1.00")]
            } else {
                vec![]
            };
            pay(
                &name,
                Payment {
                    payment_id: pid(&format!("PAY-{p}")),
                    amount,
                    vouchers,
                },
            )
        }
        Op::Cancel { o } => cancel(&order_name(*o)),
        Op::VoidOrder { o, blank } => {
            if *blank {
                Command::VoidOrder(VoidOrder {
                    order_id: OrderId::new(order_name(*o)).unwrap(),
                    reason: String::new(),
                })
            } else {
                void_order(&order_name(*o))
            }
        }
        Op::Expire { o } => expire(&order_name(*o)),
        Op::Apply {
            k,
            c,
            kind,
            orders,
            raw,
        } => {
            let placed: Vec<usize> = (0..ORDERS)
                .filter(|o| {
                    state
                        .order(&OrderId::new(order_name(*o)).unwrap())
                        .placed()
                        .is_some()
                })
                .collect();
            let names: Vec<String> = orders
                .iter()
                .map(|o| {
                    if *raw || placed.is_empty() {
                        order_name(*o)
                    } else {
                        order_name(placed[*o % placed.len()])
                    }
                })
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let first_unpaid = names.first().is_some_and(|n| {
                state
                    .order(&OrderId::new(n).unwrap())
                    .placed()
                    .is_some_and(|o| o.is_unpaid())
            });
            let kind = match kind {
                0 => ContractKind::Order,
                1 => ContractKind::PaymentRequest,
                _ if first_unpaid => ContractKind::PaymentRequest,
                _ => ContractKind::Order,
            };
            apply_contract(&contract_name(*k), &customer(*c), kind, &refs)
        }
        Op::Convert { k } => convert_contract(&contract_name(*k)),
        Op::VoidContract { k } => void_contract(&contract_name(*k)),
        Op::Edit { k, remarks } => {
            let text = match remarks {
                0 => REMARKS.to_string(),
                1 => "archived".to_string(),
                2 => "archived with invoice 118".to_string(),
                _ => "x".repeat(201),
            };
            edit_remarks(&contract_name(*k), &text)
        }
        Op::Invalidate { k } => invalidate_contract(&contract_name(*k)),
    }
}

/// The actor the command is meant for: the owning customer, an operator
/// to void, the system for timers, a service for customers.
fn fitting_actor(op: &Op, state: &State) -> Actor {
    let owner_of_order = |o: usize| {
        state
            .order(&OrderId::new(order_name(o)).unwrap())
            .placed()
            .map_or(alice(), |x| x.spec().customer_id.clone())
    };
    let owner_of_contract = |k: usize| {
        state
            .contract(&ContractNo::new(contract_name(k)).unwrap())
            .applied()
            .map_or(alice(), |x| x.customer_id().clone())
    };
    match op {
        Op::Register { .. } | Op::Certify { .. } | Op::SetAccount { .. } => service(),
        // The role table: orders are placed by the purchase service and paid
        // by the payment service; the customer applies and cancels itself.
        Op::Place { .. } | Op::Pay { .. } => service(),
        Op::Apply { c, .. } => as_customer(&customer(*c)),
        Op::Cancel { o } => as_customer(&owner_of_order(*o)),
        Op::VoidOrder { .. } => operator(),
        Op::Expire { .. } | Op::Invalidate { .. } => system(),
        Op::Convert { k } | Op::Edit { k, .. } => as_customer(&owner_of_contract(*k)),
        Op::VoidContract { k } => match state
            .contract(&ContractNo::new(contract_name(*k)).unwrap())
            .applied()
            .map(|c| c.status().name())
        {
            Some("official") => operator(),
            _ => as_customer(&owner_of_contract(*k)),
        },
    }
}

fn actor(step: &Step, op: &Op, state: &State) -> Actor {
    match step.actor {
        0..=6 => fitting_actor(op, state),
        7 => as_customer(&alice()),
        8 => as_customer(&bob()),
        9 => operator(),
        10 => service(),
        _ => system(),
    }
}

/// (d): the cross-aggregate invariants.
fn check_invariants(state: &State) -> Result<(), TestCaseError> {
    let orders: Vec<OrderId> = (0..ORDERS)
        .map(|o| OrderId::new(order_name(o)).unwrap())
        .collect();
    let contracts: Vec<ContractNo> = (0..CONTRACTS)
        .map(|k| ContractNo::new(contract_name(k)).unwrap())
        .collect();
    for id in &orders {
        let Some(o) = state.order(id).placed() else {
            continue;
        };
        match o.status() {
            OrderStatus::Paid { payment, .. }
            | OrderStatus::Voided {
                payment: Some(payment),
                ..
            } => prop_assert_eq!(payment.amount, o.spec().amount_due, "order {}", id),
            _ => {}
        }
        let live: Vec<&ContractNo> = contracts
            .iter()
            .filter(|k| {
                state.contract(k).applied().is_some_and(|c| {
                    c.status().is_live() && c.orders().iter().any(|x| &x.order_id == id)
                })
            })
            .collect();
        prop_assert!(live.len() <= 1, "order {} in live contracts {:?}", id, live);
        prop_assert_eq!(o.contract(), live.first().copied(), "order {}", id);
    }
    for k in &contracts {
        let Some(c) = state.contract(k).applied() else {
            continue;
        };
        prop_assert!((1..=MAX_CONTRACT_ORDERS).contains(&c.orders().len()));
        for x in c.orders() {
            let o = state.order(&x.order_id).placed();
            prop_assert!(o.is_some(), "contract {} names absent order", k);
            let o = o.unwrap();
            prop_assert_eq!(&o.spec().customer_id, c.customer_id());
            if c.status().is_live() {
                prop_assert_eq!(o.contract(), Some(k), "live contract {}", k);
            } else {
                prop_assert_ne!(o.contract(), Some(k), "ended contract {}", k);
            }
        }
    }
    Ok(())
}

/// Runs one sequence; returns the accepted events.
fn run(steps: &[Step]) -> Result<Vec<Event>, TestCaseError> {
    let mut clock = ManualClock::new();
    let mut state = State::default();
    let mut log: Vec<Event> = Vec::new();
    // Alice is ready to sign contracts; Bob is registered, and certified
    // only if the sequence does it.
    let prelude = [
        register_customer(&alice()),
        certify(&alice()),
        set_remittance(&alice()),
        register_customer(&bob()),
    ];
    let mut all: Vec<(Command, Actor)> = prelude.into_iter().map(|c| (c, service())).collect();
    all.reserve(steps.len());

    let mut step_iter = steps.iter();
    loop {
        let (cmd, who) = if let Some(first) = all.first().cloned() {
            all.remove(0);
            first
        } else if let Some(step) = step_iter.next() {
            clock.advance(hours(step.advance_hours));
            let op = resolve(&step.op, &state);
            let cmd = command(&op, &state, clock.now());
            let who = actor(step, &op, &state);
            (cmd, who)
        } else {
            break;
        };
        let context = ctx(who, clock.now());
        let before = state.clone();
        let result = decide_checked(&state, &cmd, &context);
        prop_assert_eq!(
            &ledger_domain::decide(&state, &cmd, &context),
            &result,
            "decide is not deterministic"
        );
        match result {
            Ok(events) => {
                for e in &events {
                    state = evolve(state, e);
                }
                // (c) An accepted command, repeated at once, records nothing.
                prop_assert_eq!(
                    ledger_domain::decide(&state, &cmd, &context),
                    Ok(vec![]),
                    "repeat of {} is not idempotent",
                    cmd.name()
                );
                if events.is_empty() {
                    prop_assert_eq!(&state, &before);
                }
                if std::env::var("REPLAY_DEBUG").is_ok() {
                    for e in &events {
                        eprintln!("recorded {}", e.name());
                    }
                }
                log.extend(events);
            }
            Err(ref e) => {
                if std::env::var("REPLAY_DEBUG").is_ok() {
                    eprintln!("refused {} {}", cmd.name(), e.code());
                }
                // (c) A refusal leaves the state as it was.
                prop_assert_eq!(&state, &before);
            }
        }
        check_invariants(&state)?;
    }

    // (a) Replaying the log rebuilds the state.
    prop_assert_eq!(&state_of(&log), &state);

    // (b) Each aggregate folded from its own events, from its initial state.
    let mut groups: BTreeMap<AggregateId, Aggregate> = BTreeMap::new();
    for e in &log {
        let id = e.aggregate_id();
        let current = groups
            .remove(&id)
            .unwrap_or_else(|| Aggregate::initial(&id));
        groups.insert(id, current.evolve(e));
    }
    let mut rebuilt = State::default();
    for (id, aggregate) in groups {
        prop_assert_eq!(&state.get(&id), &aggregate, "{}", id);
        rebuilt.insert(id, aggregate);
    }
    prop_assert_eq!(&rebuilt, &state);
    Ok(log)
}

#[test]
fn random_command_sequences_replay_to_the_same_state_and_keep_invariants() {
    // A fixed seed: the coverage assertion below must not depend on luck
    // (a random seed left an event unproduced in about one run in eight).
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let seen: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let result = runner.run(&steps(), |steps| {
        let log = run(&steps)?;
        seen.lock().unwrap().extend(log.iter().map(Event::name));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator must reach every event (and so every accepting rule).
    let all = [
        "OrderPlaced",
        "OrderPaid",
        "OrderCancelled",
        "OrderExpired",
        "OrderVoided",
        "OrderAttachedToContract",
        "OrderReleasedFromContract",
        "ContractApplied",
        "ContractConverted",
        "ContractVoided",
        "ContractRemarksEdited",
        "ContractInvalidated",
        "CustomerRegistered",
        "RealNameCertified",
        "RemittanceAccountSet",
    ];
    let seen = seen.into_inner().unwrap();
    let missing: Vec<_> = all.iter().filter(|n| !seen.contains(*n)).collect();
    assert!(missing.is_empty(), "never produced: {missing:?}");
}
