//! The order aggregate: one stream per order id.
//!
//! Statuses (Baidu's four) and their Huawei `status` codes:
//!
//! | status    | Huawei code | meaning                                  |
//! |-----------|-------------|------------------------------------------|
//! | Unpaid    | 6           | pending payment                          |
//! | Paid      | 5           | completed                                |
//! | Cancelled | 4           | cancelled by request or expired unpaid   |
//! | Voided    | 4           | voided by an operator (Huawei has no own code) |

mod decide;
mod evolve;
mod types;

pub use decide::{
    cancel, expire, pay, place, void, DEFAULT_PAYMENT_WINDOW_DAYS, MAX_INSTANCE_IDS,
    MAX_LINE_ITEMS, MAX_VOUCHERS,
};
pub use types::*;
