//! A token endpoint for real sign-in flows: `POST /{tenant}/oauth2/v2.0/token`, the client
//! credentials grant of the Microsoft identity platform, so that an app's real sign-in code can
//! run against the mock.
//!
//! The apps it knows are registered with `--app CLIENT_ID:SECRET:Role1,Role2` ([`AppRegistration`]).
//! It answers, in the identity platform's shape, an unsigned JWT whose `roles` are the app's;
//! with `--auth scopes` the mock then enforces those roles like any other token's. A client
//! assertion (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`) is
//! accepted for a registered app without checking its signature: the mock has no keys to check
//! it against. Refusals use the identity platform's error body (`error`, `error_description`,
//! `error_codes`, ...): a wrong secret is a 401 `invalid_client`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// How long the tokens it issues last, in seconds (as the identity platform's usually do).
pub const TOKEN_LIFETIME_SECONDS: i64 = 3599;

/// An app the token endpoint knows: `--app CLIENT_ID:SECRET:Role1,Role2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRegistration {
    /// The application (client) id.
    pub client_id: String,
    /// Its client secret.
    pub secret: String,
    /// The application permissions its tokens carry, e.g. `User.Read.All`.
    pub roles: Vec<String>,
}

impl std::str::FromStr for AppRegistration {
    type Err = String;

    /// `CLIENT_ID:SECRET:Role1,Role2` (the roles may be empty).
    fn from_str(text: &str) -> Result<AppRegistration, String> {
        let mut parts = text.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(client_id), Some(secret), roles)
                if !client_id.is_empty() && !secret.is_empty() =>
            {
                Ok(AppRegistration {
                    client_id: client_id.to_owned(),
                    secret: secret.to_owned(),
                    roles: roles
                        .unwrap_or_default()
                        .split(',')
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
            }
            _ => Err(format!(
                "`{text}` is not CLIENT_ID:SECRET:Role1,Role2 (a client id and a secret are needed)"
            )),
        }
    }
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form: std::collections::BTreeMap<String, String> =
        form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return refusal(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type; the mock supports client_credentials.",
        );
    }
    let scope = field("scope");
    if !scope.ends_with("/.default") {
        return refusal(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value '{scope}' for the input parameter 'scope' is not valid: the client credentials flow asks for 'https://graph.microsoft.com/.default'."
            ),
        );
    }
    let client_id = field("client_id");
    let Some(app) = state.config.apps.iter().find(|a| a.client_id == client_id) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        );
    };
    let assertion = field("client_assertion_type")
        == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        && !field("client_assertion").is_empty();
    if !assertion && field("client_secret") != app.secret {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
        );
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "aud": "https://graph.microsoft.com",
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_LIFETIME_SECONDS,
        "appid": app.client_id,
        "tid": tenant,
        "roles": app.roles,
    });
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "ext_expires_in": TOKEN_LIFETIME_SECONDS,
        "access_token": crate::auth::unsigned_token(&claims),
    }))
    .into_response()
}

/// An error in the identity platform's shape.
fn refusal(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    (
        status,
        axum::Json(json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description} Trace ID: {trace_id}"),
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": uuid::Uuid::new_v4().to_string(),
        })),
    )
        .into_response()
}
