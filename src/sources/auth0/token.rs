//! Management API token by client credentials, cached for its lifetime.
//!
//! The secret and the token live in [`Secret`], whose Debug prints
//! `[REDACTED]` and which has no Display, so neither can leak by `{:?}`.
//! Getting a token per request is a classic cause of Auth0 429s, hence the
//! cache.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::sources::http::{HttpClient, Secret};

/// Refresh this long before the token expires, so it never dies mid-page.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Token {
    access: Secret,
    expires_at: Instant,
}

/// Fetches and caches the Management API token of one pull.
#[derive(Debug)]
pub(crate) struct TokenSource {
    base_url: String,
    client_id: String,
    client_secret: Secret,
    cached: RefCell<Option<Token>>,
}

impl TokenSource {
    pub(crate) fn new(base_url: &str, client_id: &str, client_secret: Secret) -> Self {
        TokenSource {
            base_url: base_url.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            client_secret,
            cached: RefCell::new(None),
        }
    }

    /// The audience of the Management API: `<base>/api/v2/`, slash included.
    pub(crate) fn audience(&self) -> String {
        format!("{}/api/v2/", self.base_url)
    }

    /// A valid access token, fetched on first use and again when expired.
    ///
    /// # Errors
    /// When Auth0 refuses the credentials or answers without a token. The
    /// message never contains the secret or the token.
    pub(crate) fn bearer(&self, http: &HttpClient) -> Result<Secret> {
        if let Some(token) = self.cached.borrow().as_ref() {
            if Instant::now() + EXPIRY_MARGIN < token.expires_at {
                return Ok(token.access.clone());
            }
        }
        let token = self.fetch(http)?;
        let access = token.access.clone();
        *self.cached.borrow_mut() = Some(token);
        Ok(access)
    }

    /// Drops the cached token (the Management API refused it) and fetches a new one.
    ///
    /// # Errors
    /// As [`TokenSource::bearer`].
    pub(crate) fn renew(&self, http: &HttpClient) -> Result<()> {
        let token = self.fetch(http)?;
        *self.cached.borrow_mut() = Some(token);
        Ok(())
    }

    fn fetch(&self, http: &HttpClient) -> Result<Token> {
        if self.client_id.is_empty() || self.client_secret.expose().is_empty() {
            bail!("Auth0 client credentials are missing; set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET");
        }
        let url = format!("{}/oauth/token", self.base_url);
        let audience = self.audience();
        let (body, _) = http
            .post_form(
                &url,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.client_id),
                    ("client_secret", self.client_secret.expose()),
                    ("audience", &audience),
                ],
            )
            .with_context(|| format!("cannot get an Auth0 Management API token for client {}", self.client_id))?;
        parse_token(&body, Instant::now())
    }
}

fn parse_token(body: &Value, now: Instant) -> Result<Token> {
    let Some(access) = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        bail!("the Auth0 token response has no access_token");
    };
    // Auth0's default lifetime is 24 h; a token without expires_in is used
    // for one hour, then fetched again.
    let expires_in = body.get("expires_in").and_then(Value::as_u64).unwrap_or(3600);
    Ok(Token {
        access: Secret::new(access),
        expires_at: now + Duration::from_secs(expires_in),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("s3cr3t-value");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        let source = TokenSource::new("https://acme.us.auth0.com/", "cid", Secret::new("s3cr3t-value"));
        let dbg = format!("{source:?}");
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        assert_eq!(source.audience(), "https://acme.us.auth0.com/api/v2/");
    }

    #[test]
    fn parse_token_reads_the_documented_shape() {
        let body = json!({"access_token": "eyJ.tok.en", "expires_in": 86400, "scope": "read:connections read:logs", "token_type": "Bearer"});
        let now = Instant::now();
        let t = parse_token(&body, now).unwrap();
        assert_eq!(t.access.expose(), "eyJ.tok.en");
        assert_eq!(t.expires_at, now + Duration::from_secs(86400));
        assert!(!format!("{t:?}").contains("eyJ.tok.en"));
        assert!(parse_token(&json!({"error": "access_denied"}), now).is_err());
    }

    #[test]
    fn missing_credentials_fail_before_any_request() {
        let http = HttpClient::new(&Default::default(), crate::sources::auth0::errors::AUTH0).unwrap();
        let source = TokenSource::new("http://127.0.0.1:9", "", Secret::new(""));
        let err = source.bearer(&http).unwrap_err().to_string();
        assert!(err.contains("AUTH0_CLIENT_ID"), "{err}");
        assert_eq!(http.requests(), 0);
    }
}
