//! Working days: weekends and holidays, and what an administrator declares.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Span;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{is_weekend, statutory_holidays, Holiday, HolidayKey, HolidayKind};
use crate::InvalidField;

/// Longest accepted reason for an override, in characters.
const MAX_REASON_CHARS: usize = 200;

/// What a declared date becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OverrideKind {
    /// Ngày nghỉ: a day off (a swapped day, the extra Tết days of the year).
    DayOff,
    /// Ngày làm việc bù: a working day, usually a Saturday worked to bridge a holiday.
    WorkingDay,
}

/// A date an administrator declares for one year (ngày nghỉ, ngày làm bù),
/// following the Prime Minister's yearly notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarOverride {
    #[schema(value_type = String, format = Date, example = "2026-01-02")]
    pub date: Date,
    pub kind: OverrideKind,
    /// Why, as announced ("Nghỉ bù cho thứ Bảy 10/01/2026").
    pub reason: String,
}

impl CalendarOverride {
    /// A validated override; the reason is trimmed.
    pub fn new(
        date: Date,
        kind: OverrideKind,
        reason: impl Into<String>,
    ) -> Result<Self, InvalidField> {
        let value = CalendarOverride {
            date,
            kind,
            reason: reason.into().trim().to_owned(),
        };
        value.validate()?;
        Ok(value)
    }

    /// The reason must be given (at most 200 characters), and a working day
    /// must be a date that is not one already (a weekend day or a holiday).
    pub fn validate(&self) -> Result<(), InvalidField> {
        if self.reason.trim().is_empty() {
            return Err(InvalidField::new("reason", "a reason is required"));
        }
        if self.reason.chars().count() > MAX_REASON_CHARS {
            return Err(InvalidField::new(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters"),
            ));
        }
        if self.kind == OverrideKind::WorkingDay && is_statutory_working_day(self.date) {
            return Err(InvalidField::new(
                "date",
                format!("{} is already a working day", self.date),
            ));
        }
        Ok(())
    }
}

/// Monday to Friday and not a Labour Code holiday (no overrides).
fn is_statutory_working_day(date: Date) -> bool {
    !is_weekend(date)
        && !statutory_holidays(date.year())
            .iter()
            .any(|h| h.date == date)
}

/// The calendar deadlines are counted on: Monday to Friday, less the
/// Labour Code holidays ([`statutory_holidays`]), with the administrator's
/// overrides on top — a declared day off is not a working day, a declared
/// working day is one even on a Saturday or a holiday.
///
/// Dates past the end of jiff's range (9999-12-31) saturate there.
/// Serialised as the list of overrides; deserialising trusts them (stored
/// values) — check input from outside with [`CalendarOverride::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<CalendarOverride>", into = "Vec<CalendarOverride>")]
pub struct WorkingCalendar {
    overrides: BTreeMap<Date, CalendarOverride>,
}

impl From<Vec<CalendarOverride>> for WorkingCalendar {
    fn from(overrides: Vec<CalendarOverride>) -> Self {
        WorkingCalendar::new(overrides)
    }
}

impl From<WorkingCalendar> for Vec<CalendarOverride> {
    fn from(calendar: WorkingCalendar) -> Self {
        calendar.overrides.into_values().collect()
    }
}

impl WorkingCalendar {
    /// A calendar with these overrides; of two for the same date, the later wins.
    pub fn new(overrides: impl IntoIterator<Item = CalendarOverride>) -> Self {
        WorkingCalendar {
            overrides: overrides.into_iter().map(|o| (o.date, o)).collect(),
        }
    }

    /// The overrides, by date.
    pub fn overrides(&self) -> impl Iterator<Item = &CalendarOverride> {
        self.overrides.values()
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        Lookup::new(self).is_working(date)
    }

