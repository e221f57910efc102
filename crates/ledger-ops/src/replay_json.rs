//! A replay as JSON (amounts as decimal strings, times in RFC 3339).

use serde_json::{json, Value};

use ledger_projections::contracts::{ContractListRow, ContractStatusKind};
use ledger_projections::orders::{OrderListRow, OrderStatusKind};

use crate::replay::{ListView, Replay};

fn order_status(kind: OrderStatusKind) -> &'static str {
    match kind {
        OrderStatusKind::Unpaid => "unpaid",
        OrderStatusKind::Paid => "paid",
        OrderStatusKind::Cancelled => "cancelled",
        OrderStatusKind::Voided => "voided",
    }
}

fn contract_status(kind: ContractStatusKind) -> &'static str {
    match kind {
        ContractStatusKind::Draft => "draft",
        ContractStatusKind::Official => "official",
        ContractStatusKind::Voided => "voided",
        ContractStatusKind::Invalid => "invalid",
    }
}

/// One order-list row as JSON.
pub fn order_row_json(r: &OrderListRow) -> Value {
    json!({
        "order_id": r.order_id,
        "product_name": r.product_name,
        "status": order_status(r.status),
        "status_code": r.status_code,
        "order_amount": r.order_amount,
        "amount_due": r.amount_due,
        "cash_payment": r.cash_payment,
        "order_type": r.order_type,
        "charge_type": r.charge_type,
        "order_time": r.order_time,
        "payment_time": r.payment_time,
        "operations": {
            "view": r.operations.view,
            "pay": r.operations.pay,
            "cancel": r.operations.cancel,
        },
    })
}

/// One contract-list row as JSON.
pub fn contract_row_json(r: &ContractListRow) -> Value {
    let o = &r.operations;
    json!({
        "contract_no": r.contract_no,
        "kind": r.kind,
        "order_count": r.order_count,
        "order_ids": r.order_ids,
        "remarks": r.remarks,
        "applied_at": r.applied_at,
        "valid_from": r.valid_from,
        "valid_to": r.valid_to,
        "status": contract_status(r.status_kind),
        "status_detail": r.status,
        "operations": {
            "preview": o.preview,
            "download": o.download,
            "convert": o.convert,
            "void": o.void,
            "void_by_ticket": o.void_by_ticket,
        },
    })
}

fn list_json<R>(view: &ListView<R>, row: impl Fn(&R) -> Value) -> Value {
    json!({
        "total": view.total,
        "truncated": view.truncated,
        "rows": view.rows.iter().map(row).collect::<Vec<_>>(),
    })
}

impl Replay {
    /// The replay as one JSON document.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "as_of": {
                "position": self.position.0,
                "hash": self.hash.to_hex(),
                "recorded_at": self.recorded_at,
                "now": self.now,
            },
            "orders": self.orders.iter().map(|(id, state)| json!({
                "order_id": id,
                "state": state,
            })).collect::<Vec<_>>(),
            "contracts": self.contracts.iter().map(|(no, state)| json!({
                "contract_no": no,
                "state": state,
            })).collect::<Vec<_>>(),
        });
        if let Some(v) = &self.order_list {
            out["order_list"] = list_json(v, order_row_json);
        }
        if let Some(v) = &self.contract_list {
            out["contract_list"] = list_json(v, contract_row_json);
        }
        out
    }
}
