//! The OpenAPI 3.1 document (`GET /api/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` attributes and the domain types' schemas.

use axum::extract::State;
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};

use crate::api::dossiers::{actions, drafts, filing, inbox, json as dossier_json, public};
use crate::api::{
    self, accounts, admin, admin_units, agencies, audit, clients, me, officials, procedures,
};
use crate::problem::{Problem, ProblemItem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "egov API",
        description = "Administrative procedures, administrative units (before and after the \
            1 July 2025 reform) and agencies of Vietnam; accounts, officials and the OpenID \
            Connect provider's clients; online services and dossiers (applications, their processing, \
            signed results). Errors are RFC 9457 problem details. Calls for a person \
            carry an access token from this server's OpenID Connect provider (`bearer_jwt`; its \
            scopes limit what it may do) or, from pages of this site, the session cookie with an \
            `X-Requested-With` header (`session_cookie`). The OpenID Connect endpoints themselves \
            are described at `/.well-known/openid-configuration`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        procedures::search,
        procedures::get,
        procedures::versions,
        procedures::version,
        admin_units::list,
        admin_units::get,
        agencies::list,
        agencies::get,
        admin::import_admin_units,
        admin::import_successions,
        admin::import_agencies,
        admin::import_procedures,
        admin::put_procedure,
        admin::put_agency,
        admin::rebuild_search,
        me::get,
        me::patch,
        me::verify,
        accounts::register,
        accounts::get,
        accounts::sign_in,
        accounts::sign_out,
        officials::list,
        officials::create,
        officials::set_roles,
        clients::list,
        clients::create,
        audit::list,
        api::dossiers::services::list,
        api::dossiers::services::get,
        api::dossiers::services::publish,
        api::dossiers::services::calendar_year,
        api::dossiers::services::declare_day,
        api::dossiers::services::remove_day,
        drafts::create,
        drafts::list,
        drafts::get,
        drafts::save,
        drafts::discard,
        drafts::upload_to_draft,
        drafts::upload_to_dossier,
        drafts::remove_attachment,
        drafts::download_attachment,
        filing::submit,
        filing::mine,
        filing::view,
        filing::document,
        filing::slip,
        actions::accept,
        actions::refuse_intake,
        actions::assign,
        actions::transfer,
        actions::propose,
        actions::send_back,
        actions::request_supplement,
        actions::supplement,
        actions::approve,
        actions::stop,
        actions::withdraw,
        actions::return_result,
        actions::apologise,
        actions::message,
        actions::rate,
        inbox::inbox,
        inbox::notifications,
        inbox::mark_read,
        public::status,
        public::verify,
        public::root_certificate,
        api::healthz,
        api::readyz,
        crate::metrics::metrics,
        openapi_json,
    ),
    components(schemas(
        Problem,
        ProblemItem,
        procedures::ProcedureHit,
        procedures::ProcedureSearchPage,
        procedures::VersionHistory,
        admin_units::AdminUnitPage,
        admin_units::AdminUnitDetail,
        agencies::AgencyPage,
        admin::ImportFormat,
        admin::RebuildReport,
        egov_app::ports::ImportCounts,
        egov_app::catalogue::Successor,
        egov_domain::Procedure,
        egov_domain::ProcedureVersion,
        egov_domain::VersionSummary,
        egov_domain::Tier,
        egov_domain::OnlineMode,
        egov_domain::AdminUnit,
        egov_domain::Era,
        egov_domain::UnitLevel,
        egov_domain::UnitKind,
        egov_domain::Agency,
        egov_domain::AgencyKind,
        me::Me,
        me::MeUpdate,
        me::Contact,
        me::Verification,
        accounts::Registration,
        accounts::SignInRequest,
        accounts::SessionCreated,
        officials::OfficialPage,
        officials::NewOfficial,
        officials::Roles,
        clients::NewClient,
        clients::RegisteredClient,
        audit::AuditPage,
        egov_domain::identity::Account,
        egov_domain::identity::AccountKind,
        egov_domain::identity::AccountStatus,
        egov_domain::identity::Organisation,
        egov_domain::identity::RoleAssignment,
        egov_domain::identity::Role,
        egov_domain::identity::Sex,
        egov_app::ports::AuditEntry,
        egov_app::ports::Outcome,
        egov_app::ports::OidcClient,
        egov_app::ports::ClientKind,
        egov_app::dossiers::ServiceSummary,
        egov_app::dossiers::CalendarYear,
        egov_app::dossiers::TimelineEntry,
        egov_app::dossiers::PublicStatus,
        egov_app::dossiers::SignatureCheck,
        egov_app::ports::DocumentKind,
        dossier_json::PublishedService,
        dossier_json::PublishResult,
        dossier_json::DraftJson,
        dossier_json::DraftViewJson,
        dossier_json::AttachmentJson,
        dossier_json::DocumentJson,
        dossier_json::DossierJson,
        dossier_json::StepJson,
        dossier_json::DossierViewJson,
        dossier_json::DossierSummary,
        dossier_json::DossierPage,
        dossier_json::NotificationJson,
        dossier_json::NotificationPage,
        dossier_json::MarkedRead,
        dossier_json::Bare,
        api::dossiers::services::DayDeclaration,
        drafts::NewDraft,
        drafts::DraftValues,
        drafts::UploadForm,
        filing::Submit,
        actions::Reason,
        actions::Note,
        actions::AssignBody,
        actions::TransferBody,
        actions::ApologyBody,
        actions::MessageBody,
        actions::RatingBody,
        public::VerifyForm,
        egov_domain::service::ServiceDefinition,
        egov_domain::service::LocalText,
        egov_domain::service::FormSpec,
        egov_domain::service::FieldSpec,
        egov_domain::service::FieldKind,
        egov_domain::service::Prefill,
        egov_domain::service::Condition,
        egov_domain::service::ChoiceOption,
        egov_domain::service::FeeSpec,
        egov_domain::service::PayableAt,
        egov_domain::service::StepSpec,
        egov_domain::service::ResultSpec,
        egov_domain::service::FieldErrorCode,
        egov_domain::attachment::MediaType,
        egov_domain::calendar::Holiday,
        egov_domain::calendar::HolidayKey,
        egov_domain::calendar::HolidayKind,
        egov_domain::calendar::CalendarOverride,
        egov_domain::calendar::OverrideKind,
        egov_domain::dossier::DossierStatus,
        egov_domain::dossier::Transition,
        egov_domain::dossier::DeadlineStatus,
        egov_domain::dossier::Outcome,
        egov_domain::Channel,
    )),
    modifiers(&SecuritySchemes),
    tags(
        (name = "procedures", description = "The procedure catalogue (thủ tục hành chính)"),
        (name = "administrative units", description = "Provinces and communes (đơn vị hành chính)"),
        (name = "agencies", description = "Agencies (cơ quan)"),
        (name = "admin", description = "Imports and edits; bearer token required"),
        (name = "accounts", description = "Registration, one's own account, sessions (tài khoản)"),
        (name = "officials", description = "Officials, their roles, the audit log (cán bộ)"),
        (name = "openid connect", description = "Clients of the OpenID Connect provider"),
        (name = "services", description = "Online services (dịch vụ công trực tuyến) and the working-day calendar"),
        (name = "dossiers", description = "Drafts, uploads, submission, one's dossiers, the officials' inbox, notifications (hồ sơ)"),
        (name = "dossier actions", description = "What the desk, specialists, leaders and applicants do with a dossier"),
        (name = "public", description = "Without signing in: a dossier's status by code, signature checks, the root certificate"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

/// Declares how callers authenticate: the deployment's admin token, access
/// tokens (JWT) from the OpenID Connect provider, and the session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The deployment's admin token (acts as the operator)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "bearer_jwt",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from /oidc/token; its scopes limit what it may do",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "egov_session",
                "The web session (`__Host-egov_session` over https); send `X-Requested-With` too",
            ))),
        );
    }
}

