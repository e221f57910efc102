//! Golden command fingerprints (issue 15).
//!
//! A reused command id is compared by its fingerprint: SHA-256 over the
//! actor, the command's name and the bincode encoding of its body (the
//! codec's `stored::command` form of it). If that encoding changed, a retry
//! of a command stored before the change would be refused as a different
//! command. Every [`Command`] variant has a sample ([`samples`]); its body
//! bytes are pinned in `tests/golden/commands/<Command>-<case>.hex` (to
//! show where a change is) and its fingerprint in
//! `tests/golden/fingerprints/<Command>-<case>.hex`. Regenerate on purpose
//! only with `LEDGER_GOLDEN_BLESS=1`.

#[allow(dead_code)]
#[path = "../kit/coverage.rs"]
mod coverage;
#[allow(dead_code)]
#[path = "../kit/fixtures.rs"]
mod fixtures;
mod samples;

use std::collections::{BTreeMap, BTreeSet};

use ledger_codec::payload::{command_fingerprint, encode_value};
use ledger_codec::stored::command;
use ledger_domain::catalog::VoucherKind;
use ledger_domain::contract::ContractKind;
use ledger_domain::customer::CertificationKind;
use ledger_domain::{Actor, Command, CommandKind};
use sha2::{Digest as _, Sha256};

use coverage::Seen;
use samples::{customer_actor, operator, samples, service};

/// The bincode encoding of a fingerprint body.
fn pin<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, String> {
    encode_value(body).map_err(|e| e.to_string())
}

/// The command's fingerprint body (`ledger_codec::stored::command`), and
/// what the domain command carries. Exhaustive over [`Command`]: a new
/// command fails to compile here until it is pinned.
fn body(command: &Command, s: &mut Seen) -> Result<Vec<u8>, String> {
    match command {
        Command::PlaceOrder(c) => {
            coverage::spec(s, &c.spec);
            s.option("PlaceOrder.payment_deadline", &c.payment_deadline);
            pin(&command::PlaceOrder::from(c))
        }
        Command::PayOrder(c) => {
            coverage::payment(s, &c.payment);
            pin(&command::PayOrder::from(c))
        }
        Command::CancelOrder(c) => pin(&command::CancelOrder::from(c)),
        Command::VoidOrder(c) => pin(&command::VoidOrder::from(c)),
        Command::ExpireOrder(c) => pin(&command::ExpireOrder::from(c)),
        Command::ApplyContract(c) => {
            s.variant(&c.kind);
            s.option("ApplyContract.party_a_kind", &c.party_a_kind);
            if let Some(kind) = &c.party_a_kind {
                s.variant(kind);
            }
            coverage::details(s, &c.party_a_details);
            pin(&command::ApplyContract::from(c))
        }
        Command::ConvertContract(c) => {
            s.option("ConvertContract.document", &c.document);
            if let Some(seal) = &c.document {
                coverage::seal(s, seal);
            }
            // `document` is skipped when absent (so a face's command
            // fingerprints as it did before documents).
            pin(&command::ConvertContract::from(c))
        }
        Command::VoidContract(c) => {
            coverage::ticket(s, "VoidContract.ticket", &c.ticket);
            pin(&command::VoidContract::from(c))
        }
        Command::EditContractRemarks(c) => pin(&command::EditContractRemarks::from(c)),
        Command::InvalidateContract(c) => pin(&command::InvalidateContract::from(c)),
        Command::RegisterCustomer(c) => pin(&command::RegisterCustomer::from(c)),
        Command::CertifyRealName(c) => {
            coverage::real_name(s, &c.real_name);
            pin(&command::CertifyRealName::from(c))
        }
        Command::SetRemittanceAccount(c) => {
            coverage::account(s, &c.account);
            pin(&command::SetRemittanceAccount::from(c))
        }
        Command::AcceptLoss(c) => pin(&command::AcceptLoss::from(c)),
        Command::CreditAccount(c) => pin(&command::CreditAccount::from(c)),
        Command::IssueCoupon(c) => {
            coverage::coupon(s, c);
            pin(&command::IssueCoupon::from(c))
        }
        Command::PayOrderFromBalance(c) => {
            s.vec("PayOrderFromBalance.coupons", &c.coupons);
            c.coupons.iter().for_each(|u| s.variant(&u.kind));
            pin(&command::PayOrderFromBalance::from(c))
        }
    }
}

