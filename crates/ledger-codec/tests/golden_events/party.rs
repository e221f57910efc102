//! Golden samples of the customer, operations, account and coupon events:
//! both certification kinds, every voucher kind a coupon is issued as.

use ledger_domain::account::{AccountCredited, AccountDebited, TopUpReceived};
use ledger_domain::catalog::VoucherKind;
use ledger_domain::coupon::{CouponIssued, CouponRedeemed, IssueCoupon};
use ledger_domain::customer::{
    CertificationKind, CustomerRegistered, RealName, RealNameCertified, RemittanceAccount,
    RemittanceAccountSet,
};
use ledger_domain::ids::CustomerId;
use ledger_domain::money::Currency;
use ledger_domain::operations::LossAccepted;
use ledger_domain::Event;

use crate::{at, money};

fn customer() -> CustomerId {
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9".parse().unwrap()
}

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

fn certified(name: &str, kind: CertificationKind) -> Event {
    Event::RealNameCertified(RealNameCertified {
        customer_id: customer(),
        real_name: RealName {
            name: name.into(),
            kind,
        },
        certified_at: at("2024-11-21T08:00:00Z"),
    })
}

fn issued(id: &str, kind: VoucherKind, min: Option<&str>) -> Event {
    Event::CouponIssued(CouponIssued {
        coupon: IssueCoupon {
            coupon_id: id.parse().unwrap(),
            customer_id: customer(),
            kind,
            face_value: money("20.00"),
            currency: usd(),
            valid_from: at("2024-11-01T00:00:00Z"),
            valid_until: at("2025-11-01T00:00:00Z"),
            min_order_amount: min.map(money),
        },
        issued_at: at("2024-11-01T00:00:00Z"),
    })
}

pub fn cases() -> Vec<(&'static str, Event)> {
    vec![
        (
            "new",
            Event::CustomerRegistered(CustomerRegistered {
                customer_id: customer(),
                name: "example".into(),
                registered_at: at("2024-11-20T08:00:00Z"),
            }),
        ),
        (
            "personal",
            certified("Han Meimei", CertificationKind::Personal),
        ),
        (
            "enterprise",
            certified("Example Co., Ltd.", CertificationKind::Enterprise),
        ),
        (
            "bank",
            Event::RemittanceAccountSet(RemittanceAccountSet {
                customer_id: customer(),
                account: RemittanceAccount {
                    bank_name: "Example Bank".into(),
                    account_name: "Cloud Computing".into(),
                    account_number: "0012-3456-7890".into(),
                },
                set_at: at("2024-11-21T09:00:00Z"),
            }),
        ),
        (
            // The value tests/golden.rs pins inline.
            "no-backup",
            Event::LossAccepted(LossAccepted {
                first_position: 41,
                last_position: 57,
                head_position: 40,
                reason: "no backup".into(),
                record_sha256: "ab".repeat(32),
                accepted_at: at("2026-12-02T09:00:00Z"),
            }),
        ),
        (
            "channel",
            Event::TopUpReceived(TopUpReceived {
                top_up_id: "TOPUP-1".parse().unwrap(),
                customer_id: customer(),
                amount: money("500.00"),
                currency: usd(),
                received_at: at("2024-11-22T07:00:00Z"),
            }),
        ),
        (
            "top-up",
            Event::AccountCredited(AccountCredited {
                customer_id: customer(),
                top_up_id: "TOPUP-1".parse().unwrap(),
                amount: money("500.00"),
                currency: usd(),
                balance_after: money("650.25"),
                credited_at: at("2024-11-22T07:00:00Z"),
            }),
        ),
        (
            "order",
            Event::AccountDebited(AccountDebited {
                customer_id: customer(),
                order_id: "CS2411220001".parse().unwrap(),
                amount: money("167.00"),
                currency: usd(),
                balance_after: money("483.25"),
                debited_at: at("2024-11-22T08:30:00Z"),
            }),
        ),
        (
            "discount-coupon",
            issued("DC-1", VoucherKind::DiscountCoupon, Some("100.00")),
        ),
        ("coupon", issued("CP-9", VoucherKind::Coupon, None)),
        ("cash-coupon", issued("CC-1", VoucherKind::CashCoupon, None)),
        ("card", issued("CARD-1", VoucherKind::Card, Some("0"))),
        (
            "order",
            Event::CouponRedeemed(CouponRedeemed {
                coupon_id: "CC-1".parse().unwrap(),
                order_id: "CS2411220001".parse().unwrap(),
                amount: money("2.00"),
                balance_after: money("18.00"),
                redeemed_at: at("2024-11-22T08:30:00Z"),
            }),
        ),
    ]
}
