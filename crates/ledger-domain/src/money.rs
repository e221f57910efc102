//! Money: exact decimals, never floating point.
//!
//! **The rounding rule.** The ledger never rounds. It only adds, subtracts and
//! compares amounts, which `Decimal` does exactly; an amount with more than
//! [`MAX_MONEY_SCALE`] fractional digits is refused where it enters
//! ([`DomainError::InvalidAmount`]), never silently rounded. Amounts are
//! non-negative. Overflow is an error, not a wrap.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

/// Most fractional digits an amount may carry (per-minute unit prices need
/// more than cents).
pub const MAX_MONEY_SCALE: u32 = 8;

/// A non-negative amount with at most [`MAX_MONEY_SCALE`] fractional digits.
/// Serialized as a decimal string (exact in JSON and in bincode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Result<Money, DomainError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(DomainError::InvalidAmount {
                reason: "must not be negative",
            });
        }
        if amount.scale() > MAX_MONEY_SCALE {
            return Err(DomainError::InvalidAmount {
                reason: "has more than 8 fractional digits",
            });
        }
        Ok(Money(amount))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `None` when the result would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        let d = self.0.checked_sub(other.0)?;
        (!d.is_sign_negative() || d.is_zero()).then_some(Money(d))
    }

    /// Sum, or `None` on overflow.
    pub fn sum<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(*m))
    }
}

impl Sum for Money {
    /// Panics on overflow; use [`Money::sum`] for untrusted input.
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |acc, m| {
            acc.checked_add(m).expect("money overflow")
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Money {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = Decimal::from_str_exact(s.trim()).map_err(|_| DomainError::InvalidAmount {
            reason: "is not a decimal number",
        })?;
        Money::new(d)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An ISO 4217 currency code such as `USD` or `CNY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn new(code: &str) -> Result<Currency, DomainError> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(DomainError::InvalidCurrency),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).expect("currency code is ascii")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Currency::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_refuses_negative_and_over_precise_amounts() {
        assert!("12.50".parse::<Money>().is_ok());
        assert!("-0.01".parse::<Money>().is_err());
        assert!("0.000000001".parse::<Money>().is_err());
        assert!("abc".parse::<Money>().is_err());
        assert!("1e3".parse::<Money>().is_err());
    }

    #[test]
    fn money_arithmetic_is_exact() {
        let a: Money = "0.1".parse().unwrap();
        let b: Money = "0.2".parse().unwrap();
        assert_eq!(a.checked_add(b).unwrap(), "0.3".parse().unwrap());
        assert_eq!(a.checked_sub(b), None);
    }

    #[test]
    fn currency_is_three_upper_case_letters() {
        assert!(Currency::new("USD").is_ok());
        assert!(Currency::new("usd").is_err());
        assert!(Currency::new("US").is_err());
    }
}
