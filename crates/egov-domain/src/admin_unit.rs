//! Administrative units (đơn vị hành chính).
//!
//! Since 1 July 2025 local government has two tiers (province, commune); before
//! that it had three (province, district, commune). Both generations are kept:
//! a unit is identified by its [`Era`] and its official GSO code (mã ĐVHC), and
//! [`UnitSuccession`] links each pre-2025 unit to the unit(s) that replaced it,
//! so an address written before the reform still resolves to today's unit.

use jiff::civil::{date, Date};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::InvalidField;

/// Which generation of the administrative map a unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Era {
    /// Two tiers, in force from 1 July 2025 (Resolution 202/2025/QH15, Decision 19/2025/QĐ-TTg).
    Current,
    /// Three tiers, as last in force on 30 June 2025.
    #[serde(rename = "pre-2025")]
    Pre2025,
}

impl Era {
    pub const ALL: [Era; 2] = [Era::Current, Era::Pre2025];

    pub fn as_str(self) -> &'static str {
        match self {
            Era::Current => "current",
            Era::Pre2025 => "pre-2025",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        match s {
            "current" => Ok(Era::Current),
            "pre-2025" => Ok(Era::Pre2025),
            other => Err(InvalidField::new(
                "era",
                format!("`{other}` is not an era; use `current` or `pre-2025`"),
            )),
        }
    }

    /// First day units of this era are valid (`None`: since before records began).
    pub fn valid_from(self) -> Option<Date> {
        match self {
            Era::Current => Some(date(2025, 7, 1)),
            Era::Pre2025 => None,
        }
    }

    /// Last day units of this era were valid (`None`: still valid).
    pub fn valid_to(self) -> Option<Date> {
        match self {
            Era::Current => None,
            Era::Pre2025 => Some(date(2025, 6, 30)),
        }
    }

    /// The era in force on `day`.
    pub fn at(day: Date) -> Era {
        if day >= date(2025, 7, 1) {
            Era::Current
        } else {
            Era::Pre2025
        }
    }
}

/// Tier of a unit in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnitLevel {
    /// Province or centrally-run city (tỉnh, thành phố trực thuộc trung ương).
    Province,
    /// District tier (huyện, quận, thị xã, thành phố thuộc tỉnh); abolished 1 July 2025.
    District,
    /// Commune, ward, township or special zone (xã, phường, thị trấn, đặc khu).
    Commune,
}

impl UnitLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        match s {
            "province" => Ok(UnitLevel::Province),
            "district" => Ok(UnitLevel::District),
            "commune" => Ok(UnitLevel::Commune),
            other => Err(InvalidField::new(
                "level",
                format!("`{other}` is not a level; use province, district or commune"),
            )),
        }
    }
}

/// The legal type of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    /// Thành phố trực thuộc trung ương.
    CentralCity,
    /// Tỉnh.
    Province,
    /// Thành phố thuộc thành phố trực thuộc trung ương (pre-2025).
    CityUnderCentralCity,
    /// Thành phố thuộc tỉnh (pre-2025).
    ProvincialCity,
    /// Quận (pre-2025).
    UrbanDistrict,
    /// Thị xã (pre-2025).
    Town,
    /// Huyện (pre-2025).
    RuralDistrict,
    /// Phường.
    Ward,
    /// Thị trấn (pre-2025).
    Township,
    /// Xã.
    Commune,
    /// Đặc khu (from 2025).
    SpecialZone,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::CentralCity => "central-city",
            UnitKind::Province => "province",
            UnitKind::CityUnderCentralCity => "city-under-central-city",
            UnitKind::ProvincialCity => "provincial-city",
            UnitKind::UrbanDistrict => "urban-district",
            UnitKind::Town => "town",
            UnitKind::RuralDistrict => "rural-district",
            UnitKind::Ward => "ward",
            UnitKind::Township => "township",
            UnitKind::Commune => "commune",
            UnitKind::SpecialZone => "special-zone",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        const ALL: [UnitKind; 11] = [
            UnitKind::CentralCity,
            UnitKind::Province,
            UnitKind::CityUnderCentralCity,
            UnitKind::ProvincialCity,
            UnitKind::UrbanDistrict,
            UnitKind::Town,
            UnitKind::RuralDistrict,
            UnitKind::Ward,
            UnitKind::Township,
            UnitKind::Commune,
            UnitKind::SpecialZone,
        ];
        ALL.into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| InvalidField::new("kind", format!("`{s}` is not a unit kind")))
    }

    /// The level a unit of this kind sits at.
    pub fn level(self) -> UnitLevel {
        match self {
            UnitKind::CentralCity | UnitKind::Province => UnitLevel::Province,
            UnitKind::CityUnderCentralCity
            | UnitKind::ProvincialCity
            | UnitKind::UrbanDistrict
            | UnitKind::Town
            | UnitKind::RuralDistrict => UnitLevel::District,
            UnitKind::Ward | UnitKind::Township | UnitKind::Commune | UnitKind::SpecialZone => {
                UnitLevel::Commune
            }
        }
    }

    /// Kind from the official type name at the start of a full name
    /// ("Thành phố Hà Nội", "Xã Ba Vì", "Đặc khu Côn Đảo").
    pub fn from_full_name(full_name: &str, era: Era) -> Option<UnitKind> {
        let folded = crate::text::fold(full_name);
        let starts = |p: &str| folded.starts_with(p);
        Some(if starts("tinh ") {
            UnitKind::Province
        } else if starts("thanh pho ") {
            // A city is central-level only as a province-level unit; callers
            // that know the level refine this.
            UnitKind::CentralCity
        } else if starts("quan ") {
            UnitKind::UrbanDistrict
        } else if starts("thi xa ") {
            UnitKind::Town
        } else if starts("huyen ") {
            UnitKind::RuralDistrict
        } else if starts("phuong ") {
            UnitKind::Ward
        } else if starts("thi tran ") {
            UnitKind::Township
        } else if starts("xa ") {
            UnitKind::Commune
        } else if starts("dac khu ") && era == Era::Current {
            UnitKind::SpecialZone
        } else {
            return None;
        })
    }
}

