//! One-time codes (mã xác minh): six random digits sent by e-mail or SMS
//! through the outbox, stored only as a SHA-256 digest, valid for a short
//! time and a few wrong entries.

use egov_domain::identity::AccountId;
use egov_domain::InvalidField;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use subtle::ConstantTimeEq;

use super::{after, new_id, sha256_hex, Accounts};
use crate::ports::{Channel, CodePurpose, OneTimeCode, OutboxMessage};
use crate::AppError;

/// Which text carries the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeMessage {
    /// Verifying an e-mail address or phone number.
    Verify,
    /// Resetting a forgotten password.
    Reset,
    /// A new official setting their first password.
    Welcome,
}

/// Six random digits.
pub(crate) fn new_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

/// The stored digest: bound to the account and purpose, so equal codes of
/// two accounts do not hash alike.
pub(crate) fn code_hash(account: &AccountId, purpose: CodePurpose, code: &str) -> String {
    sha256_hex(&format!(
        "{}:{}:{}",
        account.0,
        purpose.as_str(),
        code.trim()
    ))
}

/// The one answer to every problem with a code (wrong, expired, used up,
/// none sent, unknown account).
pub(crate) fn wrong_code() -> AppError {
    AppError::Invalid(InvalidField::new(
        "code",
        "is wrong or has expired; ask for a new one",
    ))
}

fn validity(ttl: SignedDuration) -> (String, String) {
    let minutes = ttl.as_secs() / 60;
    if minutes >= 120 && minutes % 60 == 0 {
        let hours = minutes / 60;
        (format!("{hours} giờ"), format!("{hours} hours"))
    } else {
        (format!("{minutes} phút"), format!("{minutes} minutes"))
    }
}

/// Subject and body: Vietnamese first; e-mails add an English translation.
pub(crate) fn message_text(
    kind: CodeMessage,
    code: &str,
    ttl: SignedDuration,
    channel: Channel,
) -> (String, String) {
    let (vi_ttl, en_ttl) = validity(ttl);
    let (subject, vi, en) = match kind {
        CodeMessage::Verify => (
            "egov: mã xác minh / verification code",
            format!("Mã xác minh egov của bạn là {code}. Mã có hiệu lực trong {vi_ttl}. Không chia sẻ mã này với bất kỳ ai."),
            format!("Your egov verification code is {code}. It is valid for {en_ttl}. Do not share it with anyone."),
        ),
        CodeMessage::Reset => (
            "egov: đặt lại mật khẩu / password reset",
            format!("Mã đặt lại mật khẩu egov của bạn là {code}. Mã có hiệu lực trong {vi_ttl}. Nếu bạn không yêu cầu, hãy bỏ qua tin này."),
            format!("Your egov password reset code is {code}. It is valid for {en_ttl}. If you did not ask for it, ignore this message."),
        ),
        CodeMessage::Welcome => (
            "egov: tài khoản cán bộ / official account",
            format!("Tài khoản cán bộ egov của bạn đã được tạo; tên đăng nhập là địa chỉ e-mail này. Để đặt mật khẩu, chọn \"Quên mật khẩu\" và nhập mã {code} (hiệu lực {vi_ttl})."),
            format!("Your egov official account has been created; your login is this e-mail address. To set your password, choose \"Forgot password\" and enter the code {code} (valid for {en_ttl})."),
        ),
    };
    let body = match channel {
        Channel::Sms => vi,
        Channel::Email => format!("{vi}\n\n{en}\n"),
    };
    (subject.to_owned(), body)
}

impl Accounts {
    /// Creates a code for `purpose`, replacing any earlier one, and queues the
    /// message carrying it to `target`, in one transaction.
    pub(crate) async fn send_code(
        &self,
        account: &AccountId,
        purpose: CodePurpose,
        kind: CodeMessage,
        channel: Channel,
        target: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let ttl = match kind {
            CodeMessage::Welcome => self.config.welcome_code_ttl,
            CodeMessage::Verify | CodeMessage::Reset => self.config.code_ttl,
        };
        let code = new_code();
        let (subject, body) = message_text(kind, &code, ttl, channel);
        let stored = OneTimeCode {
            account_id: account.clone(),
            purpose,
            target: target.to_owned(),
            code_hash: code_hash(account, purpose, &code),
            expires_at: after(now, ttl),
            attempts: 0,
        };
        let message = OutboxMessage {
            id: new_id(),
            channel,
            recipient: target.to_owned(),
            subject,
            body,
            created_at: now,
            attempts: 0,
            sent_at: None,
            last_error: None,
        };
        self.store.put_code(&stored, &message).await?;
        Ok(())
    }

    /// Checks an entered code. A right one is returned (the caller deletes it
    /// once the action succeeded); a wrong one counts, and the code is thrown
    /// away when expired or after too many wrong entries.
    pub(crate) async fn check_code(
        &self,
        account: &AccountId,
        purpose: CodePurpose,
        code: &str,
        now: Timestamp,
    ) -> Result<OneTimeCode, AppError> {
        let Some(stored) = self.store.code(account, purpose).await? else {
            return Err(wrong_code());
        };
        let max = self.config.code_max_attempts;
        if stored.expires_at <= now || stored.attempts >= max {
            self.store.delete_code(account, purpose).await?;
            return Err(wrong_code());
        }
        let given = code_hash(account, purpose, code);
        if bool::from(given.as_bytes().ct_eq(stored.code_hash.as_bytes())) {
            return Ok(stored);
        }
        let attempts = self.store.count_code_attempt(account, purpose).await?;
        if attempts >= max {
            self.store.delete_code(account, purpose).await?;
        }
        Err(wrong_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn hashes_bind_account_and_purpose_and_ignore_spaces() {
        let a = AccountId("a".into());
        let b = AccountId("b".into());
        let h = code_hash(&a, CodePurpose::VerifyEmail, "123456");
        assert_eq!(h, code_hash(&a, CodePurpose::VerifyEmail, " 123456 "));
        assert_ne!(h, code_hash(&b, CodePurpose::VerifyEmail, "123456"));
        assert_ne!(h, code_hash(&a, CodePurpose::VerifyPhone, "123456"));
        assert!(!h.contains("123456"));
    }

    #[test]
    fn messages_carry_the_code_and_validity() {
        let (subject, body) = message_text(
            CodeMessage::Verify,
            "042917",
            SignedDuration::from_mins(15),
            Channel::Email,
        );
        assert!(subject.contains("mã xác minh"));
        assert!(body.contains("042917") && body.contains("15 phút") && body.contains("15 minutes"));
        let (_, sms) = message_text(
            CodeMessage::Welcome,
            "042917",
            SignedDuration::from_hours(72),
            Channel::Sms,
        );
        assert!(sms.contains("72 giờ") && !sms.contains("hours"));
    }
}
