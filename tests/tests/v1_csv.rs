//! The order CSV download over more orders than one list page holds.

mod v1_support;

use std::collections::BTreeSet;

use ledger_auth::Role;
use ledger_domain::catalog::{ChargeType, OrderType};
use ledger_domain::Command;
use ledger_projections::orders::MAX_PAGE_SIZE;
use tests::onboard;
use tests::server::TestServer;
use v1_support::*;

/// Orders placed in one minute: more than two pages.
const ORDER_COUNT: usize = 2 * MAX_PAGE_SIZE as usize + 37;

#[tokio::test]
async fn a_download_spans_pages_of_orders_placed_in_the_same_minute() {
    let server = TestServer::start().await;
    for (i, c) in onboard(A).into_iter().enumerate() {
        run(&server, &format!("onboard-{i}"), c).await;
    }
    let mut position = 0;
    for i in 0..ORDER_COUNT {
        let id = format!("CS{i:05}");
        let placed = order(
            A,
            &id,
            "Elastic Volume Service",
            OrderType::Purchase,
            ChargeType::Subscription,
            "vol-1",
        );
        position = run(&server, &id, Command::PlaceOrder(placed)).await;
    }
    let key = server.create_key(Role::Customer {
        domain_id: A.parse().unwrap(),
    });
    let rest = Rest::new(&server, &key);
    for sort in ["newest_first", "oldest_first"] {
        let csv = rest
            .get(&format!(
                "/v1/customers/{A}/orders.csv?min_position={position}&sort={sort}"
            ))
            .await;
        assert_eq!(csv.status, 200, "{}", csv.text);
        let ids: Vec<&str> = csv
            .text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids.len(), ORDER_COUNT, "{sort}");
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ORDER_COUNT);
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        if sort == "newest_first" {
            sorted.reverse();
        }
        assert_eq!(ids, sorted, "{sort}: ties in time go by order id");
    }
    server.shutdown().await;
}
