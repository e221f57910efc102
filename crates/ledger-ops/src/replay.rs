//! `audit replay`: orders, contracts and a customer's list views as they
//! were at a point of the log.
//!
//! The point is a position, or a time: then every record before the first
//! one recorded after it (records carry their command's time; a timer's
//! command carries the deadline it enforces). The states are the log up to
//! the point folded with the domain's `evolve`. The list views are the
//! server's own projections and query functions, run over the log cut at
//! the point in a temporary directory, so a replay shows what the live
//! views showed then.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use ledger_app::streams::stream_id;
use ledger_codec::payload::decode_event;
use ledger_domain::contract::AppliedContract;
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::order::PlacedOrder;
use ledger_domain::{evolve, AggregateId, State};
use ledger_projections::contracts::{list_contracts, ContractListQuery, ContractListRow};
use ledger_projections::orders::{
    list_orders, OrderListQuery, OrderListRow, TimeRange, MAX_PAGE_SIZE,
};
use ledger_projections::{ContractsProjection, OrdersProjection, Projection, Projector};
use ledger_projections::{CONTRACTS, ORDERS};
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, DynStore, EventStore, Head,
    Position, RecordedEvent, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};

use crate::OpsError;

/// Most rows a replayed list view holds; past it the view says `truncated`.
pub const MAX_REPLAY_ROWS: usize = 10_000;
/// Most orders and contracts one replay names.
pub const MAX_REPLAY_AGGREGATES: usize = 1_000;

/// The point of the log a replay stops at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    Position(Position),
    Time(DateTime<Utc>),
}

impl FromStr for AsOf {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(p) = s.parse::<u64>() {
            return Ok(AsOf::Position(Position(p)));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| AsOf::Time(t.with_timezone(&Utc)))
            .map_err(|_| format!("{s:?} is neither a position nor an rfc 3339 time"))
    }
}

impl fmt::Display for AsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsOf::Position(p) => write!(f, "position {p}"),
            AsOf::Time(t) => write!(f, "{}", t.to_rfc3339()),
        }
    }
}

/// What to replay.
#[derive(Clone, Debug)]
pub struct ReplayRequest {
    pub as_of: AsOf,
    /// The customer whose order and contract lists to show.
    pub customer: Option<CustomerId>,
    pub orders: Vec<OrderId>,
    pub contracts: Vec<ContractNo>,
}

/// A list view as of the point: every row (up to [`MAX_REPLAY_ROWS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListView<R> {
    pub rows: Vec<R>,
    pub total: u64,
    pub truncated: bool,
}

/// The result of a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    /// The last record replayed (position 0: none).
    pub position: Position,
    pub hash: Digest,
    pub recorded_at: Option<DateTime<Utc>>,
    /// The time the list views are judged at: the as-of time, or the last
    /// record's time for a position.
    pub now: DateTime<Utc>,
    /// Each order asked for; `None` if not placed by then.
    pub orders: Vec<(OrderId, Option<PlacedOrder>)>,
    pub contracts: Vec<(ContractNo, Option<AppliedContract>)>,
    pub order_list: Option<ListView<OrderListRow>>,
    pub contract_list: Option<ListView<ContractListRow>>,
}

/// The order-list query a replay runs: all of the customer's orders placed
/// up to `now`, newest first.
pub fn order_list_query(customer: &CustomerId, now: DateTime<Utc>) -> OrderListQuery {
    let mut q = OrderListQuery::new(customer.clone(), now);
    q.order_time = Some(TimeRange::new(DateTime::<Utc>::UNIX_EPOCH, now));
    q.limit = Some(MAX_PAGE_SIZE);
    q
}

/// The contract-list query a replay runs: all of the customer's contracts
/// applied for up to `now`, newest first.
pub fn contract_list_query(customer: &CustomerId, now: DateTime<Utc>) -> ContractListQuery {
    let mut q = ContractListQuery::new(customer.clone(), now);
    q.applied_time = Some(TimeRange::new(DateTime::<Utc>::UNIX_EPOCH, now));
    q.limit = Some(ledger_projections::contracts::MAX_CONTRACT_PAGE_SIZE);
    q
}

/// Every page of the order list (up to [`MAX_REPLAY_ROWS`] rows).
pub fn all_orders(
    tree: &sled::Tree,
    q: &OrderListQuery,
) -> Result<ListView<OrderListRow>, OpsError> {
    let mut q = q.clone();
    let mut rows = Vec::new();
    loop {
        let page = list_orders(tree, &q)?;
        rows.extend(page.rows);
        if rows.len() >= MAX_REPLAY_ROWS || page.next_cursor.is_none() {
            rows.truncate(MAX_REPLAY_ROWS);
            let truncated = (rows.len() as u64) < page.total;
            return Ok(ListView {
                rows,
                total: page.total,
                truncated,
            });
        }
        q.cursor = page.next_cursor;
    }
}

