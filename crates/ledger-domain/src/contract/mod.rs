//! The electronic-contract aggregate: one stream per contract number.
//!
//! Statuses: Draft → Official (converted), Draft|Official → Voided, and a
//! payment-request contract → Invalid when an associated order is still
//! unpaid at its payment deadline. Voiding and invalidation release the
//! orders, so they can be put in a new contract.

mod decide;
mod types;

pub(crate) use decide::overdue_order;
pub use decide::{
    apply, convert, edit_remarks, invalidate, void, MAX_CONTRACT_ORDERS, MAX_REMARKS_CHARS,
};
pub use types::*;
