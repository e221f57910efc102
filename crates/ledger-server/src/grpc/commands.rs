//! `LedgerCommands`: each RPC turns its request into a domain command and
//! executes it with the caller as the actor.
//!
//! Causation and correlation ids come from the `CommandHeader`; an empty
//! field falls back to the call's metadata (`crate::trace`): correlation
//! to `x-correlation-id`, then the `traceparent`'s trace id, then
//! `x-request-id`; causation to `x-request-id`.

use std::sync::Arc;

use ledger_app::{CommandMeta, Outcome};
use ledger_domain::Command;
use tonic::{Request, Response, Status};
use tracing::info;

use super::{caller, convert};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::pb;
use crate::pb::ledger_commands_server::LedgerCommands;
use crate::server::State;
use crate::trace::RequestTrace;

pub struct Commands {
    state: Arc<State>,
}

impl Commands {
    pub fn new(state: Arc<State>) -> Commands {
        Commands { state }
    }

    async fn run<T>(
        &self,
        req: Request<T>,
        header: impl Fn(&T) -> Option<&pb::CommandHeader>,
        convert: impl FnOnce(T, convert::Assign<'_>) -> Result<Command, ApiError>,
    ) -> Result<Response<pb::CommandReply>, Status> {
        let caller = caller(&req)?;
        let trace = RequestTrace::from_metadata(req.metadata());
        let prepared = prepare(
            &self.state,
            &caller,
            &trace,
            req.into_inner(),
            header,
            convert,
        )?;
        Ok(Response::new(execute(&self.state, prepared).await?))
    }
}

/// A command ready to execute: the domain command, its metadata, and what
/// its reply names besides the outcome.
pub(super) struct Prepared {
    pub command: Command,
    pub meta: CommandMeta,
    contract_no: String,
}

/// Turns one request into a command with the caller as its actor.
pub(super) fn prepare<T>(
    state: &State,
    caller: &Caller,
    trace: &RequestTrace,
    body: T,
    header: impl Fn(&T) -> Option<&pb::CommandHeader>,
    convert: impl FnOnce(T, convert::Assign<'_>) -> Result<Command, ApiError>,
) -> Result<Prepared, ApiError> {
    let header = header(&body)
        .cloned()
        .ok_or_else(|| ApiError::bad_parameter("header with a command_id is required"))?;
    let assign = convert::Assign {
        command_id: &header.command_id,
        party_b: &state.party_b,
    };
    let command = convert(body, assign)?;
    let contract_no = match &command {
        Command::ApplyContract(a) => a.contract_no.to_string(),
        _ => String::new(),
    };
    let mut meta = CommandMeta::new(header.command_id.clone(), caller.actor.clone());
    // A malformed explicit id is the caller's error (refused by the
    // ledger as before); only an empty one falls back.
    meta.causation_id = Some(header.causation_id)
        .filter(|s| !s.is_empty())
        .or_else(|| trace.causation(None));
    meta.correlation_id = Some(header.correlation_id)
        .filter(|s| !s.is_empty())
        .or_else(|| trace.correlation(None));
    Ok(Prepared {
        command,
        meta,
        contract_no,
    })
}

/// Executes a prepared command; acknowledged once durable.
pub(super) async fn execute(state: &State, p: Prepared) -> Result<pb::CommandReply, ApiError> {
    let name = p.command.name();
    let command_id = p.meta.command_id.clone();
    let actor = p.meta.actor.clone();
    let correlation = p.meta.correlation_id.clone();
    let outcome = state.execute(p.command, p.meta).await?;
    info!(
        command = name,
        command_id = %command_id,
        actor = %actor,
        correlation_id = correlation.as_deref(),
        position = outcome.position.0,
        deduplicated = outcome.deduplicated,
        "command accepted"
    );
    Ok(reply(&outcome, p.contract_no))
}

fn reply(o: &Outcome, contract_no: String) -> pb::CommandReply {
    pb::CommandReply {
        position: o.position.0,
        deduplicated: o.deduplicated,
        events: o.events.iter().map(|e| e.name().to_owned()).collect(),
        contract_no,
    }
}

macro_rules! rpcs {
    ($($method:ident($req:ty) as $variant:ident => $convert:expr;)*) => {
        #[tonic::async_trait]
        impl LedgerCommands for Commands {
            $(
                async fn $method(
                    &self,
                    req: Request<$req>,
                ) -> Result<Response<pb::CommandReply>, Status> {
                    self.run(req, |r| r.header.as_ref(), $convert).await
                }
            )*

            async fn execute_batch(
                &self,
                req: Request<pb::ExecuteBatchRequest>,
            ) -> Result<Response<pb::ExecuteBatchReply>, Status> {
                let caller = caller(&req)?;
                let trace = RequestTrace::from_metadata(req.metadata());
                let commands = req.into_inner().commands;
                let state = &self.state;
                let prepared = super::batch::prepare_all(commands, |one| {
                    use pb::batch_command::Command as C;
                    match one {
                        $(
                            C::$variant(r) => prepare(
                                state, &caller, &trace, r, |r| r.header.as_ref(), $convert,
                            ),
                        )*
                    }
                })?;
                let results = super::batch::execute_all(self.state.clone(), prepared).await;
                Ok(Response::new(pb::ExecuteBatchReply { results }))
            }
        }
    };
}

rpcs! {
    place_order(pb::PlaceOrderRequest) as PlaceOrder => convert::plain(convert::place_order);
    pay_order(pb::PayOrderRequest) as PayOrder => convert::plain(convert::pay_order);
    cancel_order(pb::CancelOrderRequest) as CancelOrder => convert::plain(convert::cancel_order);
    void_order(pb::VoidOrderRequest) as VoidOrder => convert::plain(convert::void_order);
    apply_contract(pb::ApplyContractRequest) as ApplyContract => convert::apply_contract;
    convert_contract(pb::ConvertContractRequest) as ConvertContract => convert::plain(convert::convert_contract);
    void_contract(pb::VoidContractRequest) as VoidContract => convert::plain(convert::void_contract);
    edit_contract_remarks(pb::EditContractRemarksRequest) as EditContractRemarks => convert::plain(convert::edit_contract_remarks);
    register_customer(pb::RegisterCustomerRequest) as RegisterCustomer => convert::plain(convert::register_customer);
    certify_real_name(pb::CertifyRealNameRequest) as CertifyRealName => convert::plain(convert::certify_real_name);
    set_remittance_account(pb::SetRemittanceAccountRequest) as SetRemittanceAccount => convert::plain(convert::set_remittance_account);
    credit_account(pb::CreditAccountRequest) as CreditAccount => convert::plain(convert::credit_account);
    issue_coupon(pb::IssueCouponRequest) as IssueCoupon => convert::plain(convert::issue_coupon);
    pay_order_from_balance(pb::PayOrderFromBalanceRequest) as PayOrderFromBalance => convert::plain(convert::pay_order_from_balance);
}
