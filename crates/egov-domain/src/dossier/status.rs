//! The dossier's status (trạng thái hồ sơ) and the one table of legal
//! transitions. Statuses map one-to-one onto the codes used to synchronise
//! with the national portal (1 submitted … 10 result returned).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a dossier stands. `code()` is the national synchronisation code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DossierStatus {
    /// 1 — filed online, awaiting intake at the one-stop desk (mới đăng ký).
    Submitted,
    /// 2 — accepted at intake; the appointment date is set (đã tiếp nhận).
    Received,
    /// 3 — refused at intake with reasons (từ chối tiếp nhận).
    RefusedAtIntake,
    /// 4 — being processed by the competent department (đang xử lý).
    Processing,
    /// 5 — the applicant must supplement the dossier; the clock pauses (yêu cầu bổ sung).
    SupplementRequested,
    /// 6 — waiting for the applicant to pay a fee (yêu cầu thanh toán).
    PaymentRequested,
    /// 7 — withdrawn by the applicant (công dân rút hồ sơ).
    Withdrawn,
    /// 8 — processing stopped, e.g. refused on the merits (dừng xử lý).
    Stopped,
    /// 9 — processed, the result is ready (đã xử lý xong, có kết quả).
    ResultReady,
    /// 10 — the result was returned to the applicant (đã trả kết quả).
    ResultReturned,
}

impl DossierStatus {
    pub const ALL: [DossierStatus; 10] = [
        DossierStatus::Submitted,
        DossierStatus::Received,
        DossierStatus::RefusedAtIntake,
        DossierStatus::Processing,
        DossierStatus::SupplementRequested,
        DossierStatus::PaymentRequested,
        DossierStatus::Withdrawn,
        DossierStatus::Stopped,
        DossierStatus::ResultReady,
        DossierStatus::ResultReturned,
    ];

    /// The national synchronisation code, 1–10.
    pub fn code(self) -> u8 {
        match self {
            DossierStatus::Submitted => 1,
            DossierStatus::Received => 2,
            DossierStatus::RefusedAtIntake => 3,
            DossierStatus::Processing => 4,
            DossierStatus::SupplementRequested => 5,
            DossierStatus::PaymentRequested => 6,
            DossierStatus::Withdrawn => 7,
            DossierStatus::Stopped => 8,
            DossierStatus::ResultReady => 9,
            DossierStatus::ResultReturned => 10,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Stable key for storage and message catalogues.
    pub fn as_str(self) -> &'static str {
        match self {
            DossierStatus::Submitted => "submitted",
            DossierStatus::Received => "received",
            DossierStatus::RefusedAtIntake => "refused-at-intake",
            DossierStatus::Processing => "processing",
            DossierStatus::SupplementRequested => "supplement-requested",
            DossierStatus::PaymentRequested => "payment-requested",
            DossierStatus::Withdrawn => "withdrawn",
            DossierStatus::Stopped => "stopped",
            DossierStatus::ResultReady => "result-ready",
            DossierStatus::ResultReturned => "result-returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// No transition leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DossierStatus::RefusedAtIntake
                | DossierStatus::Withdrawn
                | DossierStatus::Stopped
                | DossierStatus::ResultReturned
        )
    }

    /// Processing has ended (for the on-time rule): a result, a refusal, a
    /// stop or a withdrawal.
    pub fn ends_processing(self) -> bool {
        self.is_final() || self == DossierStatus::ResultReady
    }

    /// Whether the deadline clock runs in this status.
    pub fn clock_runs(self) -> bool {
        matches!(
            self,
            DossierStatus::Received | DossierStatus::Processing | DossierStatus::PaymentRequested
        )
    }
}

/// What can happen to a dossier. Every change of a dossier is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    /// The desk accepts the dossier at intake and sets the appointment date.
    Accept,
    /// The desk refuses the dossier at intake, with reasons.
    RefuseIntake,
    /// An official assigns the dossier to a specialist (or reassigns it).
    Assign,
    /// The dossier is transferred to another agency (liên thông).
    Transfer,
    /// The specialist proposes a decision to the leader.
    Propose,
    /// The leader sends the proposal back to the specialist.
    SendBack,
    /// The desk (at intake) or the specialist asks the applicant for more.
    RequestSupplement,
    /// The applicant supplies what was asked.
    Supplement,
    /// An official asks the applicant to pay a fee.
    RequestPayment,
    /// The payment was confirmed by a verified notification.
    ConfirmPayment,
    /// The leader approves and the signed result is issued.
    Approve,
    /// The leader stops processing (refusal on the merits), with reasons.
    Stop,
    /// The applicant withdraws the dossier.
    Withdraw,
    /// The result is returned to the applicant.
    ReturnResult,
    /// An apology and new appointment date (no change of status).
    Apologise,
    /// A message between the officials and the applicant (no change of status).
    Message,
    /// The applicant rates the service (no change of status).
    Rate,
}

