//! A session with one Salesforce org: the access token (the OAuth 2.0 client
//! credentials flow at `{instance_url}/services/oauth2/token`, or an existing token
//! from `SALESFORCE_ACCESS_TOKEN`), authorised calls that fetch a new token once when
//! one is refused mid-pull, the org's API usage from `Sforce-Limit-Info`, and what
//! Salesforce's error codes mean for the user.
//!
//! The client secret and the tokens live in [`Secret`]s; they go into the token
//! request and the `Authorization` header and nowhere else.

use std::cell::{Cell, RefCell};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::sources::http::{
    display_path, renewing_token_on_401, ApiError, Body, Headers, HttpClient, Reply, Request, Secret, Service,
};

/// The token endpoint of the client credentials flow, below the instance URL.
pub(crate) const TOKEN_PATH: &str = "/services/oauth2/token";

/// Salesforce, as `sources::http` names it in messages.
pub(crate) const SALESFORCE: Service = Service {
    name: "Salesforce",
    hint,
};

/// How the pull gets its access token. Debug never shows a secret.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    /// The Connected App's consumer key (`SALESFORCE_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Its consumer secret (`SALESFORCE_CLIENT_SECRET`).
    pub client_secret: Option<Secret>,
    /// An existing token (`SALESFORCE_ACCESS_TOKEN`), used first when given.
    pub access_token: Option<Secret>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("access_token", &self.access_token)
            .finish()
    }
}

impl Credentials {
    fn client_credentials(&self) -> Option<(&str, &Secret)> {
        match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => Some((id.as_str(), secret)),
            _ => None,
        }
    }
}

/// The org's daily API requests, as the last `Sforce-Limit-Info: api-usage=USED/LIMIT` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ApiUsage {
    pub used: u64,
    pub limit: u64,
}

impl ApiUsage {
    pub(crate) fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    fn from_headers(headers: &Headers) -> Option<ApiUsage> {
        let info = headers.get("sforce-limit-info")?;
        let usage = info
            .split(',')
            .find_map(|part| part.trim().strip_prefix("api-usage="))?;
        let (used, limit) = usage.split_once('/')?;
        Some(ApiUsage {
            used: used.trim().parse().ok()?,
            limit: limit.trim().parse().ok()?,
        })
    }
}

/// Authorised calls to one org.
pub(crate) struct Session<'a> {
    http: &'a HttpClient,
    /// `https://acme.my.salesforce.com`, no trailing slash.
    instance_url: String,
    credentials: Credentials,
    token: RefCell<Option<Secret>>,
    token_requests: Cell<u64>,
    usage: Cell<Option<ApiUsage>>,
}

impl<'a> Session<'a> {
    pub(crate) fn new(http: &'a HttpClient, instance_url: &str, credentials: Credentials) -> Session<'a> {
        Session {
            http,
            instance_url: instance_url.trim_end_matches('/').to_string(),
            token: RefCell::new(credentials.access_token.clone()),
            credentials,
            token_requests: Cell::new(0),
            usage: Cell::new(None),
        }
    }

    /// Token requests sent so far (they do not count against the daily API limit).
    pub(crate) fn token_requests(&self) -> u64 {
        self.token_requests.get()
    }

    /// The org's API usage, as the last answer that carried it said.
    pub(crate) fn usage(&self) -> Option<ApiUsage> {
        self.usage.get()
    }

    /// `https://host/path` for a path of the org (or a full URL, kept).
    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.instance_url)
        }
    }

    /// GET `path` asking for `accept` (`application/json`, `text/csv`).
    pub(crate) fn get(&self, path: &str, accept: &str) -> Result<Reply> {
        let url = self.url(path);
        self.authorised(|token| self.http.send(Request::get(&url).bearer(token).accept(accept)))
    }

    /// GET `path` as JSON.
    pub(crate) fn get_json(&self, path: &str) -> Result<(Value, Headers)> {
        let reply = self.get(path, "application/json")?;
        let value = serde_json::from_slice(&reply.body)
            .with_context(|| format!("GET {} returned a body that is not JSON", display_path(path)))?;
        Ok((value, reply.headers))
    }

    /// POST `json` to `path`, JSON back.
    pub(crate) fn post_json(&self, path: &str, json: &str) -> Result<Value> {
        let url = self.url(path);
        let reply = self.authorised(|token| self.http.send(Request::post(&url, Body::Json(json)).bearer(token)))?;
        serde_json::from_slice(&reply.body)
            .with_context(|| format!("POST {} returned a body that is not JSON", display_path(path)))
    }

    /// Runs `call` with the token; when it is refused (401), fetches a new one once.
    fn authorised(&self, call: impl Fn(&str) -> Result<Reply>) -> Result<Reply> {
        let reply = renewing_token_on_401(|| self.token(), call, || self.renew())?;
        if let Some(usage) = ApiUsage::from_headers(&reply.headers) {
            self.usage.set(Some(usage));
        }
        Ok(reply)
    }

    /// Whether the session fetches its own tokens (the client credentials flow) rather
    /// than using `SALESFORCE_ACCESS_TOKEN` alone.
    pub(super) fn has_client_credentials(&self) -> bool {
        self.credentials.client_credentials().is_some()
    }

    /// The token, fetched from the token endpoint when the session has none yet.
    pub(super) fn token(&self) -> Result<Secret> {
        if let Some(token) = self.token.borrow().as_ref() {
            return Ok(token.clone());
        }
        let token = self.fetch_token()?;
        *self.token.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    /// A new token after a 401: only the client credentials flow can give one.
    fn renew(&self) -> Result<()> {
        if self.credentials.client_credentials().is_none() {
            bail!(
                "Salesforce refused SALESFORCE_ACCESS_TOKEN (it expired or was revoked); get a new one, e.g. from \
                 `sf org display --json`, or set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET so that the pull \
                 can fetch its own"
            );
        }
        let token = self.fetch_token()?;
        *self.token.borrow_mut() = Some(token);
        Ok(())
    }

    fn fetch_token(&self) -> Result<Secret> {
        let Some((client_id, client_secret)) = self.credentials.client_credentials() else {
            bail!(
                "no Salesforce credentials; set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (a Connected App \
                 with the client credentials flow), or SALESFORCE_ACCESS_TOKEN"
            );
        };
        self.token_requests.set(self.token_requests.get() + 1);
        let url = self.url(TOKEN_PATH);
        let (body, _) = self
            .http
            .post_form(
                &url,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", client_secret.expose()),
                ],
            )
            .with_context(|| format!("cannot get a Salesforce access token for the Connected App {client_id}"))?;
        match body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            Some(token) => Ok(Secret::new(token)),
            None => bail!("the Salesforce token response has no access_token"),
        }
    }
}

