//! What a failed Management API call means for the user: the next step for a 401
//! (credentials, a token for another tenant) and a 403 (the scope to grant).

use crate::sources::http::{ApiError, Service};

/// The Auth0 Management API, as `sources::http` names it in messages.
pub(super) const AUTH0: Service = Service { name: "Auth0", hint };

/// The Management API scope a read of `path` needs.
fn scope_for_path(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    if path.starts_with("/api/v2/organizations") && path.contains("connections") {
        Some("read:organization_connections")
    } else if path.starts_with("/api/v2/organizations") {
        Some("read:organizations")
    } else if path.starts_with("/api/v2/connections") {
        Some("read:connections")
    } else if path.starts_with("/api/v2/logs") {
        Some("read:logs")
    } else if path.starts_with("/api/v2/stats") {
        Some("read:stats")
    } else {
        None
    }
}

/// What to do about a 401/403, as a `; ...` suffix (empty otherwise).
fn hint(err: &ApiError) -> String {
    let token_call = err.path.starts_with("/oauth/token");
    match err.status {
        401 | 403 if token_call => {
            "; check AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, and that the application is authorized for the Auth0 Management API (a client grant) on this domain".to_string()
        }
        401 => "; the Management API rejected the token (bad credentials, an expired token, or a token for another domain); check AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and --domain".to_string(),
        403 => {
            let expected = err
                .message
                .split_once("expected any of:")
                .map(|(_, s)| s.split('(').next().unwrap_or(s).trim().trim_end_matches('.').to_string());
            let scope = expected.or_else(|| scope_for_path(&err.path).map(str::to_string));
            match scope {
                Some(scope) => format!(
                    "; the Management API token lacks the scope {scope}: grant it to the application under Applications > APIs > Auth0 Management API > Machine to Machine Applications"
                ),
                None => "; the Management API token lacks a scope for this call".to_string(),
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, path: &str, message: &str) -> ApiError {
        let mut err = crate::sources::http::test_api_error(status, path, message);
        err.code = Some("insufficient_scope".into());
        err
    }

    #[test]
    fn hint_names_the_missing_scope() {
        let hint = hint(&error(
            403,
            "/api/v2/organizations?take=50",
            "Insufficient scope, expected any of: read:organizations",
        ));
        assert!(
            hint.contains("read:organizations") && !hint.contains("(insufficient_scope)"),
            "{hint}"
        );
        let hint = super::hint(&error(
            403,
            "/api/v2/organizations/org_1/enabled_connections",
            "Forbidden",
        ));
        assert!(hint.contains("read:organization_connections"), "{hint}");
        assert!(super::hint(&error(401, "/oauth/token", "Unauthorized")).contains("AUTH0_CLIENT_SECRET"));
        assert_eq!(super::hint(&error(404, "/api/v2/connections", "nope")), "");
    }
}
