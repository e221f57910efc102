//! JSON views of the read models: the `/v1` REST documents. The reads here
//! are shared with the gRPC queries, which render the same typed views as
//! typed replies (`crate::grpc::views`, the same keys as fields).
//!
//! Conventions: amounts are decimal strings (`"85.00"`, never numbers);
//! times are RFC 3339 in UTC (`"2024-11-22T08:00:00Z"`); enums are
//! snake_case wire names (see [`names`]), next to Baidu's display name
//! (`*_name`) and Huawei's code (`*_code`) where the seeds define them;
//! absent optional values are `null`, never missing, so every document of
//! a kind has the same keys.

pub mod aggregate;
pub mod contracts;
pub mod csv;
pub mod documents;
pub mod names;
pub mod orders;
pub mod params;

use std::time::Duration;
use tracing::Instrument as _;

use chrono::{DateTime, SecondsFormat, Utc};
use ledger_codec::Position;
use ledger_domain::money::Money;
use serde_json::Value;

use crate::config::MAX_READ_WAIT_MS;
use crate::errors::ApiError;
use crate::server::State;

/// A view and the log position it reflects (every event up to it).
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub json: Value,
    pub position: u64,
}

/// An amount as a decimal string.
pub fn money(m: Money) -> Value {
    Value::String(m.to_string())
}

pub fn opt_money(m: Option<Money>) -> Value {
    m.map_or(Value::Null, money)
}

/// A time as RFC 3339 in UTC.
pub fn time(t: DateTime<Utc>) -> Value {
    Value::String(time_text(t))
}

/// A time as RFC 3339 in UTC, as text (the views' and the typed gRPC
/// replies' one format).
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, time)
}

pub fn opt_str(s: Option<impl ToString>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// A value rendered from a read model, and the log position it reflects
/// (every event up to it): a [`View`] when the value is the JSON document,
/// a typed gRPC reply otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct Read<T> {
    pub value: T,
    pub position: u64,
}

impl From<Read<Value>> for View {
    fn from(r: Read<Value>) -> View {
        View {
            json: r.value,
            position: r.position,
        }
    }
}

/// Waits until projection `name` has applied `min_position` (bounded by
/// [`MAX_READ_WAIT_MS`]), then renders a view of its tree. The position
/// reported is the projection's checkpoint before the read: the view
/// reflects at least every event up to it.
pub async fn read<T>(
    state: &State,
    name: &'static str,
    min_position: u64,
    render: impl FnOnce(&sled::Tree) -> Result<T, ApiError>,
) -> Result<Read<T>, ApiError> {
    read_with(
        state,
        name,
        min_position,
        |s| Ok(s.projector.view(name)?),
        render,
    )
    .await
}

/// [`read`] of a view `open` makes of the projection (a typed view), in a
/// `query` span: the projection, `min_position`, the position read, the
/// read-your-writes wait and the rendering time.
pub async fn read_with<V, T>(
    state: &State,
    name: &'static str,
    min_position: u64,
    open: impl FnOnce(&State) -> Result<V, ApiError>,
    render: impl FnOnce(&V) -> Result<T, ApiError>,
) -> Result<Read<T>, ApiError> {
    let span = tracing::info_span!(
        "query",
        projection = name,
        min_position,
        position = tracing::field::Empty,
        wait_us = tracing::field::Empty,
        render_us = tracing::field::Empty,
    );
    async {
        let started = std::time::Instant::now();
        wait(state, &[name], min_position).await?;
        let span = tracing::Span::current();
        span.record("wait_us", started.elapsed().as_micros() as u64);
        let position = checkpoint(state, name)?;
        span.record("position", position);
        let view = open(state)?;
        let rendering = std::time::Instant::now();
        let value = render(&view)?;
        span.record("render_us", rendering.elapsed().as_micros() as u64);
        Ok(Read { value, position })
    }
    .instrument(span)
    .await
}

/// Waits until the named projections have applied `position`. A position
/// beyond the log's head was never returned by a command: it is refused at
/// once rather than waited for.
pub async fn wait(state: &State, names: &[&str], position: u64) -> Result<(), ApiError> {
    if position == 0 {
        return Ok(());
    }
    let head = state.store.head().position.0;
    if position > head {
        return Err(ApiError::invalid_parameter(format!(
            "min_position {position} is beyond the log head {head}"
        )));
    }
    state
        .projector
        .wait_for(
            names,
            Position(position),
            Duration::from_millis(MAX_READ_WAIT_MS),
        )
        .await?;
    Ok(())
}

/// The checkpoint of projection `name`.
pub fn checkpoint(state: &State, name: &str) -> Result<u64, ApiError> {
    state
        .projector
        .status()
        .into_iter()
        .find(|s| s.name == name)
        .map(|s| s.checkpoint.0)
        .ok_or_else(|| ApiError::internal(format!("projection {name} is not registered")))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn amounts_are_exact_strings_and_times_utc_rfc3339() {
        assert_eq!(money("85.00".parse().unwrap()), Value::from("85.00"));
        assert_eq!(money(Money::ZERO), Value::from("0"));
        assert_eq!(
            money("0.00000001".parse().unwrap()),
            Value::from("0.00000001")
        );
        let t = Utc.with_ymd_and_hms(2024, 11, 22, 8, 5, 0).unwrap();
        assert_eq!(time(t), Value::from("2024-11-22T08:05:00Z"));
        let ms = t + chrono::Duration::milliseconds(250);
        assert_eq!(time(ms), Value::from("2024-11-22T08:05:00.250Z"));
        assert_eq!(opt_time(None), Value::Null);
    }
}
