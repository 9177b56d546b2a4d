//! Authentication and permission checks (`--auth bearer|none|scopes`).
//!
//! In `scopes` mode the bearer token is read as an unsigned JWT: its `scp` claim (delegated,
//! space-separated) or `roles` claim (application) must hold one of the operation's documented
//! permissions (all the scopes of one that names several, "A and B"), and an `exp` in the past
//! is refused. Where the docs need no permission ("None.") any token of that kind will do.
//! Operations whose docs have TODO placeholders instead of permissions take any such token that
//! is well formed and unexpired.

use axum::http::HeaderMap;
use base64::Engine;
use serde_json::Value;

use crate::config::AuthMode;
use crate::error::ApiError;
use crate::operation::{OperationMeta, Permission};

/// Checks the request's credentials for `operation`.
pub fn check(
    mode: AuthMode,
    headers: &HeaderMap,
    operation: &OperationMeta,
) -> Result<(), ApiError> {
    if mode == AuthMode::None {
        return Ok(());
    }
    let token = bearer_token(headers)?;
    if mode == AuthMode::Bearer {
        return Ok(());
    }
    let claims = decode_claims(token)?;
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
        && exp < time::OffsetDateTime::now_utc().unix_timestamp()
    {
        return Err(ApiError::unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    // Any valid token may call what the docs leave without permissions.
    if operation.permissions.is_undetermined() {
        return Ok(());
    }
    let (held, allowed, kind): (Vec<&str>, &Permission, &str) =
        if let Some(roles) = claims.get("roles") {
            let roles = roles
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            (roles, &operation.permissions.application, "application")
        } else {
            let scopes = claims
                .get("scp")
                .and_then(Value::as_str)
                .map(|s| s.split_whitespace().collect())
                .unwrap_or_default();
            (scopes, &operation.permissions.delegated, "delegated")
        };
    let granted = match allowed {
        Permission::Scopes(alternatives) => alternatives
            .iter()
            .any(|all| graph_spec::scopes_of(all).all(|scope| held.contains(&scope))),
        Permission::NoneRequired => true,
        Permission::NotSupported | Permission::Undetermined => false,
    };
    if granted {
        Ok(())
    } else {
        let needed = match allowed {
            Permission::Scopes(scopes) => scopes.join(", "),
            _ => "none (not supported)".to_owned(),
        };
        Err(ApiError::forbidden(format!(
            "Either the signed-in user does not have sufficient privileges, or you need to consult the relevant Microsoft Graph documentation to find the correct permissions. The {kind} permissions that allow this call: {needed}."
        )))
    }
}

/// The claims of the request's bearer token, when it is a JWT (whatever `--auth` says).
pub(crate) fn bearer_claims(headers: &HeaderMap) -> Option<serde_json::Map<String, Value>> {
    let token = bearer_token(headers).ok()?;
    // An opaque token (`Bearer test-token`) has no claims.
    if token.bytes().filter(|&b| b == b'.').count() != 2 {
        return None;
    }
    decode_claims(token).ok()
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("Access token is empty."))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("Access token has an invalid character."))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthorized(
            "The Authorization header must be `Bearer <token>`.",
        )),
    }
}

/// The claims of an unsigned (or unverified) JWT: the middle segment, base64url JSON.
fn decode_claims(token: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    let invalid = || {
        ApiError::unauthorized(
            "Invalid JWT token: the token is not header.claims.signature with base64url JSON claims.",
        )
    };
    let payload = token.split('.').nth(1).ok_or_else(invalid)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| invalid())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(invalid()),
    }
}

/// Builds an unsigned JWT with the given claims, for tests and for users' test suites.
pub fn unsigned_token(claims: &Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = engine.encode(claims.to_string());
    format!("{header}.{body}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{Kind, Permissions};
    use axum::http::HeaderValue;

    /// An operation whose docs leave its permissions as TODOs.
    fn undetermined() -> OperationMeta {
        OperationMeta {
            permissions: Permissions {
                delegated: Permission::Undetermined,
                application: Permission::Undetermined,
            },
            ..OperationMeta::for_test(Kind::Get, Vec::new())
        }
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        headers.insert(axum::http::header::AUTHORIZATION, value);
        headers
    }

    /// Without documented permissions any scope will do, but the token must still be one.
    #[test]
    fn undetermined_permissions_still_need_a_valid_token() {
        let undetermined = undetermined();
        let check = |headers: &HeaderMap| check(AuthMode::Scopes, headers, &undetermined);
        let valid = unsigned_token(&serde_json::json!({ "scp": "" }));
        assert!(check(&bearer(&valid)).is_ok());
        let expired = unsigned_token(&serde_json::json!({ "scp": "", "exp": 1_000 }));
        for refused in [bearer("not-a-jwt"), bearer(&expired), HeaderMap::new()] {
            let error = check(&refused).unwrap_err();
            assert_eq!(error.status.as_u16(), 401, "{}", error.message);
        }
        // `--auth bearer` takes any bearer token.
        assert!(super::check(AuthMode::Bearer, &bearer("not-a-jwt"), &undetermined).is_ok());
    }

    /// "A and B" needs both scopes; "None." needs none, for its kind of caller only.
    #[test]
    fn a_combined_permission_needs_all_its_scopes_and_none_needs_no_scope() {
        let operation = OperationMeta {
            permissions: Permissions {
                delegated: Permission::Scopes(vec![
                    "Policy.Read.All and Application.Read.All".to_owned(),
                ]),
                application: Permission::NoneRequired,
            },
            ..undetermined()
        };
        let status = |claims: serde_json::Value| {
            let headers = bearer(&unsigned_token(&claims));
            check(AuthMode::Scopes, &headers, &operation)
                .map_or_else(|e| e.status.as_u16(), |()| 200)
        };
        use serde_json::json;
        assert_eq!(
            status(json!({ "scp": "Application.Read.All Policy.Read.All" })),
            200
        );
        assert_eq!(status(json!({ "scp": "Policy.Read.All" })), 403);
        assert_eq!(status(json!({ "scp": "Policy.Read.All and" })), 403);
        assert_eq!(status(json!({ "roles": [] })), 200);
    }
}
