//! Roles of officials (vai trò cán bộ).

use serde::{Deserialize, Serialize};

use crate::InvalidField;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Receiving officer at the one-stop desk (cán bộ tiếp nhận, bộ phận một cửa).
    ReceivingOfficer,
    /// Specialist who processes dossiers (chuyên viên).
    Specialist,
    /// Leader who approves and signs (lãnh đạo).
    Leader,
    /// Administers an agency's officials (quản trị cơ quan).
    AgencyAdmin,
    /// Administers the whole platform (quản trị hệ thống).
    SystemAdmin,
    /// Handles the money of an agency (kế toán): refunds of fees paid to it,
    /// the review of payment notifications and, in the agency that holds the
    /// merchant account, reconciliation with the gateway's settlement files.
    FinanceOfficer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::ReceivingOfficer,
        Role::Specialist,
        Role::Leader,
        Role::AgencyAdmin,
        Role::SystemAdmin,
        Role::FinanceOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ReceivingOfficer => "receiving-officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::AgencyAdmin => "agency-admin",
            Role::SystemAdmin => "system-admin",
            Role::FinanceOfficer => "finance-officer",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| InvalidField::new("role", format!("`{s}` is not a role")))
    }
}
