//! Accounts (tài khoản): citizens, organisations and officials.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Email, NationalId, Phone, Role, TaxCode};

/// An account's stable identifier (random, opaque).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct AccountId(pub String);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccountKind {
    /// Công dân: signs in with the national ID number.
    Citizen,
    /// Doanh nghiệp, tổ chức: signs in with the tax/enterprise code.
    Organisation,
    /// Cán bộ, công chức: created by an agency administrator; signs in with e-mail.
    Official,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Organisation => "organisation",
            AccountKind::Official => "official",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    Active,
    /// Locked by an administrator (or after two years unused, Decision 31/2021).
    Locked,
}

/// An organisation's registration details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    pub tax_code: TaxCode,
    pub name: String,
    /// Legal representative (người đại diện theo pháp luật).
    pub representative_name: String,
    pub representative_national_id: NationalId,
}

/// An account. Credentials live elsewhere; this is what may be shown to its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub status: AccountStatus,
    /// The identifier typed to sign in: national ID, tax code or e-mail.
    pub login: String,
    pub full_name: String,
    pub national_id: Option<NationalId>,
    #[schema(value_type = Option<String>)]
    pub date_of_birth: Option<Date>,
    pub email: Option<Email>,
    #[schema(value_type = Option<String>)]
    pub email_verified_at: Option<jiff::Timestamp>,
    pub phone: Option<Phone>,
    #[schema(value_type = Option<String>)]
    pub phone_verified_at: Option<jiff::Timestamp>,
    pub organisation: Option<Organisation>,
    /// Whether signing in needs a TOTP code too.
    pub totp_required: bool,
    #[schema(value_type = String)]
    pub created_at: jiff::Timestamp,
}

/// One role an official holds in one agency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct RoleAssignment {
    pub agency_code: String,
    pub role: Role,
}
