//! Due dates (hạn giải quyết, ngày hẹn trả kết quả) from a moment of receipt.

use jiff::civil::{DateTime, Time};
use jiff::{SignedDuration, Timestamp, Zoned};

use super::working::Lookup;
use super::{WorkingCalendar, TIME_ZONE};
use crate::TimeUnit;

/// Office hours on a working day: 08:00–12:00 and 13:00–17:00. Hours of
/// agencies vary a little by province; these are the common ones.
const OPEN: Time = Time::constant(8, 0, 0, 0);
const NOON: Time = Time::constant(12, 0, 0, 0);
const AFTERNOON: Time = Time::constant(13, 0, 0, 0);
const CLOSE: Time = Time::constant(17, 0, 0, 0);
const MORNING: SignedDuration = SignedDuration::from_hours(4);
const WORKING_DAY: SignedDuration = SignedDuration::from_hours(8);
const HOUR_NANOS: i128 = 3_600_000_000_000;

impl WorkingCalendar {
    /// When a dossier received at `received` is due, for a processing time of
    /// `amount` `unit`s, in Vietnam's time ([`TIME_ZONE`]):
    ///
    /// * **working days** — 17:00 on the `amount`-th working day after the
    ///   day of receipt ([`add_working_days`](Self::add_working_days)): the
    ///   day of receipt does not count, whatever the hour. `0` is 17:00 on
    ///   the day of receipt, or on the next working day if that is not one;
    /// * **hours** — `amount` hours of office time (08:00–12:00, 13:00–17:00
    ///   on working days) from the moment of receipt, or from the next
    ///   opening when received outside office hours
    ///   ([`add_working_hours`](Self::add_working_hours));
    /// * **calendar days** — the same time `amount` days later, moved on to
    ///   the next working day when that is not one;
    /// * **months** — the same time on the same day `amount` months later (or
    ///   the last day of a shorter month), moved on likewise.
    ///
    /// Deadlines past the year 9999 saturate at the latest moment jiff knows.
    pub fn due_date(&self, received: Zoned, amount: u32, unit: TimeUnit) -> Zoned {
        let local = received.with_time_zone(TIME_ZONE.clone()).datetime();
        let due = match unit {
            TimeUnit::WorkingDays => self
                .add_working_days(local.date(), amount)
                .to_datetime(CLOSE),
            TimeUnit::CalendarDays => self
                .add_calendar_days(local.date(), amount)
                .to_datetime(local.time()),
            TimeUnit::Months => self
                .add_months(local.date(), amount)
                .to_datetime(local.time()),
            TimeUnit::Hours => self.add_working_hours(local, amount),
        };
        TIME_ZONE
            .to_zoned(due)
            .unwrap_or_else(|_| Zoned::new(Timestamp::MAX, TIME_ZONE.clone()))
    }

    /// `hours` hours of office time after `start` (a civil time in Vietnam).
    ///
    /// The count starts at `start` when it is within office hours on a
    /// working day, else at the next opening (08:00, or 13:00 after the lunch
    /// break). A deadline that ends exactly at 12:00 or 17:00 stays there
    /// rather than moving to the next opening.
    pub fn add_working_hours(&self, start: DateTime, hours: u32) -> DateTime {
        let mut lookup = Lookup::new(self);
        let worked = worked_before(start.time());
        let (day, done) = if lookup.is_working(start.date()) && worked < WORKING_DAY {
            (start.date(), worked)
        } else {
            (
                lookup.add_working_days(start.date(), 1),
                SignedDuration::ZERO,
            )
        };

        let total = done.as_nanos() + i128::from(hours) * HOUR_NANOS;
        let per_day = WORKING_DAY.as_nanos();
        let (mut full_days, mut rest) = (total / per_day, total % per_day);
        // End at 17:00 of a day rather than at 08:00 of the next.
        if rest == 0 && full_days > 0 {
            full_days -= 1;
            rest = per_day;
        }
        let end_day = lookup.add_working_days(day, u32::try_from(full_days).unwrap_or(u32::MAX));
        let rest = SignedDuration::from_nanos(i64::try_from(rest).unwrap_or(0));
        end_day.to_datetime(clock_after(rest))
    }
}

/// Office time already past on a working day at `t`.
fn worked_before(t: Time) -> SignedDuration {
    if t <= OPEN {
        SignedDuration::ZERO
    } else if t <= NOON {
        t.duration_since(OPEN)
    } else if t <= AFTERNOON {
        MORNING
    } else if t <= CLOSE {
        MORNING + t.duration_since(AFTERNOON)
    } else {
        WORKING_DAY
    }
}

