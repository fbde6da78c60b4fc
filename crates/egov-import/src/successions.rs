//! Links from pre-2025 units to the current units that replaced them.

use std::collections::HashMap;

use egov_domain::{UnitLevel, UnitSuccession};

use crate::input::{from_record, json_array, Table};
use crate::{Format, ImportError};

/// Reads successions from the 2025 mapping files or a JSON array of
/// [`UnitSuccession`].
///
/// * `commune_old_to_new.csv`: a link is partial when `target_count` > 1
///   (the old commune was split).
/// * `commune_new_to_old.csv`: partial when `merge_type` is `partial`; old
///   codes of 3 digits are districts (the island districts that became
///   special zones whole).
/// * `province_old_to_new.csv`: province to province.
///
/// A link given twice (the same old and new unit) is kept once; it is partial
/// if any copy says so.
pub fn read_successions(bytes: &[u8], format: Format) -> Result<Vec<UnitSuccession>, ImportError> {
    let links = match format {
        Format::Csv => read_csv(bytes)?,
        Format::Json => read_json(bytes)?,
        Format::JsonLines | Format::Xlsx => {
            return Err(ImportError::unsupported(format, "successions"))
        }
    };
    Ok(dedup(links))
}

fn read_csv(bytes: &[u8]) -> Result<Vec<UnitSuccession>, ImportError> {
    let table = Table::read(bytes)?;
    let shape = if table.has("target_count") {
        Shape::CommuneSplits
    } else if table.has("new_commune_code") {
        Shape::CommuneMerges
    } else if table.has("old_province_code") && table.has("new_province_code") {
        Shape::Provinces
    } else {
        return Err(ImportError::line(
            1,
            "not a mapping file: expected old_commune_code/new_commune_code with target_count or merge_type, or old_province_code/new_province_code",
        ));
    };
    let (old_column, new_column) = match shape {
        Shape::Provinces => ("old_province_code", "new_province_code"),
        _ => ("old_commune_code", "new_commune_code"),
    };
    table.require(&[old_column, new_column])?;
    if shape == Shape::CommuneMerges {
        table.require(&["merge_type"])?;
    }
    table
        .rows
        .iter()
        .map(|(line, r)| {
            let cell = |c: &str| table.get(r, c).unwrap_or_default();
            link(shape, cell(old_column), cell(new_column), r, &table)
                .map_err(|reason| ImportError::line(*line, reason))
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    CommuneSplits,
    CommuneMerges,
    Provinces,
}

fn link(
    shape: Shape,
    old: &str,
    new: &str,
    r: &csv::StringRecord,
    table: &Table,
) -> Result<UnitSuccession, String> {
    let cell = |c: &str| table.get(r, c).unwrap_or_default();
    let (old_level, new_level) = match shape {
        Shape::Provinces => (UnitLevel::Province, UnitLevel::Province),
        Shape::CommuneMerges if old.len() == 3 => (UnitLevel::District, UnitLevel::Commune),
        _ => (UnitLevel::Commune, UnitLevel::Commune),
    };
    let partial = match shape {
        Shape::CommuneSplits => {
            let count: u32 = cell("target_count")
                .parse()
                .map_err(|_| format!("target_count `{}` is not a number", cell("target_count")))?;
            count > 1
        }
        _ => match cell("merge_type") {
            "partial" => true,
            "full" | "" if shape == Shape::Provinces => false,
            "full" => false,
            other => {
                return Err(format!(
                    "merge_type `{other}` is neither `full` nor `partial`"
                ))
            }
        },
    };
    let succession = UnitSuccession {
        old_code: old.to_owned(),
        old_level,
        new_code: new.to_owned(),
        new_level,
        partial,
    };
    check(&succession)?;
    Ok(succession)
}

fn read_json(bytes: &[u8]) -> Result<Vec<UnitSuccession>, ImportError> {
    json_array(bytes)?
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let s: UnitSuccession = from_record(value, i)?;
            check(&s).map_err(|reason| ImportError::record(i, reason))?;
            Ok(s)
        })
        .collect()
}

/// Codes of the right length for their levels; the new unit is a current one.
fn check(s: &UnitSuccession) -> Result<(), String> {
    let digits = |level: UnitLevel| match level {
        UnitLevel::Province => 2,
        UnitLevel::District => 3,
        UnitLevel::Commune => 5,
    };
    for (name, code, level) in [
        ("old_code", &s.old_code, s.old_level),
        ("new_code", &s.new_code, s.new_level),
    ] {
        let n = digits(level);
        if code.len() != n || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{name}: `{code}` is not a {n}-digit code of a {}",
                level.as_str()
            ));
        }
    }
    if s.new_level == UnitLevel::District {
        return Err("new_level: districts were abolished on 1 July 2025".into());
    }
    Ok(())
}

