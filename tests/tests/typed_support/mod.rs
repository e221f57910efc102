//! A typed gRPC reply against the REST document of the same data, key for
//! key: every REST key has its typed field of the same name (`total` is
//! `total_count`) and every typed field its REST key; strings (amounts as
//! exact decimal strings, RFC 3339 times, ids) are equal; a REST enum name
//! is the proto enum value of that name; a REST `null` is an empty string,
//! an absent message or an UNSPECIFIED enum.

#![allow(dead_code)]

use ledger_server::pb;
use serde_json::Value;

/// Which document the keys belong to (`status` and `kind` name different
/// enums in each).
#[derive(Clone, Copy, Debug)]
pub enum Doc {
    Order,
    Contract,
}

/// The typed reply (or message) as JSON: field names as in the proto,
/// enums as numbers (the generated messages derive `serde::Serialize`).
macro_rules! typed {
    ($message:expr) => {
        serde_json::to_value(&$message).expect("a message serializes")
    };
}

/// Panics at the first difference between the REST document and the typed
/// message (a reply's own `json` and `position` are not REST keys).
pub fn assert_same(rest: &Value, typed: &Value, doc: Doc) {
    walk(rest, typed, doc, "", "");
}

fn enum_value(doc: Doc, path: &str, key: &str, name: &str) -> Option<i32> {
    let n = name.to_uppercase();
    match (doc, key) {
        (_, "order_type") => {
            pb::OrderType::from_str_name(&format!("ORDER_TYPE_{n}")).map(|e| e as i32)
        }
        (_, "charge_type") => {
            pb::ChargeType::from_str_name(&format!("CHARGE_TYPE_{n}")).map(|e| e as i32)
        }
        (_, "bill_type") => {
            pb::BillType::from_str_name(&format!("BILL_TYPE_{n}")).map(|e| e as i32)
        }
        (_, "source_type") => {
            pb::SourceType::from_str_name(&format!("SOURCE_TYPE_{n}")).map(|e| e as i32)
        }
        (_, "cancel_reason") => {
            pb::CancelReason::from_str_name(&format!("CANCEL_REASON_{n}")).map(|e| e as i32)
        }
        (_, "unit_price_per") => {
            pb::PriceUnit::from_str_name(&format!("PRICE_UNIT_{n}")).map(|e| e as i32)
        }
        (_, "period_type") => {
            pb::PeriodType::from_str_name(&format!("PERIOD_TYPE_{n}")).map(|e| e as i32)
        }
        (Doc::Order, "status") => {
            pb::OrderStatus::from_str_name(&format!("ORDER_STATUS_{n}")).map(|e| e as i32)
        }
        (Doc::Order, "kind") => {
            pb::VoucherKind::from_str_name(&format!("VOUCHER_KIND_{n}")).map(|e| e as i32)
        }
        (Doc::Contract, "status") => {
            pb::ContractStatus::from_str_name(&format!("CONTRACT_STATUS_{n}")).map(|e| e as i32)
        }
        (Doc::Contract, "kind") if path.contains("party_a") => {
            pb::CertificationKind::from_str_name(&format!("CERTIFICATION_KIND_{n}"))
                .map(|e| e as i32)
        }
        (Doc::Contract, "kind") => {
            pb::ContractKind::from_str_name(&format!("CONTRACT_KIND_{n}")).map(|e| e as i32)
        }
        _ => None,
    }
}

fn typed_key(rest_key: &str) -> &str {
    match rest_key {
        "total" => "total_count",
        k => k,
    }
}

fn walk(rest: &Value, typed: &Value, doc: Doc, path: &str, key: &str) {
    match rest {
        Value::Object(r) => {
            let t = typed
                .as_object()
                .unwrap_or_else(|| panic!("{path}: typed {typed} is not a message"));
            for (k, v) in r {
                let tk = typed_key(k);
                let tv = t
                    .get(tk)
                    .unwrap_or_else(|| panic!("{path}.{k}: no typed field {tk}"));
                walk(v, tv, doc, &format!("{path}.{k}"), k);
            }
            for k in t.keys() {
                let reply_own = path.is_empty() && (k == "json" || k == "position");
                let known = r.keys().any(|rk| typed_key(rk) == k);
                assert!(
                    reply_own || known,
                    "{path}.{k}: typed field not in the rest document"
                );
            }
        }
        Value::Array(r) => {
            let t = typed
                .as_array()
                .unwrap_or_else(|| panic!("{path}: typed {typed} is not repeated"));
            assert_eq!(r.len(), t.len(), "{path}: lengths");
            for (i, (rv, tv)) in r.iter().zip(t).enumerate() {
                walk(rv, tv, doc, &format!("{path}[{i}]"), key);
            }
        }
        Value::Null => {
            let unspecified = enum_value(doc, path, key, "unspecified").is_some() && typed == 0;
            assert!(
                typed.is_null() || typed == "" || unspecified,
                "{path}: rest null, typed {typed}"
            );
        }
        Value::String(s) => match typed {
            Value::Number(n) => {
                let expected = enum_value(doc, path, key, s)
                    .unwrap_or_else(|| panic!("{path}: {s:?} names no enum value"));
                assert_eq!(n.as_i64(), Some(i64::from(expected)), "{path}: enum {s}");
            }
            t => assert_eq!(t, s.as_str(), "{path}"),
        },
        Value::Number(_) | Value::Bool(_) => assert_eq!(typed, rest, "{path}"),
    }
}
