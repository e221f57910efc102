//! The indexed order list equals a brute-force filter over the same
//! orders: random orders (customers, times, statuses reached by paying,
//! cancelling, voiding and expiring, order types, charge types, service
//! types) and random queries (filters, status 4, ranges with partial and
//! whole UTC days, sort orders, pages, offsets, cursors).

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use common::*;
use ledger_domain::catalog::{BillType, ChargeType, OrderType};
use ledger_domain::order::{CancelOrder, ExpireOrder, VoidOrder};
use ledger_domain::{Actor, Command};
use ledger_projections::orders::*;

const CUSTOMERS: [&str; 2] = ["c1", "c2"];
const TYPES: [OrderType; 4] = [
    OrderType::Purchase,
    OrderType::Renewal,
    OrderType::Upgrade,
    OrderType::ConfigurationChange,
];
const SERVICES: [&str; 2] = ["hws.service.type.ebs", "hws.service.type.ec2"];
const STATUSES: [OrderStatusKind; 4] = [
    OrderStatusKind::Unpaid,
    OrderStatusKind::Paid,
    OrderStatusKind::Cancelled,
    OrderStatusKind::Voided,
];
/// Orders are placed over this many minutes (a bit over 6 days).
const SPAN_MINUTES: i64 = 9_000;

/// How long an order that expires has to pay.
const EXPIRE_AFTER: Duration = Duration::hours(2);

/// What happens to an order after it is placed.
#[derive(Clone, Copy, Debug)]
enum Fate {
    Unpaid,
    Paid,
    Cancelled,
    Voided,
    PaidThenVoided,
    Expired,
}

#[derive(Clone, Debug)]
struct Spec {
    customer: usize,
    minute: i64,
    order_type: usize,
    postpay: bool,
    service: usize,
    fate: Fate,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..CUSTOMERS.len(),
        0..SPAN_MINUTES,
        0..TYPES.len(),
        any::<bool>(),
        0..SERVICES.len(),
        prop_oneof![
            Just(Fate::Unpaid),
            Just(Fate::Paid),
            Just(Fate::Cancelled),
            Just(Fate::Voided),
            Just(Fate::PaidThenVoided),
            Just(Fate::Expired),
        ],
    )
        .prop_map(
            |(customer, minute, order_type, postpay, service, fate)| Spec {
                customer,
                minute,
                order_type,
                postpay,
                service,
                fate,
            },
        )
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap()
}

/// The query's "now": after every event.
fn now() -> DateTime<Utc> {
    base() + Duration::minutes(SPAN_MINUTES) + days(40)
}

#[derive(Clone, Debug)]
struct Q {
    customer: usize,
    /// None: all time (as the Huawei list asks).
    range: Option<(i64, i64)>,
    /// Align the range to whole UTC days.
    whole_days: bool,
    status: Option<usize>,
    status_4: bool,
    types: Vec<usize>,
    bill: Option<bool>,
    service: Option<usize>,
    oldest_first: bool,
    limit: u32,
    offset: u64,
}

fn query() -> impl Strategy<Value = Q> {
    (
        (
            0..CUSTOMERS.len(),
            proptest::option::of((0..SPAN_MINUTES, 0..SPAN_MINUTES)),
            any::<bool>(),
            proptest::option::of(0..STATUSES.len()),
            any::<bool>(),
            proptest::collection::vec(0..TYPES.len(), 0..3),
        ),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(0..SERVICES.len()),
            any::<bool>(),
            1u32..6,
            prop_oneof![0u64..12, 0u64..60],
        ),
    )
        .prop_map(
            |(
                (customer, range, whole_days, status, status_4, types),
                (bill, service, oldest_first, limit, offset),
            )| Q {
                customer,
                range: range.map(|(a, b)| (a.min(b), a.max(b))),
                whole_days,
                status,
                status_4,
                types,
                bill,
                service,
                oldest_first,
                limit,
                offset,
            },
        )
}

