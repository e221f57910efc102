//! `LedgerQueries`: the read models as typed replies (built by
//! [`super::views`] from the same typed views as the `/v1` REST
//! documents), the aggregates as JSON, and the log subscription.
//!
//! Every query names its customer, which the caller must be allowed to act
//! for (a customer only itself: PermissionDenied `access_denied`
//! otherwise), and first waits until the read models include
//! `min_position`.

use std::sync::Arc;

use chrono::Duration;
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_projections::contracts::ContractListQuery;
use ledger_projections::orders::{Cursor, OrderListQuery, SortOrder, DEFAULT_ORDER_WINDOW_DAYS};
use tonic::{Request, Response, Status};

use super::convert::{contract_kind, field, optional, order_type};
use super::views::{contracts as typed_contracts, orders as typed_orders};
use super::{caller, subscribe};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::pb;
use crate::pb::ledger_queries_server::LedgerQueries;
use crate::server::State;
use crate::views::{self, names, params, Read, View};

pub struct Queries {
    state: Arc<State>,
}

impl Queries {
    pub fn new(state: Arc<State>) -> Queries {
        Queries { state }
    }
}

fn reply(view: View) -> Response<pb::ViewReply> {
    Response::new(pb::ViewReply {
        json: view.json.to_string(),
        position: view.position,
    })
}

/// Every typed reply says which log position it reflects.
trait Positioned {
    fn set_position(&mut self, position: u64);
}

macro_rules! positioned {
    ($($reply:ty),*) => {$(
        impl Positioned for $reply {
            fn set_position(&mut self, position: u64) {
                self.position = position;
            }
        }
    )*};
}

positioned!(
    pb::ListOrdersReply,
    pb::GetOrderReply,
    pb::GetOrderDeductionsReply,
    pb::ListContractsReply,
    pb::GetContractReply
);

fn typed<T: Positioned>(read: Read<T>) -> Response<T> {
    let mut reply = read.value;
    reply.set_position(read.position);
    Response::new(reply)
}

/// The request's customer, if the caller may act for it.
fn customer(caller: &Caller, raw: &str) -> Result<CustomerId, ApiError> {
    let customer: CustomerId = field("customer_id", raw)?;
    caller.check_access(&customer)?;
    Ok(customer)
}

