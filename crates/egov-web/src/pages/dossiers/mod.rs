//! Dossier pages (hồ sơ): applying online, following one's dossiers, the
//! officials' inbox and actions, the public lookup, checking a signed result
//! and the notifications. Everything works without JavaScript: plain forms
//! that POST (with the session's CSRF token) and answer with a redirect, or
//! with the page again and its errors. Every decision is the use cases'
//! ([`egov_app::Dossiers`]); a page offers only what `DossierView::allowed` lists.
//!
//! Addresses:
//! * `/nop-ho-so/{procedure}` — start an application (GET: what it takes; POST: a draft);
//! * `/ho-so-nhap/{draft}` — the application form (multipart POST: save,
//!   upload, remove a file, submit), `/ho-so-nhap/{draft}/xoa` — discard;
//! * `/ho-so` — my dossiers and drafts; `/ho-so/{code}` — one dossier,
//!   `/ho-so/{code}/da-nop` — the confirmation after submitting,
//!   `/ho-so/{code}/thao-tac` — act (POST), `/ho-so/{code}/bo-sung` — supplement
//!   (multipart POST), `/ho-so/{code}/rut-ho-so` — withdraw (confirmation),
//!   `/ho-so/{code}/phieu/{kind}` — a slip made on demand;
//! * `/ho-so/tai-lieu/{id}` and `/ho-so/tep/{id}` — issued documents and attachments;
//! * `/hop-ho-so` — the officials' inbox;
//! * `/tra-cuu`, `/tra-cuu/{code}` — public lookup by code (the QR codes on slips);
//! * `/kiem-tra-chu-ky` — check a signed result, `/kiem-tra-chu-ky/chung-thu-goc.pem`;
//! * `/thong-bao` — notifications.

mod actions;
pub mod apply;
mod form_view;
pub mod inbox;
mod multipart;
pub mod notifications;
pub mod public;
mod upload;
pub mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use egov_domain::dossier::{DeadlineStatus, DossierStatus};
use egov_domain::identity::Role;
use jiff::Timestamp;

use super::{PageCtx, Pager};
use crate::api::dossiers::RateLimiter;
use crate::auth::{ClientInfo, SignedSession};
use crate::extract::{Paging, QueryReader};
use crate::i18n::{Lang, Messages};
use crate::problem::Problem;
use crate::state::AppState;

pub use multipart::{FilePart, MultipartForm};

/// Files a page form may carry at once (the application form with several
/// documents), on top of the multipart framing.
const FILES_PER_FORM: usize = 4;
/// Room for the multipart framing and the form's text fields.
const FORM_OVERHEAD: usize = 2 * 1024 * 1024;
/// Lines per page of the lists of dossiers and of notifications.
pub const PER_PAGE: u32 = 20;
/// Signature checks (they cost CPU): this many at once, then one every interval.
const VERIFY_BURST: u32 = 10;
const VERIFY_INTERVAL: Duration = Duration::from_secs(6);

/// Every dossier page. The forms that upload accept a larger body than the
/// rest; the public lookup and the signature check are rate limited per
/// client address (a 429 page with `Retry-After`).
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = state
        .dossiers
        .config()
        .max_upload_bytes
        .saturating_mul(FILES_PER_FORM)
        .saturating_add(FORM_OVERHEAD);
    let limited = |burst, interval| Limited {
        state: state.clone(),
        limiter: Arc::new(RateLimiter::new(burst, interval)),
    };
    let uploads = Router::new()
        .route(
            "/ho-so-nhap/{id}",
            get(apply::draft_form).post(apply::draft_post),
        )
        .route("/ho-so/{code}/bo-sung", post(view::supplement))
        .merge(
            Router::new()
                .route(
                    "/kiem-tra-chu-ky",
                    get(public::verify_form).post(public::verify),
                )
                .route_layer(axum::middleware::from_fn_with_state(
                    limited(VERIFY_BURST, VERIFY_INTERVAL),
                    limit,
                )),
        )
        .layer(DefaultBodyLimit::max(upload_limit));
    let lookups = Router::new()
        .route("/tra-cuu/{code}", get(public::lookup))
        .route_layer(axum::middleware::from_fn_with_state(
            // Public lookups: `WebConfig::lookup_burst` and `lookup_interval`.
            limited(state.config.lookup_burst, state.config.lookup_interval),
            limit,
        ));
    Router::new()
        .route(
            "/nop-ho-so/{procedure}",
            get(apply::start_form).post(apply::start),
        )
        .route("/ho-so-nhap/{id}/xoa", post(apply::discard))
        .route("/ho-so", get(inbox::mine))
        .route("/ho-so/tai-lieu/{id}", get(view::document))
        .route("/ho-so/tep/{id}", get(view::attachment))
        .route("/ho-so/{code}", get(view::dossier))
        .route("/ho-so/{code}/da-nop", get(apply::submitted))
        .route("/ho-so/{code}/thao-tac", post(view::act))
        .route("/ho-so/{code}/rut-ho-so", get(view::withdraw_form))
        .route("/ho-so/{code}/phieu/{kind}", get(view::slip))
        .route("/hop-ho-so", get(inbox::inbox))
        .route("/tra-cuu", get(public::lookup_form))
        .route(
            "/kiem-tra-chu-ky/chung-thu-goc.pem",
            get(public::root_certificate),
        )
        .route("/thong-bao", get(notifications::notifications))
        .route("/thong-bao/da-doc", post(notifications::mark_read))
        .merge(uploads)
        .merge(lookups)
}