/// What a failed call means for the user, as a `; ...` suffix.
fn hint(err: &ApiError) -> String {
    if err.path.starts_with(TOKEN_PATH) {
        return "; check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (the Connected App's consumer key and \
                secret), that the app enables the client credentials flow with a run-as user, and that the instance \
                URL is the org's My Domain URL (https://<domain>.my.salesforce.com)"
            .to_string();
    }
    let text = match err.code.as_deref() {
        Some("INVALID_SESSION_ID") => {
            "the access token expired or was revoked, or the Connected App lacks the client credentials flow; \
             with SALESFORCE_ACCESS_TOKEN get a new token (`sf org display --json`), with client credentials check \
             the app's run-as user and its OAuth policies"
        }
        Some("INVALID_FIELD") => {
            "a field named in [salesforce.fields] (or in [salesforce] where) is not on the object; set the field's \
             API name (Setup > Object Manager > Fields & Relationships) in featurearr.toml"
        }
        Some("MALFORMED_QUERY") => {
            "the SOQL is not valid; check [salesforce] where (a SOQL condition such as Type = 'Customer'), object \
             and [salesforce.fields] in featurearr.toml"
        }
        Some("INVALID_TYPE") => {
            "[salesforce] object names no object the run-as user can read; check the object's API name and the \
             user's permissions"
        }
        Some("REQUEST_LIMIT_EXCEEDED") => {
            "the org has used up its daily API requests (a rolling 24 hours); try again later, pull with --bulk \
             (a few requests whatever the size), or ask Salesforce for a higher limit"
        }
        Some("API_DISABLED_FOR_ORG") | Some("API_CURRENTLY_DISABLED") => {
            "the org or the run-as user has no API access; the user's profile needs the API Enabled permission"
        }
        Some("INSUFFICIENT_ACCESS") | Some("INSUFFICIENT_ACCESS_OR_READONLY") => {
            "the run-as user cannot read the object or a field; grant read access in its profile or a permission set"
        }
        _ if err.status == 404 => "check the instance URL and [salesforce] api_version (e.g. 62.0)",
        _ => return String::new(),
    };
    format!("; {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::http::test_api_error;

    #[test]
    fn api_usage_is_read_from_sforce_limit_info() {
        let headers = Headers::new(vec![("Sforce-Limit-Info".into(), "api-usage=25/15000".into())]);
        let usage = ApiUsage::from_headers(&headers).unwrap();
        assert_eq!((usage.used, usage.limit, usage.remaining()), (25, 15000, 14975));
        assert_eq!(ApiUsage::from_headers(&Headers::default()), None);
        let odd = Headers::new(vec![("sforce-limit-info".into(), "per-app-api-usage=1/2".into())]);
        assert_eq!(ApiUsage::from_headers(&odd), None);
    }

    #[test]
    fn error_codes_map_to_the_next_step() {
        let with_code = |status, path: &str, code: &str| {
            let mut err = test_api_error(status, path, "x");
            err.code = Some(code.into());
            hint(&err)
        };
        assert!(with_code(401, "/services/data/v62.0/query?q=x", "INVALID_SESSION_ID").contains("sf org display"));
        assert!(with_code(400, "/services/data/v62.0/query?q=x", "INVALID_FIELD").contains("[salesforce.fields]"));
        assert!(with_code(400, "/services/data/v62.0/query?q=x", "MALFORMED_QUERY").contains("[salesforce] where"));
        assert!(with_code(403, "/services/data/v62.0/query?q=x", "REQUEST_LIMIT_EXCEEDED").contains("try again later"));
        assert!(with_code(400, "/services/oauth2/token", "invalid_client").contains("SALESFORCE_CLIENT_SECRET"));
        assert_eq!(with_code(400, "/services/data/v62.0/query?q=x", "SOMETHING_ELSE"), "");
    }

    #[test]
    fn credentials_debug_hides_the_secrets() {
        let credentials = Credentials {
            client_id: Some("3MVG9-consumer-key".into()),
            client_secret: Some(Secret::new("s3cr3t-value")),
            access_token: Some(Secret::new("00Dxx!token-value")),
        };
        let text = format!("{credentials:?}");
        assert!(
            !text.contains("s3cr3t-value") && !text.contains("token-value"),
            "{text}"
        );
        assert!(text.contains("3MVG9-consumer-key"));
    }
}
