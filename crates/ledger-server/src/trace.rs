//! What a request says about where it comes from: the W3C `traceparent`
//! (trace context level 1), the caller's correlation id and the request id,
//! read the same way from HTTP headers and gRPC metadata.
//!
//! The event metadata has a causation and a correlation id but no trace id
//! field (its bytes are pinned), so a command's correlation id is, in this
//! order: the caller's explicit one (gRPC `CommandHeader.correlation_id`,
//! else `x-correlation-id`), else the `traceparent`'s trace id (32 hex
//! digits), else the request id (`x-request-id`). Its causation id is the
//! caller's explicit one (gRPC `CommandHeader.causation_id`), else the
//! request id: the request that caused the command. A value that is not a
//! valid metadata id (1 to [`MAX_METADATA_ID_CHARS`] printable ASCII
//! characters) is passed over for the next source, never a refusal: these
//! are diagnostics, not part of the command.

use ledger_app::{CommandMeta, MAX_METADATA_ID_CHARS};
use ledger_domain::Actor;

/// The W3C trace context header (HTTP) and metadata key (gRPC).
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// The caller's correlation id, when its protocol has no field for it.
pub const CORRELATION_ID_HEADER: &str = "x-correlation-id";
/// The request's id (HTTP: kept or assigned by the server; gRPC: the
/// caller's, if any).
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Characters of a version-00 `traceparent`: `00-<32 hex>-<16 hex>-<2 hex>`.
pub const TRACEPARENT_CHARS: usize = 55;
/// The version no `traceparent` may carry.
const INVALID_VERSION: u8 = 0xff;

/// A parsed `traceparent`: the caller's trace and its span, our parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    pub version: u8,
    pub trace_id: [u8; 16],
    pub parent_id: [u8; 8],
    pub flags: u8,
}

/// Why a `traceparent` was not accepted (it is then ignored).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceParentError {
    #[error("traceparent must be {TRACEPARENT_CHARS} characters for version 00, got {0}")]
    Length(usize),
    #[error("traceparent field {0} is not lowercase hex of the right length")]
    Field(&'static str),
    #[error("traceparent version ff is invalid")]
    Version,
    #[error("traceparent trace id is all zeros")]
    ZeroTraceId,
    #[error("traceparent parent id is all zeros")]
    ZeroParentId,
}

/// Lowercase hex of exactly `N` bytes.
fn hex_field<const N: usize>(s: &str, name: &'static str) -> Result<[u8; N], TraceParentError> {
    if s.len() != 2 * N || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(TraceParentError::Field(name));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| TraceParentError::Field(name))?;
    Ok(out)
}

impl TraceParent {
    /// Parses `version-traceid-parentid-flags`. Version 00 is exactly 55
    /// characters; a later version may append `-…` fields, which are
    /// ignored (the specification's forward compatibility rule).
    pub fn parse(s: &str) -> Result<TraceParent, TraceParentError> {
        let s = s.trim();
        if s.len() < TRACEPARENT_CHARS || !s.is_ascii() {
            return Err(TraceParentError::Length(s.len()));
        }
        let version = hex_field::<1>(&s[0..2], "version")?[0];
        if version == INVALID_VERSION {
            return Err(TraceParentError::Version);
        }
        if version == 0 && s.len() != TRACEPARENT_CHARS {
            return Err(TraceParentError::Length(s.len()));
        }
        if s.len() > TRACEPARENT_CHARS && s.as_bytes()[TRACEPARENT_CHARS] != b'-' {
            return Err(TraceParentError::Field("flags"));
        }
        let bytes = s.as_bytes();
        for at in [2, 35, 52] {
            if bytes[at] != b'-' {
                return Err(TraceParentError::Field("separator"));
            }
        }
        let trace_id = hex_field::<16>(&s[3..35], "trace-id")?;
        let parent_id = hex_field::<8>(&s[36..52], "parent-id")?;
        let flags = hex_field::<1>(&s[53..55], "trace-flags")?[0];
        if trace_id == [0; 16] {
            return Err(TraceParentError::ZeroTraceId);
        }
        if parent_id == [0; 8] {
            return Err(TraceParentError::ZeroParentId);
        }
        Ok(TraceParent {
            version,
            trace_id,
            parent_id,
            flags,
        })
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }

    /// The caller's span id as 16 lowercase hex digits.
    pub fn parent_id_hex(&self) -> String {
        hex::encode(self.parent_id)
    }
}

impl TraceParent {
    /// The caller's span as an OpenTelemetry remote parent context.
    pub fn otel_context(&self) -> opentelemetry::Context {
        use opentelemetry::trace::{
            SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
        };
        let parent = SpanContext::new(
            TraceId::from_bytes(self.trace_id),
            SpanId::from_bytes(self.parent_id),
            TraceFlags::new(self.flags),
            true,
            TraceState::default(),
        );
        opentelemetry::Context::new().with_remote_span_context(parent)
    }
}

/// Makes the caller's span (if it sent a `traceparent`) the parent of
/// `span` for an OpenTelemetry layer, so an exported trace continues the
/// caller's. Without such a layer (the default: no OTLP export) there is
/// nothing to continue and this does nothing; the span's `trace_id` and
/// `parent_span_id` fields say the same for every other subscriber.
pub(crate) fn continue_caller_trace(span: &tracing::Span, trace: &RequestTrace) {
    use tracing_opentelemetry::{OpenTelemetrySpanExt, SetParentError};
    let Some(parent) = trace.traceparent else {
        return;
    };
    match span.set_parent(parent.otel_context()) {
        Ok(()) | Err(SetParentError::LayerNotFound | SetParentError::SpanDisabled) => {}
        Err(e) => tracing::debug!(error = %e, "caller's trace not continued"),
    }
}

/// A valid metadata id, or nothing.
fn metadata_id(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| {
            !s.is_empty()
                && s.len() <= MAX_METADATA_ID_CHARS
                && s.chars().all(|c| c.is_ascii_graphic())
        })
        .map(str::to_owned)
}

/// What one request carries for tracing, read once at the edge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestTrace {
    pub request_id: Option<String>,
    /// The caller's explicit correlation id (`x-correlation-id`).
    pub correlation_id: Option<String>,
    pub traceparent: Option<TraceParent>,
}