/// What the rate-limit middleware needs.
#[derive(Clone)]
struct Limited {
    state: AppState,
    limiter: Arc<RateLimiter>,
}

/// Middleware: a 429 page with `Retry-After` once the caller's bucket is empty.
async fn limit(State(limited): State<Limited>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(client) = ClientInfo::from_request_parts(&mut parts, &limited.state).await;
    let key = client.ip.unwrap_or_else(|| "unknown".to_owned());
    if let Err(wait) = limited.limiter.check(&key, Instant::now()) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let Ok(ctx) = PageCtx::from_request_parts(&mut parts, &limited.state).await;
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "/problems/rate-limited",
            "Too many requests",
            "too many requests from this address",
        );
        problem.retry_after = Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        return ctx.problem_page(&problem);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// A moment as people in Vietnam read it (UTC+7): `05/03/2026 14:05`.
pub fn when(lang: Lang, t: Timestamp) -> String {
    let zoned = t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    match lang {
        Lang::Vi => zoned.strftime("%d/%m/%Y %H:%M").to_string(),
        Lang::En => zoned.strftime("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A date (from a moment) as people in Vietnam read it.
pub fn day(lang: Lang, t: Timestamp) -> String {
    super::procedures::local_date(lang, t)
}

/// The status in words with its national code: `Đã tiếp nhận (mã 2)`.
pub fn status_text(t: Messages, status: DossierStatus) -> String {
    t.fill(
        "dossier.status_with_code",
        &[
            ("status", &t.label("dossier_status", status.as_str())),
            ("code", &status.code().to_string()),
        ],
    )
}

/// Message-key suffix of a deadline status.
pub fn deadline_key(d: DeadlineStatus) -> &'static str {
    match d {
        DeadlineStatus::NoDeadline => "no-deadline",
        DeadlineStatus::OnTrack => "on-track",
        DeadlineStatus::DueSoon => "due-soon",
        DeadlineStatus::Overdue => "overdue",
        DeadlineStatus::FinishedOnTime => "finished-on-time",
        DeadlineStatus::FinishedLate => "finished-late",
    }
}

/// The deadline in words (never colour alone) and the CSS class of its flag.
pub fn deadline_flag(t: Messages, d: DeadlineStatus) -> (String, &'static str) {
    let class = match d {
        DeadlineStatus::Overdue | DeadlineStatus::FinishedLate => "flag flag-late",
        DeadlineStatus::DueSoon => "flag flag-soon",
        DeadlineStatus::OnTrack | DeadlineStatus::FinishedOnTime => "flag flag-ok",
        DeadlineStatus::NoDeadline => "flag",
    };
    (t.label("deadline", deadline_key(d)), class)
}

/// The role in words, for the timeline and the current step.
pub fn role_text(t: Messages, role: Option<Role>) -> String {
    role.map(|r| t.label("role", r.as_str()))
        .unwrap_or_default()
}

/// The signed-in person, or the answer that sends them to sign in first
/// (coming back to `back`, a page that can be shown with GET).
pub fn signed_in<'a>(ctx: &'a PageCtx, back: &str) -> Result<&'a SignedSession, Box<Response>> {
    ctx.session()
        .ok_or_else(|| Box::new(ctx.finish(super::see_other(&super::sign_in_href(back)))))
}

/// Whether `token` is the session's CSRF token.
pub fn csrf_ok(session: &SignedSession, token: &str) -> bool {
    egov_app::identity::check_csrf(&session.session, token).is_ok()
}

/// The signed-in person who posted a form carrying the session's CSRF
/// token (`csrf`), or the answer: sign in first (coming back to `back`), or
/// the form refused.
pub fn signed_in_form<'a>(
    ctx: &'a PageCtx,
    back: &str,
    csrf: Option<&str>,
) -> Result<&'a SignedSession, Box<Response>> {
    let session = signed_in(ctx, back)?;
    if csrf_ok(session, csrf.unwrap_or("")) {
        Ok(session)
    } else {
        Err(Box::new(ctx.csrf_refused()))
    }
}