fn dedup(links: Vec<UnitSuccession>) -> Vec<UnitSuccession> {
    let mut seen: HashMap<(String, UnitLevel, String, UnitLevel), usize> = HashMap::new();
    let mut out: Vec<UnitSuccession> = Vec::with_capacity(links.len());
    for link in links {
        let key = (
            link.old_code.clone(),
            link.old_level,
            link.new_code.clone(),
            link.new_level,
        );
        match seen.get(&key) {
            Some(&i) => out[i].partial |= link.partial,
            None => {
                seen.insert(key, out.len());
                out.push(link);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv_text(text: &str) -> Result<Vec<UnitSuccession>, String> {
        read_successions(text.as_bytes(), Format::Csv).map_err(|e| e.to_string())
    }

    const OLD_TO_NEW: &str = "old_province_code,old_province_name,old_district_code,old_commune_code,old_commune_name,new_province_code,new_province_name,new_commune_code,new_commune_name,target_count\n";
    const NEW_TO_OLD: &str = "new_province_code,new_province_name,new_commune_code,new_commune_name,old_commune_code,old_commune_name,merge_type\n";

    #[test]
    fn old_to_new_splits_are_partial() {
        let text = format!("{OLD_TO_NEW}01,HN,001,00001,Phúc Xá,01,HN,00097,Hồng Hà,1\n01,HN,001,00016,Ngọc Hà,01,HN,00004,Ba Đình,2\n01,HN,001,00016,Ngọc Hà,01,HN,00008,Ngọc Hà,2\n");
        let links = read_csv_text(&text).unwrap_or_default();
        let partial: Vec<bool> = links.iter().map(|l| l.partial).collect();
        assert_eq!(partial, [false, true, true]);
        assert_eq!(links[0].old_level, UnitLevel::Commune);
    }

    #[test]
    fn new_to_old_knows_island_districts() {
        let text = format!("{NEW_TO_OLD}79,HCM,26732,Đặc khu Côn Đảo,755,Huyện Côn Đảo,full\n01,HN,00004,Ba Đình,00016,Ngọc Hà,partial\n");
        let links = read_csv_text(&text).unwrap_or_default();
        assert_eq!(
            (links[0].old_level, links[0].partial),
            (UnitLevel::District, false)
        );
        assert_eq!(
            (links[1].old_level, links[1].partial),
            (UnitLevel::Commune, true)
        );
    }

    #[test]
    fn provinces_and_duplicates() {
        let text = "old_province_code,old_province_name,new_province_code,new_province_name,merge_type\n02,Hà Giang,08,Tuyên Quang,full\n02,Hà Giang,08,Tuyên Quang,full\n";
        let links = read_csv_text(text).unwrap_or_default();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].new_level, UnitLevel::Province);
    }

    #[test]
    fn duplicates_across_files_merge_partial() {
        let a = UnitSuccession {
            old_code: "00016".into(),
            old_level: UnitLevel::Commune,
            new_code: "00004".into(),
            new_level: UnitLevel::Commune,
            partial: false,
        };
        let b = UnitSuccession {
            partial: true,
            ..a.clone()
        };
        assert_eq!(dedup(vec![a, b.clone()]), [b]);
    }

    #[test]
    fn errors_name_the_line_or_record() {
        let bad_count = format!("{OLD_TO_NEW}01,HN,001,00001,Phúc Xá,01,HN,00097,Hồng Hà,one\n");
        assert_eq!(
            read_csv_text(&bad_count),
            Err("line 2: target_count `one` is not a number".into())
        );
        let bad_code = format!("{NEW_TO_OLD}01,HN,00004,Ba Đình,16,Ngọc Hà,full\n");
        assert_eq!(
            read_csv_text(&bad_code),
            Err("line 2: old_code: `16` is not a 5-digit code of a commune".into())
        );
        let bad_type = format!("{NEW_TO_OLD}01,HN,00004,Ba Đình,00016,Ngọc Hà,half\n");
        assert_eq!(
            read_csv_text(&bad_type),
            Err("line 2: merge_type `half` is neither `full` nor `partial`".into())
        );
        assert!(
            read_csv_text("a,b\n1,2\n").is_err_and(|e| e.starts_with("line 1: not a mapping file"))
        );
        let json = r#"[{"old_code":"001","old_level":"district","new_code":"002","new_level":"district","partial":false}]"#;
        let err = read_successions(json.as_bytes(), Format::Json).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("record 1: new_level: districts were abolished on 1 July 2025".into())
        );
    }

    #[test]
    fn json_round_trip() {
        let link = UnitSuccession {
            old_code: "02".into(),
            old_level: UnitLevel::Province,
            new_code: "08".into(),
            new_level: UnitLevel::Province,
            partial: false,
        };
        let json = serde_json::to_vec(std::slice::from_ref(&link)).unwrap_or_default();
        assert_eq!(read_successions(&json, Format::Json), Ok(vec![link]));
    }
}
