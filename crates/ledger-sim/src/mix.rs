//! What the simulated billing center looks like: how many customers, how
//! unevenly their orders are spread, and what becomes of each order.
//!
//! Every draw is a pure function of `(seed, order index, salt)`, so any
//! order of a run can be planned on its own, by any worker, in any order,
//! and the same seed always plans the same log.

/// Parts per thousand.
pub type Permille = u16;

/// One thousand parts per thousand.
pub const PERMILLE: u64 = 1000;

/// Most large customers a mix may name.
pub const MAX_LARGE_CUSTOMERS: usize = 16;
/// Most ordinary customers a mix may name.
pub const MAX_CUSTOMERS: u32 = 10_000_000;

/// The shape of a simulated workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mix {
    /// The seed every draw derives from.
    pub seed: u64,
    /// Ordinary customers, who share what the large ones leave evenly.
    pub customers: u32,
    /// For each large customer, its share of all orders (‰), largest first.
    /// The default gives one customer 20% of all orders: 1M of the ≈5M
    /// orders a 10M-event log holds.
    pub large_customers: Vec<Permille>,
    /// What becomes of orders (‰ of all orders; the rest are paid).
    pub cancelled: Permille,
    /// Left unpaid: expired by the timer once the deadline passes.
    pub unpaid: Permille,
    /// Of paid orders, the share put into an order contract.
    pub order_contracts: Permille,
    /// Of unpaid orders, the share put into a payment-request contract
    /// (which turns Invalid when its order's deadline passes).
    pub payment_request_contracts: Permille,
    /// Of drafts, the share converted to official.
    pub converted: Permille,
    /// Of drafts, the share voided (never together with converted).
    pub voided: Permille,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            seed: 1,
            customers: 10_000,
            large_customers: vec![200, 30, 20],
            cancelled: 80,
            unpaid: 60,
            order_contracts: 20,
            payment_request_contracts: 100,
            converted: 300,
            voided: 100,
        }
    }
}

/// Why a mix cannot be planned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MixError {
    #[error("a mix needs at least one ordinary customer and at most {MAX_CUSTOMERS}")]
    Customers,
    #[error("at most {MAX_LARGE_CUSTOMERS} large customers")]
    TooManyLarge,
    #[error("the large customers' shares must add up to less than 1000‰")]
    LargeShares,
    #[error("{0} must be at most 1000‰")]
    Share(&'static str),
    #[error("cancelled and unpaid orders must add up to at most 1000‰")]
    Fates,
    #[error("converted and voided drafts must add up to at most 1000‰")]
    Drafts,
}

impl Mix {
    /// Checks the mix's shares.
    pub fn validate(&self) -> Result<(), MixError> {
        if self.customers == 0 || self.customers > MAX_CUSTOMERS {
            return Err(MixError::Customers);
        }
        if self.large_customers.len() > MAX_LARGE_CUSTOMERS {
            return Err(MixError::TooManyLarge);
        }
        let large: u64 = self.large_customers.iter().map(|&p| u64::from(p)).sum();
        if large >= PERMILLE {
            return Err(MixError::LargeShares);
        }
        for (name, p) in [
            ("cancelled", self.cancelled),
            ("unpaid", self.unpaid),
            ("order contracts", self.order_contracts),
            ("payment-request contracts", self.payment_request_contracts),
            ("converted", self.converted),
            ("voided", self.voided),
        ] {
            if u64::from(p) > PERMILLE {
                return Err(MixError::Share(name));
            }
        }
        if u64::from(self.cancelled) + u64::from(self.unpaid) > PERMILLE {
            return Err(MixError::Fates);
        }
        if u64::from(self.converted) + u64::from(self.voided) > PERMILLE {
            return Err(MixError::Drafts);
        }
        Ok(())
    }

    /// Every customer of the mix: the large ones first.
    pub fn customer_count(&self) -> u64 {
        self.large_customers.len() as u64 + u64::from(self.customers)
    }

    /// The customer (index into [`Mix::customer_count`]) of order `index`.
    pub fn customer_of(&self, index: u64) -> u64 {
        let roll = draw(self.seed, index, Salt::Customer) % PERMILLE;
        let mut upto = 0;
        for (i, &share) in self.large_customers.iter().enumerate() {
            upto += u64::from(share);
            if roll < upto {
                return i as u64;
            }
        }
        let ordinary = draw(self.seed, index, Salt::Ordinary) % u64::from(self.customers);
        self.large_customers.len() as u64 + ordinary
    }
}

/// What a draw is for: each has its own stream of numbers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Salt {
    Customer = 1,
    Ordinary,
    Product,
    OrderType,
    Months,
    Discount,
    Fate,
    Contract,
    Draft,
}

/// A 64-bit number determined by `(seed, index, salt)`: SplitMix64's
/// finaliser over their mix (Steele, Lea and Flood, 2014).
pub(crate) fn draw(seed: u64, index: u64, salt: Salt) -> u64 {
    let mut z = seed
        ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (salt as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A draw in `0..1000`.
pub(crate) fn permille(seed: u64, index: u64, salt: Salt) -> u64 {
    draw(seed, index, salt) % PERMILLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_mix_is_valid() {
        assert_eq!(Mix::default().validate(), Ok(()));
    }

    #[test]
    fn bad_shares_are_refused() {
        let bad = |f: fn(&mut Mix)| {
            let mut m = Mix::default();
            f(&mut m);
            m.validate()
        };
        assert_eq!(bad(|m| m.customers = 0), Err(MixError::Customers));
        assert_eq!(
            bad(|m| m.large_customers = vec![600, 400]),
            Err(MixError::LargeShares)
        );
        assert_eq!(
            bad(|m| m.large_customers = vec![1; 17]),
            Err(MixError::TooManyLarge)
        );
        assert_eq!(bad(|m| m.unpaid = 1001), Err(MixError::Share("unpaid")));
        assert_eq!(
            bad(|m| {
                m.unpaid = 600;
                m.cancelled = 600;
            }),
            Err(MixError::Fates)
        );
        assert_eq!(
            bad(|m| {
                m.converted = 600;
                m.voided = 600;
            }),
            Err(MixError::Drafts)
        );
    }

    #[test]
    fn large_customers_get_their_share() {
        let mix = Mix::default();
        let n = 100_000u64;
        let mut counts = vec![0u64; mix.large_customers.len() + 1];
        for i in 0..n {
            let c = mix.customer_of(i) as usize;
            counts[c.min(mix.large_customers.len())] += 1;
        }
        // 20%, 3%, 2% within half a percentage point.
        for (c, &share) in mix.large_customers.iter().enumerate() {
            let expected = n * u64::from(share) / PERMILLE;
            assert!(
                counts[c].abs_diff(expected) < n / 200,
                "customer {c}: {} orders, expected about {expected}",
                counts[c]
            );
        }
    }

    #[test]
    fn draws_are_reproducible_and_differ_by_salt() {
        assert_eq!(draw(7, 42, Salt::Fate), draw(7, 42, Salt::Fate));
        assert_ne!(draw(7, 42, Salt::Fate), draw(7, 42, Salt::Contract));
        assert_ne!(draw(7, 42, Salt::Fate), draw(8, 42, Salt::Fate));
    }
}
