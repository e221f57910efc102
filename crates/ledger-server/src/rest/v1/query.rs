//! Query strings of the `/v1` resources: every parameter is known, none
//! is repeated unless it may be, and each names itself when refused.

use std::str::FromStr;

use crate::errors::ApiError;
use crate::grpc::convert;

/// Longest query string accepted.
pub const MAX_QUERY_CHARS: usize = 8 * 1024;

/// The parameters of one query string, consumed by name.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `a=1&b=2` (percent and `+` decoding).
    pub fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_parameter(format!(
                "query string exceeds {MAX_QUERY_CHARS} characters"
            )));
        }
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map_err(|e| ApiError::bad_parameter(format!("malformed query string: {e}")))?;
        Ok(Params { pairs })
    }

    /// Every value of `name` (a repeatable parameter).
    pub fn all(&mut self, name: &str) -> Vec<String> {
        let (taken, rest) = std::mem::take(&mut self.pairs)
            .into_iter()
            .partition(|(k, _)| k == name);
        self.pairs = rest;
        taken.into_iter().map(|(_, v)| v).collect()
    }

    /// The value of `name`, if given; empty counts as absent.
    pub fn one(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let mut values = self.all(name);
        if values.len() > 1 {
            return Err(ApiError::bad_parameter(format!(
                "{name} may be given only once"
            )));
        }
        Ok(values.pop().filter(|v| !v.is_empty()))
    }

    /// `name` parsed with its type's `FromStr`.
    pub fn parsed<T: FromStr>(&mut self, name: &str) -> Result<Option<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        match self.one(name)? {
            None => Ok(None),
            Some(v) => convert::field(name, &v).map(Some),
        }
    }

    /// Refuses whatever was not consumed.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.pairs.first() {
            None => Ok(()),
            Some((k, _)) => Err(ApiError::bad_parameter(format!(
                "unknown query parameter {k:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_decoded_repeats_collected_and_leftovers_refused() {
        let mut p =
            Params::parse(Some("order_type=renewal&product_name=Elastic+Volume%20Service&order_type=upgrade&limit=5&x=1"))
                .unwrap();
        assert_eq!(p.all("order_type"), vec!["renewal", "upgrade"]);
        assert_eq!(
            p.one("product_name").unwrap().as_deref(),
            Some("Elastic Volume Service")
        );
        assert_eq!(p.parsed::<u32>("limit").unwrap(), Some(5));
        let e = p.finish().unwrap_err();
        assert_eq!(e.code, "bad_parameter");
        assert!(e.message.contains("\"x\""), "{e}");
    }

    #[test]
    fn a_repeated_single_parameter_or_a_bad_number_is_refused() {
        let mut p = Params::parse(Some("limit=1&limit=2")).unwrap();
        assert_eq!(p.one("limit").unwrap_err().code, "bad_parameter");
        let mut p = Params::parse(Some("limit=ten")).unwrap();
        assert_eq!(
            p.parsed::<u32>("limit").unwrap_err().code,
            "invalid_parameter"
        );
        let mut p = Params::parse(Some("status=")).unwrap();
        assert_eq!(p.one("status").unwrap(), None);
        p.finish().unwrap();
    }
}
