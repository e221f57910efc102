//! The code tables events carry, as stored: variant `i` here is stored as
//! index `i`, whatever order the domain's enum declares. The mappings are
//! exhaustive both ways, so a new domain variant does not compile until it
//! is given a stored variant (at the end).

use serde::{Deserialize, Serialize};

/// A unit-variant enum mirrored from the domain, with its mappings.
macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident = $domain:ty { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                type D = $domain;
                match v { $(D::$variant => $name::$variant),+ }
            }
        }

        impl From<&$domain> for $name {
            fn from(v: &$domain) -> Self {
                (*v).into()
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                type D = $domain;
                match v { $($name::$variant => D::$variant),+ }
            }
        }
    };
}

mirror!(
    /// Where an order came from.
    SourceType = ledger_domain::catalog::SourceType {
        Customer,
        Agent,
        Contract,
        Distributor,
        DeletedResources,
        Supplement,
        Compensation,
        AutoCreated,
    }
);

mirror!(
    /// What produced an order.
    OrderType = ledger_domain::catalog::OrderType {
        Purchase,
        Renewal,
        Upgrade,
        Downgrade,
        ConfigurationChange,
        Compensation,
    }
);

mirror!(
    /// How an order is charged.
    ChargeType = ledger_domain::catalog::ChargeType {
        Subscription,
        PayAsYouGo,
    }
);

mirror!(
    /// A line item's period type.
    PeriodType = ledger_domain::catalog::PeriodType {
        Day,
        Week,
        Month,
        Year,
        Hour,
        OneOff,
        PayPerUse,
        ByUsageReport,
    }
);

mirror!(
    /// The unit of a unit price.
    PriceUnit = ledger_domain::catalog::PriceUnit {
        Minute,
        Month,
        Year,
        Gigabyte,
        Request,
        TenThousandRequests,
    }
);

mirror!(
    /// What may be redeemed at payment besides cash.
    VoucherKind = ledger_domain::catalog::VoucherKind {
        DiscountCoupon,
        Coupon,
        CashCoupon,
        Card,
    }
);

mirror!(
    /// Whether a real name is a person's or a company's.
    CertificationKind = ledger_domain::customer::CertificationKind {
        Personal,
        Enterprise,
    }
);

mirror!(
    /// What kind of contract is applied for (in command fingerprints only).
    ContractKind = ledger_domain::contract::ContractKind {
        Order,
        PaymentRequest,
    }
);