fn cases() -> Vec<(String, Actor, Command)> {
    samples()
        .into_iter()
        .map(|(case, actor, c)| (format!("{}-{case}", c.name()), actor, c))
        .collect()
}

#[test]
fn every_command_fingerprint_matches_its_golden_value() {
    let bodies = fixtures::dir("commands");
    let prints = fixtures::dir("fingerprints");
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for (name, actor, command) in cases() {
        assert!(names.insert(name.clone()), "two golden cases named {name}");
        let actor = actor.to_string();
        let fingerprint = command_fingerprint(&command, &actor).unwrap();
        let body = match body(&command, &mut Seen::default()) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        // The fingerprint's construction: actor, name, body, 0-separated.
        let mut hasher = Sha256::new();
        hasher.update(actor.as_bytes());
        hasher.update([0]);
        hasher.update(command.name().as_bytes());
        hasher.update([0]);
        hasher.update(&body);
        let recomputed: [u8; 32] = hasher.finalize().into();
        if recomputed != fingerprint.0 {
            failures.push(format!(
                "{name}: the fingerprint is no longer SHA-256(actor 0 name 0 body)"
            ));
        }
        for (dir, bytes) in [(&bodies, &body[..]), (&prints, &fingerprint.0[..])] {
            if let Err(f) = fixtures::check(dir, &name, bytes) {
                failures.push(f);
            }
        }
    }
    for dir in [&bodies, &prints] {
        for stale in fixtures::stale(dir, &names) {
            failures.push(format!("{stale}: a golden file that no case produces"));
        }
    }
    fixtures::report("command fingerprint", &failures);
}

#[test]
fn every_command_has_a_golden_fingerprint() {
    let covered: BTreeSet<CommandKind> = cases().iter().map(|(_, _, c)| c.kind()).collect();
    let missing: Vec<_> = CommandKind::ALL
        .iter()
        .filter(|k| !covered.contains(k))
        .map(|k| k.name())
        .collect();
    assert!(
        missing.is_empty(),
        "commands without a golden fingerprint: {missing:?}"
    );
}

/// Which case carries each kind of actor (the fingerprint's first part).
fn actor_case(actor: &Actor) -> &'static str {
    match actor {
        Actor::Customer(_) => "CancelOrder-customer",
        Actor::Operator(_) => "VoidOrder-operator",
        Actor::Service(_) => "PlaceOrder-deadline",
        Actor::System => "ExpireOrder-timer",
    }
}

fn contract_kind_case(v: &ContractKind) -> &'static str {
    match v {
        ContractKind::Order => "ApplyContract-order",
        ContractKind::PaymentRequest => "ApplyContract-payment-request",
    }
}

fn party_a_kind_case(v: &CertificationKind) -> &'static str {
    match v {
        CertificationKind::Enterprise => "ApplyContract-order",
        CertificationKind::Personal => "ApplyContract-personal",
    }
}

fn coupon_use_case(v: &VoucherKind) -> &'static str {
    match v {
        VoucherKind::Coupon | VoucherKind::CashCoupon => "PayOrderFromBalance-coupons",
        VoucherKind::DiscountCoupon => "IssueCoupon-threshold",
        VoucherKind::Card => "IssueCoupon-card",
    }
}

#[test]
fn every_actor_kind_enum_variant_and_option_commands_carry_has_a_case() {
    let cases = cases();
    let mut failures = Vec::new();
    let by_name: BTreeMap<&str, &Actor> = cases.iter().map(|(n, a, _)| (n.as_str(), a)).collect();
    let actors = [customer_actor(), operator(), service(), Actor::System];
    for actor in &actors {
        let case = actor_case(actor);
        let same_kind = by_name
            .get(case)
            .is_some_and(|a| std::mem::discriminant(*a) == std::mem::discriminant(actor));
        if !same_kind {
            failures.push(format!("{case} is not sent by a {actor}-like actor"));
        }
    }
    let seen: BTreeMap<String, Seen> = cases
        .iter()
        .map(|(name, _, c)| {
            let mut s = Seen::default();
            body(c, &mut s).unwrap();
            (name.clone(), s)
        })
        .collect();
    coverage::check_enum(&seen, contract_kind_case, &mut failures);
    coverage::check_enum(&seen, party_a_kind_case, &mut failures);
    coverage::check_enum(&seen, coupon_use_case, &mut failures);
    coverage::check_shapes(&seen, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
