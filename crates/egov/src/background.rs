//! Work the server does besides answering requests: sending the outbox and
//! keeping an active token-signing key.

use std::sync::Arc;
use std::time::Duration;

use egov_app::identity::{spawn_outbox_worker, ByChannel, LogNotifier, Notifier, SmtpNotifier};
use egov_app::ports::OutboxMessage;
use egov_web::Services;
use tokio::task::JoinSet;

use crate::config::ServeConfig;

/// How often pending messages are sent.
const OUTBOX_EVERY: Duration = Duration::from_secs(2);
/// How often the signing key is checked (it rotates every 30 days).
const KEYS_EVERY: Duration = Duration::from_secs(3600);

/// Starts the background tasks; abort them on shutdown.
pub fn spawn(services: &Services, config: &ServeConfig) -> anyhow::Result<JoinSet<()>> {
    let mut tasks = JoinSet::new();
    let notifier = notifier(config)?;
    let outbox = spawn_outbox_worker(
        Arc::clone(services.accounts.store()),
        notifier,
        OUTBOX_EVERY,
    );
    tasks.spawn(async move {
        let _ = outbox.await;
    });
    let oidc = Arc::clone(&services.oidc);
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(KEYS_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = oidc.ensure_signing_key(jiff::Timestamp::now()).await {
                tracing::error!(error = %e, "cannot ensure a token-signing key");
            }
        }
    });
    Ok(tasks)
}

/// E-mail goes through SMTP when configured; otherwise, in demo mode, to the
/// log (codes visible there, recipients masked); otherwise it waits, failing.
/// SMS goes to the logging implementation of the SMS interface.
fn notifier(config: &ServeConfig) -> anyhow::Result<Arc<dyn Notifier>> {
    let email: Arc<dyn Notifier> = match (&config.smtp, config.demo) {
        (Some(smtp), _) => Arc::new(SmtpNotifier::new(smtp)?),
        (None, true) => Arc::new(LogNotifier),
        (None, false) => {
            tracing::warn!("no SMTP server configured: e-mail (verification codes) cannot be sent");
            Arc::new(NoEmail)
        }
    };
    Ok(Arc::new(ByChannel {
        email,
        sms: Arc::new(LogNotifier),
    }))
}

/// Refuses to send, so messages stay in the outbox until SMTP is configured.
struct NoEmail;

#[async_trait::async_trait]
impl Notifier for NoEmail {
    async fn send(&self, _message: &OutboxMessage) -> Result<(), String> {
        Err("no SMTP server configured".into())
    }
}
