//! Demo accounts (tài khoản trình diễn), created only in demo mode.
//!
//! | Label | Login | Password | Roles |
//! |---|---|---|---|
//! | Citizen Nguyễn Văn An | `001203012345` | `demo-congdan-2025` | — |
//! | Organisation Công ty TNHH Dịch vụ số An Bình | `0101234567` | `demo-doanhnghiep-2025` | — |
//! | Receiving officer (một cửa) | `tiepnhan@hanoi.egov.example` | `demo-tiepnhan-2025` | receiving-officer |
//! | Specialist (chuyên viên) | `chuyenvien@hanoi.egov.example` | `demo-chuyenvien-2025` | specialist |
//! | Leader (lãnh đạo) | `lanhdao@hanoi.egov.example` | `demo-lanhdao-2025` | leader |
//! | Agency administrator | `quantri@hanoi.egov.example` | `demo-quantri-2025` | agency-admin |
//! | System administrator | `hethong@egov.example` | `demo-hethong-2025` | system-admin |
//! | Finance officer (kế toán) | `ketoan@hanoi.egov.example` | `demo-ketoan-2025` | finance-officer |
//!
//! Officials' roles are held in [`DEMO_AGENCY`] (`000.00.00.H01`, Ủy ban nhân
//! dân Thành phố Hà Nội), which the demo catalogue contains. No demo account
//! needs a second factor. Contact details are verified and use reserved
//! example domains; nothing is ever sent to them.

use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Email, NationalId, Organisation, Phone, Role,
    RoleAssignment, TaxCode,
};
use jiff::civil::date;
use jiff::Timestamp;

use super::password::hash_blocking;
use super::{audit_entry, new_id, today_in_vietnam, Accounts, AuditEntryExt, RequestContext};
use crate::ports::NewAccount;
use crate::AppError;

/// The agency the demo officials belong to.
pub const DEMO_AGENCY: &str = "000.00.00.H01";

/// A documented demo account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub label: &'static str,
    pub login: &'static str,
    pub password: &'static str,
    /// False when it existed already (the password may have been changed since).
    pub created: bool,
}

struct DemoOfficial {
    label: &'static str,
    email: &'static str,
    name: &'static str,
    password: &'static str,
    role: Role,
}

const OFFICIALS: [DemoOfficial; 6] = [
    DemoOfficial {
        label: "Receiving officer (cán bộ một cửa)",
        email: "tiepnhan@hanoi.egov.example",
        name: "Lê Thị Hoa",
        password: "demo-tiepnhan-2025",
        role: Role::ReceivingOfficer,
    },
    DemoOfficial {
        label: "Specialist (chuyên viên)",
        email: "chuyenvien@hanoi.egov.example",
        name: "Phạm Minh Đức",
        password: "demo-chuyenvien-2025",
        role: Role::Specialist,
    },
    DemoOfficial {
        label: "Leader (lãnh đạo)",
        email: "lanhdao@hanoi.egov.example",
        name: "Hoàng Văn Nam",
        password: "demo-lanhdao-2025",
        role: Role::Leader,
    },
    DemoOfficial {
        label: "Agency administrator (quản trị cơ quan)",
        email: "quantri@hanoi.egov.example",
        name: "Vũ Thị Lan",
        password: "demo-quantri-2025",
        role: Role::AgencyAdmin,
    },
    DemoOfficial {
        label: "System administrator (quản trị hệ thống)",
        email: "hethong@egov.example",
        name: "Đặng Quốc Huy",
        password: "demo-hethong-2025",
        role: Role::SystemAdmin,
    },
    DemoOfficial {
        label: "Finance officer (kế toán)",
        email: "ketoan@hanoi.egov.example",
        name: "Bùi Thị Thu",
        password: "demo-ketoan-2025",
        role: Role::FinanceOfficer,
    },
];

fn base(kind: AccountKind, login: &str, name: &str, now: Timestamp) -> Account {
    Account {
        id: AccountId(new_id()),
        kind,
        status: AccountStatus::Active,
        login: login.to_owned(),
        full_name: name.to_owned(),
        national_id: None,
        date_of_birth: None,
        email: None,
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: now,
    }
}