    /// The days off of Gregorian `year`, by date: the Labour Code holidays
    /// and the declared days off, less any date declared a working day.
    pub fn holidays_in(&self, year: i16) -> Vec<Holiday> {
        let mut days: Vec<Holiday> = statutory_holidays(year)
            .into_iter()
            .filter(|h| {
                self.overrides
                    .get(&h.date)
                    .is_none_or(|o| o.kind != OverrideKind::WorkingDay)
            })
            .collect();
        days.extend(
            self.overrides
                .values()
                .filter(|o| o.date.year() == year && o.kind == OverrideKind::DayOff)
                .map(|o| Holiday {
                    date: o.date,
                    key: HolidayKey::DeclaredDayOff,
                    name_vi: o.reason.clone(),
                    kind: HolidayKind::DeclaredDayOff,
                }),
        );
        days.sort_by_key(|h| h.date);
        days
    }

    /// The `n`-th working day after `start`; for `n = 0`, `start` itself if
    /// it is a working day, else the next working day.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        Lookup::new(self).add_working_days(start, n)
    }

    /// The number of working days in (`from`, `to`]: the day `from` is not
    /// counted, `to` is. Negative, counting (`to`, `from`], when `to` is
    /// before `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        let (first, last, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut lookup = Lookup::new(self);
        let mut count = 0;
        let mut d = first;
        while d < last {
            let Some(next) = next_day(d) else { break };
            d = next;
            if lookup.is_working(d) {
                count += 1;
            }
        }
        sign * count
    }

    /// The date `n` calendar days after `start`, moved on to the next
    /// working day when it is not one (Civil Code art. 148: a period that
    /// ends on a day off ends on the next working day).
    pub fn add_calendar_days(&self, start: Date, n: u32) -> Date {
        let end = Span::new()
            .try_days(i64::from(n))
            .and_then(|span| start.checked_add(span))
            .unwrap_or(Date::MAX);
        Lookup::new(self).add_working_days(end, 0)
    }

    /// The same day of the month `n` months after `start` (the last day of
    /// the month when it has no such day), moved on to the next working day
    /// when it is not one.
    pub fn add_months(&self, start: Date, n: u32) -> Date {
        let end = Span::new()
            .try_months(i64::from(n))
            .and_then(|span| start.checked_add(span))
            .unwrap_or(Date::MAX);
        Lookup::new(self).add_working_days(end, 0)
    }
}

/// Answers "is this a working day?" for a run of dates, working out each
/// year's holidays once.
pub(super) struct Lookup<'a> {
    calendar: &'a WorkingCalendar,
    year: Option<(i16, Vec<Date>)>,
}

impl<'a> Lookup<'a> {
    pub(super) fn new(calendar: &'a WorkingCalendar) -> Self {
        Lookup {
            calendar,
            year: None,
        }
    }

    pub(super) fn is_working(&mut self, date: Date) -> bool {
        if let Some(o) = self.calendar.overrides.get(&date) {
            return o.kind == OverrideKind::WorkingDay;
        }
        if is_weekend(date) {
            return false;
        }
        let year = date.year();
        let holidays = match &self.year {
            Some((y, dates)) if *y == year => dates,
            _ => {
                let dates = statutory_holidays(year)
                    .into_iter()
                    .map(|h| h.date)
                    .collect();
                &self.year.insert((year, dates)).1
            }
        };
        !holidays.contains(&date)
    }