/// An administrative unit of one era.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdminUnit {
    /// Official GSO code (mã ĐVHC): 2 digits for a province, 3 for a district, 5 for a commune.
    pub code: String,
    pub era: Era,
    pub level: UnitLevel,
    pub kind: UnitKind,
    /// Short name without the type ("Hà Nội").
    pub name: String,
    /// Name with the type ("Thành phố Hà Nội").
    pub full_name: String,
    pub name_en: Option<String>,
    pub full_name_en: Option<String>,
    /// Code of the unit one tier up in the same era (`None` for a province).
    pub parent_code: Option<String>,
    /// Code of the province in the same era (the unit's own code for a province).
    pub province_code: String,
}

impl AdminUnit {
    /// Checks the invariants an importer must not break.
    pub fn validate(&self) -> Result<(), InvalidField> {
        let digits = match self.level {
            UnitLevel::Province => 2,
            UnitLevel::District => 3,
            UnitLevel::Commune => 5,
        };
        if self.code.len() != digits || !self.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidField::new(
                "code",
                format!(
                    "`{}` is not a {}-digit code of a {}",
                    self.code,
                    digits,
                    self.level.as_str()
                ),
            ));
        }
        if self.kind.level() != self.level {
            return Err(InvalidField::new(
                "kind",
                format!("a {} is not a {}", self.kind.as_str(), self.level.as_str()),
            ));
        }
        if self.level == UnitLevel::District && self.era == Era::Current {
            return Err(InvalidField::new(
                "level",
                "districts were abolished on 1 July 2025; only pre-2025 units can be districts",
            ));
        }
        if self.name.trim().is_empty() || self.full_name.trim().is_empty() {
            return Err(InvalidField::new("name", "must not be empty"));
        }
        match (self.level, &self.parent_code) {
            (UnitLevel::Province, Some(_)) => {
                Err(InvalidField::new("parent_code", "a province has no parent"))
            }
            (UnitLevel::District | UnitLevel::Commune, None) => Err(InvalidField::new(
                "parent_code",
                "is required below province level",
            )),
            _ => Ok(()),
        }
    }
}

/// One link from a pre-2025 unit to a current unit that took over (part of) it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnitSuccession {
    /// Code of the pre-2025 unit (province, district or commune).
    pub old_code: String,
    pub old_level: UnitLevel,
    /// Code of the current unit.
    pub new_code: String,
    pub new_level: UnitLevel,
    /// True when the old unit was split and only part of it went to this successor.
    pub partial: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune() -> AdminUnit {
        AdminUnit {
            code: "00004".into(),
            era: Era::Current,
            level: UnitLevel::Commune,
            kind: UnitKind::Ward,
            name: "Ba Đình".into(),
            full_name: "Phường Ba Đình".into(),
            name_en: None,
            full_name_en: None,
            parent_code: Some("01".into()),
            province_code: "01".into(),
        }
    }

    #[test]
    fn a_valid_commune_passes() {
        assert_eq!(commune().validate(), Ok(()));
    }

    #[test]
    fn wrong_code_length_is_refused() {
        let mut u = commune();
        u.code = "4".into();
        assert_eq!(u.validate().map_err(|e| e.field), Err("code"));
    }

    #[test]
    fn no_current_districts() {
        let mut u = commune();
        u.level = UnitLevel::District;
        u.kind = UnitKind::RuralDistrict;
        u.code = "001".into();
        assert_eq!(u.validate().map_err(|e| e.field), Err("level"));
        u.era = Era::Pre2025;
        assert_eq!(u.validate(), Ok(()));
    }

    #[test]
    fn commune_needs_parent() {
        let mut u = commune();
        u.parent_code = None;
        assert_eq!(u.validate().map_err(|e| e.field), Err("parent_code"));
    }

    #[test]
    fn era_serde_form_matches_as_str() {
        for era in Era::ALL {
            let json = serde_json::to_string(&era).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", era.as_str()));
        }
    }

    #[test]
    fn era_at_reform_boundary() {
        assert_eq!(Era::at(date(2025, 6, 30)), Era::Pre2025);
        assert_eq!(Era::at(date(2025, 7, 1)), Era::Current);
    }

    #[test]
    fn kind_from_full_name() {
        assert_eq!(
            UnitKind::from_full_name("Đặc khu Côn Đảo", Era::Current),
            Some(UnitKind::SpecialZone)
        );
        assert_eq!(
            UnitKind::from_full_name("Thị trấn Đông Anh", Era::Pre2025),
            Some(UnitKind::Township)
        );
        assert_eq!(UnitKind::from_full_name("Khu phố 3", Era::Current), None);
    }

    #[test]
    fn kinds_round_trip_through_strings() {
        for kind in [
            UnitKind::Ward,
            UnitKind::SpecialZone,
            UnitKind::CityUnderCentralCity,
        ] {
            assert_eq!(UnitKind::parse(kind.as_str()), Ok(kind));
        }
    }
}
