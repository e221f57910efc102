//! Query parameters as the Huawei API takes them: each at most once,
//! integers and times parsed here so that a malformed value is 400
//! CBC.0100 and a well-formed value out of range is 400 CBC.0101.

use std::str::FromStr;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::json::TIME_FORMAT;
use crate::errors::ApiError;

/// Most query parameters one request may carry.
pub const MAX_QUERY_PARAMS: usize = 32;

/// A request's query parameters.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Params, ApiError> {
        let Query(pairs) =
            query.map_err(|e| ApiError::bad_parameter(format!("malformed query string: {e}")))?;
        if pairs.len() > MAX_QUERY_PARAMS {
            return Err(ApiError::bad_parameter(format!(
                "at most {MAX_QUERY_PARAMS} query parameters are accepted"
            )));
        }
        Ok(Params(pairs))
    }

    /// The raw value of `name` as sent (possibly empty); a parameter given
    /// twice is refused.
    pub fn raw(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut found = None;
        for (k, v) in &self.0 {
            if k == name {
                if found.is_some() {
                    return Err(ApiError::bad_parameter(format!("{name} is given twice")));
                }
                found = Some(v.as_str());
            }
        }
        Ok(found)
    }

    /// A text parameter; an empty value counts as absent (as Huawei treats
    /// an empty string).
    pub fn text(&self, name: &str) -> Result<Option<&str>, ApiError> {
        Ok(self.raw(name)?.filter(|v| !v.is_empty()))
    }

    /// A text parameter parsed into an id or code type: malformed → CBC.0100.
    pub fn parsed<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self.text(name)?
            .map(|v| {
                v.parse::<T>()
                    .map_err(|e| ApiError::bad_parameter(format!("{name}: {e}")))
            })
            .transpose()
    }

    /// An integer parameter: anything but an integer (also an empty value)
    /// → CBC.0100.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.raw(name)?.map(|v| integer(name, v)).transpose()
    }

    /// A time parameter in `yyyy-MM-ddTHH:mm:ssZ`; any other form → CBC.0100.
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.raw(name)?.map(|v| parse_time(name, v)).transpose()
    }
}

/// Parses an integer parameter's value.
pub fn integer(name: &str, v: &str) -> Result<i64, ApiError> {
    v.parse::<i64>()
        .map_err(|_| ApiError::bad_parameter(format!("{name} must be an integer, got {v:?}")))
}

/// Parses `yyyy-MM-ddTHH:mm:ssZ` exactly (two-digit fields, `Z`).
pub fn parse_time(name: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    let bad = || {
        ApiError::bad_parameter(format!(
            "{name} must be a UTC time as yyyy-MM-ddTHH:mm:ssZ, got {v:?}"
        ))
    };
    let t = NaiveDateTime::parse_from_str(v, TIME_FORMAT)
        .map_err(|_| bad())?
        .and_utc();
    if t.format(TIME_FORMAT).to_string() != v {
        return Err(bad());
    }
    Ok(t)
}

/// A page size in `1..=max`, `default` when absent; out of range → CBC.0101.
pub fn page_size(limit: Option<i64>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit {
        None => Ok(default),
        Some(l) if (1..=i64::from(max)).contains(&l) => Ok(l as u32),
        Some(l) => Err(ApiError::invalid_parameter(format!(
            "limit must be between 1 and {max}, got {l}"
        ))),
    }
}

/// A row offset, 0 or more (default 0); negative → CBC.0101.
pub fn row_offset(offset: Option<i64>) -> Result<u64, ApiError> {
    match offset {
        None => Ok(0),
        Some(o) if o >= 0 => Ok(o as u64),
        Some(o) => Err(ApiError::invalid_parameter(format!(
            "offset must be 0 or more, got {o}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_only_in_the_exact_format() {
        assert!(parse_time("t", "2019-05-06T08:05:01Z").is_ok());
        for bad in [
            "2019-05-06 08:05:01Z",
            "2019-5-6T08:05:01Z",
            "2019-05-06T08:05:01",
            "2019-05-06T08:05:01.000Z",
            "2019-05-06T24:00:00Z",
            "",
        ] {
            assert_eq!(
                parse_time("t", bad).unwrap_err().code,
                "bad_parameter",
                "{bad}"
            );
        }
    }

    #[test]
    fn page_sizes_are_checked() {
        assert_eq!(page_size(None, 10, 100).unwrap(), 10);
        assert_eq!(page_size(Some(100), 10, 100).unwrap(), 100);
        assert_eq!(
            page_size(Some(0), 10, 100).unwrap_err().code,
            "invalid_parameter"
        );
        assert_eq!(
            page_size(Some(101), 10, 100).unwrap_err().code,
            "invalid_parameter"
        );
        assert_eq!(row_offset(Some(-1)).unwrap_err().code, "invalid_parameter");
    }
}
