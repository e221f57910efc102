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
        let body = req.into_inner();
        let header = header(&body)
            .cloned()
            .ok_or_else(|| ApiError::bad_parameter("header with a command_id is required"))?;
        let assign = convert::Assign {
            command_id: &header.command_id,
            party_b: &self.state.party_b,
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
        let name = command.name();
        let meta_correlation = meta.correlation_id.clone();
        let outcome = self.state.execute(command, meta).await?;
        info!(
            command = name,
            command_id = %header.command_id,
            actor = %caller.actor,
            correlation_id = meta_correlation.as_deref(),
            position = outcome.position.0,
            deduplicated = outcome.deduplicated,
            "command accepted"
        );
        Ok(Response::new(reply(&outcome, contract_no)))
    }
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
    ($($method:ident($req:ty) => $convert:expr;)*) => {
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
        }
    };
}

rpcs! {
    place_order(pb::PlaceOrderRequest) => convert::plain(convert::place_order);
    pay_order(pb::PayOrderRequest) => convert::plain(convert::pay_order);
    cancel_order(pb::CancelOrderRequest) => convert::plain(convert::cancel_order);
    void_order(pb::VoidOrderRequest) => convert::plain(convert::void_order);
    apply_contract(pb::ApplyContractRequest) => convert::apply_contract;
    convert_contract(pb::ConvertContractRequest) => convert::plain(convert::convert_contract);
    void_contract(pb::VoidContractRequest) => convert::plain(convert::void_contract);
    edit_contract_remarks(pb::EditContractRemarksRequest) => convert::plain(convert::edit_contract_remarks);
    register_customer(pb::RegisterCustomerRequest) => convert::plain(convert::register_customer);
    certify_real_name(pb::CertifyRealNameRequest) => convert::plain(convert::certify_real_name);
    set_remittance_account(pb::SetRemittanceAccountRequest) => convert::plain(convert::set_remittance_account);
    credit_account(pb::CreditAccountRequest) => convert::plain(convert::credit_account);
    issue_coupon(pb::IssueCouponRequest) => convert::plain(convert::issue_coupon);
    pay_order_from_balance(pb::PayOrderFromBalanceRequest) => convert::plain(convert::pay_order_from_balance);
}
