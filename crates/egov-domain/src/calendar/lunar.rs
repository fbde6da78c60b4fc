//! The Vietnamese lunisolar calendar (âm lịch), reckoned at UTC+7.
//!
//! The Vietnamese calendar follows the same rules as the Chinese one but
//! at the meridian of UTC+7 instead of UTC+8, which moves a new moon that
//! falls between 23:00 and 24:00 Beijing time onto a different day — so Tết
//! differs from Chinese New Year in some years (1985, 2007, 2030…).
//!
//! The rules, as described by Hồ Ngọc Đức ("Thuật toán tính âm lịch"):
//! * a month starts on the day (UTC+7) of a new moon;
//! * month 11 is the month that contains the winter solstice;
//! * when there are 13 new moons from one month 11 to the next, the first
//!   month in between that contains no major solar term (the sun does not
//!   enter a new 30° sector of the ecliptic) is a leap month, carrying the
//!   number of the month before it.
//!
//! New moons and the sun's longitude come from the low-precision series of
//! Jean Meeus, "Astronomical Algorithms" (errors of a few minutes: meant for
//! about 1800–2199, a new moon within minutes of midnight may land on the
//! wrong day). Dates are proleptic Gregorian, as in `jiff`. Checked against
//! Tết and Hùng Kings' day of 1901–2099 in `tests/calendar_vectors.rs`, and
//! every day of 1990–2060 round-trips.

use std::f64::consts::PI;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The meridian of the Vietnamese calendar, in hours east of Greenwich.
const ZONE_HOURS: f64 = 7.0;
/// Mean length of a lunation (synodic month), in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;
/// Julian date of the mean new moon of 1900-01-01, from which lunations are counted.
const LUNATION_ZERO: f64 = 2_415_021.076_998_695;
/// Julian day number of 1900-01-01.
const JDN_1900: i64 = 2_415_021;
/// Degrees to radians.
const RAD: f64 = PI / 180.0;

/// A date of the Vietnamese lunar calendar (ngày âm lịch).
///
/// `year` is the Gregorian year in which the lunar year starts (lunar 1/1 of
/// `year` falls in January or February of `year`). `leap_month` marks the
/// intercalary month (tháng nhuận), which repeats the number of the month
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    pub year: i32,
    /// 1–12.
    pub month: u8,
    /// 1–30.
    pub day: u8,
    pub leap_month: bool,
}

impl LunarDate {
    /// The lunar date of a Gregorian date.
    pub fn from_solar(date: Date) -> LunarDate {
        let day = julian_day_number(date);
        let year = i64::from(date.year());

        // The new moon that starts the month holding `day`: the last one on
        // or before it. The true new moon can come up to about 14 hours
        // after the mean one, so step back until it is not after `day`.
        let mut lunation = ((day as f64 - LUNATION_ZERO) / SYNODIC_MONTH).floor() as i64 + 1;
        let mut month_start = new_moon_day(lunation);
        while month_start > day {
            lunation -= 1;
            month_start = new_moon_day(lunation);
        }

        // The two months 11 around `day`; the lunar year is named after the
        // Gregorian year in which its month 1 begins.
        let this_year_11 = month_11_start(year);
        let (mut lunar_year, from_11, to_11) = if this_year_11 >= month_start {
            (year, month_11_start(year - 1), this_year_11)
        } else {
            (year + 1, this_year_11, month_11_start(year + 1))
        };

        let months_after_11 = (month_start - from_11) / 29;
        let mut month = months_after_11 + 11;
        let mut leap_month = false;
        if to_11 - from_11 > 365 {
            let leap = leap_month_offset(from_11);
            if months_after_11 >= leap {
                month -= 1;
                leap_month = months_after_11 == leap;
            }
        }
        if month > 12 {
            month -= 12;
        }
        // Months 11 and 12 belong to the lunar year that began the previous January.
        if month >= 11 && months_after_11 < 4 {
            lunar_year -= 1;
        }

        LunarDate {
            // A lunar year is within one of the Gregorian year jiff allows.
            year: lunar_year as i32,
            month: month as u8,
            day: (day - month_start + 1) as u8,
            leap_month,
        }
    }

    /// The Gregorian date of this lunar date, or `None` when it does not
    /// exist: a month outside 1–12, day 0, day 30 of a 29-day month, a leap
    /// flag on a month that is not the leap month of its year, or a date
    /// outside jiff's range.
    pub fn to_solar(&self) -> Option<Date> {
        if !(1..=12).contains(&self.month) || !(1..=30).contains(&self.day) {
            return None;
        }
        let year = i64::from(self.year);
        let month = i64::from(self.month);
        // The lunar year spans two "month 11 to month 11" periods: months
        // 11–12 of the previous year sit in the earlier one.
        let (from_11, to_11) = if month < 11 {
            (month_11_start(year - 1), month_11_start(year))
        } else {
            (month_11_start(year), month_11_start(year + 1))
        };
        let lunation_11 = ((from_11 as f64 - LUNATION_ZERO) / SYNODIC_MONTH + 0.5).floor() as i64;

        let mut offset = (month - 11).rem_euclid(12);
        if to_11 - from_11 > 365 {
            let leap = leap_month_offset(from_11);
            // The leap month repeats the number of the month before it.
            let leap_number = (leap + 9) % 12 + 1;
            if self.leap_month && month != leap_number {
                return None;
            }
            if self.leap_month || offset >= leap {
                offset += 1;
            }
        } else if self.leap_month {
            return None;
        }

        let start = new_moon_day(lunation_11 + offset);
        let next_start = new_moon_day(lunation_11 + offset + 1);
        let day = start + i64::from(self.day) - 1;
        if day >= next_start {
            return None;
        }
        date_from_julian_day_number(day)
    }
}

