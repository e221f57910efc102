//! Acknowledgement latencies, as a histogram (HdrHistogram: 3 significant
//! digits, bounded memory whatever the run's length).

use std::time::Duration;

use hdrhistogram::Histogram;

/// Longest latency the histogram tells apart (longer ones count as this).
pub const MAX_TRACKED_LATENCY: Duration = Duration::from_secs(60);

/// Latencies of one run, in microseconds.
#[derive(Clone, Debug)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            histogram: Histogram::new_with_bounds(1, MAX_TRACKED_LATENCY.as_micros() as u64, 3)
                .expect("static histogram bounds are valid"),
        }
    }
}

/// Quantiles of a run, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
}

impl Latencies {
    pub fn record(&mut self, latency: Duration) {
        let us = (latency.as_micros() as u64).clamp(1, MAX_TRACKED_LATENCY.as_micros() as u64);
        self.histogram.saturating_record(us);
    }

    /// Adds another run's latencies to these.
    pub fn merge(&mut self, other: &Latencies) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms of equal bounds merge");
    }

    pub fn summary(&self) -> Summary {
        let h = &self.histogram;
        Summary {
            count: h.len(),
            p50_us: h.value_at_quantile(0.50),
            p99_us: h.value_at_quantile(0.99),
            p999_us: h.value_at_quantile(0.999),
            max_us: h.max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_spread() {
        let mut a = Latencies::default();
        let mut b = Latencies::default();
        for us in 1..=500 {
            a.record(Duration::from_micros(us));
        }
        for us in 501..=1000 {
            b.record(Duration::from_micros(us));
        }
        a.merge(&b);
        let s = a.summary();
        assert_eq!(s.count, 1000);
        assert!((499..=501).contains(&s.p50_us), "{s:?}");
        assert!((989..=991).contains(&s.p99_us), "{s:?}");
        assert_eq!(s.max_us, 1000);
    }
}
