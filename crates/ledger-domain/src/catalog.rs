//! The seeds' code tables, each in one place: order types (Baidu names and
//! Huawei codes), charge types, source types, period types, price units and
//! discount types.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// What produced an order (Baidu "Order type").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrderType {
    Purchase,
    Renewal,
    Upgrade,
    Downgrade,
    /// Elastic scaling of pay-as-you-go services or switching billing methods.
    ConfigurationChange,
    /// Service-failure compensation duration.
    Compensation,
}

/// The one mapping between order types, Baidu's names and Huawei's
/// `orderType` codes. Huawei has one code, 3 (Change), for upgrade,
/// downgrade and configuration change: our order keeps which change it was
/// (its Baidu name) and a Huawei filter by 3 matches all three. Huawei has
/// no order type for compensation: it marks such an order by its
/// `sourceType` 7 (Compensation), so a compensation order is a new purchase
/// (1) of compensation duration from source 7, never a renewal.
pub const ORDER_TYPES: [(OrderType, &str, u8); 6] = [
    (OrderType::Purchase, "Purchase", 1),
    (OrderType::Renewal, "Renewal", 2),
    (OrderType::Upgrade, "Upgrade", 3),
    (OrderType::Downgrade, "Downgrade", 3),
    (OrderType::ConfigurationChange, "Configuration change", 3),
    (OrderType::Compensation, "Compensation duration", 1),
];

impl OrderType {
    fn row(self) -> &'static (OrderType, &'static str, u8) {
        ORDER_TYPES
            .iter()
            .find(|row| row.0 == self)
            .expect("every order type has a row")
    }

    /// Baidu's display name.
    pub fn baidu_name(self) -> &'static str {
        self.row().1
    }

    /// Huawei's `orderType` code.
    pub fn huawei_code(self) -> u8 {
        self.row().2
    }

    /// The source type an order of this type must have, if only one fits:
    /// compensation orders come from Huawei source 7 (Compensation) and
    /// only they do.
    pub fn required_source(self) -> Option<SourceType> {
        match self {
            OrderType::Compensation => Some(SourceType::Compensation),
            _ => None,
        }
    }

    /// Every order type a Huawei `order_type` filter code selects.
    pub fn from_huawei_code(code: u8) -> Vec<OrderType> {
        ORDER_TYPES
            .iter()
            .filter(|row| row.2 == code)
            .map(|row| row.0)
            .collect()
    }
}

/// How an order is charged (Baidu "Charge type" / "Bill type").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ChargeType {
    /// Yearly/monthly subscription: prepay.
    Subscription,
    /// Pay-as-you-go: postpay.
    PayAsYouGo,
}

/// Baidu's "Bill type" filter values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BillType {
    Prepay,
    Postpay,
}

impl ChargeType {
    pub fn bill_type(self) -> BillType {
        match self {
            ChargeType::Subscription => BillType::Prepay,
            ChargeType::PayAsYouGo => BillType::Postpay,
        }
    }

    /// The units a unit price may be quoted in under this charge type: one
    /// minute or a quantity (the seed's "Pay-as-you-go (or 'by quantity',
    /// etc.)") for pay-as-you-go, a month or a year for subscriptions.
    pub fn admits(self, unit: PriceUnit) -> bool {
        match self {
            ChargeType::PayAsYouGo => unit == PriceUnit::Minute || unit.is_quantity(),
            ChargeType::Subscription => matches!(unit, PriceUnit::Month | PriceUnit::Year),
        }
    }
}

/// The unit of a unit price: a time unit, or for a postpaid line billed by
/// quantity the quantity's unit. New units go at the end (stored by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PriceUnit {
    Minute,
    Month,
    Year,
    /// Per gigabyte (storage, traffic).
    Gigabyte,
    /// Per request (API calls).
    Request,
    /// Per ten thousand requests.
    TenThousandRequests,
}

impl PriceUnit {
    /// Billed by quantity rather than by time.
    pub fn is_quantity(self) -> bool {
        matches!(
            self,
            PriceUnit::Gigabyte | PriceUnit::Request | PriceUnit::TenThousandRequests
        )
    }
}

/// Where an order came from (Huawei `sourceType`, codes 1–8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceType {
    Customer,
    Agent,
    Contract,
    Distributor,
    DeletedResources,
    Supplement,
    Compensation,
    AutoCreated,
}

const SOURCE_TYPES: [(SourceType, u8); 8] = [
    (SourceType::Customer, 1),
    (SourceType::Agent, 2),
    (SourceType::Contract, 3),
    (SourceType::Distributor, 4),
    (SourceType::DeletedResources, 5),
    (SourceType::Supplement, 6),
    (SourceType::Compensation, 7),
    (SourceType::AutoCreated, 8),
];

impl SourceType {
    pub fn huawei_code(self) -> u8 {
        SOURCE_TYPES
            .iter()
            .find(|r| r.0 == self)
            .expect("every source type has a code")
            .1
    }

    pub fn from_huawei_code(code: u8) -> Result<SourceType, DomainError> {
        SOURCE_TYPES
            .iter()
            .find(|r| r.1 == code)
            .map(|r| r.0)
            .ok_or(DomainError::UnknownCode {
                table: "source type",
                code: code.into(),
            })
    }
}

/// A line item's period type (Huawei `periodType`, codes 0–7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeriodType {
    Day,
    Week,
    Month,
    Year,
    Hour,
    OneOff,
    PayPerUse,
    ByUsageReport,
}

const PERIOD_TYPES: [(PeriodType, u8); 8] = [
    (PeriodType::Day, 0),
    (PeriodType::Week, 1),
    (PeriodType::Month, 2),
    (PeriodType::Year, 3),
    (PeriodType::Hour, 4),
    (PeriodType::OneOff, 5),
    (PeriodType::PayPerUse, 6),
    (PeriodType::ByUsageReport, 7),
];

