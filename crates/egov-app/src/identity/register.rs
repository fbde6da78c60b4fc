//! Registration (đăng ký tài khoản) of citizens and organisations.

use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Email, NationalId, Organisation, Phone, Sex,
    TaxCode,
};
use egov_domain::{text, InvalidField};
use jiff::civil::Date;
use jiff::Timestamp;

use super::password::{check_password_policy, hash_blocking};
use super::{audit_entry, new_id, today_in_vietnam, Accounts, AuditEntryExt, RequestContext};
use crate::ports::{CodePurpose, NewAccount};
use crate::AppError;

/// A citizen's registration form.
#[derive(Clone)]
pub struct RegisterCitizen {
    /// Số định danh cá nhân (12 digits); becomes the login.
    pub national_id: String,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub sex: Option<Sex>,
    pub phone: String,
    pub email: String,
    pub password: String,
}

/// An organisation's registration form (doanh nghiệp, tổ chức).
#[derive(Clone)]
pub struct RegisterOrganisation {
    /// Mã số thuế / mã số doanh nghiệp; becomes the login.
    pub tax_code: String,
    pub name: String,
    pub representative_name: String,
    pub representative_national_id: String,
    pub email: String,
    pub phone: String,
    pub password: String,
}

// Personal data and passwords stay out of debug output.
impl std::fmt::Debug for RegisterCitizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterCitizen").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RegisterOrganisation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterOrganisation")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A person's or organisation's name: cleaned, 1 to 200 characters.
pub(crate) fn clean_name(field: &'static str, input: &str) -> Result<String, InvalidField> {
    let name = text::clean(input);
    if name.is_empty() {
        return Err(InvalidField::new(field, "must not be empty"));
    }
    if name.chars().count() > 200 {
        return Err(InvalidField::new(
            field,
            "must be at most 200 characters long",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidField::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name)
}

/// A date of birth `YYYY-MM-DD`, not in the future, not before 1900.
pub(crate) fn date_of_birth(input: &str, today: Date) -> Result<Date, InvalidField> {
    let err = |reason: &str| InvalidField::new("date_of_birth", reason);
    let date: Date = input
        .trim()
        .parse()
        .map_err(|_| err("must be a date like 2003-05-14"))?;
    if date > today {
        return Err(err("must not be in the future"));
    }
    if date.year() < 1900 {
        return Err(err("must not be before 1900"));
    }
    Ok(date)
}

impl Accounts {
    /// Registers a citizen: validates every field, stores the account (login:
    /// the national ID), and sends codes to verify the e-mail and the phone.
    pub async fn register_citizen(
        &self,
        input: &RegisterCitizen,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let today = today_in_vietnam(now);
        let national_id = NationalId::parse(&input.national_id, today)?;
        let full_name = clean_name("full_name", &input.full_name)?;
        let dob = date_of_birth(&input.date_of_birth, today)?;
        national_id.check_birth(dob, input.sex)?;
        let email = Email::parse(&input.email)?;
        let phone = Phone::parse(&input.phone)?;
        check_password_policy(&input.password, &[national_id.as_str(), email.as_str()])?;
        let account = Account {
            id: AccountId(new_id()),
            kind: AccountKind::Citizen,
            status: AccountStatus::Active,
            login: national_id.as_str().to_owned(),
            full_name,
            national_id: Some(national_id),
            date_of_birth: Some(dob),
            email: Some(email),
            email_verified_at: None,
            phone: Some(phone),
            phone_verified_at: None,
            organisation: None,
            totp_required: false,
            created_at: now,
        };
        let taken = "national_id: an account with this national ID number already exists";
        self.create_registered(account, &input.password, taken, ctx, now)
            .await
    }

    /// Registers an organisation (login: the tax code) with its legal
    /// representative, and sends codes to verify the e-mail and the phone.
    pub async fn register_organisation(
        &self,
        input: &RegisterOrganisation,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let today = today_in_vietnam(now);
        let tax_code = TaxCode::parse(&input.tax_code)?;
        let name = clean_name("name", &input.name)?;
        let representative_name = clean_name("representative_name", &input.representative_name)?;
        let representative_national_id =
            NationalId::parse(&input.representative_national_id, today)
                .map_err(|e| InvalidField::new("representative_national_id", e.reason))?;
        let email = Email::parse(&input.email)?;
        let phone = Phone::parse(&input.phone)?;
        check_password_policy(
            &input.password,
            &[
                tax_code.as_str(),
                representative_national_id.as_str(),
                email.as_str(),
            ],
        )?;
        let account = Account {
            id: AccountId(new_id()),
            kind: AccountKind::Organisation,
            status: AccountStatus::Active,
            login: tax_code.as_str().to_owned(),
            full_name: name.clone(),
            national_id: None,
            date_of_birth: None,
            email: Some(email),
            email_verified_at: None,
            phone: Some(phone),
            phone_verified_at: None,
            organisation: Some(Organisation {
                tax_code,
                name,
                representative_name,
                representative_national_id,
            }),
            totp_required: false,
            created_at: now,
        };
        let taken = "tax_code: an organisation with this tax code is already registered";
        self.create_registered(account, &input.password, taken, ctx, now)
            .await
    }

    async fn create_registered(
        &self,
        account: Account,
        password: &str,
        taken: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        if self.store.account_by_login(&account.login).await?.is_some() {
            return Err(AppError::Conflict(taken.to_owned()));
        }
        let password_hash = hash_blocking(password).await?;
        self.store
            .create_account(&NewAccount {
                account: account.clone(),
                password_hash,
            })
            .await?;
        if let Some(email) = &account.email {
            self.send_verification(&account.id, CodePurpose::VerifyEmail, email.as_str(), now)
                .await?;
        }
        if let Some(phone) = &account.phone {
            self.send_verification(&account.id, CodePurpose::VerifyPhone, phone.as_str(), now)
                .await?;
        }
        let entry = audit_entry("account.registered", ctx, now)
            .by(Some(account.id.clone()))
            .about(&account.id.0)
            .detail(account.kind.as_str());
        self.record(entry).await?;
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(
            clean_name("full_name", "  Nguyễn   Văn An ").unwrap(),
            "Nguyễn Văn An"
        );
        assert_eq!(
            clean_name("full_name", "   ").unwrap_err().field,
            "full_name"
        );
        assert!(clean_name("name", &"a".repeat(201)).is_err());
        assert!(clean_name("name", "a\u{7}b").is_err());
    }

    #[test]
    fn dates_of_birth_are_real_and_past() {
        let today = date(2026, 1, 1);
        assert_eq!(
            date_of_birth("2003-05-14", today).unwrap(),
            date(2003, 5, 14)
        );
        for bad in ["", "14/05/2003", "2003-02-30", "2026-01-02", "1899-12-31"] {
            assert_eq!(
                date_of_birth(bad, today).unwrap_err().field,
                "date_of_birth",
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_hides_personal_data() {
        let form = RegisterCitizen {
            national_id: "001203012345".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "2003-05-14".into(),
            sex: None,
            phone: "0912345678".into(),
            email: "an@example.vn".into(),
            password: "secret password".into(),
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("203012") && !shown.contains("secret"));
    }
}