/// Every page of the contract list (up to [`MAX_REPLAY_ROWS`] rows).
pub fn all_contracts(
    tree: &sled::Tree,
    q: &ContractListQuery,
) -> Result<ListView<ContractListRow>, OpsError> {
    let mut q = q.clone();
    let mut rows = Vec::new();
    loop {
        let page = list_contracts(tree, &q)?;
        let got = page.rows.len();
        rows.extend(page.rows);
        q.offset += got as u64;
        if got == 0 || rows.len() >= MAX_REPLAY_ROWS || rows.len() as u64 >= page.total {
            rows.truncate(MAX_REPLAY_ROWS);
            let truncated = (rows.len() as u64) < page.total;
            return Ok(ListView {
                rows,
                total: page.total,
                truncated,
            });
        }
    }
}

/// Replays `store` up to the point `req` names.
pub async fn replay(store: &DynStore, req: &ReplayRequest) -> Result<Replay, OpsError> {
    if req.orders.len() + req.contracts.len() > MAX_REPLAY_AGGREGATES {
        return Err(OpsError::Invalid(format!(
            "a replay names at most {MAX_REPLAY_AGGREGATES} orders and contracts"
        )));
    }
    let head = store.head();
    if let AsOf::Position(p) = req.as_of {
        if p > head.position {
            return Err(OpsError::Invalid(format!(
                "position {p} is beyond the head {}",
                head.position
            )));
        }
    }
    let wanted: Vec<AggregateId> = req
        .orders
        .iter()
        .cloned()
        .map(AggregateId::Order)
        .chain(req.contracts.iter().cloned().map(AggregateId::Contract))
        .collect();
    let streams: Vec<StreamId> = wanted.iter().map(stream_id).collect();

    let mut state = State::default();
    let mut cut = Head::default();
    let mut recorded_at = None;
    'read: loop {
        let batch = store.read_all(cut.position.next(), MAX_READ_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            let past = match req.as_of {
                AsOf::Position(p) => r.position > p,
                AsOf::Time(t) => r.metadata.command.recorded_at > t,
            };
            if past {
                break 'read;
            }
            if streams.contains(&r.stream_id) {
                let event = decode_event(&r.event_type, r.schema_version, &r.payload)?;
                state = evolve(state, &event);
            }
            cut = Head {
                position: r.position,
                hash: r.hash,
            };
            recorded_at = Some(r.metadata.command.recorded_at);
        }
    }
    let now = match req.as_of {
        AsOf::Time(t) => t,
        AsOf::Position(_) => recorded_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
    };
    let (order_list, contract_list) = match &req.customer {
        Some(customer) => {
            let (o, c) = list_views(store, cut, customer, now).await?;
            (Some(o), Some(c))
        }
        None => (None, None),
    };
    Ok(Replay {
        position: cut.position,
        hash: cut.hash,
        recorded_at,
        now,
        orders: req
            .orders
            .iter()
            .map(|id| (id.clone(), state.order(id).placed().cloned()))
            .collect(),
        contracts: req
            .contracts
            .iter()
            .map(|no| (no.clone(), state.contract(no).applied().cloned()))
            .collect(),
        order_list,
        contract_list,
    })
}

/// The customer's order and contract lists over the log cut at `cut`.
async fn list_views(
    store: &DynStore,
    cut: Head,
    customer: &CustomerId,
    now: DateTime<Utc>,
) -> Result<(ListView<OrderListRow>, ListView<ContractListRow>), OpsError> {
    let tmp = tempfile::tempdir().map_err(|source| OpsError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let prefix: DynStore = Arc::new(Prefix::new(store.clone(), cut));
    let projections: Vec<Arc<dyn Projection>> =
        vec![Arc::new(OrdersProjection), Arc::new(ContractsProjection)];
    let projector = Projector::open(tmp.path(), prefix, projections).await?;
    projector.catch_up().await?;
    let orders = all_orders(&projector.view(ORDERS)?, &order_list_query(customer, now))?;
    let contracts = all_contracts(
        &projector.view(CONTRACTS)?,
        &contract_list_query(customer, now),
    )?;
    drop(projector);
    Ok((orders, contracts))
}

/// A read-only view of a store cut at a head: what the log was then.
pub struct Prefix {
    inner: DynStore,
    head: watch::Sender<Head>,
}

impl Prefix {
    pub fn new(inner: DynStore, cut: Head) -> Prefix {
        Prefix {
            inner,
            head: watch::channel(cut).0,
        }
    }

    fn cut(&self) -> Position {
        self.head.borrow().position
    }
}

fn unavailable<T>() -> Result<T, StoreError> {
    Err(StoreError::Unavailable(
        "a replay's log is read in log order only".into(),
    ))
}

#[async_trait]
impl EventStore for Prefix {
    async fn append(&self, _request: AppendRequest) -> Result<Committed, StoreError> {
        unavailable()
    }

    async fn read_stream(
        &self,
        _stream_id: &StreamId,
        _from: StreamVersion,
        _max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        unavailable()
    }

    async fn stream_version(&self, _stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        unavailable()
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let cut = self.cut();
        if from > cut {
            return Ok(Vec::new());
        }
        let room = (cut.0 - from.0.max(1) + 1).min(max as u64) as usize;
        self.inner.read_all(from, room).await
    }

    async fn command(&self, _command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        unavailable()
    }

    fn head(&self) -> Head {
        *self.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        self.head.subscribe()
    }
}
