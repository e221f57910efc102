//! `ExecuteBatch`: many commands in one call, each with its own result.
//!
//! The commands of a batch run concurrently, so their appends share the
//! store's group commit (one fdatasync for many), except that a command
//! waits for the earlier commands of the batch it depends on. A command
//! *acts on* the first aggregate of its scope (the order of `PayOrder`, the
//! customer of `RegisterCustomer`) and *names* every aggregate of its first
//! scope round; command `i` waits for `j < i` when `j` acts on an aggregate
//! `i` names, or names the aggregate `i` acts on. So a `PlaceOrder` and a
//! `PayOrder` of the same order run in batch order, while the orders of
//! one customer are placed together. A batch is not a transaction: a
//! refused command changes nothing and the others still run.

use std::collections::HashMap;
use std::sync::Arc;

use ledger_domain::{AggregateId, State as DomainState};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument as _;

use super::commands::{execute, Prepared};
use crate::errors::ApiError;
use crate::pb;
use crate::server::State;

/// Most commands one `ExecuteBatch` carries.
pub const MAX_BATCH_COMMANDS: usize = 1_000;

/// Checks the batch's size and prepares each command; a command that does
/// not convert is that command's error, not the batch's.
pub(super) fn prepare_all(
    commands: Vec<pb::BatchCommand>,
    mut prepare: impl FnMut(pb::batch_command::Command) -> Result<Prepared, ApiError>,
) -> Result<Vec<Result<Prepared, ApiError>>, ApiError> {
    if commands.is_empty() || commands.len() > MAX_BATCH_COMMANDS {
        return Err(ApiError::bad_parameter(format!(
            "a batch holds 1 to {MAX_BATCH_COMMANDS} commands, got {}",
            commands.len()
        )));
    }
    Ok(commands
        .into_iter()
        .enumerate()
        .map(|(i, c)| match c.command {
            Some(c) => prepare(c),
            None => Err(ApiError::bad_parameter(format!(
                "commands[{i}] names no command"
            ))),
        })
        .collect())
}

/// For each command, the earlier commands it waits for (see the module
/// documentation). Linear in the batch's size times the scopes' sizes:
/// waiting on the latest command that acted on an aggregate is enough
/// (that one waited for those before it).
pub(super) fn dependencies(scopes: &[Option<Vec<AggregateId>>]) -> Vec<Vec<usize>> {
    let mut last_actor: HashMap<&AggregateId, usize> = HashMap::new();
    let mut namers: HashMap<&AggregateId, Vec<usize>> = HashMap::new();
    scopes
        .iter()
        .enumerate()
        .map(|(i, scope)| {
            let Some(scope) = scope.as_deref().filter(|s| !s.is_empty()) else {
                return Vec::new();
            };
            let mut deps: Vec<usize> = scope
                .iter()
                .filter_map(|a| last_actor.get(a).copied())
                .collect();
            let acts_on = &scope[0];
            deps.extend(namers.remove(acts_on).unwrap_or_default());
            deps.sort_unstable();
            deps.dedup();
            last_actor.insert(acts_on, i);
            for a in scope {
                namers.entry(a).or_default().push(i);
            }
            deps
        })
        .collect()
}

fn result_of(r: Result<pb::CommandReply, ApiError>) -> pb::BatchResult {
    use pb::batch_result::Result as R;
    pb::BatchResult {
        result: Some(match r {
            Ok(reply) => R::Reply(reply),
            Err(e) => {
                let m = e.mapping();
                R::Error(pb::CommandError {
                    code: e.code.to_owned(),
                    grpc_code: m.grpc as i32,
                    cbc_code: m.cbc.to_owned(),
                    message: e.message,
                })
            }
        }),
    }
}

