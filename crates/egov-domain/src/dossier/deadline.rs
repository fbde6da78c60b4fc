//! The national on-time rule (đúng hạn) and the overdue flags of the inbox.
//!
//! On time when processing ended no later than the appointment date, after
//! subtracting the time the applicant spent supplementing; more than one
//! supplement request counts as late. See `../shared/DOMAIN.md`.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The facts of a dossier the rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The appointment date first given on the receipt (None before intake).
    pub due_at: Option<Timestamp>,
    /// Total time spent waiting for the applicant's supplements, finished pauses.
    pub paused: SignedDuration,
    /// When the current pause started, if the dossier waits for a supplement now.
    pub paused_since: Option<Timestamp>,
    /// Supplement requests made so far.
    pub supplement_requests: u32,
    /// When processing ended (result ready, refused, stopped, withdrawn).
    pub finished_at: Option<Timestamp>,
}

/// How a dossier stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineStatus {
    /// Not received yet: no appointment date.
    NoDeadline,
    /// Running, with more than a working day's margin.
    OnTrack,
    /// Due within `warn_within` of now.
    DueSoon,
    /// Past the appointment date and not finished.
    Overdue,
    /// Finished on time.
    FinishedOnTime,
    /// Finished late (or with more than one supplement request).
    FinishedLate,
}

impl Clock {
    /// The time spent supplementing up to `now`, the current pause included.
    pub fn paused_until(&self, now: Timestamp) -> SignedDuration {
        let current = self
            .paused_since
            .map(|since| now.duration_since(since))
            .unwrap_or_default();
        self.paused
            .saturating_add(current.max(SignedDuration::ZERO))
    }

    /// The effective due moment: the appointment pushed back by the time
    /// spent supplementing.
    pub fn effective_due(&self, now: Timestamp) -> Option<Timestamp> {
        let due = self.due_at?;
        due.checked_add(self.paused_until(now)).ok()
    }

    /// The status at `now`; `warn_within` is how close to the due moment a
    /// dossier is flagged as due soon.
    pub fn status(&self, now: Timestamp, warn_within: SignedDuration) -> DeadlineStatus {
        let Some(due) = self.effective_due(self.finished_at.unwrap_or(now)) else {
            return match self.finished_at {
                Some(_) => DeadlineStatus::FinishedOnTime,
                None => DeadlineStatus::NoDeadline,
            };
        };
        match self.finished_at {
            Some(end) if end <= due && self.supplement_requests <= 1 => {
                DeadlineStatus::FinishedOnTime
            }
            Some(_) => DeadlineStatus::FinishedLate,
            None if now > due => DeadlineStatus::Overdue,
            None if self.paused_since.is_none() && due.duration_since(now) <= warn_within => {
                DeadlineStatus::DueSoon
            }
            None => DeadlineStatus::OnTrack,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn clock(due: &str) -> Clock {
        Clock {
            due_at: Some(at(due)),
            paused: SignedDuration::ZERO,
            paused_since: None,
            supplement_requests: 0,
            finished_at: None,
        }
    }

    const DAY: SignedDuration = SignedDuration::from_hours(24);

    #[test]
    fn running_dossiers_are_on_track_due_soon_or_overdue() {
        let c = clock("2026-11-25T10:00:00Z");
        assert_eq!(
            c.status(at("2026-11-20T10:00:00Z"), DAY),
            DeadlineStatus::OnTrack
        );
        assert_eq!(
            c.status(at("2026-11-25T01:00:00Z"), DAY),
            DeadlineStatus::DueSoon
        );
        assert_eq!(
            c.status(at("2026-11-25T10:00:01Z"), DAY),
            DeadlineStatus::Overdue
        );
    }

    #[test]
    fn supplement_time_is_subtracted() {
        let mut c = clock("2026-11-25T10:00:00Z");
        c.paused = SignedDuration::from_hours(48);
        c.supplement_requests = 1;
        c.finished_at = Some(at("2026-11-27T09:00:00Z"));
        assert_eq!(
            c.status(at("2026-11-30T00:00:00Z"), DAY),
            DeadlineStatus::FinishedOnTime
        );
        c.finished_at = Some(at("2026-11-27T11:00:00Z"));
        assert_eq!(
            c.status(at("2026-11-30T00:00:00Z"), DAY),
            DeadlineStatus::FinishedLate
        );
    }

    #[test]
    fn a_running_pause_moves_the_due_moment() {
        let mut c = clock("2026-11-25T10:00:00Z");
        c.paused_since = Some(at("2026-11-24T10:00:00Z"));
        c.supplement_requests = 1;
        assert_eq!(
            c.effective_due(at("2026-11-26T10:00:00Z")),
            Some(at("2026-11-27T10:00:00Z"))
        );
        assert_eq!(
            c.status(at("2026-11-26T10:00:00Z"), DAY),
            DeadlineStatus::OnTrack
        );
    }

    #[test]
    fn a_second_supplement_request_makes_it_late() {
        let mut c = clock("2026-11-25T10:00:00Z");
        c.supplement_requests = 2;
        c.finished_at = Some(at("2026-11-21T10:00:00Z"));
        assert_eq!(
            c.status(at("2026-11-30T00:00:00Z"), DAY),
            DeadlineStatus::FinishedLate
        );
    }

    #[test]
    fn finished_without_an_appointment_counts_on_time() {
        let c = Clock {
            due_at: None,
            paused: SignedDuration::ZERO,
            paused_since: None,
            supplement_requests: 0,
            finished_at: Some(at("2026-11-21T10:00:00Z")),
        };
        assert_eq!(
            c.status(at("2026-11-30T00:00:00Z"), DAY),
            DeadlineStatus::FinishedOnTime
        );
        assert_eq!(
            Clock {
                finished_at: None,
                ..c
            }
            .status(at("2026-11-30T00:00:00Z"), DAY),
            DeadlineStatus::NoDeadline
        );
    }
}