/// Julian day number (days since noon of 1 January 4713 BC, Julian calendar)
/// of a proleptic Gregorian date.
fn julian_day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    julian_day_number_of(y, m, d)
}

fn julian_day_number_of(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so that the leap day ends the year.
    let before_march = i64::from(month < 3);
    let y = year + 4800 - before_march;
    let m = month + 12 * before_march - 3;
    day + (153 * m + 2).div_euclid(5) + 365 * y + y.div_euclid(4) - y.div_euclid(100)
        + y.div_euclid(400)
        - 32_045
}

/// The proleptic Gregorian date of a Julian day number.
fn date_from_julian_day_number(jdn: i64) -> Option<Date> {
    let a = jdn + 32_044;
    let centuries = (4 * a + 3).div_euclid(146_097);
    let c = a - (146_097 * centuries).div_euclid(4);
    let years = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * years).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = 100 * centuries + years - 4800 + m.div_euclid(10);
    let year = i16::try_from(year).ok()?;
    Date::new(year, month as i8, day as i8).ok()
}

/// The moment (Julian date, UT) of new moon number `k`, counted from the new
/// moon of 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85; // Julian centuries from 1900.0
    let t2 = t * t;
    let t3 = t2 * t;
    let mean = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3
        + 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * RAD).sin();
    // Mean anomalies of the sun and the moon, and the moon's argument of latitude.
    let sun = (359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3) * RAD;
    let moon = (306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3) * RAD;
    let lat = (21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3) * RAD;
    let correction = (0.1734 - 0.000_393 * t) * sun.sin() + 0.0021 * (2.0 * sun).sin()
        - 0.4068 * moon.sin()
        + 0.0161 * (2.0 * moon).sin()
        - 0.0004 * (3.0 * moon).sin()
        + 0.0104 * (2.0 * lat).sin()
        - 0.0051 * (sun + moon).sin()
        - 0.0074 * (sun - moon).sin()
        + 0.0004 * (2.0 * lat + sun).sin()
        - 0.0004 * (2.0 * lat - sun).sin()
        - 0.0006 * (2.0 * lat + moon).sin()
        + 0.0010 * (2.0 * lat - moon).sin()
        + 0.0005 * (2.0 * moon + sun).sin();
    // Terrestrial minus universal time (ΔT), in days.
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    mean + correction - delta_t
}

/// The Julian day number of the day (at UTC+7) on which new moon `k` falls.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + ZONE_HOURS / 24.0).floor() as i64
}

/// The sun's apparent longitude at Julian date `jd`, in radians within [0, 2π).
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0; // Julian centuries from J2000.0
    let t2 = t * t;
    let anomaly = (357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2) * RAD;
    let mean_longitude = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let centre = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * anomaly.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * anomaly).sin()
        + 0.000_290 * (3.0 * anomaly).sin();
    ((mean_longitude + centre) * RAD).rem_euclid(2.0 * PI)
}

/// Which 30° sector of the ecliptic (0 = from the spring equinox, 9 = from
/// the winter solstice) the sun is in at the start (00:00, UTC+7) of day `jdn`.
fn sun_sector(jdn: i64) -> i64 {
    let midnight = jdn as f64 - 0.5 - ZONE_HOURS / 24.0;
    (sun_longitude(midnight) / PI * 6.0).floor() as i64
}

/// The first day (Julian day number) of lunar month 11 — the month holding
/// the winter solstice — that ends Gregorian `year`.
fn month_11_start(year: i64) -> i64 {
    let days = julian_day_number_of(year, 12, 31) - JDN_1900;
    let lunation = (days as f64 / SYNODIC_MONTH).floor() as i64;
    let start = new_moon_day(lunation);
    // A month starting after the solstice is month 12: take the one before.
    if sun_sector(start) >= 9 {
        new_moon_day(lunation - 1)
    } else {
        start
    }
}

