//! Throttling (giới hạn số lần thử): failures counted per key in a window;
//! too many lock the key for a while. Keys name what is counted
//! (`login:<hash>`, `ip:<address>`, `send:<account>:<purpose>`), never the
//! account's existence: a login is throttled whether or not it exists.

use jiff::{SignedDuration, Timestamp};

use super::{after, sha256_hex, Accounts};
use crate::ports::Throttle;
use crate::AppError;

/// How many failures within `window` lock a key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    pub max_failures: u32,
    pub window: SignedDuration,
    pub lock: SignedDuration,
}

/// Seconds until the key is unlocked, if it is locked at `now` (rounded up).
pub(crate) fn retry_after(state: &Throttle, now: Timestamp) -> Option<u64> {
    let until = state.locked_until?;
    if until <= now {
        return None;
    }
    let left = until.duration_since(now);
    let secs = u64::try_from(left.as_secs()).unwrap_or(0);
    Some(
        if left.subsec_nanos() > 0 {
            secs + 1
        } else {
            secs
        }
        .max(1),
    )
}

/// The state after one more failure at `now`.
pub(crate) fn after_failure(
    prev: Option<Throttle>,
    rule: &ThrottleRule,
    now: Timestamp,
) -> Throttle {
    let counting =
        prev.filter(|p| p.locked_until.is_none() && after(p.window_started_at, rule.window) > now);
    let mut state = match counting {
        Some(p) => Throttle {
            failures: p.failures.saturating_add(1),
            ..p
        },
        None => Throttle {
            failures: 1,
            window_started_at: now,
            locked_until: None,
        },
    };
    if state.failures >= rule.max_failures {
        state.locked_until = Some(after(now, rule.lock));
    }
    state
}

/// The throttle key of a sign-in identifier (hashed: it is personal data).
pub(crate) fn login_key(login: &str) -> String {
    format!("login:{}", sha256_hex(login))
}

pub(crate) fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

impl Accounts {
    /// `Throttled` with the longest wait if any key is locked.
    pub(crate) async fn check_throttles(
        &self,
        keys: &[(String, ThrottleRule)],
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut wait = None;
        for (key, _) in keys {
            if let Some(state) = self.store.throttle(key).await? {
                wait = wait.max(retry_after(&state, now));
            }
        }
        match wait {
            Some(retry_after_seconds) => Err(AppError::Throttled {
                retry_after_seconds,
            }),
            None => Ok(()),
        }
    }

    /// Counts one failure under each key.
    pub(crate) async fn record_failures(
        &self,
        keys: &[(String, ThrottleRule)],
        now: Timestamp,
    ) -> Result<(), AppError> {
        for (key, rule) in keys {
            let prev = self.store.throttle(key).await?;
            let next = after_failure(prev, rule, now);
            self.store.put_throttle(key, &next).await?;
        }
        Ok(())
    }

    /// The login key and, when the address is known, the address key, each with its rule.
    pub(crate) fn sign_in_keys(
        &self,
        login: &str,
        ip: Option<&str>,
    ) -> Vec<(String, ThrottleRule)> {
        let mut keys = vec![(login_key(login), self.config.login_throttle)];
        if let Some(ip) = ip.filter(|ip| !ip.is_empty()) {
            keys.push((ip_key(ip), self.config.ip_throttle));
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> ThrottleRule {
        ThrottleRule {
            max_failures: 3,
            window: SignedDuration::from_mins(15),
            lock: SignedDuration::from_mins(10),
        }
    }

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn locks_after_the_limit_within_the_window() {
        let mut state = None;
        for i in 0..2 {
            let next = after_failure(state, &rule(), t(i));
            assert_eq!(next.locked_until, None);
            state = Some(next);
        }
        let locked = after_failure(state, &rule(), t(2));
        assert_eq!(locked.failures, 3);
        assert_eq!(locked.locked_until, Some(t(2 + 600)));
        assert_eq!(retry_after(&locked, t(2)), Some(600));
        assert_eq!(retry_after(&locked, t(601)), Some(1));
        assert_eq!(retry_after(&locked, t(602)), None);
    }

    #[test]
    fn a_new_window_starts_the_count_again() {
        let first = after_failure(None, &rule(), t(0));
        let second = after_failure(Some(first), &rule(), t(10));
        assert_eq!(second.failures, 2);
        let later = after_failure(Some(second), &rule(), t(15 * 60));
        assert_eq!(later.failures, 1);
        assert_eq!(later.window_started_at, t(15 * 60));
    }

    #[test]
    fn after_a_lock_ends_the_count_starts_again() {
        let locked = Throttle {
            failures: 3,
            window_started_at: t(0),
            locked_until: Some(t(600)),
        };
        let next = after_failure(Some(locked), &rule(), t(700));
        assert_eq!((next.failures, next.locked_until), (1, None));
    }

    #[test]
    fn retry_after_rounds_up() {
        let state = Throttle {
            failures: 3,
            window_started_at: t(0),
            locked_until: Some(t(10)),
        };
        let almost = t(9).checked_add(SignedDuration::from_millis(500)).unwrap();
        assert_eq!(retry_after(&state, almost), Some(1));
    }

    #[test]
    fn login_keys_do_not_hold_the_login() {
        let key = login_key("001203012345");
        assert!(key.starts_with("login:"));
        assert!(!key.contains("203012"));
    }
}
