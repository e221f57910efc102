//! The role table (`roles`): for every command, each kind of actor is
//! either allowed past the table or refused with `actor_not_permitted`,
//! exactly as the expected table below says; and legality replay refuses a
//! stored event whose recorded actor the table forbids.

mod kit;

use kit::*;
use ledger_domain::audit::check;
use ledger_domain::catalog::VoucherKind;
use ledger_domain::contract::ContractKind;
use ledger_domain::roles::{self, ActorKind};
use ledger_domain::{decide, Actor, Command, CommandKind, ErrorClass};

use ActorKind::{Customer, Operator, Service, System};

/// The table as the issue states it, written out independently of the code.
fn expected(kind: CommandKind) -> &'static [ActorKind] {
    use CommandKind as C;
    match kind {
        C::PlaceOrder | C::VoidOrder => &[Service, Operator],
        C::PayOrder => &[Service],
        C::CancelOrder => &[Customer, Service],
        C::ExpireOrder | C::InvalidateContract => &[System],
        C::ApplyContract | C::ConvertContract | C::EditContractRemarks => &[Customer, Service],
        C::VoidContract => &[Customer, Service, Operator],
        C::RegisterCustomer | C::CertifyRealName | C::SetRemittanceAccount => &[Service, Operator],
        C::AcceptLoss => &[Operator],
        C::CreditAccount => &[Service],
        C::IssueCoupon => &[Service, Operator],
        C::PayOrderFromBalance => &[Customer, Service],
    }
}

/// One realistic command of each kind (for alice's order O1 / contract K1).
fn sample(kind: CommandKind) -> Command {
    use CommandKind as C;
    match kind {
        C::PlaceOrder => place(subscription_order(&oid("O1"), &alice())),
        C::PayOrder => pay_in_full("O1", "PAY-1"),
        C::CancelOrder => cancel("O1"),
        C::VoidOrder => void_order("O1"),
        C::ExpireOrder => expire("O1"),
        C::ApplyContract => apply_contract("K1", &alice(), ContractKind::Order, &["O1"]),
        C::ConvertContract => convert_contract("K1"),
        C::VoidContract => void_contract("K1"),
        C::EditContractRemarks => edit_remarks("K1", "archived"),
        C::InvalidateContract => invalidate_contract("K1"),
        C::RegisterCustomer => register_customer(&alice()),
        C::CertifyRealName => certify(&alice()),
        C::SetRemittanceAccount => set_remittance(&alice()),
        C::AcceptLoss => accept_loss(3, 5, "no backup holds them"),
        C::CreditAccount => credit_account(&alice(), "TOP-1", "100.00"),
        C::IssueCoupon => issue_coupon("CP-1", &alice(), VoucherKind::Coupon, "20.00"),
        C::PayOrderFromBalance => pay_from_balance("O1", &[]),
    }
}

fn actor_of(kind: ActorKind) -> Actor {
    match kind {
        Customer => as_customer(&alice()),
        Service => service(),
        Operator => operator(),
        System => system(),
    }
}

#[test]
fn the_role_table_is_the_issues_table() {
    for kind in CommandKind::ALL {
        assert_eq!(roles::permitted_kind(*kind), expected(*kind), "{kind:?}");
    }
}

#[test]
fn every_command_is_allowed_or_refused_for_every_actor_kind_as_the_table_says() {
    for kind in CommandKind::ALL {
        let command = sample(*kind);
        assert_eq!(command.kind(), *kind);
        for actor_kind in [Customer, Service, Operator, System] {
            let actor = actor_of(actor_kind);
            // Given nothing, when the command is sent by this actor...
            let result = decide(&state_of(&[]), &command, &ctx(actor.clone(), t0()));
            let refused_by_table = matches!(&result, Err(e) if e.code() == "actor_not_permitted");
            let allowed = expected(*kind).contains(&actor_kind);
            // ...then it is refused by the table exactly when its row says so
            // (an allowed actor may still meet another rule).
            assert_eq!(
                refused_by_table, !allowed,
                "{kind:?} by {actor}: {result:?}"
            );
            assert_eq!(roles::check(&command, &actor).is_ok(), allowed);
            if let Err(e) = roles::check(&command, &actor) {
                assert_eq!(e.class(), ErrorClass::PermissionDenied);
                assert_eq!(
                    e.to_string(),
                    format!("{actor} may not send {}", kind.name())
                );
            }
        }
    }
}

