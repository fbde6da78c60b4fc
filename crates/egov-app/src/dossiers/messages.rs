//! The Vietnamese texts of slips, results and notifications: one message
//! catalogue, `slips.vi.toml`, built into the binary. No slip or message
//! text is written in the code.

use std::collections::HashMap;
use std::sync::LazyLock;

use egov_domain::calendar::TIME_ZONE;
use egov_domain::dossier::DossierStatus;
use jiff::Timestamp;
use serde::Deserialize;

use crate::AppError;

const SOURCE: &str = include_str!("slips.vi.toml");

static MESSAGES: LazyLock<Result<Messages, String>> =
    LazyLock::new(|| toml::from_str(SOURCE).map_err(|e| e.to_string()));

/// The whole catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Messages {
    pub common: Common,
    pub labels: Labels,
    /// By slip key: a `DocumentKind::as_str()`, or `stop`.
    pub slips: HashMap<String, SlipText>,
    /// By `DossierStatus::as_str()`.
    pub statuses: HashMap<String, String>,
    /// By event action: `submit` or a `Transition::as_str()`.
    pub actions: HashMap<String, String>,
    /// By `Role::as_str()`, plus `applicant` and `system`.
    pub roles: HashMap<String, String>,
    pub notify: Notify,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Common {
    pub motto: Vec<String>,
    pub reference: String,
    pub issued_at: String,
    pub date_time: String,
    pub date: String,
    pub lookup: String,
    pub signed: String,
    pub none: String,
    pub rows: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Labels {
    pub applicant: String,
    pub procedure: String,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub submitted_at: String,
    pub received_at: String,
    pub due_at: String,
    pub old_due_at: String,
    pub new_due_at: String,
    pub reason: String,
    pub decision: String,
    pub status: String,
    pub documents_header: Vec<String>,
    pub steps_header: Vec<String>,
}

/// The fixed texts of one slip.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SlipText {
    pub title: String,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    #[serde(default)]
    pub footer: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Notify {
    pub status_subject: String,
    pub status_body: String,
    pub status_sms: String,
    pub submitted_subject: String,
    pub submitted_body: String,
    pub submitted_sms: String,
    pub message_subject: String,
    pub message_body: String,
    pub message_sms: String,
    pub apology_subject: String,
    pub apology_body: String,
    pub apology_sms: String,
}

/// The catalogue (parsed once).
pub(super) fn messages() -> Result<&'static Messages, AppError> {
    MESSAGES
        .as_ref()
        .map_err(|e| AppError::Storage(format!("the slip message catalogue is broken: {e}")))
}

impl Messages {
    pub fn status(&self, status: DossierStatus) -> &str {
        self.statuses
            .get(status.as_str())
            .map_or(status.as_str(), String::as_str)
    }

    pub fn action<'a>(&'a self, action: &'a str) -> &'a str {
        self.actions.get(action).map_or(action, String::as_str)
    }

    pub fn role<'a>(&'a self, role: &'a str) -> &'a str {
        self.roles.get(role).map_or(role, String::as_str)
    }

    pub fn slip(&self, key: &str) -> Result<&SlipText, AppError> {
        self.slips
            .get(key)
            .ok_or_else(|| AppError::Storage(format!("no text for the slip `{key}`")))
    }

    /// "08 giờ 05, ngày 04/12/2026" in Vietnam's time.
    pub fn date_time(&self, at: Timestamp) -> String {
        let local = at.to_zoned(TIME_ZONE.clone());
        fill(
            &self.common.date_time,
            &[
                ("hour", &format!("{:02}", local.hour())),
                ("minute", &format!("{:02}", local.minute())),
                ("day", &format!("{:02}", local.day())),
                ("month", &format!("{:02}", local.month())),
                ("year", &local.year().to_string()),
            ],
        )
    }

    /// "ngày 04/12/2026" in Vietnam's time.
    pub fn date(&self, at: Timestamp) -> String {
        let local = at.to_zoned(TIME_ZONE.clone());
        fill(
            &self.common.date,
            &[
                ("day", &format!("{:02}", local.day())),
                ("month", &format!("{:02}", local.month())),
                ("year", &local.year().to_string()),
            ],
        )
    }

    /// "Ngày 04 tháng 12 năm 2026" in Vietnam's time.
    pub fn issued_at(&self, at: Timestamp) -> String {
        let local = at.to_zoned(TIME_ZONE.clone());
        fill(
            &self.common.issued_at,
            &[
                ("day", &format!("{:02}", local.day())),
                ("month", &local.month().to_string()),
                ("year", &local.year().to_string()),
            ],
        )
    }
}

/// `template` with every `{name}` replaced by its value.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::DocumentKind;
    use egov_domain::dossier::Transition;
    use egov_domain::identity::Role;

    #[test]
    fn the_catalogue_parses_and_is_complete() {
        let m = messages().unwrap();
        for s in DossierStatus::ALL {
            assert!(m.statuses.contains_key(s.as_str()), "status {s:?}");
        }
        assert!(m.actions.contains_key("submit"));
        for t in Transition::ALL {
            assert!(m.actions.contains_key(t.as_str()), "action {t:?}");
        }
        for r in Role::ALL {
            assert!(m.roles.contains_key(r.as_str()), "role {r:?}");
        }
        for key in ["applicant", "system"] {
            assert!(m.roles.contains_key(key));
        }
        for kind in [
            DocumentKind::Receipt,
            DocumentKind::SupplementRequest,
            DocumentKind::Refusal,
            DocumentKind::Apology,
            DocumentKind::ControlSlip,
            DocumentKind::Result,
        ] {
            assert!(m.slip(kind.as_str()).is_ok(), "slip {kind:?}");
        }
        assert!(m.slip("stop").is_ok());
        assert_eq!(m.labels.documents_header.len(), 3);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                "Hồ sơ {code}: {status}",
                &[("code", "X-1"), ("status", "Đã tiếp nhận")]
            ),
            "Hồ sơ X-1: Đã tiếp nhận"
        );
    }

    #[test]
    fn dates_are_in_vietnam_time() {
        let m = messages().unwrap();
        let at: Timestamp = "2026-12-04T17:30:00Z".parse().unwrap();
        assert_eq!(m.date(at), "ngày 05/12/2026");
        assert_eq!(m.date_time(at), "00 giờ 30, ngày 05/12/2026");
        assert_eq!(m.issued_at(at), "Ngày 05 tháng 12 năm 2026");
    }
}
