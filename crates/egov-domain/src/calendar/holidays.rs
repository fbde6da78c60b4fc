//! Public holidays (ngày nghỉ lễ, Tết) under the Labour Code in force each year.
//!
//! | from | rule |
//! |---|---|
//! | 1995 (Labour Code 1994, art. 73) | 1 Jan; Tết 4 days (Giao thừa + Mùng 1–3); 30 Apr; 1 May; 2 Sep |
//! | 2007 (amendment of 2007) | + Hùng Kings' day, 10th day of the 3rd lunar month |
//! | 2013 (Labour Code 2012, art. 115) | Tết 5 days (Giao thừa + Mùng 1–4) |
//! | 2021 (Labour Code 2019, art. 112) | + a second National Day holiday next to 2 Sep |
//! | 2026 | + Vietnamese Culture Day, 24 Nov (as reported; see DOMAIN.md) |
//!
//! On top of the statutory days, as the published test vectors
//! (`shared/data/calendar`, generated with the `holidays` package) model them:
//! * **substitute** (nghỉ bù): a holiday other than Tết that falls on a
//!   Saturday or Sunday gives the next day that is neither a weekend day nor
//!   already a holiday, taking the holidays in date order;
//! * **Tết shift**: each statutory Tết day on a weekend is moved — to the
//!   next free weekday before 2014; from 2014 a Saturday moves to the free
//!   weekday *before* the holiday (29 Tết) and a Sunday to the one after;
//! * the second National Day holiday is, by the weekday of 2 Sep: Mon → Tue,
//!   Tue → Mon, Wed → Tue, Thu → Fri, Fri → Thu, Sat → Fri, Sun → Mon.
//!
//! Substitutes and shifts start in 1995; earlier years get the statutory days
//! of 1995 only. The days the Prime Minister actually fixes each year
//! (the exact Tết week, swapped Saturdays) are declared by an administrator as
//! [`CalendarOverride`](super::CalendarOverride)s.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{is_weekend, LunarDate};

/// Which holiday a day off belongs to: a stable key for message catalogues.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayKey {
    /// Tết Dương lịch, 1 January.
    NewYear,
    /// Tết Nguyên Đán, the Lunar New Year (every day of it, and its shifts).
    Tet,
    /// Giỗ Tổ Hùng Vương, 10th day of the 3rd lunar month.
    HungKings,
    /// Ngày Chiến thắng (Reunification Day), 30 April.
    Reunification,
    /// Ngày Quốc tế Lao động, 1 May.
    LabourDay,
    /// Quốc khánh, 2 September and the day next to it.
    NationalDay,
    /// Ngày Văn hóa Việt Nam, 24 November.
    CultureDay,
    /// A day off declared for one year by an administrator.
    DeclaredDayOff,
}

impl HolidayKey {
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKey::NewYear => "new-year",
            HolidayKey::Tet => "tet",
            HolidayKey::HungKings => "hung-kings",
            HolidayKey::Reunification => "reunification",
            HolidayKey::LabourDay => "labour-day",
            HolidayKey::NationalDay => "national-day",
            HolidayKey::CultureDay => "culture-day",
            HolidayKey::DeclaredDayOff => "declared-day-off",
        }
    }
}

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayKind {
    /// A day the Labour Code names.
    Statutory,
    /// Nghỉ bù: the weekday given for a holiday that fell on a weekend.
    Substitute,
    /// A Tết day moved off a weekend (29 Tết, Mùng năm…).
    TetShift,
    /// Declared by an administrator for the year.
    DeclaredDayOff,
}

/// A day off (ngày nghỉ lễ, Tết).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holiday {
    #[schema(value_type = String, format = Date, example = "2026-02-17")]
    pub date: Date,
    pub key: HolidayKey,
    /// The Vietnamese name of the day ("Mùng hai Tết Nguyên Đán"); for a
    /// declared day off, the reason given.
    pub name_vi: String,
    pub kind: HolidayKind,
}