#[test]
fn a_customer_is_refused_placing_its_own_order_at_any_price() {
    given(&ready_customer(&alice()))
        .when(place(subscription_order(&oid("O1"), &alice())))
        .by(as_customer(&alice()))
        .then_error("actor_not_permitted");
}

#[test]
fn a_customer_is_refused_declaring_its_own_payment() {
    given(
        &[
            ready_customer(&alice()),
            vec![placed_subscription("O1", &alice())],
        ]
        .concat(),
    )
    .when(pay_in_full("O1", "made-up"))
    .by(as_customer(&alice()))
    .then_error("actor_not_permitted");
}

#[test]
fn a_customer_still_acts_only_for_itself() {
    let history = [
        ready_customer(&alice()),
        ready_customer(&bob()),
        vec![placed_subscription("O1", &alice())],
    ]
    .concat();
    given(&history)
        .when(cancel("O1"))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
    given(&history)
        .when(cancel("O1"))
        .by(as_customer(&alice()))
        .at(t0() + hours(1))
        .then(&[order_cancelled("O1", t0() + hours(1))]);
}

#[test]
fn may_record_follows_the_table() {
    let placed = placed_subscription("O1", &alice());
    assert!(roles::may_record(&placed, &service()));
    assert!(roles::may_record(&placed, &operator()));
    assert!(!roles::may_record(&placed, &as_customer(&alice())));
    assert!(!roles::may_record(&placed, &system()));
    let released = released("O1", "K1", t0());
    // Released by VoidContract (customer, service, operator) or InvalidateContract (system).
    for actor in [as_customer(&alice()), service(), operator(), system()] {
        assert!(roles::may_record(&released, &actor));
    }
    // The document seal is recorded by whoever may convert.
    let sealed = document_sealed("K1", a_seal(), t0());
    for actor in [as_customer(&alice()), service()] {
        assert!(roles::may_record(&sealed, &actor));
    }
    for actor in [operator(), system()] {
        assert!(!roles::may_record(&sealed, &actor));
    }
    let expired = order_expired("O1", t0() + days(7));
    assert!(roles::may_record(&expired, &system()));
    assert!(!roles::may_record(&expired, &operator()));
}

#[test]
fn replay_refuses_a_stored_event_whose_actor_the_table_forbids() {
    let history = ready_customer(&alice());
    let state = state_of(&history);
    let placed = placed_subscription("O1", &alice());
    // A customer-placed order (the hole of issue 9) fails audit.
    let v = check(&state, &placed, "customer:d75298ab").unwrap_err();
    assert_eq!(v.code(), "actor_not_permitted");
    assert_eq!(
        v.to_string(),
        "customer:d75298ab may not record OrderPlaced"
    );
    // The same event recorded by the purchase service passes.
    check(&state, &placed, "service:purchase").unwrap();
    // An actor text that is no actor fails.
    assert_eq!(
        check(&state, &placed, "robot:x").unwrap_err().code(),
        "unknown_actor"
    );
    // A customer recording an event of another tenant fails.
    let with_order = state_of(&[history, vec![placed.clone()]].concat());
    let cancelled = order_cancelled("O1", t0() + hours(1));
    assert_eq!(
        check(&with_order, &cancelled, "customer:e1190c7f")
            .unwrap_err()
            .code(),
        "actor_of_another_customer"
    );
    check(&with_order, &cancelled, "customer:d75298ab").unwrap();
}