/// In a 13-month year starting at month 11 on day `month_11`, how many months
/// after month 11 the leap month comes: the first month during which the sun
/// enters no new sector.
fn leap_month_offset(month_11: i64) -> i64 {
    let lunation = ((month_11 as f64 - LUNATION_ZERO) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut sector = sun_sector(new_moon_day(lunation + i));
    loop {
        let previous = sector;
        i += 1;
        sector = sun_sector(new_moon_day(lunation + i));
        if sector == previous || i >= 14 {
            return i - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn lunar(year: i32, month: u8, day: u8, leap_month: bool) -> LunarDate {
        LunarDate {
            year,
            month,
            day,
            leap_month,
        }
    }

    #[test]
    fn julian_day_numbers_round_trip() {
        assert_eq!(julian_day_number(date(2000, 1, 1)), 2_451_545);
        assert_eq!(julian_day_number(date(1970, 1, 1)), 2_440_588);
        assert_eq!(julian_day_number(date(1900, 1, 1)), JDN_1900);
        for d in [
            date(-9999, 1, 1),
            date(-1, 2, 28),
            date(1600, 2, 29),
            date(2024, 12, 31),
            date(9999, 12, 31),
        ] {
            assert_eq!(date_from_julian_day_number(julian_day_number(d)), Some(d));
        }
        assert_eq!(
            date_from_julian_day_number(julian_day_number(date(9999, 12, 31)) + 1),
            None
        );
    }

    #[test]
    fn tet_and_hung_kings_vectors() {
        // (Tết, Hùng Kings' day) from the published holiday schedules.
        let cases = [
            (2020, date(2020, 1, 25), date(2020, 4, 2)),
            (2023, date(2023, 1, 22), date(2023, 4, 29)),
            (2025, date(2025, 1, 29), date(2025, 4, 7)),
            (2026, date(2026, 2, 17), date(2026, 4, 26)),
        ];
        for (year, tet, hung_kings) in cases {
            assert_eq!(lunar(year, 1, 1, false).to_solar(), Some(tet), "Tết {year}");
            assert_eq!(LunarDate::from_solar(tet), lunar(year, 1, 1, false));
            assert_eq!(lunar(year, 3, 10, false).to_solar(), Some(hung_kings));
            assert_eq!(LunarDate::from_solar(hung_kings), lunar(year, 3, 10, false));
        }
    }

    #[test]
    fn utc_plus_7_differs_from_chinese_new_year() {
        // Chinese New Year was 1985-02-20 and 2007-02-18: the hour between
        // the two meridians put a new moon (2007) or a month 11 (1984) on
        // another day.
        assert_eq!(lunar(1985, 1, 1, false).to_solar(), Some(date(1985, 1, 21)));
        assert_eq!(lunar(2007, 1, 1, false).to_solar(), Some(date(2007, 2, 17)));
    }

    #[test]
    fn leap_months() {
        // 2023 had a leap second month (tháng 2 nhuận) from 22 March.
        assert_eq!(
            LunarDate::from_solar(date(2023, 3, 21)),
            lunar(2023, 2, 30, false)
        );
        assert_eq!(
            LunarDate::from_solar(date(2023, 3, 22)),
            lunar(2023, 2, 1, true)
        );
        assert_eq!(
            LunarDate::from_solar(date(2023, 4, 20)),
            lunar(2023, 3, 1, false)
        );
        assert_eq!(lunar(2023, 2, 2, true).to_solar(), Some(date(2023, 3, 23)));
        // 2025 had a leap sixth month from 25 July.
        assert_eq!(
            LunarDate::from_solar(date(2025, 7, 25)),
            lunar(2025, 6, 1, true)
        );
        // No leap month in 2026, and 2023's leap month is the second only.
        assert_eq!(lunar(2026, 6, 1, true).to_solar(), None);
        assert_eq!(lunar(2023, 5, 1, true).to_solar(), None);
    }

    #[test]
    fn months_11_and_12_belong_to_the_previous_lunar_year() {
        // Giao thừa before Tết 2026 is the 29th of the 12th month of 2025
        // (a 29-day month), and mid-December 2025 is in month 10 or 11.
        assert_eq!(
            LunarDate::from_solar(date(2026, 2, 16)),
            lunar(2025, 12, 29, false)
        );
        assert_eq!(lunar(2025, 12, 30, false).to_solar(), None);
        assert_eq!(
            LunarDate::from_solar(date(2025, 12, 20)),
            lunar(2025, 11, 1, false)
        );
        assert_eq!(
            lunar(2025, 11, 1, false).to_solar(),
            Some(date(2025, 12, 20))
        );
    }

    #[test]
    fn impossible_dates_have_no_solar_date() {
        assert_eq!(lunar(2026, 0, 1, false).to_solar(), None);
        assert_eq!(lunar(2026, 13, 1, false).to_solar(), None);
        assert_eq!(lunar(2026, 1, 0, false).to_solar(), None);
        assert_eq!(lunar(2026, 1, 31, false).to_solar(), None);
    }

    #[test]
    fn every_day_round_trips_1990_to_2060() {
        let mut d = date(1990, 1, 1);
        let end = date(2060, 12, 31);
        let mut previous = LunarDate::from_solar(d);
        while d < end {
            d = d.tomorrow().unwrap();
            let l = LunarDate::from_solar(d);
            assert_eq!(l.to_solar(), Some(d), "{d} -> {l:?}");
            // Consecutive days: the next day of the month, or day 1 of a new month.
            assert!(
                (l.day == previous.day + 1 && l.month == previous.month)
                    || (l.day == 1 && (previous.day == 29 || previous.day == 30)),
                "{d}: {previous:?} -> {l:?}"
            );
            previous = l;
        }
    }
}