/// The Labour Code holidays of Gregorian `year`, with their substitutes and
/// Tết shifts, sorted by date. Every date lies in `year`; empty outside
/// jiff's range of years.
pub fn statutory_holidays(year: i16) -> Vec<Holiday> {
    let Ok(new_year) = Date::new(year, 1, 1) else {
        return Vec::new();
    };
    let mut days = Days {
        year,
        list: Vec::new(),
    };
    days.statutory(new_year, HolidayKey::NewYear, "Tết Dương lịch");

    let tet = LunarDate {
        year: i32::from(year),
        month: 1,
        day: 1,
        leap_month: false,
    }
    .to_solar();
    if let Some(tet) = tet {
        let last = if year >= 2013 { 3 } else { 2 };
        for offset in -1..=last {
            if let Some(d) = shift(tet, offset) {
                days.statutory(d, HolidayKey::Tet, &tet_day_name(d));
            }
        }
    }
    if year >= 2007 {
        let hung_kings = LunarDate {
            year: i32::from(year),
            month: 3,
            day: 10,
            leap_month: false,
        }
        .to_solar();
        if let Some(d) = hung_kings {
            days.statutory(d, HolidayKey::HungKings, "Ngày Giỗ Tổ Hùng Vương");
        }
    }
    days.fixed(4, 30, HolidayKey::Reunification, "Ngày Chiến thắng");
    days.fixed(5, 1, HolidayKey::LabourDay, "Ngày Quốc tế Lao động");
    if let Some(sep_2) = days.fixed(9, 2, HolidayKey::NationalDay, "Quốc khánh") {
        if year >= 2021 {
            let step = match sep_2.weekday() {
                Weekday::Monday | Weekday::Thursday | Weekday::Sunday => 1,
                _ => -1,
            };
            if let Some(d) = shift(sep_2, step) {
                days.statutory(d, HolidayKey::NationalDay, "Quốc khánh");
            }
        }
    }
    if year >= 2026 {
        days.fixed(11, 24, HolidayKey::CultureDay, "Ngày Văn hóa Việt Nam");
    }

    if year >= 1995 {
        if let Some(tet) = tet {
            days.shift_tet_off_weekends(tet);
        }
        days.add_substitutes();
    }
    days.list.sort_by_key(|h| h.date);
    days.list
}

/// The holidays of one year while they are being worked out.
struct Days {
    year: i16,
    list: Vec<Holiday>,
}

impl Days {
    fn statutory(&mut self, date: Date, key: HolidayKey, name: &str) {
        self.push(date, key, name.to_owned(), HolidayKind::Statutory);
    }

    fn fixed(&mut self, month: i8, day: i8, key: HolidayKey, name: &str) -> Option<Date> {
        let date = Date::new(self.year, month, day).ok()?;
        self.statutory(date, key, name);
        Some(date)
    }

    fn push(&mut self, date: Date, key: HolidayKey, name_vi: String, kind: HolidayKind) {
        self.list.push(Holiday {
            date,
            key,
            name_vi,
            kind,
        });
    }

    /// A weekend day or a day already off.
    fn is_off(&self, date: Date) -> bool {
        is_weekend(date) || self.list.iter().any(|h| h.date == date)
    }

    /// The first day after `date` (step +1) or before it (step -1) that is
    /// not off, within the year.
    fn free_day(&self, date: Date, step: i64) -> Option<Date> {
        let mut d = shift(date, step)?;
        while self.is_off(d) {
            d = shift(d, step)?;
        }
        (d.year() == self.year).then_some(d)
    }

    fn shift_tet_off_weekends(&mut self, tet: Date) {
        let tet_days: Vec<Date> = self
            .list
            .iter()
            .filter(|h| h.key == HolidayKey::Tet)
            .map(|h| h.date)
            .collect();
        for day in tet_days {
            let step = match day.weekday() {
                Weekday::Saturday if self.year >= 2014 => -1,
                Weekday::Saturday | Weekday::Sunday => 1,
                _ => continue,
            };
            if let Some(d) = self.free_day(day, step) {
                let name = if d < tet {
                    format!("{} Tết", LunarDate::from_solar(d).day)
                } else {
                    tet_day_name(d)
                };
                self.push(d, HolidayKey::Tet, name, HolidayKind::TetShift);
            }
        }
    }

