//! The payment of a dossier's fees: what is due and payable, starting and
//! cancelling a payment, an official asking for payment, and moving the
//! dossier on once it is paid.
//!
//! Fee lines come from the service definition the dossier was filed under
//! and its form values (`fee_lines`: per unit, exemptions). Lines payable at
//! submission may be paid while the dossier is open; lines payable before
//! the result once the desk has received it (and until the result is
//! returned). A line is paid when a credited order covers its stage.

use std::sync::Arc;

use egov_domain::dossier::{next_status, Dossier, DossierCode, DossierStatus, Transition};
use egov_domain::identity::{authorize, AccountId, Action, Actor, Denied, Role};
use egov_domain::payment::{
    fee_lines, total, FeeLine, NewPaymentOrder, PaymentOrder, PaymentOrderId,
};
use egov_domain::service::{PayableAt, ServiceDefinition};
use egov_domain::{InvalidField, Vnd};
use egov_payments::{Checkout, PaymentGateway};
use jiff::Timestamp;

use super::{
    lost_races, parse_code, payment_error, person, DossierPayments, PaymentStart, Payments,
    StartPayment, RETRIES,
};
use crate::identity::{after, new_id};
use crate::ports::{
    Change, EventDetail, NewEvent, Notification, PaymentOrderUpdate, PaymentOrderUpdated,
    SideEffects, StoreError, StoredPaymentOrder,
};
use crate::AppError;

/// Longest note an official adds when asking for payment, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// The fee lines due for the dossier (after exemptions).
fn due_lines(service: &ServiceDefinition, dossier: &Dossier) -> Result<Vec<FeeLine>, AppError> {
    fee_lines(service, &dossier.form)
        .map_err(|e| AppError::Conflict(format!("the fees cannot be computed: {e}")))
}

fn sum(lines: &[FeeLine]) -> Result<Vnd, AppError> {
    total(lines).ok_or_else(|| AppError::Conflict("the fees overflow".into()))
}

/// A credited order covers the stage.
fn stage_paid(orders: &[StoredPaymentOrder], stage: PayableAt) -> bool {
    orders
        .iter()
        .filter(|o| o.order.status.is_credited())
        .any(|o| o.order.lines.iter().any(|l| l.payable_at == stage))
}

/// The lines whose stage no credited order covers.
fn unpaid(lines: &[FeeLine], orders: &[StoredPaymentOrder]) -> Vec<FeeLine> {
    lines
        .iter()
        .filter(|l| !stage_paid(orders, l.payable_at))
        .cloned()
        .collect()
}

/// Whether a stage's lines may be paid in the dossier's status.
fn payable(dossier: &Dossier, stage: PayableAt) -> bool {
    !dossier.status.is_final()
        && match stage {
            PayableAt::Submission => true,
            PayableAt::BeforeResult => dossier.received_at.is_some(),
        }
}

/// The role of the dossier's current workflow step.
fn step_role(service: &ServiceDefinition, dossier: &Dossier) -> Option<Role> {
    service
        .workflow
        .get(dossier.step as usize)
        .map(|step| step.role)
}

fn clean_note(note: &str) -> Result<Option<String>, AppError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(
            InvalidField::new("note", format!("at most {MAX_NOTE_CHARS} characters")).into(),
        );
    }
    Ok((!note.is_empty()).then(|| note.to_owned()))
}

/// The change of `dossier` to `next` by `transition`, with its event and an
/// in-app notification of the applicant.
fn change(
    dossier: &Dossier,
    next: Dossier,
    transition: Transition,
    actor: Option<AccountId>,
    role: Option<Role>,
    note: Option<String>,
    now: Timestamp,
) -> Change {
    let notification = Notification {
        id: new_id(),
        account_id: dossier.applicant.clone(),
        dossier: dossier.code.clone(),
        status: next.status,
        action: transition.as_str().to_owned(),
        at: now,
        read_at: None,
    };
    Change {
        event: NewEvent {
            at: now,
            actor,
            action: transition.as_str().to_owned(),
            detail: EventDetail {
                from: Some(dossier.status),
                to: Some(next.status),
                role,
                note,
                ..EventDetail::default()
            },
        },
        expected_version: dossier.version,
        effects: SideEffects {
            documents: Vec::new(),
            notifications: vec![notification],
            outbox: Vec::new(),
        },
        dossier: next,
    }
}