impl RequestTrace {
    /// Reads the three headers through `get` (an HTTP header map or gRPC
    /// metadata). A malformed `traceparent` is ignored (W3C: start a new
    /// trace), as are ids that are not valid metadata ids.
    pub fn read<'a>(get: impl Fn(&str) -> Option<&'a str>) -> RequestTrace {
        RequestTrace {
            request_id: metadata_id(get(REQUEST_ID_HEADER)),
            correlation_id: metadata_id(get(CORRELATION_ID_HEADER)),
            traceparent: get(TRACEPARENT_HEADER).and_then(|v| TraceParent::parse(v).ok()),
        }
    }

    /// From HTTP headers.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> RequestTrace {
        RequestTrace::read(|name| headers.get(name).and_then(|v| v.to_str().ok()))
    }

    /// From gRPC metadata.
    pub fn from_metadata(metadata: &tonic::metadata::MetadataMap) -> RequestTrace {
        RequestTrace::read(|name| metadata.get(name).and_then(|v| v.to_str().ok()))
    }

    pub fn trace_id(&self) -> Option<String> {
        self.traceparent.map(|t| t.trace_id_hex())
    }

    pub fn parent_span_id(&self) -> Option<String> {
        self.traceparent.map(|t| t.parent_id_hex())
    }

    /// The correlation id of a command: `explicit` (a protocol field) >
    /// `x-correlation-id` > the trace id > the request id.
    pub fn correlation(&self, explicit: Option<&str>) -> Option<String> {
        metadata_id(explicit)
            .or_else(|| self.correlation_id.clone())
            .or_else(|| self.trace_id())
            .or_else(|| self.request_id.clone())
    }

    /// The causation id of a command: `explicit` > the request id.
    pub fn causation(&self, explicit: Option<&str>) -> Option<String> {
        metadata_id(explicit).or_else(|| self.request_id.clone())
    }

    /// A command's metadata with this request's causation and correlation.
    pub fn command_meta(&self, command_id: impl Into<String>, actor: Actor) -> CommandMeta {
        let mut meta = CommandMeta::new(command_id, actor);
        meta.causation_id = self.causation(None);
        meta.correlation_id = self.correlation(None);
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_the_specification_example() {
        let t = TraceParent::parse(VALID).unwrap();
        assert_eq!(t.version, 0);
        assert_eq!(t.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(t.parent_id_hex(), "00f067aa0ba902b7");
        assert_eq!(t.flags, 1);
    }

    #[test]
    fn the_otel_parent_is_the_callers_remote_span() {
        use opentelemetry::trace::TraceContextExt;
        for (flags, sampled) in [("01", true), ("00", false)] {
            let header = format!("{}{flags}", &VALID[..53]);
            let cx = TraceParent::parse(&header).unwrap().otel_context();
            let parent = cx.span().span_context().clone();
            assert!(parent.is_remote() && parent.is_valid());
            assert_eq!(
                format!("{:032x}", parent.trace_id()),
                "4bf92f3577b34da6a3ce929d0e0e4736"
            );
            assert_eq!(format!("{:016x}", parent.span_id()), "00f067aa0ba902b7");
            assert_eq!(parent.is_sampled(), sampled);
        }
    }

    #[test]
    fn refuses_malformed_values() {
        let cases: [(&str, TraceParentError); 9] = [
            ("", TraceParentError::Length(0)),
            (&VALID[..54], TraceParentError::Length(54)),
            (
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                TraceParentError::Field("trace-id"),
            ),
            (
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                TraceParentError::Version,
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                TraceParentError::ZeroTraceId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                TraceParentError::ZeroParentId,
            ),
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                TraceParentError::Field("separator"),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
                TraceParentError::Length(57),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
                TraceParentError::Field("parent-id"),
            ),
        ];
        for (value, error) in cases {
            assert_eq!(TraceParent::parse(value), Err(error), "{value:?}");
        }
    }

    #[test]
    fn a_later_version_may_append_fields() {
        let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever";
        assert_eq!(TraceParent::parse(later).unwrap().version, 0xcc);
        let glued = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x";
        assert_eq!(
            TraceParent::parse(glued),
            Err(TraceParentError::Field("flags"))
        );
    }

    fn trace(headers: &[(&'static str, &'static str)]) -> RequestTrace {
        RequestTrace::read(|name| headers.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
    }

    #[test]
    fn correlation_prefers_explicit_then_header_then_trace_then_request() {
        let all = trace(&[
            (REQUEST_ID_HEADER, "req-1"),
            (CORRELATION_ID_HEADER, "corr-1"),
            (TRACEPARENT_HEADER, VALID),
        ]);
        assert_eq!(all.correlation(Some("field-1")).as_deref(), Some("field-1"));
        assert_eq!(all.correlation(Some("")).as_deref(), Some("corr-1"));
        assert_eq!(all.correlation(None).as_deref(), Some("corr-1"));
        let traced = trace(&[(REQUEST_ID_HEADER, "req-1"), (TRACEPARENT_HEADER, VALID)]);
        assert_eq!(
            traced.correlation(None).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        let plain = trace(&[(REQUEST_ID_HEADER, "req-1")]);
        assert_eq!(plain.correlation(None).as_deref(), Some("req-1"));
        assert_eq!(trace(&[]).correlation(None), None);
    }

    #[test]
    fn invalid_ids_and_traceparents_are_passed_over() {
        let t = trace(&[
            (REQUEST_ID_HEADER, "req 1 has spaces"),
            (CORRELATION_ID_HEADER, "   "),
            (TRACEPARENT_HEADER, "garbage"),
        ]);
        assert_eq!(t, RequestTrace::default());
        let long = "x".repeat(MAX_METADATA_ID_CHARS + 1);
        assert_eq!(trace(&[]).correlation(Some(&long)), None);
    }

    #[test]
    fn causation_is_explicit_else_the_request() {
        let t = trace(&[(REQUEST_ID_HEADER, "req-1")]);
        assert_eq!(t.causation(Some("cause-1")).as_deref(), Some("cause-1"));
        assert_eq!(t.causation(None).as_deref(), Some("req-1"));
        let meta = t.command_meta("c-1", Actor::System);
        assert_eq!(meta.causation_id.as_deref(), Some("req-1"));
        assert_eq!(meta.correlation_id.as_deref(), Some("req-1"));
    }
}