    /// See [`WorkingCalendar::add_working_days`].
    pub(super) fn add_working_days(&mut self, start: Date, n: u32) -> Date {
        let mut d = start;
        if n == 0 {
            while !self.is_working(d) {
                let Some(next) = next_day(d) else { return d };
                d = next;
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            let Some(next) = next_day(d) else { return d };
            d = next;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }
}

fn next_day(date: Date) -> Option<Date> {
    date.tomorrow().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day_off(d: Date, reason: &str) -> CalendarOverride {
        CalendarOverride::new(d, OverrideKind::DayOff, reason).unwrap()
    }

    fn working_day(d: Date, reason: &str) -> CalendarOverride {
        CalendarOverride::new(d, OverrideKind::WorkingDay, reason).unwrap()
    }

    #[test]
    fn weekends_are_not_working_days() {
        let cal = WorkingCalendar::default();
        assert!(cal.is_working_day(date(2026, 3, 6))); // Friday
        assert!(!cal.is_working_day(date(2026, 3, 7))); // Saturday
        assert!(!cal.is_working_day(date(2026, 3, 8))); // Sunday
        assert!(cal.is_working_day(date(2026, 3, 9))); // Monday
    }

    #[test]
    fn holidays_and_substitutes_are_not_working_days() {
        let cal = WorkingCalendar::default();
        for d in 16..=20 {
            assert!(!cal.is_working_day(date(2026, 2, d)), "Tết 2026-02-{d}");
        }
        // Hùng Kings' day 2026 is Sunday 26 April: Monday 27 is off instead.
        assert!(!cal.is_working_day(date(2026, 4, 27)));
        assert!(cal.is_working_day(date(2026, 4, 28)));
    }

    #[test]
    fn declared_days_off_and_make_up_saturdays() {
        // 2025: Friday 2 May off, worked on Saturday 26 April.
        let cal = WorkingCalendar::new([
            day_off(date(2025, 5, 2), "Nghỉ bù cho thứ Bảy 26/4/2025"),
            working_day(date(2025, 4, 26), "Làm bù cho thứ Sáu 2/5/2025"),
        ]);
        assert!(!cal.is_working_day(date(2025, 5, 2)));
        assert!(cal.is_working_day(date(2025, 4, 26)));
        assert!(WorkingCalendar::default().is_working_day(date(2025, 5, 2)));
        // From Friday 25 April: Saturday 26 is the first working day.
        assert_eq!(
            cal.add_working_days(date(2025, 4, 25), 1),
            date(2025, 4, 26)
        );
        // (25 Apr, 29 Apr]: the make-up Saturday counts.
        assert_eq!(
            cal.working_days_between(date(2025, 4, 25), date(2025, 4, 29)),
            3
        );
        assert_eq!(
            WorkingCalendar::default().working_days_between(date(2025, 4, 25), date(2025, 4, 29)),
            2
        );
        // Friday 2 May off: from Tuesday 29 April the next working day is 5 May.
        assert_eq!(cal.add_working_days(date(2025, 4, 29), 1), date(2025, 5, 5));
    }

    #[test]
    fn holidays_in_lists_declared_days_and_drops_worked_ones() {
        let cal = WorkingCalendar::new([
            day_off(date(2026, 1, 2), "Nghỉ bù"),
            working_day(date(2026, 2, 20), "Làm việc"),
        ]);
        let days = cal.holidays_in(2026);
        let declared: Vec<_> = days
            .iter()
            .filter(|h| h.kind == HolidayKind::DeclaredDayOff)
            .collect();
        assert_eq!(declared.len(), 1);
        assert_eq!(declared[0].date, date(2026, 1, 2));
        assert_eq!(declared[0].key, HolidayKey::DeclaredDayOff);
        assert_eq!(declared[0].name_vi, "Nghỉ bù");
        assert!(days.iter().all(|h| h.date != date(2026, 2, 20)));
        assert!(days.windows(2).all(|w| w[0].date <= w[1].date));
        assert!(cal
            .holidays_in(2025)
            .iter()
            .all(|h| h.kind != HolidayKind::DeclaredDayOff));
    }

    #[test]
    fn add_working_days_across_tet_2026() {
        let cal = WorkingCalendar::default();
        assert_eq!(
            cal.add_working_days(date(2026, 2, 13), 1),
            date(2026, 2, 23)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 2, 12), 2),
            date(2026, 2, 23)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 2, 10), 5),
            date(2026, 2, 24)
        );
        // n = 0: the day itself if working, else the next working day.
        assert_eq!(
            cal.add_working_days(date(2026, 2, 13), 0),
            date(2026, 2, 13)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 2, 14), 0),
            date(2026, 2, 23)
        );
    }

    #[test]
    fn working_days_between_counts_the_end_not_the_start() {
        let cal = WorkingCalendar::default();
        let (mon, fri) = (date(2026, 3, 2), date(2026, 3, 6));
        assert_eq!(cal.working_days_between(mon, fri), 4);
        assert_eq!(cal.working_days_between(fri, mon), -4);
        assert_eq!(cal.working_days_between(mon, mon), 0);
        // Across Tết 2026: 13 Feb → 23 Feb is one working day.
        assert_eq!(
            cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)),
            1
        );
        // Consistent with add_working_days.
        let start = date(2026, 1, 15);
        for n in 1..40 {
            let end = cal.add_working_days(start, n);
            assert_eq!(cal.working_days_between(start, end), i64::from(n));
        }
    }

    #[test]
    fn calendar_days_and_months_end_on_a_working_day() {
        let cal = WorkingCalendar::default();
        assert_eq!(cal.add_calendar_days(date(2026, 3, 2), 3), date(2026, 3, 5));
        // Lands on Saturday 7 March → Monday 9.
        assert_eq!(cal.add_calendar_days(date(2026, 3, 2), 5), date(2026, 3, 9));
        // Lands in Tết → Monday 23 February.
        assert_eq!(
            cal.add_calendar_days(date(2026, 2, 10), 7),
            date(2026, 2, 23)
        );
        // 31 Jan + 1 month = 28 Feb 2026 (a Saturday) → Monday 2 March.
        assert_eq!(cal.add_months(date(2026, 1, 31), 1), date(2026, 3, 2));
        assert_eq!(cal.add_months(date(2026, 3, 10), 2), date(2026, 5, 11));
        // Saturates at the end of the range.
        assert_eq!(
            cal.add_calendar_days(date(9999, 12, 1), u32::MAX),
            Date::MAX
        );
    }

    #[test]
    fn overrides_are_validated() {
        let err = CalendarOverride::new(date(2026, 1, 2), OverrideKind::DayOff, "  ").unwrap_err();
        assert_eq!(err.field, "reason");
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        assert!(CalendarOverride::new(date(2026, 1, 2), OverrideKind::DayOff, long).is_err());
        // Friday 2 January 2026 is already a working day.
        let err = CalendarOverride::new(date(2026, 1, 2), OverrideKind::WorkingDay, "Làm bù")
            .unwrap_err();
        assert_eq!(err.field, "date");
        // A Saturday or a holiday may be declared a working day.
        assert!(
            CalendarOverride::new(date(2026, 1, 10), OverrideKind::WorkingDay, "Làm bù").is_ok()
        );
        assert!(
            CalendarOverride::new(date(2026, 2, 20), OverrideKind::WorkingDay, "Làm bù").is_ok()
        );
        let trimmed =
            CalendarOverride::new(date(2026, 1, 2), OverrideKind::DayOff, " Nghỉ ").unwrap();
        assert_eq!(trimmed.reason, "Nghỉ");
    }

    #[test]
    fn schema_documents_dates_as_strings() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(CalendarOverride::schema()).unwrap();
        assert_eq!(schema["properties"]["date"]["type"], "string");
        assert_eq!(schema["properties"]["date"]["format"], "date");
        let schema = serde_json::to_value(Holiday::schema()).unwrap();
        assert_eq!(schema["properties"]["date"]["format"], "date");
    }

    #[test]
    fn later_override_wins_and_serde_round_trips() {
        let cal = WorkingCalendar::new([
            day_off(date(2026, 1, 10), "first"),
            working_day(date(2026, 1, 10), "second"),
        ]);
        assert!(cal.is_working_day(date(2026, 1, 10)));
        assert_eq!(cal.overrides().count(), 1);

        let json = serde_json::to_value(&cal).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"date": "2026-01-10", "kind": "working-day", "reason": "second"}])
        );
        let back: WorkingCalendar = serde_json::from_value(json).unwrap();
        assert_eq!(back, cal);
    }
}