impl PeriodType {
    pub fn huawei_code(self) -> u8 {
        PERIOD_TYPES
            .iter()
            .find(|r| r.0 == self)
            .expect("every period type has a code")
            .1
    }

    pub fn from_huawei_code(code: u8) -> Result<PeriodType, DomainError> {
        PERIOD_TYPES
            .iter()
            .find(|r| r.1 == code)
            .map(|r| r.0)
            .ok_or(DomainError::UnknownCode {
                table: "period type",
                code: code.into(),
            })
    }
}

/// A discount's type code, as in Huawei's DiscountItem table (200, 300–302,
/// 500–502, 600–607, 609, 610, 700, 800; 608 is not defined there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct DiscountType(u16);

/// Every defined discount type code with its meaning.
pub const DISCOUNT_TYPES: [(u16, &str); 19] = [
    (200, "Promotion product discount"),
    (300, "Promotion discount coupon"),
    (301, "Promotion coupon"),
    (302, "Promotion flexi-purchase coupon"),
    (500, "Specified discount for agent subscription"),
    (501, "Specified exemption for agent subscription"),
    (502, "Specified buy-it-now price for agent subscription"),
    (
        600,
        "Discount specified in the discount and rebate contract",
    ),
    (601, "Discount specified in the channel frame contract"),
    (
        602,
        "Discount specified in the designated-purpose fund contract",
    ),
    (
        603,
        "Discount specified in the directly signed offline contract",
    ),
    (
        604,
        "Discount specified in the authorized telemarketing contract",
    ),
    (605, "Discount specified in the commercial contract"),
    (606, "Discount specified in the channel commercial contract"),
    (607, "Partner authorized discount"),
    (609, "Discount for adjusting an order price"),
    (610, "Discount amount"),
    (700, "Promotion discount"),
    (800, "Top-up account discount"),
];

impl DiscountType {
    pub fn new(code: u16) -> Result<DiscountType, DomainError> {
        if DISCOUNT_TYPES.iter().any(|r| r.0 == code) {
            Ok(DiscountType(code))
        } else {
            Err(DomainError::UnknownCode {
                table: "discount type",
                code: code.into(),
            })
        }
    }

    pub fn code(self) -> u16 {
        self.0
    }

    pub fn description(self) -> &'static str {
        DISCOUNT_TYPES
            .iter()
            .find(|r| r.0 == self.0)
            .expect("only defined codes exist")
            .1
    }
}

impl TryFrom<u16> for DiscountType {
    type Error = DomainError;
    fn try_from(code: u16) -> Result<Self, Self::Error> {
        DiscountType::new(code)
    }
}

impl From<DiscountType> for u16 {
    fn from(t: DiscountType) -> u16 {
        t.0
    }
}

/// What may be redeemed at payment besides cash (Huawei coupon types 300–303).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VoucherKind {
    /// 300: discount coupon.
    DiscountCoupon,
    /// 301: promotion (cash) coupon.
    Coupon,
    /// 302: promotion flexi-purchase (cash) coupon.
    CashCoupon,
    /// 303: stored-value card.
    Card,
}

const VOUCHER_KINDS: [(VoucherKind, u16); 4] = [
    (VoucherKind::DiscountCoupon, 300),
    (VoucherKind::Coupon, 301),
    (VoucherKind::CashCoupon, 302),
    (VoucherKind::Card, 303),
];

impl VoucherKind {
    pub fn huawei_code(self) -> u16 {
        VOUCHER_KINDS
            .iter()
            .find(|r| r.0 == self)
            .expect("every voucher kind has a code")
            .1
    }

    pub fn from_huawei_code(code: u16) -> Result<VoucherKind, DomainError> {
        VOUCHER_KINDS
            .iter()
            .find(|r| r.1 == code)
            .map(|r| r.0)
            .ok_or(DomainError::UnknownCode {
                table: "voucher kind",
                code: code.into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_type_has_one_row_and_codes_map_back() {
        for (t, _, code) in ORDER_TYPES {
            assert_eq!(ORDER_TYPES.iter().filter(|r| r.0 == t).count(), 1);
            assert!(OrderType::from_huawei_code(code).contains(&t));
        }
        assert_eq!(OrderType::from_huawei_code(3).len(), 3);
        assert!(OrderType::from_huawei_code(99).is_empty());
    }

    #[test]
    fn discount_types_are_only_the_defined_codes() {
        assert!(DiscountType::new(301).is_ok());
        assert!(DiscountType::new(608).is_err());
        assert!(DiscountType::new(999).is_err());
    }

    #[test]
    fn unit_prices_follow_the_charge_type() {
        assert!(ChargeType::PayAsYouGo.admits(PriceUnit::Minute));
        assert!(!ChargeType::PayAsYouGo.admits(PriceUnit::Month));
        assert!(ChargeType::Subscription.admits(PriceUnit::Year));
        assert!(!ChargeType::Subscription.admits(PriceUnit::Minute));
    }

    #[test]
    fn code_tables_round_trip() {
        for (s, c) in SOURCE_TYPES {
            assert_eq!(SourceType::from_huawei_code(c).unwrap(), s);
            assert_eq!(s.huawei_code(), c);
        }
        for (p, c) in PERIOD_TYPES {
            assert_eq!(PeriodType::from_huawei_code(c).unwrap(), p);
        }
        for (v, c) in VOUCHER_KINDS {
            assert_eq!(VoucherKind::from_huawei_code(c).unwrap(), v);
        }
    }
}