/// One order as the brute force sees it.
#[derive(Clone, Debug)]
struct Model {
    id: String,
    customer: usize,
    at: DateTime<Utc>,
    order_type: OrderType,
    charge: ChargeType,
    service: usize,
    status: OrderStatusKind,
}

fn status_of(f: Fate) -> OrderStatusKind {
    match f {
        Fate::Unpaid => OrderStatusKind::Unpaid,
        Fate::Paid => OrderStatusKind::Paid,
        Fate::Cancelled | Fate::Expired => OrderStatusKind::Cancelled,
        Fate::Voided | Fate::PaidThenVoided => OrderStatusKind::Voided,
    }
}

/// Places and moves every order through the real ledger, in time order.
async fn build(specs: &[Spec]) -> (Env, Vec<Model>) {
    let env = Env::new();
    for c in CUSTOMERS {
        env.onboard(c).await;
    }
    let mut timeline: Vec<(DateTime<Utc>, usize, u8)> = Vec::new();
    let mut models = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let at = base() + Duration::minutes(s.minute) + Duration::milliseconds(i as i64 % 3);
        timeline.push((at, i, 0));
        match s.fate {
            Fate::Unpaid => {}
            Fate::Paid | Fate::Cancelled | Fate::Voided => {
                timeline.push((at + Duration::minutes(30), i, 1))
            }
            Fate::PaidThenVoided => {
                timeline.push((at + Duration::minutes(30), i, 1));
                timeline.push((at + Duration::minutes(60), i, 2));
            }
            Fate::Expired => timeline.push((at + EXPIRE_AFTER, i, 1)),
        }
        models.push(Model {
            id: format!("p{i:03}"),
            customer: s.customer,
            at,
            order_type: TYPES[s.order_type],
            charge: if s.postpay {
                ChargeType::PayAsYouGo
            } else {
                ChargeType::Subscription
            },
            service: s.service,
            status: status_of(s.fate),
        });
    }
    timeline.sort();
    for (at, i, step) in timeline {
        let (s, m) = (&specs[i], &models[i]);
        let id = oid(&m.id);
        match (step, s.fate) {
            (0, _) => {
                let mut o = named(
                    of_type(
                        order(CUSTOMERS[s.customer], &m.id),
                        m.order_type,
                        &format!("vol-{i}"),
                    ),
                    "Elastic Volume Service",
                    SERVICES[s.service],
                );
                if s.postpay {
                    o = postpay(o);
                }
                if matches!(s.fate, Fate::Expired) {
                    o.payment_deadline = Some(at + EXPIRE_AFTER);
                }
                env.place(at, o).await;
            }
            (1, Fate::Paid | Fate::PaidThenVoided) => env.pay(at, &m.id, vec![]).await,
            (1, Fate::Cancelled) => {
                env.run(at, Command::CancelOrder(CancelOrder { order_id: id }))
                    .await
            }
            (1, Fate::Expired) => {
                let expire = Command::ExpireOrder(ExpireOrder { order_id: id });
                env.run_as(at, Actor::System, expire).await
            }
            (_, _) => {
                let void = Command::VoidOrder(VoidOrder {
                    order_id: id,
                    reason: "test".into(),
                });
                env.run_as(at, operator(), void).await
            }
        }
    }
    (env, models)
}

