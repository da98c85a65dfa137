//! Pulling a dump from the Auth0 Management API: connections, organizations
//! (with their enabled connections) and successful-login logs, paged and
//! rate-limited through `sources::http`.
//!
//! Never puts the client secret or the token anywhere but the token request
//! and the `Authorization` header.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveTime};
use indicatif::ProgressBar;
use serde_json::Value;

use super::classify::is_enterprise;
use super::dump::Auth0Dump;
use super::errors::AUTH0;
use super::pager::{checkpoint_pages, link_pages, list_body, offset_pages, OffsetPage};
use super::token::TokenSource;
use crate::sources::http::{
    encode_component, next_link, renewing_token_on_401, Headers, HttpClient, HttpSettings, Secret,
};

/// Page size: Auth0's documented maximum on public cloud for connections,
/// organizations and enabled connections.
const PAGE_SIZE: usize = 50;
/// Logs allow up to 100 per page.
const LOG_PAGE_SIZE: usize = 100;
/// Longest log retention Auth0 offers (Enterprise plans).
const MAX_LOG_RETENTION_DAYS: u32 = 30;

/// Everything a pull needs. `client_secret` is never printed: Debug is
/// hand-written.
#[derive(Clone)]
pub(crate) struct PullOptions {
    /// `https://acme.us.auth0.com` or `http://127.0.0.1:PORT`; see [`base_url_from_domain`].
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// Successful logins of the last `log_days` days ending on `as_of`
    /// (both ends included); 0 = do not pull logs.
    pub log_days: u32,
    pub as_of: NaiveDate,
    /// Timeouts, CA bundles, retries and the client-side limit of requests per second.
    pub http: HttpSettings,
    /// Draw a progress spinner on stderr (the caller checks it is a terminal).
    pub progress: bool,
}

impl std::fmt::Debug for PullOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PullOptions")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("log_days", &self.log_days)
            .field("as_of", &self.as_of)
            .field("http", &self.http)
            .field("progress", &self.progress)
            .finish()
    }
}

/// What a pull cost, and what the caller should tell the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PullStats {
    /// HTTP requests sent, retries and the token request included.
    pub requests: u64,
    pub retries: u64,
    pub elapsed: Duration,
    pub warnings: Vec<String>,
}

/// `acme.us.auth0.com` → `https://acme.us.auth0.com`; a full URL is kept,
/// without its trailing slash.
pub(crate) fn base_url_from_domain(domain: &str) -> String {
    let d = domain.trim().trim_end_matches('/');
    if d.contains("://") {
        d.to_string()
    } else {
        format!("https://{d}")
    }
}

/// The first and last day of the log window.
pub(crate) fn log_window(as_of: NaiveDate, log_days: u32) -> (NaiveDate, NaiveDate) {
    let start = as_of - chrono::Days::new(u64::from(log_days.max(1) - 1));
    (start, as_of)
}

struct Api<'a> {
    http: &'a HttpClient,
    tokens: &'a TokenSource,
    base: &'a str,
    progress: &'a ProgressBar,
}

