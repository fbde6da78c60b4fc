//! Agencies (cơ quan): the tree of ministries, People's Committees and their
//! departments that issue and carry out procedures.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::InvalidField;

/// What sort of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AgencyKind {
    /// Bộ, cơ quan ngang bộ.
    Ministry,
    /// Cơ quan thuộc Chính phủ, other central bodies (courts, the State Bank…).
    CentralAgency,
    /// Unit under a ministry (cục, tổng cục, vụ).
    MinistryUnit,
    /// UBND tỉnh / thành phố.
    ProvincialCommittee,
    /// Sở, ban, ngành of a province.
    Department,
    /// UBND xã / phường / đặc khu.
    CommuneCommittee,
    /// Anything else (public administration centre, police of a province…).
    Other,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Ministry => "ministry",
            AgencyKind::CentralAgency => "central-agency",
            AgencyKind::MinistryUnit => "ministry-unit",
            AgencyKind::ProvincialCommittee => "provincial-committee",
            AgencyKind::Department => "department",
            AgencyKind::CommuneCommittee => "commune-committee",
            AgencyKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        const ALL: [AgencyKind; 7] = [
            AgencyKind::Ministry,
            AgencyKind::CentralAgency,
            AgencyKind::MinistryUnit,
            AgencyKind::ProvincialCommittee,
            AgencyKind::Department,
            AgencyKind::CommuneCommittee,
            AgencyKind::Other,
        ];
        ALL.into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| InvalidField::new("kind", format!("`{s}` is not an agency kind")))
    }
}

/// An agency (cơ quan, đơn vị).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Agency {
    /// Electronic identifier of the agency (mã định danh), e.g. `000.00.00.H26`.
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    /// Code of the agency above it (`None` at the top of the tree).
    pub parent_code: Option<String>,
    /// Code of the current administrative unit it serves, where it has one.
    pub admin_unit_code: Option<String>,
}

impl Agency {
    pub fn validate(&self) -> Result<(), InvalidField> {
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 64
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !code_ok {
            return Err(InvalidField::new(
                "code",
                "1–64 characters: letters, digits, dot, dash or underscore",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(InvalidField::new("name", "must not be empty"));
        }
        if self.parent_code.as_deref() == Some(self.code.as_str()) {
            return Err(InvalidField::new(
                "parent_code",
                "an agency cannot be its own parent",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency() -> Agency {
        Agency {
            code: "000.00.00.H26".into(),
            name: "UBND Thành phố Hà Nội".into(),
            kind: AgencyKind::ProvincialCommittee,
            parent_code: None,
            admin_unit_code: Some("01".into()),
        }
    }

    #[test]
    fn valid_agency_passes() {
        assert_eq!(agency().validate(), Ok(()));
    }

    #[test]
    fn bad_code_and_self_parent_are_refused() {
        let mut a = agency();
        a.code = "có dấu".into();
        assert_eq!(a.validate().map_err(|e| e.field), Err("code"));
        let mut a = agency();
        a.parent_code = Some(a.code.clone());
        assert_eq!(a.validate().map_err(|e| e.field), Err("parent_code"));
    }

    #[test]
    fn kinds_round_trip() {
        assert_eq!(AgencyKind::parse("department"), Ok(AgencyKind::Department));
        assert!(AgencyKind::parse("dept").is_err());
    }
}