/// Executes the batch; the results are in request order.
pub(super) async fn execute_all(
    state: Arc<State>,
    prepared: Vec<Result<Prepared, ApiError>>,
) -> Vec<pb::BatchResult> {
    let empty = DomainState::default();
    let scopes: Vec<Option<Vec<AggregateId>>> = prepared
        .iter()
        .map(|p| p.as_ref().ok().map(|p| p.command.scope(&empty)))
        .collect();
    let deps = dependencies(&scopes);
    let (done, finished): (Vec<_>, Vec<_>) =
        (0..prepared.len()).map(|_| watch::channel(false)).unzip();
    let mut results: Vec<Option<pb::BatchResult>> = (0..prepared.len()).map(|_| None).collect();
    let mut tasks = JoinSet::new();
    for ((i, p), done) in prepared.into_iter().enumerate().zip(done) {
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                results[i] = Some(result_of(Err(e)));
                done.send_replace(true);
                continue;
            }
        };
        let waits: Vec<watch::Receiver<bool>> =
            deps[i].iter().map(|&d| finished[d].clone()).collect();
        let state = state.clone();
        tasks.spawn(
            async move {
                for mut w in waits {
                    // A dependency's task that ended without saying so
                    // (it cannot: see below) releases its dependants.
                    let _ = w.wait_for(|d| *d).await;
                }
                let r = execute(&state, p).await;
                done.send_replace(true);
                (i, result_of(r))
            }
            .instrument(tracing::Span::current()),
        );
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => results[i] = Some(r),
            // A panicked command is a bug: crash, as on the write path.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    results
        .into_iter()
        .map(|r| r.expect("every command of the batch has a result"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger_domain::ids::{CustomerId, OrderId};
    use proptest::prelude::*;

    fn order(n: u8) -> AggregateId {
        AggregateId::Order(OrderId::new(format!("CS{n}")).unwrap())
    }

    fn customer(n: u8) -> AggregateId {
        AggregateId::Customer(format!("{n:032x}").parse::<CustomerId>().unwrap())
    }

    /// Whether `i` must wait for `j` (j < i), by the rule itself.
    fn must_wait(scopes: &[Option<Vec<AggregateId>>], i: usize, j: usize) -> bool {
        match (&scopes[i], &scopes[j]) {
            (Some(si), Some(sj)) if !si.is_empty() && !sj.is_empty() => {
                si.contains(&sj[0]) || sj.contains(&si[0])
            }
            _ => false,
        }
    }

    /// Everything `i` waits for, directly or through others.
    fn closure(deps: &[Vec<usize>], i: usize) -> std::collections::BTreeSet<usize> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = deps[i].clone();
        while let Some(d) = stack.pop() {
            if seen.insert(d) {
                stack.extend(deps[d].iter().copied());
            }
        }
        seen
    }

    #[test]
    fn a_payment_waits_for_its_order_and_orders_of_one_customer_do_not_wait() {
        let scopes = vec![
            Some(vec![customer(1)]),           // register
            Some(vec![order(1), customer(1)]), // place 1
            Some(vec![order(2), customer(1)]), // place 2
            Some(vec![order(1)]),              // pay 1
            None,                              // refused before running
        ];
        let deps = dependencies(&scopes);
        assert_eq!(deps, vec![vec![], vec![0], vec![0], vec![1], vec![]]);
    }

    proptest! {
        /// Brute force: `i` waits (transitively) for exactly... at least
        /// every `j` the rule names, and directly only for ones it names.
        #[test]
        fn every_required_wait_is_kept(
            raw in proptest::collection::vec(
                proptest::option::weighted(0.9, proptest::collection::vec((any::<bool>(), 0u8..4), 1..4)),
                0..40,
            )
        ) {
            let scopes: Vec<Option<Vec<AggregateId>>> = raw
                .into_iter()
                .map(|s| s.map(|ids| ids.into_iter().map(|(o, n)| if o { order(n) } else { customer(n) }).collect()))
                .collect();
            let deps = dependencies(&scopes);
            for i in 0..scopes.len() {
                for &d in &deps[i] {
                    prop_assert!(d < i && must_wait(&scopes, i, d), "{i} waits for {d} needlessly");
                }
                let all = closure(&deps, i);
                for j in 0..i {
                    if must_wait(&scopes, i, j) {
                        prop_assert!(all.contains(&j), "{i} does not wait for {j}: {deps:?}");
                    }
                }
            }
        }
    }
}
