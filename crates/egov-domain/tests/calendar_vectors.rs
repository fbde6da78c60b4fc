//! The calendar against the published vectors in shared/data/calendar
//! (SOURCES.md §3), skipped with a note when the files are absent.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use egov_domain::calendar::{
    CalendarOverride, HolidayKind, LunarDate, OverrideKind, WorkingCalendar,
};
use jiff::civil::Date;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/calendar");

/// The rows of a CSV file as maps from column name to value, or `None` (with
/// a note) when the file is not there. The files have no quoted fields.
fn rows(file: &str) -> Option<Vec<BTreeMap<String, String>>> {
    let path = PathBuf::from(DATA).join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipped: {} not found", path.display());
            return None;
        }
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    Some(
        lines
            .filter(|line| !line.is_empty())
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                assert_eq!(fields.len(), header.len(), "{line}");
                header
                    .iter()
                    .zip(fields)
                    .map(|(h, f)| (h.to_string(), f.to_string()))
                    .collect()
            })
            .collect(),
    )
}

fn date(s: &str) -> Date {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn tet_and_hung_kings_1901_to_2099() {
    let Some(rows) = rows("vn_lunar_new_year_and_hung_kings_1901_2099.csv") else {
        return;
    };
    assert_eq!(rows.len(), 199);
    for row in rows {
        let year: i32 = row["lunar_year"].parse().unwrap();
        let tet = date(&row["tet_nguyen_dan_gregorian"]);
        let hung_kings = date(&row["gio_to_hung_vuong_gregorian"]);
        let first = LunarDate {
            year,
            month: 1,
            day: 1,
            leap_month: false,
        };
        let tenth_of_third = LunarDate {
            year,
            month: 3,
            day: 10,
            leap_month: false,
        };
        assert_eq!(first.to_solar(), Some(tet), "Tết {year}");
        assert_eq!(LunarDate::from_solar(tet), first, "{tet}");
        assert_eq!(
            tenth_of_third.to_solar(),
            Some(hung_kings),
            "Hùng Kings {year}"
        );
        assert_eq!(
            LunarDate::from_solar(hung_kings),
            tenth_of_third,
            "{hung_kings}"
        );
        // The day before Tết is the last day of the previous lunar year.
        let eve = LunarDate::from_solar(tet.yesterday().unwrap());
        assert_eq!((eve.year, eve.month), (year - 1, 12), "Giao thừa {year}");
        assert!(eve.day == 29 || eve.day == 30);
    }
}

#[test]
fn public_holidays_2000_to_2050() {
    let Some(rows) = rows("vn_public_holidays_2000_2050.csv") else {
        return;
    };
    assert_eq!(rows.len(), 707);
    let mut expected: BTreeMap<i16, BTreeSet<Date>> = BTreeMap::new();
    let mut declared = Vec::new();
    for row in &rows {
        let d = date(&row["date"]);
        expected.entry(d.year()).or_default().insert(d);
        if row["day_type"] == "swapped_day_off" {
            declared.push(CalendarOverride::new(d, OverrideKind::DayOff, &row["name_vi"]).unwrap());
        }
    }
    assert_eq!(declared.len(), 13);
    let calendar = WorkingCalendar::new(declared);

    for year in 2000..=2050 {
        let got: BTreeSet<Date> = calendar.holidays_in(year).iter().map(|h| h.date).collect();
        let want = &expected[&year];
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{year}: missing {missing:?}, extra {extra:?}"
        );
        for d in want {
            assert!(!calendar.is_working_day(*d), "{d} is a day off");
        }
    }
}

#[test]
fn kinds_match_the_day_types() {
    let Some(rows) = rows("vn_public_holidays_2000_2050.csv") else {
        return;
    };
    // The file labels days by name: a Mùng bốn moved off a weekend before
    // 2013 (when Tết had four days) is "statutory" there but a shift here.
    let calendar = WorkingCalendar::default();
    let mut kinds = BTreeMap::new();
    for year in 2000..=2050 {
        for h in calendar.holidays_in(year) {
            kinds.insert(h.date, h.kind);
        }
    }
    for row in &rows {
        let d = date(&row["date"]);
        let want = match row["day_type"].as_str() {
            "statutory" if d.year() < 2013 && row["name_vi"].starts_with("Mùng bốn") => {
                HolidayKind::TetShift
            }
            "statutory" => HolidayKind::Statutory,
            "observed_substitute" => HolidayKind::Substitute,
            "tet_weekend_shift" => HolidayKind::TetShift,
            "swapped_day_off" => continue,
            other => panic!("unknown day_type {other}"),
        };
        assert_eq!(kinds.get(&d), Some(&want), "{d} {}", row["name_vi"]);
    }
}
