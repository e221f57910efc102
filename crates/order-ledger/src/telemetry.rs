//! The process's subscriber: logs to stderr as text or JSON lines, and,
//! when an OTLP endpoint is configured, spans exported to an OpenTelemetry
//! collector over gRPC. Only this binary installs a subscriber.

use anyhow::Context as _;
use clap::ValueEnum;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

/// The service name spans are exported under (`service.name`).
pub const SERVICE_NAME: &str = "order-ledger";

/// How log lines are written to stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (timestamp, level, target, fields, spans),
    /// for a log shipper.
    Json,
}

/// The installed subscriber's exporter, flushed by [`Telemetry::shutdown`].
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

/// Installs the global subscriber. Must run inside the tokio runtime when
/// `otlp_endpoint` is given (the tonic exporter needs its reactor); the
/// batch processor then exports from its own thread, bounded by the SDK's
/// queue (2,048 spans, `OTEL_BSP_MAX_QUEUE_SIZE`; a full queue drops
/// spans, never blocks a request).
pub fn install(format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let provider = otlp_endpoint
        .map(|endpoint| -> anyhow::Result<SdkTracerProvider> {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build()
                .with_context(|| format!("otlp exporter for {endpoint}"))?;
            Ok(SdkTracerProvider::builder()
                .with_resource(Resource::builder().with_service_name(SERVICE_NAME).build())
                .with_batch_exporter(exporter)
                .build())
        })
        .transpose()?;
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(SERVICE_NAME))
            .boxed()
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(otel)
        .try_init()
        .context("install the tracing subscriber")?;
    if let Some(endpoint) = otlp_endpoint {
        tracing::info!(endpoint, "exporting spans over otlp");
    }
    Ok(Telemetry { provider })
}

impl Telemetry {
    /// Exports what is still queued and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            if let Err(e) = provider.shutdown() {
                eprintln!("otlp exporter shutdown: {e}");
            }
        }
    }
}
