//! Replay equivalence through the real service: after random command
//! sequences, folding the log from position 1 gives exactly the states the
//! service decided with.

use std::collections::BTreeSet;

use proptest::prelude::*;

use ledger_app::{streams, Ledger};
use ledger_codec::payload::decode_event;
use ledger_codec::Position;
use ledger_domain::contract::{ContractKind, ConvertContract, InvalidateContract, VoidContract};
use ledger_domain::ids::OperatorId;
use ledger_domain::order::{CancelOrder, ExpireOrder, VoidOrder};
use ledger_domain::{Actor, Aggregate, AggregateId, Command, State};
use ledger_store::{DynStore, MAX_READ_BATCH};
use tests::*;

#[derive(Clone, Debug)]
enum Step {
    Place(u8),
    Pay(u8, u8),
    Cancel(u8),
    Void(u8),
    Expire(u8),
    Apply(u8, bool, Vec<u8>),
    Convert(u8),
    VoidContract(u8, bool),
    Invalidate(u8),
    Advance(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let o = 0u8..6;
    let c = 0u8..3;
    prop_oneof![
        3 => o.clone().prop_map(Step::Place),
        3 => (o.clone(), 0u8..2).prop_map(|(o, p)| Step::Pay(o, p)),
        1 => o.clone().prop_map(Step::Cancel),
        1 => o.clone().prop_map(Step::Void),
        1 => o.clone().prop_map(Step::Expire),
        2 => (c.clone(), any::<bool>(), prop::collection::vec(0u8..6, 1..4)).prop_map(|(c, k, os)| Step::Apply(c, k, os)),
        1 => c.clone().prop_map(Step::Convert),
        1 => (c.clone(), any::<bool>()).prop_map(|(c, op)| Step::VoidContract(c, op)),
        1 => c.prop_map(Step::Invalidate),
        1 => (1u8..5).prop_map(Step::Advance),
    ]
}

fn order(i: u8) -> String {
    format!("O{i}")
}

async fn run(ledger: &Ledger, clock: &ledger_app::ManualClock, steps: &[Step]) {
    let customer = Actor::Customer(customer_id("cust1"));
    let operator = Actor::Operator(OperatorId::new("ops1").unwrap());
    for (i, s) in steps.iter().enumerate() {
        let (command, actor) = match s {
            Step::Place(o) => (
                Command::PlaceOrder(place_order("cust1", &order(*o))),
                service(),
            ),
            Step::Pay(o, p) => (
                Command::PayOrder(pay_order(&order(*o), &format!("PAY{o}-{p}"))),
                customer.clone(),
            ),
            Step::Cancel(o) => (
                Command::CancelOrder(CancelOrder {
                    order_id: order_id(&order(*o)),
                }),
                customer.clone(),
            ),
            Step::Void(o) => (
                Command::VoidOrder(VoidOrder {
                    order_id: order_id(&order(*o)),
                    reason: "provisioning failed".into(),
                }),
                operator.clone(),
            ),
            Step::Expire(o) => (
                Command::ExpireOrder(ExpireOrder {
                    order_id: order_id(&order(*o)),
                }),
                Actor::System,
            ),
            Step::Apply(c, order_kind, os) => {
                let kind = if *order_kind {
                    ContractKind::Order
                } else {
                    ContractKind::PaymentRequest
                };
                let names: Vec<String> = os.iter().map(|o| order(*o)).collect();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                (
                    Command::ApplyContract(apply_contract("cust1", &format!("HT{c}"), kind, &refs)),
                    customer.clone(),
                )
            }
            Step::Convert(c) => (
                Command::ConvertContract(ConvertContract::new(format!("HT{c}").parse().unwrap())),
                customer.clone(),
            ),
            Step::VoidContract(c, by_operator) => (
                Command::VoidContract(VoidContract {
                    contract_no: format!("HT{c}").parse().unwrap(),
                    ticket: None,
                }),
                if *by_operator {
                    operator.clone()
                } else {
                    customer.clone()
                },
            ),
            Step::Invalidate(c) => (
                Command::InvalidateContract(InvalidateContract {
                    contract_no: format!("HT{c}").parse().unwrap(),
                }),
                Actor::System,
            ),
            Step::Advance(d) => {
                clock.advance(days(i64::from(*d)));
                continue;
            }
        };
        // Refusals are part of the test: they must simply write nothing.
        let _ = ledger
            .execute(command, meta(&format!("step-{i}"), actor))
            .await;
    }
}

async fn replay(store: &DynStore) -> State {
    let mut state = State::default();
    let mut next = Position(1);
    loop {
        let batch = store.read_all(next, MAX_READ_BATCH).await.unwrap();
        if batch.is_empty() {
            return state;
        }
        for r in batch {
            let event = decode_event(&r.event_type, r.schema_version, &r.payload).unwrap();
            assert_eq!(streams::stream_id(&event.aggregate_id()), r.stream_id);
            state = ledger_domain::evolve(state, &event);
            next = r.position.next();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn folding_the_log_reproduces_the_service_state(steps in prop::collection::vec(step(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let store: DynStore = ledger_store_memory::MemoryStore::new();
            let (ledger, clock) = ledger(store.clone());
            run_all(&ledger, "onboard", onboard("cust1")).await;
            run(&ledger, &clock, &steps).await;
            let replayed = replay(&store).await;

            let mut ids: BTreeSet<AggregateId> = (0..6).map(|o| AggregateId::Order(order_id(&order(o)))).collect();
            ids.extend((0..3).map(|c| AggregateId::Contract(format!("HT{c}").parse().unwrap())));
            ids.insert(AggregateId::Customer(customer_id("cust1")));
            for id in ids {
                let (_, live) = ledger.aggregate(&id).await.unwrap();
                assert_eq!(replayed.get(&id), live, "{id}");
                if let Aggregate::Order(o) = &live {
                    if let Some(p) = o.placed() {
                        if let Some(no) = p.contract() {
                            let Aggregate::Contract(c) = replayed.get(&AggregateId::Contract(no.clone())) else { unreachable!() };
                            let c = c.applied().expect("attached to an applied contract");
                            assert!(c.status().is_live(), "{id} attached to a dead contract {no}");
                        }
                    }
                }
            }
        });
    }
}
