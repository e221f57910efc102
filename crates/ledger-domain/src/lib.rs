//! order-ledger's pure domain.
