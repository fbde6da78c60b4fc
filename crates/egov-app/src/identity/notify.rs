//! Notifications (thông báo): the outbox is filled in the same transaction as
//! the code it carries, and a background worker hands each message to a
//! [`Notifier`] — SMTP for e-mail when configured, the log in demo mode (the
//! message, with its code, is then visible to the operator; the recipient
//! only masked). A failing message is retried up to [`MAX_DELIVERY_ATTEMPTS`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use egov_domain::identity::{Email, Phone};
use jiff::Timestamp;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;

use crate::ports::{Channel, IdentityStore, OutboxMessage};
use crate::AppError;

/// Attempts before a message is given up.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 5;

/// Messages handled per run of [`deliver_outbox`].
const BATCH: u32 = 50;

/// Sends one message. The error text is stored with the message; it must
/// not contain secrets.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String>;
}

/// The recipient for logs: `a***@example.vn`, `+84*******78`.
pub(crate) fn masked_recipient(message: &OutboxMessage) -> String {
    match message.channel {
        Channel::Email => Email::parse(&message.recipient).map(|e| e.masked()),
        Channel::Sms => Phone::parse(&message.recipient).map(|p| p.masked()),
    }
    .unwrap_or_else(|_| "***".into())
}

/// Writes messages to the log instead of sending them (demo mode, and the
/// stand-in SMS provider). The body — with any code — is logged; the
/// recipient only masked.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        tracing::info!(
            target: "egov::outbox",
            id = %message.id,
            channel = ?message.channel,
            to = %masked_recipient(message),
            subject = %message.subject,
            body = %message.body,
            "message written to the log instead of being sent"
        );
        Ok(())
    }
}

/// SMTP server settings.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    /// 587 for STARTTLS, usually.
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `egov <no-reply@example.vn>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Sends e-mail over SMTP with STARTTLS (lettre).
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpNotifier {
    pub fn new(config: &SmtpConfig) -> Result<Self, AppError> {
        let invalid = |field: &'static str, e: String| {
            AppError::Invalid(egov_domain::InvalidField::new(field, e))
        };
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| invalid("smtp.from", format!("is not a mailbox: {e}")))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
            .map_err(|e| invalid("smtp.host", e.to_string()))?
            .port(config.port)
            .timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        if message.channel != Channel::Email {
            return Err("SMTP sends e-mail only".into());
        }
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|_| "the recipient is not an e-mail address".to_owned())?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}

/// Routes e-mail and SMS to different notifiers.
pub struct ByChannel {
    pub email: Arc<dyn Notifier>,
    pub sms: Arc<dyn Notifier>,
}

#[async_trait]
impl Notifier for ByChannel {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        match message.channel {
            Channel::Email => self.email.send(message).await,
            Channel::Sms => self.sms.send(message).await,
        }
    }
}

/// What one run of the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: u32,
    pub failed: u32,
}

/// Sends the pending messages (oldest first, one batch), marking each sent
/// or failed.
pub async fn deliver_outbox(
    store: &dyn IdentityStore,
    notifier: &dyn Notifier,
    now: Timestamp,
) -> Result<Delivery, AppError> {
    let mut done = Delivery::default();
    for message in store.pending_messages(MAX_DELIVERY_ATTEMPTS, BATCH).await? {
        match notifier.send(&message).await {
            Ok(()) => {
                store.mark_sent(&message.id, now).await?;
                done.sent += 1;
            }
            Err(error) => {
                let error: String = error.chars().take(500).collect();
                store.mark_failed(&message.id, &error).await?;
                tracing::warn!(id = %message.id, attempt = message.attempts + 1, "message not sent");
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// Runs [`deliver_outbox`] every `every` until the handle is aborted.
pub fn spawn_outbox_worker(
    store: Arc<dyn IdentityStore>,
    notifier: Arc<dyn Notifier>,
    every: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match deliver_outbox(store.as_ref(), notifier.as_ref(), Timestamp::now()).await {
                Ok(done) if done.sent + done.failed > 0 => {
                    tracing::debug!(sent = done.sent, failed = done.failed, "outbox delivered");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox delivery failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(channel: Channel, recipient: &str) -> OutboxMessage {
        OutboxMessage {
            id: "m1".into(),
            channel,
            recipient: recipient.into(),
            subject: "s".into(),
            body: "b".into(),
            created_at: Timestamp::UNIX_EPOCH,
            attempts: 0,
            sent_at: None,
            last_error: None,
        }
    }

    #[test]
    fn recipients_are_masked() {
        assert_eq!(
            masked_recipient(&message(Channel::Email, "an@example.vn")),
            "a***@example.vn"
        );
        assert_eq!(
            masked_recipient(&message(Channel::Sms, "+84912345678")),
            "+84*******78"
        );
        assert_eq!(masked_recipient(&message(Channel::Sms, "garbage")), "***");
    }

    #[test]
    fn smtp_config_debug_hides_the_password() {
        let config = SmtpConfig {
            host: "smtp.example.vn".into(),
            port: 587,
            username: Some("user".into()),
            password: Some("hunter2hunter2".into()),
            from: "egov <no-reply@example.vn>".into(),
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn smtp_refuses_sms_and_bad_recipients() {
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 1,
            username: None,
            password: None,
            from: "egov <no-reply@example.vn>".into(),
        };
        let smtp = SmtpNotifier::new(&config).unwrap();
        assert!(smtp
            .send(&message(Channel::Sms, "+84912345678"))
            .await
            .is_err());
        assert!(smtp
            .send(&message(Channel::Email, "not an address"))
            .await
            .is_err());
        let bad = SmtpConfig {
            from: "nobody".into(),
            ..config
        };
        assert!(SmtpNotifier::new(&bad).is_err());
    }
}