impl Payments {
    /// What the dossier owes, what is paid and what may be paid now, with
    /// its orders.
    pub async fn dossier_payments(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<DossierPayments, AppError> {
        let code = parse_code(code)?;
        let dossier = self.load_dossier(&code).await?;
        let orders = self.store.orders_of(&code).await?;
        let agencies: Vec<String> = orders.iter().map(|o| o.agency.clone()).collect();
        let agencies: Vec<&str> = agencies.iter().map(String::as_str).collect();
        self.authorize_read(actor, &dossier, &agencies).await?;
        let service = self.service_of(&dossier).await?;
        let lines = due_lines(&service, &dossier)?;
        let unpaid = unpaid(&lines, &orders);
        let payable_now: Vec<FeeLine> = unpaid
            .iter()
            .filter(|l| payable(&dossier, l.payable_at))
            .cloned()
            .collect();
        let mut views = Vec::with_capacity(orders.len());
        for order in orders {
            views.push(self.view(order).await?);
        }
        Ok(DossierPayments {
            dossier: code.to_string(),
            total: sum(&lines)?,
            payable_total: sum(&payable_now)?,
            lines,
            unpaid,
            payable_now,
            orders: views,
        })
    }

    /// The applicant starts paying what is payable now: a pending order
    /// (or the dossier's pending order, while it is still payable) and the
    /// gateway's address to send the payer to. An order past its expiry is
    /// expired first.
    pub async fn start(
        &self,
        actor: &Actor,
        code: &str,
        request: StartPayment,
        now: Timestamp,
    ) -> Result<PaymentStart, AppError> {
        let code = parse_code(code)?;
        let dossier = self.load_dossier(&code).await?;
        authorize(
            actor,
            &Action::ActAsApplicant {
                applicant: &dossier.applicant,
            },
        )?;
        let gateway = Arc::clone(self.gateway(&request.gateway)?);
        let service = self.service_of(&dossier).await?;
        let lines = due_lines(&service, &dossier)?;
        for _ in 0..RETRIES {
            let orders = self.store.orders_of(&code).await?;
            let open = orders
                .iter()
                .find(|o| o.order.status == egov_domain::payment::PaymentStatus::Pending);
            if let Some(open) = open {
                if !open.order.is_payable(now) {
                    // Past its expiry: expire it (or find it changed), then look again.
                    self.expire(open, now).await?;
                    continue;
                }
                if open.order.gateway != gateway.code() {
                    return Err(AppError::Conflict(format!(
                        "a payment through {} is in progress until {}; cancel it first",
                        open.order.gateway, open.order.expires_at
                    )));
                }
                let redirect_url = self.checkout_url(gateway.as_ref(), &open.order, &request)?;
                return Ok(PaymentStart {
                    order: open.order.clone(),
                    redirect_url,
                    reused: true,
                });
            }
            let due: Vec<FeeLine> = unpaid(&lines, &orders)
                .into_iter()
                .filter(|l| payable(&dossier, l.payable_at))
                .collect();
            if due.is_empty() {
                return Err(AppError::Conflict(
                    "nothing is to be paid for this dossier now".into(),
                ));
            }
            let id = new_id();
            let order = PaymentOrder::new(NewPaymentOrder {
                id: PaymentOrderId(id.clone()),
                dossier: code.clone(),
                payer: dossier.applicant.clone(),
                lines: due,
                created_at: now,
                expires_at: after(now, self.config.order_ttl),
                gateway: gateway.code().to_owned(),
                gateway_txn_ref: id,
            })
            .map_err(payment_error)?;
            let stored = StoredPaymentOrder {
                order,
                version: 1,
                agency: dossier.receiving_agency.clone(),
                follow_up: false,
                updated_at: now,
            };
            match self.store.create_order(&stored).await {
                Ok(()) => {
                    let redirect_url =
                        self.checkout_url(gateway.as_ref(), &stored.order, &request)?;
                    return Ok(PaymentStart {
                        order: stored.order,
                        redirect_url,
                        reused: false,
                    });
                }
                // Another start for the same dossier won: use its order.
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(lost_races("the dossier's payment"))
    }

    fn checkout_url(
        &self,
        gateway: &dyn PaymentGateway,
        order: &PaymentOrder,
        request: &StartPayment,
    ) -> Result<String, AppError> {
        gateway
            .payment_url(&Checkout {
                txn_ref: order.gateway_txn_ref.clone(),
                amount: order.total,
                description: format!("Thanh toan phi le phi ho so {}", order.dossier),
                lang: request.lang.clone(),
                return_url: self.return_url(gateway.code()),
                ip_addr: request.ip_addr,
                created_at: order.created_at,
                expires_at: order.expires_at,
            })
            .map_err(|e| AppError::Storage(format!("the payment gateway refused the order: {e}")))
    }

    /// Expires a pending order past its expiry; false when it changed meanwhile.
    pub(super) async fn expire(
        &self,
        stored: &StoredPaymentOrder,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let mut order = stored.order.clone();
        order.expire(now).map_err(payment_error)?;
        let update = PaymentOrderUpdate {
            order,
            expected_version: stored.version,
            at: now,
            start_follow_up: false,
            receipt: None,
            refund: None,
            notification: None,
        };
        Ok(matches!(
            self.store.update_order(&update).await?,
            PaymentOrderUpdated::Applied { .. }
        ))
    }

    /// The payer cancels a pending order. A success the gateway reports for
    /// it afterwards is flagged for review, never credited.
    pub async fn cancel(
        &self,
        actor: &Actor,
        order_id: &str,
        now: Timestamp,
    ) -> Result<PaymentOrder, AppError> {
        for _ in 0..RETRIES {
            let stored = self.load_order(order_id).await?;
            authorize(
                actor,
                &Action::ActAsApplicant {
                    applicant: &stored.order.payer,
                },
            )?;
            let mut order = stored.order.clone();
            order.cancel().map_err(payment_error)?;
            let update = PaymentOrderUpdate {
                order: order.clone(),
                expected_version: stored.version,
                at: now,
                start_follow_up: false,
                receipt: None,
                refund: None,
                notification: None,
            };
            if let PaymentOrderUpdated::Applied { .. } = self.store.update_order(&update).await? {
                return Ok(order);
            }
        }
        Err(lost_races("the payment order"))
    }

    /// An official of the dossier's current step asks the applicant to pay
    /// what is still unpaid (status 6, payment requested). The dossier moves
    /// on by itself once a verified notification credits the payment.
    pub async fn request_payment(
        &self,
        actor: &Actor,
        code: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<Dossier, AppError> {
        let code = parse_code(code)?;
        let dossier = self.load_dossier(&code).await?;
        let service = self.service_of(&dossier).await?;
        let role = step_role(&service, &dossier).ok_or_else(|| {
            AppError::Denied(Denied {
                reason: "nobody may ask for payment at this step".into(),
            })
        })?;
        let path = self.agency_path(&dossier.handling_agency).await?;
        authorize(
            actor,
            &Action::ProcessDossier {
                agency_path: &path,
                role,
            },
        )?;
        let to = next_status(
            dossier.status,
            Transition::RequestPayment,
            dossier.received_at.is_some(),
        )?;
        let note = clean_note(note)?;
        let orders = self.store.orders_of(&code).await?;
        if unpaid(&due_lines(&service, &dossier)?, &orders).is_empty() {
            return Err(AppError::Conflict(
                "nothing is left to pay for this dossier".into(),
            ));
        }
        let mut next = dossier.clone();
        next.status = to;
        next.awaiting = None;
        next.version = dossier.version + 1;
        let change = change(
            &dossier,
            next,
            Transition::RequestPayment,
            person(actor),
            Some(role),
            note,
            now,
        );
        if !self.dossiers.apply(&change).await? {
            return Err(AppError::Conflict(
                "the dossier changed meanwhile; reload".into(),
            ));
        }
        Ok(change.dossier)
    }

    /// Moves a dossier waiting for payment back to processing once nothing
    /// is left unpaid (`ConfirmPayment`, by the system). False when there
    /// was nothing to do.
    pub(super) async fn confirm_dossier(
        &self,
        code: &DossierCode,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        for _ in 0..RETRIES {
            let dossier = self.load_dossier(code).await?;
            if dossier.status != DossierStatus::PaymentRequested {
                return Ok(false);
            }
            let service = self.service_of(&dossier).await?;
            let orders = self.store.orders_of(code).await?;
            if !unpaid(&due_lines(&service, &dossier)?, &orders).is_empty() {
                return Ok(false);
            }
            let to = next_status(
                dossier.status,
                Transition::ConfirmPayment,
                dossier.received_at.is_some(),
            )?;
            let mut next = dossier.clone();
            next.status = to;
            next.awaiting = step_role(&service, &dossier);
            next.version = dossier.version + 1;
            let change = change(
                &dossier,
                next,
                Transition::ConfirmPayment,
                None,
                None,
                None,
                now,
            );
            if self.dossiers.apply(&change).await? {
                return Ok(true);
            }
        }
        Err(lost_races("the dossier"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::payment::PaymentStatus;
    use egov_domain::service::LocalText;

    fn line(amount: i64, stage: PayableAt) -> FeeLine {
        FeeLine::new(
            LocalText {
                vi: "Phí".into(),
                en: "Fee".into(),
            },
            Vnd(amount),
            1,
            stage,
        )
        .unwrap()
    }

    fn dossier() -> Dossier {
        Dossier::submitted(egov_domain::dossier::Filing {
            code: DossierCode::parse("A.1-261204-0001").unwrap(),
            procedure_code: egov_domain::ProcedureCode::parse("1.001193").unwrap(),
            service_version: 1,
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: AccountId("citizen".into()),
            applicant_kind: egov_domain::identity::AccountKind::Citizen,
            applicant_name: "Nguyễn Văn An".into(),
            channel: egov_domain::Channel::Online,
            agency: "A.1".into(),
            awaiting: Some(Role::ReceivingOfficer),
            form: serde_json::json!({}),
            submitted_at: "2026-12-04T02:00:00Z".parse().unwrap(),
        })
    }

    fn order(status: PaymentStatus, stage: PayableAt) -> StoredPaymentOrder {
        let dossier = dossier();
        let mut order = PaymentOrder::new(NewPaymentOrder {
            id: PaymentOrderId("o".into()),
            dossier: dossier.code,
            payer: dossier.applicant,
            lines: vec![line(1000, stage)],
            created_at: "2026-12-04T02:00:00Z".parse().unwrap(),
            expires_at: "2026-12-04T02:15:00Z".parse().unwrap(),
            gateway: "vnpay".into(),
            gateway_txn_ref: "o".into(),
        })
        .unwrap();
        order.status = status;
        StoredPaymentOrder {
            order,
            version: 1,
            agency: "A.1".into(),
            follow_up: false,
            updated_at: "2026-12-04T02:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_stage_is_paid_by_a_credited_order_only() {
        let lines = [
            line(50_000, PayableAt::Submission),
            line(8_000, PayableAt::BeforeResult),
        ];
        assert_eq!(unpaid(&lines, &[]).len(), 2);
        for status in [
            PaymentStatus::Pending,
            PaymentStatus::Failed,
            PaymentStatus::Expired,
            PaymentStatus::Cancelled,
        ] {
            assert_eq!(
                unpaid(&lines, &[order(status, PayableAt::Submission)]).len(),
                2,
                "{status:?}"
            );
        }
        let paid = [order(PaymentStatus::Paid, PayableAt::Submission)];
        assert_eq!(
            unpaid(&lines, &paid),
            vec![line(8_000, PayableAt::BeforeResult)]
        );
        let both = [
            order(PaymentStatus::PartiallyRefunded, PayableAt::Submission),
            order(PaymentStatus::Refunded, PayableAt::BeforeResult),
        ];
        assert!(unpaid(&lines, &both).is_empty());
    }

    #[test]
    fn fees_before_the_result_wait_for_intake() {
        let mut d = dossier();
        assert!(payable(&d, PayableAt::Submission));
        assert!(!payable(&d, PayableAt::BeforeResult));
        d.status = DossierStatus::Processing;
        d.received_at = Some(d.submitted_at);
        assert!(payable(&d, PayableAt::BeforeResult));
        d.status = DossierStatus::ResultReady;
        assert!(payable(&d, PayableAt::BeforeResult));
        for status in [
            DossierStatus::Withdrawn,
            DossierStatus::Stopped,
            DossierStatus::ResultReturned,
            DossierStatus::RefusedAtIntake,
        ] {
            d.status = status;
            assert!(!payable(&d, PayableAt::Submission), "{status:?}");
            assert!(!payable(&d, PayableAt::BeforeResult), "{status:?}");
        }
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(clean_note("  ").unwrap(), None);
        assert_eq!(clean_note(" Nộp phí ").unwrap().as_deref(), Some("Nộp phí"));
        assert!(clean_note(&"x".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }
}