impl Api<'_> {
    /// GETs a page with the cached token; a 401 (a token expired or revoked in the
    /// middle of the pull) fetches a new one and tries once more.
    fn get(&self, path_and_query: &str) -> Result<(Value, Headers)> {
        let url = if path_and_query.starts_with("http://") || path_and_query.starts_with("https://") {
            path_and_query.to_string()
        } else {
            format!("{}{path_and_query}", self.base)
        };
        renewing_token_on_401(
            || self.tokens.bearer(self.http),
            |bearer| self.http.get_json(&url, bearer),
            || self.tokens.renew(self.http),
        )
    }

    fn checkpoint_list(&self, what: &str, path: &str, key: &str) -> Result<Vec<Value>> {
        let mut count = 0usize;
        let items = checkpoint_pages(what, |from| {
            let mut q = format!("{path}?take={PAGE_SIZE}");
            if let Some(from) = from {
                q.push_str(&format!("&from={}", encode_component(from)));
            }
            let (body, _) = self.get(&q)?;
            let (items, _, next) = list_body(body, key).with_context(|| format!("unexpected response to GET {q}"))?;
            count += items.len();
            self.progress.set_message(format!("Auth0: {count} {what}"));
            Ok((items, next))
        })?;
        Ok(dedupe_by(items, "id"))
    }

    fn enabled_connections(&self, org_id: &str) -> Result<Vec<Value>> {
        let path = format!("/api/v2/organizations/{}/enabled_connections", encode_component(org_id));
        offset_pages(&format!("enabled connections of {org_id}"), PAGE_SIZE, |page| {
            let q = format!("{path}?page={page}&per_page={PAGE_SIZE}&include_totals=true");
            let (body, _) = self.get(&q)?;
            let (items, total, _) =
                list_body(body, "enabled_connections").with_context(|| format!("unexpected response to GET {q}"))?;
            Ok(OffsetPage { items, total })
        })
    }

    /// Successful logins in the window. Search mode caps at 1,000 results,
    /// so search only finds the first login of the window; checkpoint paging
    /// (unbounded, ascending `log_id`, i.e. time) exports the rest, and we
    /// filter `type` and `date` locally.
    fn logins(&self, as_of: NaiveDate, log_days: u32) -> Result<Vec<Value>> {
        let (first_day, last_day) = log_window(as_of, log_days);
        let start = first_day.and_time(NaiveTime::MIN).and_utc();
        let end = (last_day + chrono::Days::new(1)).and_time(NaiveTime::MIN).and_utc();
        let in_window = |log: &Value| -> Option<bool> {
            let date = chrono::DateTime::parse_from_rfc3339(log.get("date")?.as_str()?).ok()?;
            Some(date >= start && date < end)
        };
        let past_window = |log: &Value| -> bool {
            let date = log
                .get("date")
                .and_then(Value::as_str)
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok());
            date.is_some_and(|d| d >= end)
        };

        let q = format!("type:s AND date:[{} TO *]", first_day.format("%Y-%m-%d"));
        let search = format!(
            "/api/v2/logs?q={}&sort={}&page=0&per_page=1",
            encode_component(&q),
            encode_component("date:1")
        );
        let (body, _) = self.get(&search)?;
        let (first, _, _) = list_body(body, "logs").with_context(|| format!("unexpected response to GET {search}"))?;
        let Some(first) = first.into_iter().next() else {
            return Ok(Vec::new());
        };
        let Some(first_id) = first.get("log_id").and_then(Value::as_str).map(str::to_string) else {
            anyhow::bail!("the first login log of the window has no log_id");
        };

        let mut scanned = 0usize;
        let first_url = format!(
            "{}/api/v2/logs?from={}&take={LOG_PAGE_SIZE}",
            self.base,
            encode_component(&first_id)
        );
        let rest = link_pages(
            "logs",
            first_url,
            |url| {
                let (body, headers) = self.get(url)?;
                let (items, _, _) =
                    list_body(body, "logs").with_context(|| "unexpected response to GET /api/v2/logs (checkpoint)")?;
                scanned += items.len();
                self.progress
                    .set_message(format!("Auth0: {scanned} log events scanned"));
                Ok((items, next_link(&headers)))
            },
            |page| page.last().is_some_and(past_window),
        )?;
        let logins = std::iter::once(first)
            .chain(rest)
            .filter(|log| log.get("type").and_then(Value::as_str) == Some("s") && in_window(log) == Some(true))
            .collect();
        Ok(dedupe_by(logins, "log_id"))
    }
}

/// Keeps the first object per `key` value (objects without it are kept).
fn dedupe_by(items: Vec<Value>, key: &str) -> Vec<Value> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|v| match v.get(key).and_then(Value::as_str) {
            Some(id) => seen.insert(id.to_string()),
            None => true,
        })
        .collect()
}

/// Asks Auth0 for a Management API token with `opts`' credentials, and nothing else:
/// what `refresh --dry-run` checks before a run would pull. Returns the requests made.
///
/// # Errors
/// When the tenant cannot be reached or refuses the credentials; never with the
/// secret or a token in the message.
pub(crate) fn check_token(opts: &PullOptions) -> Result<u64> {
    let (base, http, tokens) = connect(opts)?;
    tokens
        .bearer(&http)
        .with_context(|| format!("cannot get a Management API token from Auth0 at {base}"))?;
    Ok(http.requests())
}

/// The tenant's base URL, the HTTP client of `opts` and the source of its tokens.
fn connect(opts: &PullOptions) -> Result<(String, HttpClient, TokenSource)> {
    let base = opts.base_url.trim_end_matches('/').to_string();
    let http = HttpClient::new(&opts.http, AUTH0)?;
    let tokens = TokenSource::new(&base, &opts.client_id, Secret::new(opts.client_secret.clone()));
    Ok((base, http, tokens))
}

