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

impl Dossier {
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
