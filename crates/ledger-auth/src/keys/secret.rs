//! Secret values that never print, and the random generation of keys.

use std::fmt;

use sha2::{Digest, Sha256};

use super::principal::{AccessKeyId, ACCESS_KEY_LEN};

/// Prefix of every bearer token (order-ledger token), so leaked tokens are
/// easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "olt_";

/// Random characters after [`TOKEN_PREFIX`]: 43 × 6 bits = 258 bits.
pub const TOKEN_RANDOM_LEN: usize = 43;

/// Length of a secret key: 40 url-safe characters, 240 bits.
pub const SECRET_KEY_LEN: usize = 40;

/// Prefix of generated access key ids.
pub const ACCESS_KEY_PREFIX: &str = "AK";

/// 64 url-safe characters: a random byte's low 6 bits pick one without bias.
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// 32 upper-case letters and digits (RFC 4648 base32): 5 bits, no bias.
const UPPER_ALNUM: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// No `PartialEq`: compare secrets in constant time, or not at all.
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value as is.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself: the only way to read it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        /// Prints `***`: secrets never reach logs.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }

        /// Prints `***`: secrets never reach logs.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }
    };
}

secret_type!(
    /// The secret key (SK) of an access key: the HMAC key of its signatures.
    /// Use [`SecretKey::expose`]`().as_bytes()` to verify.
    SecretKey
);

secret_type!(
    /// A bearer token (`olt_` + 43 url-safe characters). The store keeps
    /// only its SHA-256.
    BearerToken
);

impl BearerToken {
    /// The SHA-256 the store keeps in place of the token.
    pub fn sha256(&self) -> [u8; 32] {
        token_sha256(&self.0)
    }
}

/// SHA-256 of a presented token's text.
pub(crate) fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `len` random characters of `alphabet`, whose length is a power of two.
fn random_chars(alphabet: &[u8], len: usize) -> Result<String, getrandom::Error> {
    debug_assert!(alphabet.len().is_power_of_two() && alphabet.len() <= 256);
    let mask = alphabet.len() - 1;
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|b| char::from(alphabet[usize::from(*b) & mask]))
        .collect())
}

/// A fresh access key id: `AK` and 18 base32 characters (90 bits).
pub(crate) fn generate_access_key() -> Result<AccessKeyId, getrandom::Error> {
    let random = random_chars(UPPER_ALNUM, ACCESS_KEY_LEN - ACCESS_KEY_PREFIX.len())?;
    let id = AccessKeyId::new(format!("{ACCESS_KEY_PREFIX}{random}"))
        .expect("generated access key ids are well formed");
    Ok(id)
}

/// A fresh secret key of [`SECRET_KEY_LEN`] url-safe characters.
pub(crate) fn generate_secret_key() -> Result<SecretKey, getrandom::Error> {
    random_chars(URL_SAFE, SECRET_KEY_LEN).map(SecretKey)
}

/// A fresh bearer token: [`TOKEN_PREFIX`] and [`TOKEN_RANDOM_LEN`] url-safe
/// characters.
pub(crate) fn generate_token() -> Result<BearerToken, getrandom::Error> {
    let random = random_chars(URL_SAFE, TOKEN_RANDOM_LEN)?;
    Ok(BearerToken(format!("{TOKEN_PREFIX}{random}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_print_as_stars() {
        let secret = SecretKey::new("hunter2");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(format!("{:?}", BearerToken::new("olt_x")), "***");
    }

    #[test]
    fn generated_values_have_their_shapes() {
        let ak = generate_access_key().unwrap();
        assert!(ak.as_str().starts_with("AK"));
        assert_eq!(ak.as_str().len(), 20);
        let sk = generate_secret_key().unwrap();
        assert_eq!(sk.expose().len(), SECRET_KEY_LEN);
        assert!(sk.expose().bytes().all(|b| URL_SAFE.contains(&b)));
        let token = generate_token().unwrap();
        assert!(token.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(token.expose().len(), TOKEN_PREFIX.len() + TOKEN_RANDOM_LEN);
        assert_ne!(generate_token().unwrap().expose(), token.expose());
        assert_ne!(generate_secret_key().unwrap().expose(), sk.expose());
    }
}
