//! Prometheus metrics: request counts and latencies by route template, and a
//! few gauges of the catalogue's size read when scraped.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use egov_domain::Era;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct EraLabels {
    era: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The metrics of one router (not global: each router has its own registry).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily,
    procedures: Gauge,
    admin_units: Family<EraLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let procedures = Gauge::default();
        let admin_units = Family::<EraLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method and route template",
            durations.clone(),
        );
        registry.register(
            "egov_procedures",
            "Procedures in the catalogue",
            procedures.clone(),
        );
        registry.register(
            "egov_admin_units",
            "Administrative units stored, by era",
            admin_units.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            procedures,
            admin_units,
        }
    }

    /// Records one finished request. `route` is the matched template
    /// (`/api/v1/procedures/{code}`), never the raw path.
    pub fn observe(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.as_str().to_owned(),
                route: route.to_owned(),
                status: status.as_u16(),
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method: method.as_str().to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// `GET /metrics`: Prometheus / OpenMetrics text.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Metrics in OpenMetrics text format", body = String,
        content_type = "application/openmetrics-text"))
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    refresh_gauges(&state).await;
    match state.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics encoding failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Catalogue gauges: counted on scrape (cheap COUNT queries); left as they
/// were when the database does not answer.
async fn refresh_gauges(state: &AppState) {
    let store = state.catalogue.store();
    if let Ok(n) = store.count_procedures().await {
        state
            .metrics
            .procedures
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    for era in Era::ALL {
        if let Ok(n) = store.count_admin_units(era).await {
            state
                .metrics
                .admin_units
                .get_or_create(&EraLabels {
                    era: era.as_str().to_owned(),
                })
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }
}

/// Shared handle to the metrics.
pub type SharedMetrics = Arc<Metrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_and_histogram_use_the_route_template() {
        let m = Metrics::new();
        m.observe(
            &Method::GET,
            "/api/v1/procedures/{code}",
            StatusCode::OK,
            Duration::from_millis(3),
        );
        let text = m.encode().unwrap();
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/procedures/{code}\",status=\"200\"} 1"
        ), "{text}");
        assert!(
            text.contains("http_request_duration_seconds_bucket"),
            "{text}"
        );
    }
}
