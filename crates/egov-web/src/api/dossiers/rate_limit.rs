//! A small in-memory token bucket per client address, for the public
//! endpoints anyone may call without signing in (the dossier lookup, the
//! signature check). Each address may make `burst` requests at once and gets
//! one more every `interval`; beyond that, 429 with `Retry-After`.
//!
//! In memory and per process: a restart forgets the buckets, and several
//! processes behind a load balancer each count their own. That is enough to
//! keep one client from enumerating dossier codes or hogging the CPU; it is
//! not an accounting system. Sign-in throttling, which must survive
//! restarts, lives in the store (`egov_app::identity`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::ClientInfo;
use crate::problem::Problem;
use crate::state::AppState;

/// Buckets kept before idle ones are dropped.
const MAX_CLIENTS: usize = 10_000;

/// Token buckets keyed by client address.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    interval: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `burst` requests at once (at least one), one more every `interval`.
    pub fn new(burst: u32, interval: Duration) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            interval: interval.max(Duration::from_millis(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client`, or says how long to wait for one.
    pub fn check(&self, client: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client) {
            // Drop the buckets that have refilled: they hold nothing.
            buckets.retain(|_, b| self.refilled(*b, now) < self.burst);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - bucket.tokens;
            Err(self.interval.mul_f64(missing))
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at);
        let gained = elapsed.as_secs_f64() / self.interval.as_secs_f64();
        (bucket.tokens + gained).min(self.burst)
    }
}

/// What the middleware needs: the limiter and the state (to find the client
/// address the way the rest of the edge does, `X-Forwarded-For` included
/// when configured).
#[derive(Clone)]
pub struct Limited {
    pub state: AppState,
    pub limiter: Arc<RateLimiter>,
}

/// Middleware: 429 problem with `Retry-After` once the caller's bucket is empty.
pub async fn limit(State(limited): State<Limited>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = match ClientInfo::from_request_parts(&mut parts, &limited.state).await {
        Ok(client) => client,
        Err(never) => match never {},
    };
    let key = client.ip.unwrap_or_else(|| "unknown".to_owned());
    if let Err(wait) = limited.limiter.check(&key, Instant::now()) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "/problems/rate-limited",
            "Too many requests",
            format!("too many requests from this address; try again in {seconds} seconds"),
        );
        problem.retry_after = Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        return problem.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("a", t0).is_ok());
        }
        let wait = limiter.check("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        // Another address has its own bucket.
        assert!(limiter.check("b", t0).is_ok());
        // Half an interval later: still empty, five seconds to go.
        let wait = limiter.check("a", t0 + Duration::from_secs(5)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(5));
        assert!(limiter.check("a", t0 + Duration::from_secs(10)).is_ok());
        assert!(limiter.check("a", t0 + Duration::from_secs(10)).is_err());
    }

    #[test]
    fn buckets_refill_to_the_burst_only() {
        let limiter = RateLimiter::new(2, Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(limiter.check("a", t0).is_ok());
        let later = t0 + Duration::from_secs(3600);
        assert!(limiter.check("a", later).is_ok());
        assert!(limiter.check("a", later).is_ok());
        assert!(limiter.check("a", later).is_err());
    }

    #[test]
    fn idle_buckets_are_dropped_when_there_are_too_many() {
        let limiter = RateLimiter::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..MAX_CLIENTS {
            assert!(limiter.check(&i.to_string(), t0).is_ok());
        }
        let later = t0 + Duration::from_secs(2);
        assert!(limiter.check("new", later).is_ok());
        let kept = limiter.buckets.lock().unwrap().len();
        assert_eq!(kept, 1, "refilled buckets are dropped");
    }
}
