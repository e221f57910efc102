//! `show_customer_account_balances` (`GET /v2/accounts/customer-accounts/balances`)
//! and `list_sub_customer_coupons` (`GET /v2/promotions/benefits/coupons`).
//!
//! Decisions where the API is silent:
//! - **Balances** come from the account aggregate itself (the log, not a
//!   view): exact at the moment of the call. Each currency the account was
//!   ever credited in is one balance account (`account_type` 1), whose id is
//!   `<customer id>.<currency>`. A customer never credited has one balance
//!   account of 0 in USD. The ledger gives no credit: `debt_amount` is 0,
//!   `credit_amount` null; there is no designated-use balance (0).
//! - **Coupon types.** Huawei's list numbers coupons 1 (cash coupon, 代金券:
//!   our 301), 2 (discount coupon: 300), 3 (product coupon: none here), 4
//!   (cash, 现金券: flexi-purchase 302 and stored-value card 303).
//!   `coupon_version` is 1 for single-use kinds (no `balance`) and 2 for
//!   kinds spent over several orders.
//! - **Filters.** `coupon_id`, `order_id` (the order that last used it),
//!   `coupon_type`, `status` (1 not active yet, 2 usable, 3 used, 4
//!   expired; 5 reclaimed never happens here), `active_start_time` /
//!   `active_end_time` (validity overlapping the window). The ledger has no
//!   promotion plans or partners: `promotion_plan_id` or `source_id` match
//!   nothing. `limit` 1–100 (default 10), `offset` 0 or more.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ledger_domain::catalog::VoucherKind;
use ledger_domain::coupon::{is_single_use, CouponStatus};
use ledger_domain::ids::CustomerId;
use ledger_domain::money::{Currency, Money};
use ledger_domain::{Aggregate, AggregateId};
use ledger_projections::coupons::{list_coupons, CouponQuery, CouponRow, MAX_COUPON_PAGE_SIZE};
use ledger_projections::COUPONS;
use serde::Serialize;

use super::json::{time, Amount, Time, MEASURE_ID_MAIN_UNIT};
use super::list::customer_of;
use super::params::{page_size, row_offset, Params};
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

/// Huawei `account_type` of a cash balance account.
const ACCOUNT_TYPE_BALANCE: u8 = 1;
/// The currency of the zero balance of a customer never credited.
const DEFAULT_CURRENCY: &str = "USD";
/// Default coupon page size.
const DEFAULT_COUPON_PAGE_SIZE: u32 = 10;

#[derive(Serialize)]
struct AccountBalanceV3 {
    account_id: String,
    account_type: u8,
    amount: Amount,
    currency: String,
    designated_amount: Amount,
    credit_amount: Option<Amount>,
    measure_id: u8,
}

#[derive(Serialize)]
struct Balances {
    account_balances: Vec<AccountBalanceV3>,
    debt_amount: Amount,
    measure_id: u8,
    currency: String,
}

pub async fn show_customer_account_balances(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = Params::new(query)?;
    let customer = customer_of(&caller, p.parsed("customer_id")?)?;
    let (_, aggregate) = state
        .ledger
        .aggregate(&AggregateId::Account(customer.clone()))
        .await?;
    let Aggregate::Account(account) = aggregate else {
        return Err(ApiError::internal("an account id loaded another aggregate"));
    };
    let mut balances: Vec<(Currency, Money)> = account.balances().collect();
    if balances.is_empty() {
        let usd = Currency::new(DEFAULT_CURRENCY).expect("a valid currency code");
        balances.push((usd, Money::ZERO));
    }
    let entry = |(currency, amount): (Currency, Money)| AccountBalanceV3 {
        account_id: format!("{customer}.{currency}"),
        account_type: ACCOUNT_TYPE_BALANCE,
        amount: Amount(amount),
        currency: currency.to_string(),
        designated_amount: Amount(Money::ZERO),
        credit_amount: None,
        measure_id: MEASURE_ID_MAIN_UNIT,
    };
    let currency = balances[0].0.to_string();
    Ok(Json(Balances {
        account_balances: balances.into_iter().map(entry).collect(),
        debt_amount: Amount(Money::ZERO),
        measure_id: MEASURE_ID_MAIN_UNIT,
        currency,
    })
    .into_response())
}

/// Huawei's list `coupon_type` of a coupon kind.
fn list_type(kind: VoucherKind) -> u8 {
    match kind {
        VoucherKind::Coupon => 1,
        VoucherKind::DiscountCoupon => 2,
        VoucherKind::CashCoupon | VoucherKind::Card => 4,
    }
}

fn kinds_of_list_type(t: i64) -> Vec<VoucherKind> {
    [
        VoucherKind::Coupon,
        VoucherKind::DiscountCoupon,
        VoucherKind::CashCoupon,
        VoucherKind::Card,
    ]
    .into_iter()
    .filter(|k| i64::from(list_type(*k)) == t)
    .collect()
}

fn status_of_code(code: i64) -> Result<Option<CouponStatus>, ApiError> {
    Ok(match code {
        1 => Some(CouponStatus::Inactive),
        2 => Some(CouponStatus::Usable),
        3 => Some(CouponStatus::Used),
        4 => Some(CouponStatus::Expired),
        // Reclaimed: never happens here, so it matches nothing.
        5 => None,
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "status must be 1 to 5, got {other}"
            )))
        }
    })
}