impl Transition {
    pub const ALL: [Transition; 17] = [
        Transition::Accept,
        Transition::RefuseIntake,
        Transition::Assign,
        Transition::Transfer,
        Transition::Propose,
        Transition::SendBack,
        Transition::RequestSupplement,
        Transition::Supplement,
        Transition::RequestPayment,
        Transition::ConfirmPayment,
        Transition::Approve,
        Transition::Stop,
        Transition::Withdraw,
        Transition::ReturnResult,
        Transition::Apologise,
        Transition::Message,
        Transition::Rate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Accept => "accept",
            Transition::RefuseIntake => "refuse-intake",
            Transition::Assign => "assign",
            Transition::Transfer => "transfer",
            Transition::Propose => "propose",
            Transition::SendBack => "send-back",
            Transition::RequestSupplement => "request-supplement",
            Transition::Supplement => "supplement",
            Transition::RequestPayment => "request-payment",
            Transition::ConfirmPayment => "confirm-payment",
            Transition::Approve => "approve",
            Transition::Stop => "stop",
            Transition::Withdraw => "withdraw",
            Transition::ReturnResult => "return-result",
            Transition::Apologise => "apologise",
            Transition::Message => "message",
            Transition::Rate => "rate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Refusal of a transition the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a dossier that is {from} cannot {transition}", from = from.as_str(), transition = transition.as_str())]
pub struct IllegalTransition {
    pub from: DossierStatus,
    pub transition: Transition,
}

/// The status a dossier moves to. `received` says whether the desk has
/// accepted it (a supplement at intake returns it to the desk; one during
/// processing returns it to processing).
pub fn next_status(
    from: DossierStatus,
    transition: Transition,
    received: bool,
) -> Result<DossierStatus, IllegalTransition> {
    use DossierStatus as S;
    use Transition as T;
    let to = match (from, transition) {
        (S::Submitted, T::Accept) => Some(S::Received),
        (S::Submitted, T::RefuseIntake) => Some(S::RefusedAtIntake),
        (S::Received | S::Processing, T::Assign) => Some(S::Processing),
        (S::Processing, T::Transfer | T::Propose | T::SendBack) => Some(S::Processing),
        (S::Submitted | S::Processing, T::RequestSupplement) => Some(S::SupplementRequested),
        (S::SupplementRequested, T::Supplement) => Some(if received {
            S::Processing
        } else {
            S::Submitted
        }),
        (S::Received | S::Processing, T::RequestPayment) => Some(S::PaymentRequested),
        (S::PaymentRequested, T::ConfirmPayment) => Some(S::Processing),
        (S::Processing, T::Approve) => Some(S::ResultReady),
        (S::Received | S::Processing | S::SupplementRequested | S::PaymentRequested, T::Stop) => {
            Some(S::Stopped)
        }
        (
            S::Submitted
            | S::Received
            | S::Processing
            | S::SupplementRequested
            | S::PaymentRequested,
            T::Withdraw,
        ) => Some(S::Withdrawn),
        (S::ResultReady, T::ReturnResult) => Some(S::ResultReturned),
        (s, T::Apologise) if s.clock_runs() || s == S::SupplementRequested => Some(s),
        (s, T::Message) if !s.is_final() || s == S::ResultReturned => Some(s),
        (S::ResultReturned | S::RefusedAtIntake | S::Stopped, T::Rate) => Some(from),
        _ => None,
    };
    to.ok_or(IllegalTransition { from, transition })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DossierStatus as S;
    use Transition as T;

    #[test]
    fn codes_are_one_to_ten_and_round_trip() {
        let codes: Vec<u8> = S::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
        for s in S::ALL {
            assert_eq!(S::from_code(s.code()), Some(s));
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::from_code(0), None);
        assert_eq!(S::from_code(11), None);
        for t in T::ALL {
            assert_eq!(T::parse(t.as_str()), Some(t));
        }
    }

    #[test]
    fn the_happy_path_is_legal() {
        let mut s = S::Submitted;
        for (t, expected) in [
            (T::Accept, S::Received),
            (T::Assign, S::Processing),
            (T::RequestSupplement, S::SupplementRequested),
            (T::Supplement, S::Processing),
            (T::Propose, S::Processing),
            (T::Approve, S::ResultReady),
            (T::ReturnResult, S::ResultReturned),
            (T::Rate, S::ResultReturned),
        ] {
            s = next_status(s, t, true).unwrap();
            assert_eq!(s, expected, "after {t:?}");
        }
    }

    #[test]
    fn a_supplement_at_intake_returns_the_dossier_to_the_desk() {
        let s = next_status(S::Submitted, T::RequestSupplement, false).unwrap();
        assert_eq!(next_status(s, T::Supplement, false).unwrap(), S::Submitted);
    }

    #[test]
    fn nothing_leaves_a_final_status_except_rating_and_messages() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            for t in T::ALL {
                if let Ok(to) = next_status(from, t, true) {
                    assert_eq!(to, from, "{from:?} --{t:?}--> {to:?}");
                    assert!(matches!(t, T::Rate | T::Message), "{from:?} {t:?}");
                }
            }
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        assert_eq!(
            next_status(S::Submitted, T::Approve, false),
            Err(IllegalTransition {
                from: S::Submitted,
                transition: T::Approve
            })
        );
        assert!(next_status(S::ResultReady, T::Withdraw, true).is_err());
        assert!(next_status(S::Processing, T::Rate, true).is_err());
        assert!(next_status(S::Received, T::Approve, true).is_err());
        let message = next_status(S::Withdrawn, T::Accept, false)
            .unwrap_err()
            .to_string();
        assert_eq!(message, "a dossier that is withdrawn cannot accept");
    }
}
