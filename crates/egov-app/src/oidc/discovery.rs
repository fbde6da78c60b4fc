//! The provider metadata served at `/.well-known/openid-configuration`
//! (OpenID Connect Discovery 1.0 §3).

use egov_domain::identity::policy::scope;

use super::{claims, grant, keys, Oidc};

impl Oidc {
    /// The discovery document.
    pub fn discovery(&self) -> serde_json::Value {
        let issuer = &self.config.issuer;
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oidc/authorize"),
            "token_endpoint": format!("{issuer}/oidc/token"),
            "userinfo_endpoint": format!("{issuer}/oidc/userinfo"),
            "jwks_uri": format!("{issuer}/oidc/jwks"),
            "end_session_endpoint": format!("{issuer}/oidc/logout"),
            "revocation_endpoint": format!("{issuer}/oidc/revoke"),
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "scopes_supported": scope::ALL,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": grant::ALL,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [keys::ALG],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": claims::SUPPORTED,
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
        })
    }
}
