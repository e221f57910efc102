//! order-ledger's authentication, with no HTTP framework: plain types in,
//! results out.
//!
//! - [`signing`]: Huawei Cloud `SDK-HMAC-SHA256` request signatures, made and
//!   checked exactly as the official Python SDK (huaweicloudsdkcore 3.1.219)
//!   makes them.
//! - [`keys`]: the key store kept in one file (`<data-dir>/keys.json`):
//!   access keys with their secret keys, bearer tokens (stored hashed),
//!   roles, revocation; safe to change from another process (the CLI) while
//!   a server reads it.
//!
//! Neither module reads a clock: the time arrives as a parameter.

pub mod keys;
pub mod signing;

pub use keys::{
    AccessKeyId, BearerToken, Credentials, KeyInfo, KeyStore, KeyStoreError, Principal, Refusal,
    Role, SecretKey,
};
pub use signing::{AuthError, Authorization, SignedRequest};
