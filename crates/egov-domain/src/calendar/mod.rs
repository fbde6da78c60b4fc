//! The working-day calendar (lịch làm việc) that deadlines are counted on.
//!
//! * [`lunar`] — the Vietnamese lunisolar calendar (âm lịch, UTC+7), from
//!   which Tết and Hùng Kings' day are computed each year;
//! * [`holidays`] — the public holidays of a year under the Labour Code in
//!   force that year, with substitutes and Tết shifts;
//! * [`working`] — [`WorkingCalendar`]: weekends and holidays plus the days
//!   off and make-up working days an administrator declares for a year, and
//!   the deadline arithmetic ([`WorkingCalendar::due_date`]).
//!
//! Deadlines are reckoned in Vietnam's time, [`TIME_ZONE`]
//! (`Asia/Ho_Chi_Minh`, UTC+7 without daylight saving since 1975).

mod due;
pub mod holidays;
pub mod lunar;
pub mod working;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

pub use holidays::{statutory_holidays, Holiday, HolidayKey, HolidayKind};
pub use lunar::LunarDate;
pub use working::{CalendarOverride, OverrideKind, WorkingCalendar};

/// Asia/Ho_Chi_Minh, the time zone deadlines are reckoned in.
///
/// Built into the binary at compile time from the tz database that ships
/// with jiff (`jiff::tz::get!`, feature `static`), so it needs no tz database
/// on the host (containers often have none), cannot fail at run time and
/// reads no file — this crate does no I/O. Only this zone is embedded, not
/// the whole database (`tzdb-bundle-always`), and other crates keep jiff's
/// usual lookup of the system database.
pub static TIME_ZONE: TimeZone = jiff::tz::get!("Asia/Ho_Chi_Minh");

/// Saturday or Sunday: the weekly rest days of state agencies.
pub(crate) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn time_zone_is_utc_plus_7() {
        assert_eq!(TIME_ZONE.iana_name(), Some("Asia/Ho_Chi_Minh"));
        for d in [date(1980, 6, 1), date(2026, 1, 1), date(2026, 7, 1)] {
            let zoned = d.at(12, 0, 0, 0).to_zoned(TIME_ZONE.clone()).unwrap();
            assert_eq!(zoned.offset().seconds(), 7 * 3600, "{d}");
        }
        // The same rules as the host's database, where the host has one.
        if let Ok(system) = TimeZone::get("Asia/Ho_Chi_Minh") {
            let t = date(2026, 2, 17).at(0, 0, 0, 0);
            assert_eq!(
                system.to_offset(t.to_zoned(TimeZone::UTC).unwrap().timestamp()),
                TIME_ZONE.to_offset(t.to_zoned(TimeZone::UTC).unwrap().timestamp())
            );
        }
    }

    #[test]
    fn weekends() {
        assert!(is_weekend(date(2026, 2, 14)));
        assert!(is_weekend(date(2026, 2, 15)));
        assert!(!is_weekend(date(2026, 2, 13)));
        assert!(!is_weekend(date(2026, 2, 16)));
    }
}
