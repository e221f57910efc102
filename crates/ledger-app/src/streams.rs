//! The one mapping between aggregates and stream ids.
//!
//! `order-<id>`, `contract-<no>`, `customer-<id>` and the one `operations`
//! stream: stored in every record, so never changed.

use ledger_codec::StreamId;
use ledger_domain::AggregateId;

const ORDER: &str = "order-";
const CONTRACT: &str = "contract-";
const CUSTOMER: &str = "customer-";
const OPERATIONS: &str = "operations";
const ACCOUNT: &str = "account-";
const TOP_UP: &str = "topup-";
const COUPON: &str = "coupon-";

pub fn stream_id(id: &AggregateId) -> StreamId {
    StreamId(match id {
        AggregateId::Order(id) => format!("{ORDER}{id}"),
        AggregateId::Contract(no) => format!("{CONTRACT}{no}"),
        AggregateId::Customer(id) => format!("{CUSTOMER}{id}"),
        AggregateId::Operations => OPERATIONS.to_owned(),
        AggregateId::Account(id) => format!("{ACCOUNT}{id}"),
        AggregateId::TopUp(id) => format!("{TOP_UP}{id}"),
        AggregateId::Coupon(id) => format!("{COUPON}{id}"),
    })
}

/// The aggregate a stream holds, or `None` for a stream this ledger does not write.
pub fn aggregate_id(stream: &StreamId) -> Option<AggregateId> {
    let s = stream.as_str();
    if s == OPERATIONS {
        Some(AggregateId::Operations)
    } else if let Some(id) = s.strip_prefix(ORDER) {
        id.parse().ok().map(AggregateId::Order)
    } else if let Some(no) = s.strip_prefix(CONTRACT) {
        no.parse().ok().map(AggregateId::Contract)
    } else if let Some(id) = s.strip_prefix(CUSTOMER) {
        id.parse().ok().map(AggregateId::Customer)
    } else if let Some(id) = s.strip_prefix(ACCOUNT) {
        id.parse().ok().map(AggregateId::Account)
    } else if let Some(id) = s.strip_prefix(TOP_UP) {
        id.parse().ok().map(AggregateId::TopUp)
    } else if let Some(id) = s.strip_prefix(COUPON) {
        id.parse().ok().map(AggregateId::Coupon)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_round_trip() {
        for id in [
            AggregateId::Order("CS-1.a".parse().unwrap()),
            AggregateId::Contract("HT-2024-001".parse().unwrap()),
            AggregateId::Customer("d75298".parse().unwrap()),
            AggregateId::Operations,
            AggregateId::Account("d75298".parse().unwrap()),
            AggregateId::TopUp("TOP-1".parse().unwrap()),
            AggregateId::Coupon("CP-1".parse().unwrap()),
        ] {
            assert_eq!(aggregate_id(&stream_id(&id)), Some(id));
        }
        assert_eq!(aggregate_id(&StreamId("ledger-config".into())), None);
    }
}
