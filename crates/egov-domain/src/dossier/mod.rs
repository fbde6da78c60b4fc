//! Dossiers (hồ sơ): applications filed for a procedure, from submission to
//! the returned result — the code, the status machine, the on-time rule and
//! the hash-chained audit log.

pub mod chain;
mod code;
mod deadline;
mod status;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::{AccountId, AccountKind, Role};
use crate::{Channel, ProcedureCode};

pub use code::DossierCode;
pub use deadline::{Clock, DeadlineStatus};
pub use status::{next_status, DossierStatus, IllegalTransition, Transition};

/// How a dossier that reached the leader ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The request was granted: the result is the document asked for.
    Granted,
    /// Refused on the merits: the result is a written refusal with reasons.
    Refused,
}

/// A dossier as stored. `version` increases with every change, so two
/// officials acting at once cannot both win.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    /// Version of the service definition it was filed under.
    pub service_version: u32,
    pub procedure_name: String,
    pub applicant: AccountId,
    pub applicant_kind: AccountKind,
    /// Personal data: shown to the applicant and entitled officials only.
    pub applicant_name: String,
    pub channel: Channel,
    /// The agency whose desk received it (its code starts the dossier code).
    pub receiving_agency: String,
    /// The agency handling it now (differs after a transfer).
    pub handling_agency: String,
    pub status: DossierStatus,
    /// Index of the current workflow step.
    pub step: u32,
    /// The role that must act next; None while the applicant must act or
    /// once processing is over. Drives the officials' inboxes.
    pub awaiting: Option<Role>,
    pub assignee: Option<AccountId>,
    /// The validated form values.
    pub form: serde_json::Value,
    pub submitted_at: Timestamp,
    pub received_at: Option<Timestamp>,
    /// The appointment date on the receipt.
    pub due_at: Option<Timestamp>,
    /// The effective deadline: `due_at` plus the time spent supplementing;
    /// None while paused or before intake. Drives the overdue flags.
    pub deadline_at: Option<Timestamp>,
    /// A later date promised in an apology letter.
    pub rescheduled_due_at: Option<Timestamp>,
    pub paused_since: Option<Timestamp>,
    /// Seconds spent waiting for supplements, finished pauses.
    pub paused_seconds: i64,
    pub supplement_requests: u32,
    pub finished_at: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    pub returned_at: Option<Timestamp>,
    /// Satisfaction rating 1–5 (mức độ hài lòng), once given.
    pub rating: Option<u8>,
    pub version: i64,
}

/// What is known of a dossier when it is filed; everything else starts
/// empty (see [`Dossier::submitted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    /// Version of the service definition it is filed under.
    pub service_version: u32,
    pub procedure_name: String,
    pub applicant: AccountId,
    pub applicant_kind: AccountKind,
    pub applicant_name: String,
    pub channel: Channel,
    /// The agency whose desk receives it; it handles it too until a transfer.
    pub agency: String,
    /// The role of the workflow's first step (intake).
    pub awaiting: Option<Role>,
    /// The validated form values.
    pub form: serde_json::Value,
    pub submitted_at: Timestamp,
}

impl Dossier {
    /// A dossier just filed: status 1 (submitted) at the workflow's first
    /// step, nobody assigned, no dates but the submission's, version 1.
    pub fn submitted(filing: Filing) -> Self {
        Self {
            code: filing.code,
            procedure_code: filing.procedure_code,
            service_version: filing.service_version,
            procedure_name: filing.procedure_name,
            applicant: filing.applicant,
            applicant_kind: filing.applicant_kind,
            applicant_name: filing.applicant_name,
            channel: filing.channel,
            receiving_agency: filing.agency.clone(),
            handling_agency: filing.agency,
            status: DossierStatus::Submitted,
            step: 0,
            awaiting: filing.awaiting,
            assignee: None,
            form: filing.form,
            submitted_at: filing.submitted_at,
            received_at: None,
            due_at: None,
            deadline_at: None,
            rescheduled_due_at: None,
            paused_since: None,
            paused_seconds: 0,
            supplement_requests: 0,
            finished_at: None,
            outcome: None,
            returned_at: None,
            rating: None,
            version: 1,
        }
    }

    /// The facts the on-time rule needs.
    pub fn clock(&self) -> Clock {
        Clock {
            due_at: self.due_at,
            paused: SignedDuration::from_secs(self.paused_seconds),
            paused_since: self.paused_since,
            supplement_requests: self.supplement_requests,
            finished_at: self.finished_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_filed_dossier_awaits_intake_at_the_receiving_agency() {
        let at: Timestamp = "2026-12-04T02:00:00Z".parse().unwrap();
        let d = Dossier::submitted(Filing {
            code: DossierCode::new("A.1", date(2026, 12, 4), 1).unwrap(),
            procedure_code: ProcedureCode::parse("1.001193").unwrap(),
            service_version: 2,
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: AccountId("c1".into()),
            applicant_kind: AccountKind::Citizen,
            applicant_name: "Nguyễn Văn An".into(),
            channel: Channel::Online,
            agency: "A.1".into(),
            awaiting: Some(Role::ReceivingOfficer),
            form: serde_json::json!({"child_name": "Bé"}),
            submitted_at: at,
        });
        assert_eq!(d.status, DossierStatus::Submitted);
        assert_eq!((d.step, d.version, d.service_version), (0, 1, 2));
        assert_eq!(d.receiving_agency, "A.1");
        assert_eq!(d.handling_agency, "A.1");
        assert_eq!(d.awaiting, Some(Role::ReceivingOfficer));
        assert_eq!(d.submitted_at, at);
        assert_eq!(d.due_at, None);
        assert_eq!(
            d.clock().status(at, SignedDuration::ZERO),
            DeadlineStatus::NoDeadline
        );
    }
}