/// The time of day when `worked` (0–8 hours) of office time has passed.
fn clock_after(worked: SignedDuration) -> Time {
    if worked <= MORNING {
        OPEN.wrapping_add(worked)
    } else {
        AFTERNOON.wrapping_add(worked - MORNING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarOverride, OverrideKind};
    use jiff::civil::date;

    fn vn(s: &str) -> Zoned {
        format!("{s}[Asia/Ho_Chi_Minh]").parse().unwrap()
    }

    fn due(received: &str, amount: u32, unit: TimeUnit) -> String {
        WorkingCalendar::default()
            .due_date(vn(received), amount, unit)
            .to_string()
    }

    #[test]
    fn working_days_end_at_17_00_and_skip_tet() {
        // Thursday 12 Feb 2026: Friday 13 is day 1, then Tết to Sunday 22.
        assert_eq!(
            due("2026-02-12T10:30", 2, TimeUnit::WorkingDays),
            "2026-02-23T17:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
        // The hour of receipt does not matter.
        assert_eq!(
            due("2026-02-12T16:59", 1, TimeUnit::WorkingDays),
            "2026-02-13T17:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
        assert_eq!(
            due("2026-02-13T09:00", 0, TimeUnit::WorkingDays),
            "2026-02-13T17:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
    }

    #[test]
    fn receipt_is_taken_in_vietnam_time() {
        // 20:00 UTC on Thursday is 03:00 on Friday in Hà Nội.
        let received: Zoned = "2026-02-12T20:00:00+00:00[UTC]".parse().unwrap();
        let due = WorkingCalendar::default().due_date(received, 1, TimeUnit::WorkingDays);
        assert_eq!(
            due.to_string(),
            "2026-02-23T17:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
    }

    #[test]
    fn calendar_days_keep_the_time_and_end_on_a_working_day() {
        assert_eq!(
            due("2026-03-02T09:15", 3, TimeUnit::CalendarDays),
            "2026-03-05T09:15:00+07:00[Asia/Ho_Chi_Minh]"
        );
        // Saturday 7 March → Monday 9 March.
        assert_eq!(
            due("2026-03-02T09:15", 5, TimeUnit::CalendarDays),
            "2026-03-09T09:15:00+07:00[Asia/Ho_Chi_Minh]"
        );
    }

    #[test]
    fn months_clamp_to_the_month_end_then_move_on() {
        // 28 Feb 2026 is a Saturday.
        assert_eq!(
            due("2026-01-31T10:00", 1, TimeUnit::Months),
            "2026-03-02T10:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
        assert_eq!(
            due("2026-03-10T10:00", 12, TimeUnit::Months),
            "2027-03-10T10:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
    }

    #[test]
    fn hours_count_office_time_only() {
        let cases = [
            // Within one morning; ending at noon stays at noon.
            ("2026-03-02T08:00", 4, "2026-03-02T12:00"),
            // Over the lunch break.
            ("2026-03-02T11:00", 2, "2026-03-02T14:00"),
            // Received during lunch: counted from 13:00.
            ("2026-03-02T12:30", 1, "2026-03-02T14:00"),
            // A full day from the opening ends at 17:00 the same day.
            ("2026-03-02T08:00", 8, "2026-03-02T17:00"),
            // Received after closing or before opening.
            ("2026-03-02T18:00", 1, "2026-03-03T09:00"),
            ("2026-03-02T06:00", 1, "2026-03-02T09:00"),
            // Received on a Saturday.
            ("2026-03-07T10:00", 2, "2026-03-09T10:00"),
            // Thursday 12 Feb 15:30 + 24 h: 1.5 h Thu, 8 h Fri, Tết, 8 h on
            // Mon 23, 6.5 h on Tue 24.
            ("2026-02-12T15:30", 24, "2026-02-24T15:30"),
        ];
        for (received, hours, expected) in cases {
            assert_eq!(
                due(received, hours, TimeUnit::Hours),
                format!("{expected}:00+07:00[Asia/Ho_Chi_Minh]"),
                "{received} + {hours} h"
            );
        }
    }

    #[test]
    fn a_make_up_saturday_counts_for_hours_and_days() {
        let saturday = date(2026, 3, 7);
        let cal = WorkingCalendar::new([CalendarOverride::new(
            saturday,
            OverrideKind::WorkingDay,
            "Làm bù",
        )
        .unwrap()]);
        let received = vn("2026-03-06T16:00");
        assert_eq!(
            cal.due_date(received.clone(), 2, TimeUnit::Hours)
                .to_string(),
            "2026-03-07T09:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
        assert_eq!(
            cal.due_date(received, 1, TimeUnit::WorkingDays).to_string(),
            "2026-03-07T17:00:00+07:00[Asia/Ho_Chi_Minh]"
        );
    }

    #[test]
    fn huge_amounts_saturate() {
        let far = WorkingCalendar::default().due_date(
            vn("9999-12-01T10:00"),
            u32::MAX,
            TimeUnit::CalendarDays,
        );
        assert_eq!(far.date(), date(9999, 12, 31));
    }
}
