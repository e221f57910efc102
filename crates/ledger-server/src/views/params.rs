//! Filter values shared by the `/v1` query strings and the gRPC query
//! requests: times, ranges, product names, order types. A missing required
//! value is `bad_parameter` (CBC.0100); a value that does not parse or is
//! refused is `invalid_parameter` (CBC.0101).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use ledger_domain::catalog::OrderType;
use ledger_domain::ids::{InstanceId, OrderId};
use ledger_projections::calendar::{end_of_day, parse_time_zone, start_of_day, DEFAULT_TIME_ZONE};
use ledger_projections::orders::{PreciseSearch, ProductNameFilter, TimeRange, MAX_ORDER_TYPES};

use super::names;
use crate::errors::ApiError;

/// Product-name match modes: `exact` (Baidu's product picker, the default)
/// or `contains` (its search box).
pub const PRODUCT_NAME_MATCHES: [&str; 2] = ["exact", "contains"];

/// The `time_zone` parameter: an IANA name; absent or empty, the seeds'
/// zone ([`DEFAULT_TIME_ZONE`]).
pub fn time_zone(value: Option<&str>) -> Result<Tz, ApiError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_TIME_ZONE),
        Some(v) => {
            parse_time_zone(v).map_err(|e| ApiError::invalid_parameter(format!("time_zone: {e}")))
        }
    }
}

/// One end of a time range: RFC 3339 (an instant, whatever its offset), or
/// a date (`2024-11-22`), which is that day of the customer's calendar
/// (`tz`): its first millisecond for a begin, its last for an end.
pub fn time_bound(
    name: &str,
    value: &str,
    is_end: bool,
    tz: Tz,
) -> Result<DateTime<Utc>, ApiError> {
    if value.is_empty() {
        return Err(ApiError::bad_parameter(format!("{name} is required")));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(if is_end {
            end_of_day(date, tz)
        } else {
            start_of_day(date, tz)
        });
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            ApiError::invalid_parameter(format!("{name}: {e} (expected RFC 3339 or YYYY-MM-DD)"))
        })
}

/// A range from optional ends `<prefix>_begin` and `<prefix>_end`: see
/// [`named_time_range`].
pub fn time_range(
    prefix: &str,
    begin: Option<&str>,
    end: Option<&str>,
    now: DateTime<Utc>,
    default_span: Duration,
    tz: Tz,
) -> Result<Option<TimeRange>, ApiError> {
    let names = (format!("{prefix}_begin"), format!("{prefix}_end"));
    named_time_range((&names.0, &names.1), begin, end, now, default_span, tz)
}

/// A range from optional ends: neither → `None` (the query's default);
/// only a begin → up to `now`; only an end → `default_span` before it.
pub fn named_time_range(
    (begin_name, end_name): (&str, &str),
    begin: Option<&str>,
    end: Option<&str>,
    now: DateTime<Utc>,
    default_span: Duration,
    tz: Tz,
) -> Result<Option<TimeRange>, ApiError> {
    let begin = begin.filter(|s| !s.is_empty());
    let end = end.filter(|s| !s.is_empty());
    let range = match (begin, end) {
        (None, None) => return Ok(None),
        (Some(b), None) => TimeRange::new(time_bound(begin_name, b, false, tz)?, now),
        (None, Some(e)) => {
            let e = time_bound(end_name, e, true, tz)?;
            TimeRange::new(e - default_span, e)
        }
        (Some(b), Some(e)) => TimeRange::new(
            time_bound(begin_name, b, false, tz)?,
            time_bound(end_name, e, true, tz)?,
        ),
    };
    if range.begin > range.end {
        return Err(ApiError::invalid_parameter(format!(
            "{begin_name} must not be after {end_name}"
        )));
    }
    Ok(Some(range))
}

/// The precise search of an order list: by order id or by instance id,
/// never both.
pub fn precise_search(
    order_id: Option<OrderId>,
    instance_id: Option<InstanceId>,
) -> Result<Option<PreciseSearch>, ApiError> {
    match (order_id, instance_id) {
        (Some(_), Some(_)) => Err(ApiError::invalid_parameter(
            "order_id and instance_id are two precise searches: give one",
        )),
        (Some(id), None) => Ok(Some(PreciseSearch::OrderId(id))),
        (None, Some(id)) => Ok(Some(PreciseSearch::InstanceId(id))),
        (None, None) => Ok(None),
    }
}

