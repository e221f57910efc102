//! `LedgerQueries`: the read models as JSON views, and the log subscription.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::subscribe;
use crate::pb;
use crate::pb::ledger_queries_server::LedgerQueries;
use crate::server::State;

pub struct Queries {
    state: Arc<State>,
}

impl Queries {
    pub fn new(state: Arc<State>) -> Queries {
        Queries { state }
    }
}

fn todo() -> Status {
    Status::unimplemented("not yet")
}

#[tonic::async_trait]
impl LedgerQueries for Queries {
    async fn list_orders(
        &self,
        _req: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    async fn get_order(
        &self,
        _req: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    async fn get_order_deductions(
        &self,
        _req: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    async fn list_contracts(
        &self,
        _req: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    async fn get_contract(
        &self,
        _req: Request<pb::GetContractRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    async fn get_aggregate(
        &self,
        _req: Request<pb::GetAggregateRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        Err(todo())
    }

    type SubscribeStream = subscribe::EventStream;

    async fn subscribe(
        &self,
        req: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        subscribe::subscribe(&self.state, req)
    }
}