#[derive(Serialize)]
struct UseLimit {
    use_limiti_info_id: String,
    limit_key: &'static str,
    value1: String,
    value2: Option<String>,
    value_unit: &'static str,
    limit_type: &'static str,
    promotion_plan_id: Option<String>,
}

/// `IQueryUserCouponsResultV2`.
#[derive(Serialize)]
struct UserCoupon {
    coupon_id: String,
    coupon_code: String,
    status: u8,
    customer_id: String,
    coupon_type: u8,
    measure_id: u8,
    face_value: Amount,
    valid_time: Time,
    expire_time: Time,
    order_id: Option<String>,
    promotion_plan_id: Option<String>,
    plan_name: Option<String>,
    plan_desc: Option<String>,
    media_type: u8,
    fetch_method: u8,
    use_limits: Vec<UseLimit>,
    active_time: Time,
    reserve_time: Option<Time>,
    promotion_id: Option<String>,
    create_time: Time,
    coupon_version: u8,
    balance: Option<Amount>,
    lock_order_id: Option<String>,
    coupon_usage: Option<String>,
    is_frozen: &'static str,
    currency: String,
    extend_param1: Option<String>,
    source_id: Option<String>,
}

fn user_coupon(row: &CouponRow, now: chrono::DateTime<chrono::Utc>) -> UserCoupon {
    let s = &row.spec;
    let single = is_single_use(s.kind);
    UserCoupon {
        coupon_id: s.coupon_id.to_string(),
        coupon_code: s.coupon_id.to_string(),
        status: row.status(now).huawei_code(),
        customer_id: s.customer_id.to_string(),
        coupon_type: list_type(s.kind),
        measure_id: MEASURE_ID_MAIN_UNIT,
        face_value: Amount(s.face_value),
        valid_time: Time(s.valid_from),
        expire_time: Time(s.valid_until),
        order_id: row.last_order_id.as_ref().map(ToString::to_string),
        promotion_plan_id: None,
        plan_name: None,
        plan_desc: None,
        // 1: electronic coupon; 3: issued online.
        media_type: 1,
        fetch_method: 3,
        use_limits: s
            .min_order_amount
            .iter()
            .map(|m| UseLimit {
                use_limiti_info_id: format!("{}.threshold", s.coupon_id),
                limit_key: "minConsumption",
                value1: m.to_string(),
                value2: None,
                value_unit: "yuan",
                limit_type: "threshold",
                promotion_plan_id: None,
            })
            .collect(),
        active_time: Time(s.valid_from),
        reserve_time: time(row.last_redeemed_at),
        promotion_id: None,
        create_time: Time(row.issued_at),
        coupon_version: if single { 1 } else { 2 },
        balance: (!single).then_some(Amount(row.balance)),
        lock_order_id: None,
        coupon_usage: None,
        is_frozen: "0",
        currency: s.currency.to_string(),
        extend_param1: None,
        source_id: None,
    }
}

#[derive(Serialize)]
struct Coupons {
    count: u64,
    user_coupons: Vec<UserCoupon>,
}

pub async fn list_sub_customer_coupons(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = Params::new(query)?;
    let customer: CustomerId = customer_of(&caller, p.parsed("customer_id")?)?;
    let limit = page_size(
        p.int("limit")?,
        DEFAULT_COUPON_PAGE_SIZE,
        MAX_COUPON_PAGE_SIZE,
    )?;
    let offset = u32::try_from(row_offset(p.int("offset")?)?)
        .map_err(|_| ApiError::invalid_parameter("offset is too large"))?;
    let mut matches_nothing =
        p.text("promotion_plan_id")?.is_some() || p.text("source_id")?.is_some();
    let kinds = match p.int("coupon_type")? {
        None => None,
        Some(t) if (1..=4).contains(&t) => Some(kinds_of_list_type(t)),
        Some(t) => {
            return Err(ApiError::invalid_parameter(format!(
                "coupon_type must be 1 to 4, got {t}"
            )))
        }
    };
    let status = match p.int("status")? {
        None => None,
        Some(code) => {
            let s = status_of_code(code)?;
            matches_nothing |= s.is_none();
            s
        }
    };
    let q = CouponQuery {
        coupon_id: p.parsed("coupon_id")?,
        order_id: p.parsed("order_id")?,
        kinds,
        status,
        active_from: p.time("active_start_time")?,
        active_to: p.time("active_end_time")?,
        offset,
        limit,
    };
    if matches_nothing {
        return Ok(Json(Coupons {
            count: 0,
            user_coupons: Vec::new(),
        })
        .into_response());
    }
    // Read what was acknowledged before the call: wait (bounded) for the
    // view to reach the log's head as it is now.
    crate::views::wait(&state, &[COUPONS], state.store.head().position.0).await?;
    let now = state.clock.now();
    let tree = state.projector.view(COUPONS)?;
    let page = list_coupons(&tree, &customer, &q, now)?;
    Ok(Json(Coupons {
        count: page.count,
        user_coupons: page.coupons.iter().map(|c| user_coupon(c, now)).collect(),
    })
    .into_response())
}