/// Pulls a dump from the Management API.
///
/// # Errors
/// On any failed request (after retries) or unexpected body; nothing is
/// returned half-done, so the caller's store stays as it was.
pub(crate) fn fetch_dump(opts: &PullOptions) -> Result<(Auth0Dump, PullStats)> {
    let started = Instant::now();
    let (base, http, tokens) = connect(opts)?;
    let progress = crate::progress::pull_spinner(opts.progress);
    let api = Api {
        http: &http,
        tokens: &tokens,
        base: &base,
        progress: &progress,
    };
    let result = pull(&api, opts);
    progress.finish_and_clear();
    let (dump, mut warnings) = result.with_context(|| format!("cannot pull from Auth0 at {base}"))?;
    if opts.log_days > MAX_LOG_RETENTION_DAYS {
        warnings.push(format!(
            "--log-days {} is longer than Auth0 keeps logs (at most {MAX_LOG_RETENTION_DAYS} days, by plan); older logins are missing",
            opts.log_days
        ));
    }
    let stats = PullStats {
        requests: http.requests(),
        retries: http.retries(),
        elapsed: started.elapsed(),
        warnings,
    };
    Ok((dump, stats))
}

fn pull(api: &Api<'_>, opts: &PullOptions) -> Result<(Auth0Dump, Vec<String>)> {
    let mut warnings = Vec::new();
    let connections = api
        .checkpoint_list("connections", "/api/v2/connections", "connections")
        .context("cannot list connections")?;
    let enterprise: Vec<&Value> = connections
        .iter()
        .filter(|c| c.get("strategy").and_then(Value::as_str).is_some_and(is_enterprise))
        .collect();
    let without_options = enterprise
        .iter()
        .filter(|c| !c.get("options").is_some_and(Value::is_object))
        .count();
    if without_options > 0 {
        warnings.push(format!(
            "{without_options} of {} enterprise connections came back without options, so their IdP vendor cannot be detected; grant the read:connections_options scope to the Management API client",
            enterprise.len()
        ));
    }

    let mut organizations = api
        .checkpoint_list("organizations", "/api/v2/organizations", "organizations")
        .context("cannot list organizations")?;
    let total = organizations.len();
    for (i, org) in organizations.iter_mut().enumerate() {
        let Some(org_id) = org.get("id").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        api.progress
            .set_message(format!("Auth0: enabled connections of organization {}/{total}", i + 1));
        let enabled = api
            .enabled_connections(&org_id)
            .with_context(|| format!("cannot list the enabled connections of organization {org_id}"))?;
        if let Value::Object(map) = org {
            map.insert("enabled_connections".into(), Value::Array(enabled));
        }
    }

    let logs = if opts.log_days == 0 {
        None
    } else {
        Some(
            api.logins(opts.as_of, opts.log_days)
                .context("cannot export login logs")?,
        )
    };
    Ok((
        Auth0Dump {
            connections,
            organizations,
            logs,
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_from_domain_accepts_host_or_url() {
        assert_eq!(base_url_from_domain("acme.us.auth0.com"), "https://acme.us.auth0.com");
        assert_eq!(
            base_url_from_domain(" acme.us.auth0.com/ "),
            "https://acme.us.auth0.com"
        );
        assert_eq!(base_url_from_domain("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(base_url_from_domain("https://login.acme.com"), "https://login.acme.com");
    }

    #[test]
    fn log_window_ends_on_as_of_and_spans_log_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(log_window(d("2026-09-30"), 30), (d("2026-09-01"), d("2026-09-30")));
        assert_eq!(log_window(d("2026-09-30"), 1), (d("2026-09-30"), d("2026-09-30")));
    }

    #[test]
    fn pull_options_debug_hides_the_secret() {
        let opts = PullOptions {
            base_url: "https://acme.us.auth0.com".into(),
            client_id: "cid".into(),
            client_secret: "s3cr3t-value".into(),
            log_days: 30,
            as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            http: HttpSettings::default(),
            progress: false,
        };
        assert!(!format!("{opts:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn dedupe_by_keeps_first() {
        let v = vec![
            serde_json::json!({"id": "a", "n": 1}),
            serde_json::json!({"id": "a", "n": 2}),
            serde_json::json!({"n": 3}),
        ];
        assert_eq!(dedupe_by(v, "id").len(), 2);
    }
}