fn order_query(q: &Q) -> OrderListQuery {
    let mut l = OrderListQuery::new(cid(CUSTOMERS[q.customer]), now());
    l.time_zone = chrono_tz::UTC;
    let whole = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap();
    l.order_time = Some(match q.range {
        None => TimeRange::new(whole, Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).unwrap()),
        Some((a, b)) => {
            let (a, b) = (base() + Duration::minutes(a), base() + Duration::minutes(b));
            if q.whole_days {
                let day = |t: DateTime<Utc>| {
                    Utc.from_utc_datetime(&t.date_naive().and_hms_opt(0, 0, 0).unwrap())
                };
                TimeRange::new(day(a), day(b) + days(1) - Duration::milliseconds(1))
            } else {
                TimeRange::new(a, b)
            }
        }
    });
    l.status = q.status.map(|s| STATUSES[s]);
    if q.status_4 {
        l.status_in = vec![OrderStatusKind::Cancelled, OrderStatusKind::Voided];
    }
    l.order_types = q.types.iter().map(|t| TYPES[*t]).collect();
    l.order_types.dedup();
    l.bill_type = q.bill.map(|b| {
        if b {
            BillType::Postpay
        } else {
            BillType::Prepay
        }
    });
    l.service_type_code = q.service.map(|s| SERVICES[s].parse().unwrap());
    l.sort = if q.oldest_first {
        SortOrder::OldestFirst
    } else {
        SortOrder::NewestFirst
    };
    l.limit = Some(q.limit);
    l.offset = q.offset;
    l
}

/// The brute force: every order of the model that `l` matches, in list
/// order.
fn expected(models: &[Model], l: &OrderListQuery) -> Vec<String> {
    let range = l.order_time.unwrap();
    let mut rows: Vec<&Model> = models
        .iter()
        .filter(|m| CUSTOMERS[m.customer] == l.customer_id.as_str())
        .filter(|m| range.contains(m.at))
        .filter(|m| l.status.is_none_or(|s| s == m.status))
        .filter(|m| l.status_in.is_empty() || l.status_in.contains(&m.status))
        .filter(|m| l.order_types.is_empty() || l.order_types.contains(&m.order_type))
        .filter(|m| l.bill_type.is_none_or(|b| b == m.charge.bill_type()))
        .filter(|m| {
            l.service_type_code
                .as_ref()
                .is_none_or(|s| s.as_str() == SERVICES[m.service])
        })
        .collect();
    rows.sort_by_key(|m| (m.at.timestamp_millis(), m.id.clone()));
    if l.sort == SortOrder::NewestFirst {
        rows.reverse();
    }
    rows.into_iter().map(|m| m.id.clone()).collect()
}

fn ids(page: &OrderPage) -> Vec<String> {
    page.rows.iter().map(|r| r.order_id.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_indexed_list_equals_a_brute_force_filter(
        specs in proptest::collection::vec(spec(), 1..80),
        queries in proptest::collection::vec(query(), 1..12),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (env, models) = build(&specs).await;
            let p = env.projector().await;
            let view = OrdersView::open(&p).unwrap();
            for q in &queries {
                let l = order_query(q);
                let all = expected(&models, &l);
                let page = view.list(&l).unwrap();
                let skip = q.offset as usize;
                let want: Vec<String> =
                    all.iter().skip(skip).take(q.limit as usize).cloned().collect();
                assert_eq!(ids(&page), want, "{q:?}");
                assert_eq!(page.total, all.len() as u64, "{q:?}");
                assert_eq!(
                    page.next_cursor.is_some(),
                    skip + want.len() < all.len(),
                    "{q:?}"
                );
                // Walking the cursor from the first page lists everything.
                let mut walk = l.clone();
                walk.offset = 0;
                let mut seen = Vec::new();
                loop {
                    let page = view.list(&walk).unwrap();
                    assert_eq!(page.total, all.len() as u64, "{q:?}");
                    seen.extend(ids(&page));
                    match page.next_cursor {
                        Some(c) => walk.cursor = Some(c),
                        None => break,
                    }
                }
                assert_eq!(seen, all, "{q:?}");
                // The download's pages are the same list.
                let pages: Vec<String> = view
                    .pages(&l)
                    .flat_map(|p| p.unwrap())
                    .map(|r| r.order_id.to_string())
                    .collect();
                assert_eq!(pages, all, "{q:?}");
            }
        });
    }
}