    fn add_substitutes(&mut self) {
        let mut owed: Vec<(Date, HolidayKey, String)> = self
            .list
            .iter()
            .filter(|h| h.key != HolidayKey::Tet && is_weekend(h.date))
            .map(|h| (h.date, h.key, h.name_vi.clone()))
            .collect();
        owed.sort_by_key(|(date, _, _)| *date);
        for (date, key, name) in owed {
            if let Some(d) = self.free_day(date, 1) {
                self.push(d, key, format!("{name} (nghỉ bù)"), HolidayKind::Substitute);
            }
        }
    }
}

/// `date` moved by `days`, or `None` past the ends of jiff's range.
fn shift(date: Date, days: i64) -> Option<Date> {
    date.checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

/// "Tết Nguyên Đán", "Mùng hai Tết Nguyên Đán"… for a day of the first lunar
/// month, "Giao thừa Tết Nguyên Đán" for the last day of the year.
fn tet_day_name(date: Date) -> String {
    const ORDINALS: [&str; 10] = [
        "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười",
    ];
    let lunar = LunarDate::from_solar(date);
    if lunar.month == 12 {
        return "Giao thừa Tết Nguyên Đán".to_owned();
    }
    match lunar.day {
        1 => "Tết Nguyên Đán".to_owned(),
        d => match usize::from(d).checked_sub(1).and_then(|i| ORDINALS.get(i)) {
            Some(word) => format!("Mùng {word} Tết Nguyên Đán"),
            None => format!("Ngày {d} Tết Nguyên Đán"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn on(year: i16, d: Date) -> Vec<Holiday> {
        statutory_holidays(year)
            .into_iter()
            .filter(|h| h.date == d)
            .collect()
    }

    fn dates(year: i16, key: HolidayKey) -> Vec<(Date, HolidayKind)> {
        statutory_holidays(year)
            .into_iter()
            .filter(|h| h.key == key)
            .map(|h| (h.date, h.kind))
            .collect()
    }

    #[test]
    fn tet_2026_is_16_to_20_february() {
        let tet = dates(2026, HolidayKey::Tet);
        let expected: Vec<_> = (16..=20)
            .map(|d| (date(2026, 2, d), HolidayKind::Statutory))
            .collect();
        assert_eq!(tet, expected);
        let names: Vec<String> = statutory_holidays(2026)
            .into_iter()
            .filter(|h| h.key == HolidayKey::Tet)
            .map(|h| h.name_vi)
            .collect();
        assert_eq!(
            names,
            [
                "Giao thừa Tết Nguyên Đán",
                "Tết Nguyên Đán",
                "Mùng hai Tết Nguyên Đán",
                "Mùng ba Tết Nguyên Đán",
                "Mùng bốn Tết Nguyên Đán"
            ]
        );
    }

    #[test]
    fn tet_saturday_moves_back_and_sunday_forward_from_2014() {
        // Tết 2024: Giao thừa Fri 9 Feb, Mùng 1 Sat 10, Mùng 2 Sun 11.
        let tet = dates(2024, HolidayKey::Tet);
        assert!(tet.contains(&(date(2024, 2, 8), HolidayKind::TetShift)));
        assert!(tet.contains(&(date(2024, 2, 14), HolidayKind::TetShift)));
        assert_eq!(tet.len(), 7);
        assert_eq!(on(2024, date(2024, 2, 8))[0].name_vi, "29 Tết");
        assert_eq!(
            on(2024, date(2024, 2, 14))[0].name_vi,
            "Mùng năm Tết Nguyên Đán"
        );
    }

    #[test]
    fn tet_weekend_days_moved_forward_before_2014() {
        // Tết 2013: Giao thừa Sat 9 Feb and Mùng 1 Sun 10 Feb → Thu 14, Fri 15.
        let shifted: Vec<Date> = dates(2013, HolidayKey::Tet)
            .into_iter()
            .filter(|(_, kind)| *kind == HolidayKind::TetShift)
            .map(|(d, _)| d)
            .collect();
        assert_eq!(shifted, [date(2013, 2, 14), date(2013, 2, 15)]);
        // Before 2013 Tết had four days: 2001 is Giao thừa + Mùng 1–3.
        assert_eq!(dates(2001, HolidayKey::Tet).len(), 4);
    }

    #[test]
    fn holiday_on_sunday_gives_the_monday() {
        let new_year = on(2023, date(2023, 1, 2));
        assert_eq!(new_year.len(), 1);
        assert_eq!(new_year[0].key, HolidayKey::NewYear);
        assert_eq!(new_year[0].kind, HolidayKind::Substitute);
        assert_eq!(new_year[0].name_vi, "Tết Dương lịch (nghỉ bù)");
    }

    #[test]
    fn substitutes_skip_days_already_off() {
        // 2023: Hùng Kings Sat 29 Apr, 30 Apr Sun, 1 May Mon.
        assert_eq!(
            dates(2023, HolidayKey::HungKings),
            [
                (date(2023, 4, 29), HolidayKind::Statutory),
                (date(2023, 5, 2), HolidayKind::Substitute)
            ]
        );
        assert_eq!(
            dates(2023, HolidayKey::Reunification),
            [
                (date(2023, 4, 30), HolidayKind::Statutory),
                (date(2023, 5, 3), HolidayKind::Substitute)
            ]
        );
    }

    #[test]
    fn hung_kings_from_2007_only() {
        assert!(dates(2006, HolidayKey::HungKings).is_empty());
        assert_eq!(
            dates(2007, HolidayKey::HungKings),
            [(date(2007, 4, 26), HolidayKind::Statutory)]
        );
    }

    #[test]
    fn second_national_day_from_2021() {
        assert_eq!(dates(2020, HolidayKey::NationalDay).len(), 1);
        let days = |year| -> Vec<Date> {
            dates(year, HolidayKey::NationalDay)
                .into_iter()
                .map(|(d, _)| d)
                .collect()
        };
        assert_eq!(days(2025), [date(2025, 9, 1), date(2025, 9, 2)]);
        assert_eq!(days(2027), [date(2027, 9, 2), date(2027, 9, 3)]);
        // 2029: Sun 2 Sep, Mon 3 Sep, and the substitute on Tue 4 Sep.
        assert_eq!(
            days(2029),
            [date(2029, 9, 2), date(2029, 9, 3), date(2029, 9, 4)]
        );
    }

    #[test]
    fn culture_day_from_2026() {
        assert!(dates(2025, HolidayKey::CultureDay).is_empty());
        assert_eq!(
            dates(2026, HolidayKey::CultureDay),
            [(date(2026, 11, 24), HolidayKind::Statutory)]
        );
        assert_eq!(
            dates(2030, HolidayKey::CultureDay),
            [
                (date(2030, 11, 24), HolidayKind::Statutory),
                (date(2030, 11, 25), HolidayKind::Substitute)
            ]
        );
    }

    #[test]
    fn sorted_and_within_the_year() {
        for year in [1990, 2000, 2026, 2099] {
            let list = statutory_holidays(year);
            assert!(!list.is_empty());
            assert!(list.windows(2).all(|w| w[0].date <= w[1].date));
            assert!(list.iter().all(|h| h.date.year() == year));
        }
        assert!(statutory_holidays(10_000).is_empty());
    }

    #[test]
    fn keys_serialise_as_their_strings() {
        let all = [
            HolidayKey::NewYear,
            HolidayKey::Tet,
            HolidayKey::HungKings,
            HolidayKey::Reunification,
            HolidayKey::LabourDay,
            HolidayKey::NationalDay,
            HolidayKey::CultureDay,
            HolidayKey::DeclaredDayOff,
        ];
        for key in all {
            let json = serde_json::to_string(&key).unwrap();
            assert_eq!(json, format!("\"{}\"", key.as_str()));
        }
    }
}
