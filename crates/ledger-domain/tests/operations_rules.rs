//! One test per rule of the operations aggregate (AcceptLoss): who may
//! record an accepted loss, what a valid record is, and that a rerun after a
//! crash records nothing twice.

mod kit;

use kit::*;
use ledger_domain::operations::{AcceptLoss, MAX_ACCEPTED_LOSSES, MAX_LOSS_REASON_CHARS};
use ledger_domain::{Command, Event};

const REASON: &str = "no backup holds them; ticket 4711";

fn with_sha(first: u64, last: u64, sha: &str) -> Command {
    Command::AcceptLoss(AcceptLoss {
        first_position: first,
        last_position: last,
        head_position: first - 1,
        reason: REASON.into(),
        record_sha256: sha.into(),
    })
}

#[test]
fn accept_loss_records_the_range_the_reason_and_the_time() {
    let state = given(&[])
        .when(accept_loss(41, 57, REASON))
        .by(operator())
        .at(t0() + hours(2))
        .then(&[loss_accepted(41, 57, REASON, t0() + hours(2))]);
    let losses = state.operations().losses();
    assert_eq!(losses.len(), 1);
    assert_eq!(
        (losses[0].first_position, losses[0].last_position),
        (41, 57)
    );
    assert_eq!(losses[0].head_position, 40);
}

#[test]
fn accept_loss_by_anyone_but_an_operator_is_refused() {
    for actor in [service(), as_customer(&alice()), system()] {
        given(&[])
            .when(accept_loss(41, 57, REASON))
            .by(actor)
            .then_error("actor_not_permitted");
    }
}

#[test]
fn accept_loss_rerun_after_a_crash_records_nothing() {
    given(&[loss_accepted(41, 57, REASON, t0())])
        .when(accept_loss(41, 57, REASON))
        .by(operator())
        .at(t0() + days(1))
        .then_no_events();
}

#[test]
fn accept_loss_of_a_later_range_is_recorded_too() {
    given(&[loss_accepted(41, 57, REASON, t0())])
        .when(accept_loss(90, 90, REASON))
        .by(operator())
        .then(&[loss_accepted(90, 90, REASON, t0())]);
}

#[test]
fn accept_loss_refuses_an_empty_or_reversed_range() {
    for (first, last) in [(0, 3), (9, 8)] {
        let c = Command::AcceptLoss(AcceptLoss {
            first_position: first,
            last_position: last,
            head_position: 0,
            reason: REASON.into(),
            record_sha256: LOSS_SHA.into(),
        });
        given(&[]).when(c).by(operator()).then_error("invalid_id");
    }
}

#[test]
fn accept_loss_needs_a_reason_within_its_limit() {
    given(&[])
        .when(accept_loss(1, 2, ""))
        .by(operator())
        .then_error("invalid_text");
    let long = "x".repeat(MAX_LOSS_REASON_CHARS + 1);
    given(&[])
        .when(accept_loss(1, 2, &long))
        .by(operator())
        .then_error("invalid_text");
}

#[test]
fn accept_loss_needs_a_lower_case_sha256() {
    for sha in [
        "",
        "abc",
        &LOSS_SHA.to_uppercase(),
        &format!("{}g", &LOSS_SHA[..63]),
    ] {
        given(&[])
            .when(with_sha(1, 2, sha))
            .by(operator())
            .then_error("invalid_text");
    }
}

#[test]
fn accept_loss_stops_at_its_limit() {
    let full: Vec<Event> = (1..=MAX_ACCEPTED_LOSSES as u64)
        .map(|i| loss_accepted(i * 10, i * 10, REASON, t0()))
        .collect();
    given(&full)
        .when(accept_loss(1_000_000, 1_000_000, REASON))
        .by(operator())
        .then_error("limit_exceeded");
}