/// The query of a list page (my dossiers, the notifications) and the page
/// it asks for (`page`, [`PER_PAGE`] lines each), or the problem page.
pub fn list_query(ctx: &PageCtx, uri: &Uri) -> Result<(QueryReader, Paging), Box<Response>> {
    let read = || -> Result<_, Problem> {
        let query = QueryReader::from_uri(uri)?;
        let page = query.number("page", 1, Paging::MAX_PAGE)?.unwrap_or(1);
        Ok((
            query,
            Paging {
                page,
                per_page: PER_PAGE,
            },
        ))
    };
    read().map_err(|p| Box::new(ctx.problem_page(&p)))
}

/// The `done` parameter of a page's address: what the form that redirected
/// there did (the page shows a notice for it). Anything unreadable is none.
pub fn done_param(uri: &Uri) -> Option<String> {
    QueryReader::from_uri(uri)
        .ok()?
        .text("done", 40)
        .ok()
        .flatten()
}

/// The pager of the list at `path` (`{path}?page=n`).
pub fn list_pager(path: &str, paging: Paging, total: u64) -> Pager {
    Pager::new(paging.page, paging.per_page, total, |n| {
        super::href(path, &[("page".to_owned(), n.to_string())])
    })
}

/// A file to download (the stored media type, saved rather than shown),
/// kept out of shared caches.
pub fn download(ctx: &PageCtx, bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    ctx.finish(crate::api::dossiers::files::download(
        bytes,
        content_type,
        file_name,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_shown_in_vietnam_time() {
        let t: Timestamp = "2026-03-05T07:05:00Z".parse().unwrap();
        assert_eq!(when(Lang::Vi, t), "05/03/2026 14:05");
        assert_eq!(when(Lang::En, t), "2026-03-05 14:05");
    }

    /// Every label the dossier pages look up by an enum's value exists in
    /// both languages (a missing one would show the bare value).
    #[test]
    fn every_dossier_label_exists_in_both_languages() {
        use egov_app::ports::DocumentKind;
        use egov_domain::attachment::AttachmentRejected;
        use egov_domain::dossier::Transition;
        use egov_domain::service::FieldErrorCode as C;
        let mut keys: Vec<String> = DossierStatus::ALL
            .iter()
            .map(|s| format!("dossier_status.{}", s.as_str()))
            .collect();
        keys.push("dossier_action.submit".into());
        for t in Transition::ALL {
            keys.push(format!("dossier_action.{}", t.as_str()));
            for prefix in ["act.heading", "act.intro", "act.button", "act.done"] {
                keys.push(format!("{prefix}.{}", t.as_str()));
            }
        }
        keys.extend(
            DocumentKind::ALL
                .iter()
                .map(|k| format!("document_kind.{}", k.as_str())),
        );
        for d in [
            DeadlineStatus::NoDeadline,
            DeadlineStatus::OnTrack,
            DeadlineStatus::DueSoon,
            DeadlineStatus::Overdue,
            DeadlineStatus::FinishedOnTime,
            DeadlineStatus::FinishedLate,
        ] {
            keys.push(format!("deadline.{}", deadline_key(d)));
        }
        for code in [
            C::Required,
            C::UnknownField,
            C::WrongType,
            C::TooLong,
            C::NotANumber,
            C::OutOfRange,
            C::InvalidDate,
            C::DateInFuture,
            C::DateInPast,
            C::InvalidNationalId,
            C::UnknownUnit,
            C::NotAnOption,
            C::TooFewRows,
            C::TooManyRows,
            C::TooManyFiles,
            C::FileType,
        ] {
            keys.push(format!("field_error.{}", form_view::code_name(code)));
        }
        for e in [
            AttachmentRejected::Empty,
            AttachmentRejected::TooLarge { limit: 1, size: 2 },
            AttachmentRejected::ForbiddenType,
            AttachmentRejected::TypeMismatch {
                declared: "pdf".into(),
                actual: None,
            },
        ] {
            keys.push(format!("attachment_error.{}", e.code()));
        }
        keys.extend((1..=5).map(|n| format!("rating.{n}")));
        for lang in [Lang::Vi, Lang::En] {
            let t = lang.messages();
            let missing: Vec<&String> = keys.iter().filter(|k| t.get(k) == k.as_str()).collect();
            assert!(missing.is_empty(), "{lang:?} misses {missing:?}");
        }
    }

    #[test]
    fn statuses_carry_their_national_code() {
        let t = Lang::Vi.messages();
        let text = status_text(t, DossierStatus::Received);
        assert!(text.contains('2') && text.contains("tiếp nhận"), "{text}");
        let (flag, class) = deadline_flag(t, DeadlineStatus::Overdue);
        assert!(flag.contains("Quá hạn"), "{flag}");
        assert!(class.contains("late"));
    }
}