fn citizen(now: Timestamp) -> Result<Account, AppError> {
    let mut account = base(AccountKind::Citizen, "001203012345", "Nguyễn Văn An", now);
    account.national_id = Some(NationalId::parse("001203012345", today_in_vietnam(now))?);
    account.date_of_birth = Some(date(2003, 5, 14));
    account.email = Some(Email::parse("an.nguyen@egov.example")?);
    account.email_verified_at = Some(now);
    account.phone = Some(Phone::parse("0912345678")?);
    account.phone_verified_at = Some(now);
    Ok(account)
}

fn organisation(now: Timestamp) -> Result<Account, AppError> {
    let name = "Công ty TNHH Dịch vụ số An Bình";
    let mut account = base(AccountKind::Organisation, "0101234567", name, now);
    account.organisation = Some(Organisation {
        tax_code: TaxCode::parse("0101234567")?,
        name: name.to_owned(),
        representative_name: "Trần Thị Bình".into(),
        representative_national_id: NationalId::parse("001185000123", today_in_vietnam(now))?,
    });
    account.email = Some(Email::parse("lienhe@anbinh.egov.example")?);
    account.email_verified_at = Some(now);
    account.phone = Some(Phone::parse("0987654321")?);
    account.phone_verified_at = Some(now);
    Ok(account)
}

impl Accounts {
    /// Creates the demo accounts listed in this module's documentation,
    /// skipping logins that exist already. Refused outside demo mode.
    pub async fn load_demo_accounts(&self, now: Timestamp) -> Result<Vec<DemoAccount>, AppError> {
        if !self.config.demo {
            return Err(AppError::Conflict(
                "demo accounts exist only in demo mode".into(),
            ));
        }
        // Fails early, with a clear error, when the demo catalogue is missing.
        self.agency_path(DEMO_AGENCY).await?;
        let mut loaded = Vec::new();
        let created = self
            .create_demo(citizen(now)?, "demo-congdan-2025", None, now)
            .await?;
        loaded.push(DemoAccount {
            label: "Citizen (công dân)",
            login: "001203012345",
            password: "demo-congdan-2025",
            created,
        });
        let created = self
            .create_demo(organisation(now)?, "demo-doanhnghiep-2025", None, now)
            .await?;
        loaded.push(DemoAccount {
            label: "Organisation (doanh nghiệp)",
            login: "0101234567",
            password: "demo-doanhnghiep-2025",
            created,
        });
        for official in &OFFICIALS {
            let mut account = base(AccountKind::Official, official.email, official.name, now);
            account.email = Some(Email::parse(official.email)?);
            account.email_verified_at = Some(now);
            let created = self
                .create_demo(account, official.password, Some(official.role), now)
                .await?;
            loaded.push(DemoAccount {
                label: official.label,
                login: official.email,
                password: official.password,
                created,
            });
        }
        Ok(loaded)
    }

    async fn create_demo(
        &self,
        account: Account,
        password: &str,
        role: Option<Role>,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        if self.store.account_by_login(&account.login).await?.is_some() {
            return Ok(false);
        }
        let password_hash = hash_blocking(password).await?;
        self.store
            .create_account(&NewAccount {
                account: account.clone(),
                password_hash,
            })
            .await?;
        if let Some(role) = role {
            let roles = [RoleAssignment {
                agency_code: DEMO_AGENCY.to_owned(),
                role,
            }];
            self.store.set_roles(&account.id, &roles).await?;
        }
        let entry = audit_entry("account.demo-created", &RequestContext::default(), now)
            .about(&account.id.0)
            .detail(account.kind.as_str());
        self.record(entry).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::check_password_policy;

    #[test]
    fn demo_identities_are_valid() {
        let now: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        let c = citizen(now).unwrap();
        let id = c.national_id.clone().unwrap();
        assert!(id.check_birth(c.date_of_birth.unwrap(), None).is_ok());
        assert!(organisation(now).is_ok());
        for o in &OFFICIALS {
            assert!(Email::parse(o.email).is_ok(), "{}", o.email);
            assert!(check_password_policy(o.password, &[o.email]).is_ok());
        }
        assert!(check_password_policy("demo-congdan-2025", &["001203012345"]).is_ok());
        assert!(check_password_policy("demo-doanhnghiep-2025", &["0101234567"]).is_ok());
    }
}
