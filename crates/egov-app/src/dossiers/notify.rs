//! Telling the applicant (thông báo): an in-app notification of every change
//! of status, and the same by e-mail and SMS through the outbox, to the
//! verified address and number only. Texts come from the message catalogue;
//! nothing personal is logged.

use egov_domain::dossier::Dossier;
use egov_domain::identity::{Account, Actor};
use egov_domain::{Page, PageRequest};
use jiff::Timestamp;

use super::access::person;
use super::messages::{fill, messages};
use super::Dossiers;
use crate::identity::new_id;
use crate::ports::{Channel, Notification, OutboxMessage};
use crate::AppError;

/// What the applicant is told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Notice {
    /// The dossier's new status.
    Status,
    /// A message from the officials.
    Message,
    /// An apology with the new appointment date (as printed).
    Apology { date: String },
}

impl Dossiers {
    /// The applicant's notifications, newest first.
    pub async fn notifications(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError> {
        let id = person(actor)?;
        Ok(self.store.notifications(id, page).await?)
    }

    /// Marks all of the acting person's notifications read; returns how many.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<u64, AppError> {
        let id = person(actor)?;
        Ok(self.store.mark_notifications_read(id, now).await?)
    }

    /// The notification and messages that go with a change of `dossier`
    /// (its new state) by `action`.
    pub(super) async fn notices(
        &self,
        dossier: &Dossier,
        action: &str,
        notice: Notice,
        now: Timestamp,
    ) -> Result<(Vec<Notification>, Vec<OutboxMessage>), AppError> {
        let m = messages()?;
        let notification = Notification {
            id: new_id(),
            account_id: dossier.applicant.clone(),
            dossier: dossier.code.clone(),
            status: dossier.status,
            action: action.to_owned(),
            at: now,
            read_at: None,
        };
        let code = dossier.code.to_string();
        let url = self.lookup_url(&dossier.code);
        let status = m.status(dossier.status);
        let date = match &notice {
            Notice::Apology { date } => date.as_str(),
            _ => "",
        };
        let values = [
            ("code", code.as_str()),
            ("procedure", dossier.procedure_name.as_str()),
            ("status", status),
            ("url", url.as_str()),
            ("date", date),
        ];
        let n = &m.notify;
        let (subject, body, sms) = match notice {
            Notice::Status => (&n.status_subject, &n.status_body, &n.status_sms),
            Notice::Message => (&n.message_subject, &n.message_body, &n.message_sms),
            Notice::Apology { .. } => (&n.apology_subject, &n.apology_body, &n.apology_sms),
        };
        let outbox = match self.identity.account(&dossier.applicant).await? {
            Some(account) => outbox_for(
                &account,
                &fill(subject, &values),
                &fill(body, &values),
                &fill(sms, &values),
                now,
            ),
            None => Vec::new(),
        };
        Ok((vec![notification], outbox))
    }

    /// Queues the "submitted" e-mail and SMS. The dossier exists by then, so
    /// a failure here is logged, not returned.
    pub(super) async fn enqueue_submitted(
        &self,
        dossier: &Dossier,
        account: &Account,
        now: Timestamp,
    ) {
        let Ok(m) = messages() else {
            return;
        };
        let code = dossier.code.to_string();
        let url = self.lookup_url(&dossier.code);
        let values = [
            ("code", code.as_str()),
            ("procedure", dossier.procedure_name.as_str()),
            ("url", url.as_str()),
        ];
        let n = &m.notify;
        let outbox = outbox_for(
            account,
            &fill(&n.submitted_subject, &values),
            &fill(&n.submitted_body, &values),
            &fill(&n.submitted_sms, &values),
            now,
        );
        for message in outbox {
            if let Err(e) = self.identity.enqueue(&message).await {
                tracing::warn!(dossier = %code, error = %e, "the submission message was not queued");
            }
        }
    }
}

/// An e-mail to the verified address and an SMS to the verified number.
fn outbox_for(
    account: &Account,
    subject: &str,
    body: &str,
    sms: &str,
    now: Timestamp,
) -> Vec<OutboxMessage> {
    let message = |channel, recipient: &str, subject: &str, body: &str| OutboxMessage {
        id: new_id(),
        channel,
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        created_at: now,
        attempts: 0,
        sent_at: None,
        last_error: None,
    };
    let mut out = Vec::new();
    if let (Some(email), Some(_)) = (&account.email, account.email_verified_at) {
        out.push(message(Channel::Email, email.as_str(), subject, body));
    }
    if let (Some(phone), Some(_)) = (&account.phone, account.phone_verified_at) {
        out.push(message(Channel::Sms, phone.as_str(), subject, sms));
    }
    out
}
