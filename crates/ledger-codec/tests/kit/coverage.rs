//! What a set of golden samples covers: the enum variants, `Option`s and
//! `Vec`s inside every value. Every struct is destructured without `..`, so
//! a new field in a stored type fails to compile here until it is walked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use ledger_codec::payload::decode_value;
use ledger_domain::contract::{
    ContractOrder, ContractTerms, DocumentSeal, PartyADetails, SubjectInfo, VoidTicket,
};
use ledger_domain::coupon::IssueCoupon;
use ledger_domain::customer::{RealName, RemittanceAccount};
use ledger_domain::order::{
    Discount, LineItem, OrderSpec, Payment, Period, Pricing, UnitPrice, VoucherRedemption,
};
use serde::de::DeserializeOwned;

/// What one sample holds.
#[derive(Default, Debug)]
pub struct Seen {
    /// `(type, variant)` of every enum value met.
    pub variants: BTreeSet<(String, String)>,
    /// `(field, is_some)` of every `Option` met.
    pub options: BTreeSet<(&'static str, bool)>,
    /// `(field, is_empty)` of every `Vec` met.
    pub vecs: BTreeSet<(&'static str, bool)>,
}

fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full).to_owned()
}

/// The variant name of an enum value (its `Debug` up to the first
/// non-identifier character).
pub fn variant_name<T: Debug>(value: &T) -> String {
    let debug = format!("{value:?}");
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Seen {
    pub fn variant<T: Debug>(&mut self, value: &T) {
        self.variants
            .insert((short_type_name::<T>(), variant_name(value)));
    }

    pub fn option<T>(&mut self, field: &'static str, value: &Option<T>) {
        self.options.insert((field, value.is_some()));
    }

    pub fn vec<T>(&mut self, field: &'static str, value: &[T]) {
        self.vecs.insert((field, value.is_empty()));
    }

    pub fn has_variant<T: Debug>(&self, value: &T) -> bool {
        self.variants
            .contains(&(short_type_name::<T>(), variant_name(value)))
    }
}

/// Every variant of an enum, read from its encoding rather than a list:
/// variant `i` is stored as the varint `i` (then its fields, which decode
/// from zero bytes for the enums events carry), so decoding stops at the
/// first index that is not a variant.
pub fn all_variants<T: DeserializeOwned>() -> Vec<T> {
    let mut out = Vec::new();
    for index in 0u8..=250 {
        let found = (0..8).find_map(|zeros| {
            let mut bytes = vec![index];
            bytes.resize(1 + zeros, 0);
            decode_value::<T>(&bytes).ok()
        });
        match found {
            Some(v) => out.push(v),
            None => break,
        }
    }
    assert!(!out.is_empty(), "{} has no variant", short_type_name::<T>());
    out
}

/// Checks that every variant of `T` is carried by the golden case that
/// `case_of` (an exhaustive `match` in the test) names for it.
pub fn check_enum<T: DeserializeOwned + Debug>(
    cases: &BTreeMap<String, Seen>,
    case_of: fn(&T) -> &'static str,
    failures: &mut Vec<String>,
) {
    for v in all_variants::<T>() {
        let case = case_of(&v);
        match cases.get(case) {
            None => failures.push(format!(
                "{}::{} is said to be covered by {case}, which is no golden case",
                short_type_name::<T>(),
                variant_name(&v)
            )),
            Some(seen) if !seen.has_variant(&v) => failures.push(format!(
                "{}::{} is not carried by {case}, the case said to cover it",
                short_type_name::<T>(),
                variant_name(&v)
            )),
            Some(_) => {}
        }
    }
}

/// Checks that every `Option` met is both `Some` and `None` in some case,
/// and every `Vec` both empty and not.
pub fn check_shapes(cases: &BTreeMap<String, Seen>, failures: &mut Vec<String>) {
    let options: BTreeSet<_> = cases.values().flat_map(|s| s.options.clone()).collect();
    for (field, _) in &options {
        for some in [true, false] {
            if !options.contains(&(*field, some)) {
                let shape = if some { "Some" } else { "None" };
                failures.push(format!("no golden case has {field} = {shape}"));
            }
        }
    }
    let vecs: BTreeSet<_> = cases.values().flat_map(|s| s.vecs.clone()).collect();
    for (field, _) in &vecs {
        for empty in [true, false] {
            if !vecs.contains(&(*field, empty)) {
                let shape = if empty { "empty" } else { "non-empty" };
                failures.push(format!("no golden case has {field} {shape}"));
            }
        }
    }
}

// ---- Walking the values stored types carry -------------------------------

pub fn spec(s: &mut Seen, v: &OrderSpec) {
    let OrderSpec {
        order_id: _,
        customer_id: _,
        base_order_id,
        source_type,
        product_name: _,
        service_type_code: _,
        order_type,
        charge_type,
        currency: _,
        line_items,
        instance_ids,
        amount_due: _,
        sales_contract_id,
    } = v;
    s.option("OrderSpec.base_order_id", base_order_id);
    s.variant(source_type);
    s.variant(order_type);
    s.variant(charge_type);
    s.vec("OrderSpec.line_items", line_items);
    s.vec("OrderSpec.instance_ids", instance_ids);
    s.option("OrderSpec.sales_contract_id", sales_contract_id);
    line_items.iter().for_each(|l| line_item(s, l));
}

fn line_item(s: &mut Seen, v: &LineItem) {
    let LineItem {
        id: _,
        service_type_code: _,
        product_id: _,
        spec: _,
        category_code: _,
        count: _,
        period: Period {
            period_type,
            number: _,
        },
        unit_price: UnitPrice { amount: _, per },
        valid_from,
        expires_at,
        pricing: p,
    } = v;
    s.variant(period_type);
    s.variant(per);
    s.option("LineItem.valid_from", valid_from);
    s.option("LineItem.expires_at", expires_at);
    pricing(s, p);
}

fn pricing(s: &mut Seen, v: &Pricing) {
    let Pricing {
        list_price: _,
        discounts,
        coupon_amount: _,
        card_amount: _,
        cash_coupon_amount: _,
    } = v;
    s.vec("Pricing.discounts", discounts);
    for Discount {
        discount_type: _,
        amount: _,
    } in discounts
    {}
}

pub fn payment(s: &mut Seen, v: &Payment) {
    let Payment {
        payment_id: _,
        amount: _,
        vouchers,
    } = v;
    s.vec("Payment.vouchers", vouchers);
    for VoucherRedemption {
        kind,
        voucher_id: _,
        amount: _,
    } in vouchers
    {
        s.variant(kind);
    }
}

pub fn terms(s: &mut Seen, v: &ContractTerms) {
    s.variant(v);
    match v {
        ContractTerms::Order => {}
        ContractTerms::PaymentRequest { remittance_account } => account(s, remittance_account),
    }
}

pub fn contract_order(s: &mut Seen, v: &ContractOrder) {
    let ContractOrder {
        order_id: _,
        amount_due: _,
        payment_deadline: _,
        service_start,
        service_end,
    } = v;
    s.option("ContractOrder.service_start", service_start);
    s.option("ContractOrder.service_end", service_end);
}

pub fn subject(s: &mut Seen, v: &SubjectInfo) {
    let SubjectInfo {
        party_a,
        party_a_details,
        party_b: _,
    } = v;
    real_name(s, party_a);
    details(s, party_a_details);
}

pub fn details(_s: &mut Seen, v: &PartyADetails) {
    let PartyADetails {
        address: _,
        contact_name: _,
        contact_phone: _,
        tax_id: _,
    } = v;
}

pub fn real_name(s: &mut Seen, v: &RealName) {
    let RealName { name: _, kind } = v;
    s.variant(kind);
}

pub fn account(_s: &mut Seen, v: &RemittanceAccount) {
    let RemittanceAccount {
        bank_name: _,
        account_name: _,
        account_number: _,
    } = v;
}

pub fn ticket(s: &mut Seen, field: &'static str, v: &Option<VoidTicket>) {
    s.option(field, v);
    if let Some(VoidTicket {
        ticket_id: _,
        reason: _,
    }) = v
    {}
}

pub fn seal(_s: &mut Seen, v: &DocumentSeal) {
    let DocumentSeal {
        sha256: _,
        key_id: _,
        signature: _,
    } = v;
}

pub fn coupon(s: &mut Seen, v: &IssueCoupon) {
    let IssueCoupon {
        coupon_id: _,
        customer_id: _,
        kind,
        face_value: _,
        currency: _,
        valid_from: _,
        valid_until: _,
        min_order_amount,
    } = v;
    s.variant(kind);
    s.option("IssueCoupon.min_order_amount", min_order_amount);
}
