//! The `contracts` read model.