fn list_orders_query(
    r: &pb::ListOrdersRequest,
    customer: CustomerId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<OrderListQuery, ApiError> {
    let mut q = OrderListQuery::new(customer, now);
    q.time_zone = params::time_zone(Some(&r.time_zone))?;
    q.order_time = params::time_range(
        "order_time",
        Some(&r.order_time_begin),
        Some(&r.order_time_end),
        now,
        Duration::days(DEFAULT_ORDER_WINDOW_DAYS),
        q.time_zone,
    )?;
    q.product_name = params::product_name(&r.product_name, Some(&r.product_name_match))?;
    q.service_type_code = optional("service_type_code", &r.service_type_code)?;
    q.payment_time = params::time_range(
        "payment_time",
        Some(&r.payment_time_begin),
        Some(&r.payment_time_end),
        now,
        Duration::days(DEFAULT_ORDER_WINDOW_DAYS),
        q.time_zone,
    )?;
    q.bill_type = names::filter3("bill_type", &names::BILL_TYPES, &r.bill_type)?;
    q.status = names::filter3("status", &names::ORDER_STATUSES, &r.status)?;
    for t in &r.order_types {
        let t = order_type(*t)
            .map_err(|_| ApiError::invalid_parameter("order_types: unknown order type"))?;
        if !q.order_types.contains(&t) {
            q.order_types.push(t);
        }
    }
    q.search = params::precise_search(
        optional("order_id", &r.order_id)?,
        optional("instance_id", &r.instance_id)?,
    )?;
    q.limit = (r.limit != 0).then_some(r.limit);
    q.offset = r.offset;
    q.cursor = (!r.cursor.is_empty()).then(|| Cursor::from_client(r.cursor.clone()));
    if r.oldest_first {
        q.sort = SortOrder::OldestFirst;
    }
    Ok(q)
}

fn list_contracts_query(
    r: &pb::ListContractsRequest,
    customer: CustomerId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ContractListQuery, ApiError> {
    let mut q = ContractListQuery::new(customer, now);
    q.time_zone = params::time_zone(Some(&r.time_zone))?;
    let default = q.effective_applied_time();
    q.applied_time = params::time_range(
        "applied_time",
        Some(&r.applied_time_begin),
        Some(&r.applied_time_end),
        now,
        default.end - default.begin,
        q.time_zone,
    )?;
    q.status = names::filter3("status", &names::CONTRACT_STATUSES, &r.status)?;
    q.kind = contract_kind(r.kind)?;
    q.limit = (r.limit != 0).then_some(r.limit);
    q.offset = r.offset;
    Ok(q)
}

#[tonic::async_trait]
impl LedgerQueries for Queries {
    async fn list_orders(
        &self,
        req: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let q = list_orders_query(&r, customer, self.state.clock.now())?;
        let read = views::orders::list_as(&self.state, &q, r.min_position, |page| {
            typed_orders::list_orders_reply(&q, page)
        })
        .await?;
        Ok(typed(read))
    }

    async fn get_order(
        &self,
        req: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::GetOrderReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let order: OrderId = field("order_id", &r.order_id)?;
        let now = self.state.clock.now();
        let read = views::orders::details_as(
            &self.state,
            &customer,
            &order,
            now,
            r.min_position,
            typed_orders::get_order_reply,
        )
        .await?;
        Ok(typed(read))
    }

    async fn get_order_deductions(
        &self,
        req: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::GetOrderDeductionsReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let order: OrderId = field("order_id", &r.order_id)?;
        let read = views::orders::deductions_as(
            &self.state,
            &customer,
            &order,
            r.min_position,
            typed_orders::get_order_deductions_reply,
        )
        .await?;
        Ok(typed(read))
    }

    async fn list_contracts(
        &self,
        req: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ListContractsReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let q = list_contracts_query(&r, customer, self.state.clock.now())?;
        let read = views::contracts::list_as(&self.state, &q, r.min_position, |page| {
            typed_contracts::list_contracts_reply(&q, page)
        })
        .await?;
        Ok(typed(read))
    }

    async fn get_contract(
        &self,
        req: Request<pb::GetContractRequest>,
    ) -> Result<Response<pb::GetContractReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let no: ContractNo = field("contract_no", &r.contract_no)?;
        let read = views::contracts::detail_as(
            &self.state,
            &customer,
            &no,
            r.min_position,
            typed_contracts::get_contract_reply,
        )
        .await?;
        Ok(typed(read))
    }

    async fn get_contract_document(
        &self,
        req: Request<pb::GetContractDocumentRequest>,
    ) -> Result<Response<pb::ContractDocumentReply>, Status> {
        use ledger_app::documents::DocumentRequest;
        let caller = caller(&req)?;
        let r = req.into_inner();
        let customer = customer(&caller, &r.customer_id)?;
        let no: ContractNo = field("contract_no", &r.contract_no)?;
        let request = match pb::ContractDocumentKind::try_from(r.kind) {
            Ok(pb::ContractDocumentKind::Draft) => DocumentRequest::Draft,
            Ok(pb::ContractDocumentKind::Preview) => DocumentRequest::Preview,
            Ok(pb::ContractDocumentKind::Official) => DocumentRequest::Official,
            Ok(pb::ContractDocumentKind::Unspecified) => {
                return Err(ApiError::bad_parameter("kind is required").into())
            }
            Err(_) => return Err(ApiError::invalid_parameter("kind: unknown value").into()),
        };
        let doc = views::documents::document(&self.state, &customer, &no, request).await?;
        Ok(Response::new(pb::ContractDocumentReply {
            pdf: doc.bytes,
            sha256: doc.sha256,
            status: doc.status.to_owned(),
            file_name: views::documents::file_name(&no, request),
        }))
    }

    async fn get_aggregate(
        &self,
        req: Request<pb::GetAggregateRequest>,
    ) -> Result<Response<pb::ViewReply>, Status> {
        let caller = caller(&req)?;
        let r = req.into_inner();
        let view = views::aggregate::aggregate(&self.state, &caller, &r.kind, &r.id).await?;
        Ok(reply(view))
    }

    type SubscribeStream = subscribe::EventStream;

    async fn subscribe(
        &self,
        req: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        subscribe::subscribe(&self.state, req)
    }
}