/// A product-name filter; an empty name means none.
pub fn product_name(
    value: &str,
    mode: Option<&str>,
) -> Result<Option<ProductNameFilter>, ApiError> {
    let mode = mode.filter(|m| !m.is_empty()).unwrap_or("exact");
    if !PRODUCT_NAME_MATCHES.contains(&mode) {
        return Err(ApiError::invalid_parameter(format!(
            "product_name_match: unknown value {mode:?}, expected exact or contains"
        )));
    }
    if value.is_empty() {
        return Ok(None);
    }
    Ok(Some(if mode == "exact" {
        ProductNameFilter::Exact(value.to_owned())
    } else {
        ProductNameFilter::Contains(value.to_owned())
    }))
}

/// Order types from repeated values and comma lists (`renewal,upgrade`),
/// without duplicates.
pub fn order_types<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<OrderType>, ApiError> {
    let mut types = Vec::new();
    for part in values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let t = names::parse("order_type", &names::ORDER_TYPES, part)?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    if types.len() > MAX_ORDER_TYPES {
        return Err(ApiError::invalid_parameter("order_type: too many values"));
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 11, 22, 8, 0, 0).unwrap()
    }

    #[test]
    fn dates_cover_whole_days_and_rfc3339_is_exact() {
        let r = time_range(
            "order_time",
            Some("2024-11-01"),
            Some("2024-11-02"),
            now(),
            Duration::days(7),
            chrono_tz::UTC,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.begin, Utc.with_ymd_and_hms(2024, 11, 1, 0, 0, 0).unwrap());
        assert_eq!(
            r.end,
            Utc.with_ymd_and_hms(2024, 11, 3, 0, 0, 0).unwrap() - Duration::milliseconds(1)
        );
        let r = time_range(
            "order_time",
            Some("2024-11-01T10:00:00+08:00"),
            None,
            now(),
            Duration::days(7),
            chrono_tz::UTC,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.begin, Utc.with_ymd_and_hms(2024, 11, 1, 2, 0, 0).unwrap());
        assert_eq!(r.end, now());
    }

    /// A date is a day of the customer's calendar: in Shanghai, 1 Nov
    /// begins at 31 Oct 16:00 UTC.
    #[test]
    fn dates_are_days_of_the_customers_zone() {
        let r = time_range(
            "order_time",
            Some("2024-11-01"),
            Some("2024-11-01"),
            now(),
            Duration::days(7),
            DEFAULT_TIME_ZONE,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            r.begin,
            Utc.with_ymd_and_hms(2024, 10, 31, 16, 0, 0).unwrap()
        );
        assert_eq!(
            r.end,
            Utc.with_ymd_and_hms(2024, 11, 1, 16, 0, 0).unwrap() - Duration::milliseconds(1)
        );
        assert_eq!(time_zone(None).unwrap(), DEFAULT_TIME_ZONE);
        assert_eq!(time_zone(Some("UTC")).unwrap(), chrono_tz::UTC);
        assert_eq!(
            time_zone(Some("Moon/Base")).unwrap_err().code,
            "invalid_parameter"
        );
    }

    #[test]
    fn an_end_alone_spans_the_default_before_it() {
        let r = time_range(
            "t",
            None,
            Some("2024-11-10T00:00:00Z"),
            now(),
            Duration::days(7),
            chrono_tz::UTC,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.begin, Utc.with_ymd_and_hms(2024, 11, 3, 0, 0, 0).unwrap());
        assert_eq!(
            time_range("t", None, None, now(), Duration::days(7), chrono_tz::UTC).unwrap(),
            None
        );
    }

    #[test]
    fn bad_and_reversed_times_are_invalid_parameters() {
        let e = time_range(
            "order_time",
            Some("yesterday"),
            None,
            now(),
            Duration::days(7),
            chrono_tz::UTC,
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_parameter");
        assert!(e.message.starts_with("order_time_begin:"), "{e}");
        let e = time_range(
            "order_time",
            Some("2024-11-05"),
            Some("2024-11-01"),
            now(),
            Duration::days(7),
            chrono_tz::UTC,
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_parameter");
    }

    #[test]
    fn order_types_take_repeats_and_comma_lists() {
        let t = order_types(["renewal,upgrade", "purchase", "renewal"]).unwrap();
        assert_eq!(
            t,
            vec![OrderType::Renewal, OrderType::Upgrade, OrderType::Purchase]
        );
        assert_eq!(
            order_types(["refund"]).unwrap_err().code,
            "invalid_parameter"
        );
    }

    #[test]
    fn product_names_match_exactly_unless_asked_to_contain() {
        assert_eq!(
            product_name("Elastic", None).unwrap(),
            Some(ProductNameFilter::Exact("Elastic".into()))
        );
        assert_eq!(
            product_name("Elastic", Some("contains")).unwrap(),
            Some(ProductNameFilter::Contains("Elastic".into()))
        );
        assert_eq!(product_name("", None).unwrap(), None);
        assert!(product_name("x", Some("prefix")).is_err());
    }
}