/// The document, with this server's public address when configured.
pub fn document(public_base_url: Option<&str>) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    if let Some(url) = public_base_url {
        doc.servers = Some(vec![Server::new(url.trim_end_matches('/'))]);
    }
    doc
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn openapi_json(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(document(state.config.public_base_url.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_is_openapi_3_1_with_every_route() {
        let json = serde_json::to_value(document(Some("https://example.gov.vn/"))).unwrap();
        assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
        assert_eq!(json["servers"][0]["url"], "https://example.gov.vn");
        let paths = json["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/procedures/{code}/versions/{version}"));
        assert!(json["components"]["schemas"]["Problem"].is_object());
        assert!(json["components"]["securitySchemes"]["admin_token"].is_object());
        assert_eq!(
            json["components"]["securitySchemes"]["bearer_jwt"]["bearerFormat"],
            "JWT"
        );
        assert_eq!(
            json["components"]["securitySchemes"]["session_cookie"]["in"],
            "cookie"
        );
        for path in [
            "/api/v1/me",
            "/api/v1/accounts/{id}",
            "/api/v1/admin/officials",
            "/api/v1/admin/oidc-clients",
            "/api/v1/admin/audit",
            "/api/v1/services/{procedure_code}",
            "/api/v1/dossiers",
            "/api/v1/dossiers/{code}/approve",
            "/api/v1/public/dossiers/{code}",
        ] {
            assert!(paths.contains_key(path), "{path}");
        }
        assert!(json["paths"]["/api/v1/me"]["get"]["security"].is_array());
    }
}
