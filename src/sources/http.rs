//! The one HTTP client: timeouts, User-Agent, client-side rate limit, bounded
//! header-aware retries, and HTTP status → readable error.
//!
//! This is the only file that names `ureq::`. It never puts a bearer token or
//! a client secret into an error message, a Debug string or a log line: every
//! text that leaves it goes through [`redact`] with the secrets of the call.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

/// Default connect/read timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Shortest wait derived from `Retry-After` / `x-ratelimit-reset`, so that a
/// reset already in the past never turns into a tight retry loop.
const MIN_HEADER_WAIT: Duration = Duration::from_millis(100);

/// How many times a failed request is retried, and how long we wait.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt (so at most `1 + max_retries` attempts).
    pub max_retries: u32,
    /// Cap on any single wait, whatever the server asks for.
    pub max_wait: Duration,
    /// First backoff step for 5xx and network errors; doubles per attempt.
    pub base_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(30),
            base_backoff: Duration::from_millis(500),
        }
    }
}

/// Client-side limit of requests per second: a blocking minimum spacing
/// between request starts, shared (via `Arc`) by every call of one pull.
/// Auth0 limits are per tenant and small (2/s on Free, 16/s Enterprise), so
/// staying under them is cheaper than being told off with 429s.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `requests_per_second <= 0`, NaN or infinite means no limit.
    pub(crate) fn new(requests_per_second: f64) -> Self {
        let interval = if requests_per_second.is_finite() && requests_per_second > 0.0 {
            Duration::from_secs_f64(1.0 / requests_per_second)
        } else {
            Duration::ZERO
        };
        RateLimiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Blocks until the next request may start.
    pub(crate) fn acquire(&self) {
        if self.interval.is_zero() {
            return;
        }
        // Holding the lock while sleeping serialises waiters, which is the point.
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let start = match *next {
            Some(t) if t > now => {
                std::thread::sleep(t - now);
                t
            }
            _ => now,
        };
        *next = Some(start + self.interval);
    }
}

/// Response headers, names lower-cased.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Headers(Vec<(String, String)>);

impl Headers {
    pub(crate) fn new(pairs: Vec<(String, String)>) -> Self {
        Headers(pairs.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect())
    }

    /// First value of the header, case-insensitive.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    fn from_response(resp: &ureq::Response) -> Self {
        let pairs = resp
            .headers_names()
            .into_iter()
            .filter_map(|name| {
                let value = resp.header(&name)?.to_string();
                Some((name, value))
            })
            .collect();
        Headers::new(pairs)
    }
}

/// The `rel="next"` URL of an RFC 8288 `Link` header, if any.
pub(crate) fn next_link(headers: &Headers) -> Option<String> {
    let link = headers.get("link")?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        is_next.then(|| target.to_string())
    })
}

/// Percent-encodes one query-string component (RFC 3986 unreserved kept).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Replaces every occurrence of each (non-empty) secret with `[REDACTED]`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "[REDACTED]");
    }
    out
}

/// Path and query of a URL (what errors show), without scheme and host.
/// Query parameters that could carry credentials are masked.
pub(crate) fn display_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let Some((p, query)) = path.split_once('?') else {
        return path.to_string();
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            let k = key.to_ascii_lowercase();
            if k.contains("token") || k.contains("secret") || k.contains("password") {
                format!("{key}=[REDACTED]")
            } else {
                kv.to_string()
            }
        })
        .collect();
    format!("{p}?{}", masked.join("&"))
}

/// Wait before the next attempt after a retryable failure.
///
/// `Retry-After` (seconds or HTTP date) wins; else, for 429, the Auth0
/// `x-ratelimit-reset` epoch seconds minus now; each padded by 25 % (as
/// go-auth0 does, the reset is only second-precise) and clamped to
/// `[100 ms, max_wait]`. Otherwise exponential backoff `base << attempt` plus
/// up to 50 % jitter (`jitter` in `0..1`), capped at `max_wait`.
pub(crate) fn retry_wait(
    status: Option<u16>,
    headers: Option<&Headers>,
    attempt: u32,
    policy: &RetryPolicy,
    now: SystemTime,
    jitter: f64,
) -> Duration {
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let from_headers = headers.and_then(|h| {
        let retry_after = h.get("retry-after").and_then(|v| {
            let v = v.trim();
            if let Ok(secs) = v.parse::<f64>() {
                return Some(secs.max(0.0));
            }
            let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            Some((when.timestamp() as f64 - now_secs).max(0.0))
        });
        retry_after.or_else(|| {
            if status != Some(429) {
                return None;
            }
            let reset = h.get("x-ratelimit-reset")?.trim().parse::<f64>().ok()?;
            Some((reset - now_secs).max(0.0))
        })
    });
    match from_headers {
        Some(secs) => {
            let padded = Duration::from_secs_f64((secs * 1.25).min(1e6));
            padded.clamp(MIN_HEADER_WAIT, policy.max_wait.max(MIN_HEADER_WAIT))
        }
        None => {
            let step = policy.base_backoff.saturating_mul(1u32 << attempt.min(16));
            let jitter = policy.base_backoff.mul_f64(jitter.clamp(0.0, 1.0) * 0.5);
            step.saturating_add(jitter).min(policy.max_wait)
        }
    }
}

/// Cheap jitter in `0..1` without a `rand` dependency.
fn jitter() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let mut x = u64::from(nanos) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x % 10_000) as f64 / 10_000.0
}

/// Settings of an [`HttpClient`].
#[derive(Debug, Clone)]
pub(crate) struct HttpConfig {
    /// Connect and read timeout.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Client-side requests per second; 0 = unlimited.
    pub requests_per_second: f64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            requests_per_second: 0.0,
        }
    }
}

/// Blocking JSON client shared by all calls of one pull.
pub(crate) struct HttpClient {
    agent: ureq::Agent,
    retry: RetryPolicy,
    limiter: Arc<RateLimiter>,
    requests: AtomicU64,
    retries: AtomicU64,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("retry", &self.retry)
            .field("requests", &self.requests())
            .field("retries", &self.retries())
            .finish_non_exhaustive()
    }
}

enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
}

/// One attempt's outcome, before deciding whether to retry.
enum Attempt {
    Done(Value, Headers),
    Retryable {
        status: Option<u16>,
        headers: Option<Headers>,
        why: String,
    },
    Fatal(anyhow::Error),
}

impl HttpClient {
    pub(crate) fn new(config: &HttpConfig) -> Self {
        Self::with_limiter(config, Arc::new(RateLimiter::new(config.requests_per_second)))
    }

    /// A client that shares `limiter` with other clients of the same pull.
    pub(crate) fn with_limiter(config: &HttpConfig, limiter: Arc<RateLimiter>) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(config.timeout)
            .timeout_read(config.timeout)
            .timeout_write(config.timeout)
            .user_agent(&format!("featurearr/{}", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent,
            retry: config.retry.clone(),
            limiter,
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        }
    }

    /// Requests sent so far (attempts, including retries).
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Retries done so far.
    pub(crate) fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// `GET url` with `Authorization: Bearer <bearer>`, JSON body back.
    ///
    /// # Errors
    /// Any 4xx other than 429 at once (method, path, status, Auth0's
    /// `message`, and a hint for 401/403); 429, 5xx, timeouts and connection
    /// errors after `max_retries` retries.
    pub(crate) fn get_json(&self, url: &str, bearer: &str) -> Result<(Value, Headers)> {
        // No token at all (a public URL) sends no Authorization header.
        let token = (!bearer.is_empty()).then_some(bearer);
        self.send("GET", url, token, Body::None, &[bearer])
    }

    /// `POST url` with a form body. Values of fields whose name contains
    /// `secret` or `password` are redacted from any error.
    pub(crate) fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<(Value, Headers)> {
        let secrets = secret_values(fields);
        self.send("POST", url, None, Body::Form(fields), &secrets)
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        bearer: Option<&str>,
        body: Body<'_>,
        secrets: &[&str],
    ) -> Result<(Value, Headers)> {
        let path = display_path(&redact(url, secrets));
        let mut attempt = 0u32;
        loop {
            self.limiter.acquire();
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.attempt(method, url, bearer, &body, &path, secrets) {
                Attempt::Done(value, headers) => return Ok((value, headers)),
                Attempt::Fatal(err) => return Err(err),
                Attempt::Retryable { status, headers, why } => {
                    if attempt >= self.retry.max_retries {
                        let tries = attempt + 1;
                        let plural = if tries == 1 { "" } else { "s" };
                        return Err(anyhow!(
                            "{method} {path} failed after {tries} attempt{plural}: {why}; Auth0 may be down or throttling, try again later"
                        ));
                    }
                    let wait = retry_wait(
                        status,
                        headers.as_ref(),
                        attempt,
                        &self.retry,
                        SystemTime::now(),
                        jitter(),
                    );
                    std::thread::sleep(wait);
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    attempt += 1;
                }
            }
        }
    }

    fn attempt(
        &self,
        method: &str,
        url: &str,
        bearer: Option<&str>,
        body: &Body<'_>,
        path: &str,
        secrets: &[&str],
    ) -> Attempt {
        let mut req = self.agent.request(method, url).set("Accept", "application/json");
        if let Some(token) = bearer {
            req = req.set("Authorization", &format!("Bearer {token}"));
        }
        let result = match body {
            Body::None => req.call(),
            Body::Form(fields) => req.send_form(fields),
        };
        match result {
            Ok(resp) => {
                let headers = Headers::from_response(&resp);
                let text = match resp.into_string() {
                    Ok(t) => t,
                    Err(e) => {
                        return Attempt::Retryable {
                            status: None,
                            headers: None,
                            why: redact(&format!("reading the response body: {e}"), secrets),
                        }
                    }
                };
                match serde_json::from_str(&text) {
                    Ok(value) => Attempt::Done(value, headers),
                    Err(e) => Attempt::Fatal(anyhow!(
                        "{method} {path} returned a body that is not JSON ({e}); is the domain an Auth0 tenant?"
                    )),
                }
            }
            Err(ureq::Error::Status(status, resp)) => {
                let headers = Headers::from_response(&resp);
                let text = resp.into_string().unwrap_or_default();
                let message = redact(&error_message(&text), secrets);
                if status == 429 || (500..=599).contains(&status) {
                    return Attempt::Retryable {
                        status: Some(status),
                        headers: Some(headers),
                        why: format!("HTTP {status}: {message}"),
                    };
                }
                let hint = status_hint(status, path, &message);
                Attempt::Fatal(anyhow!("{method} {path} failed with HTTP {status}: {message}{hint}"))
            }
            Err(ureq::Error::Transport(t)) => Attempt::Retryable {
                status: None,
                headers: None,
                why: redact(&t.to_string(), secrets),
            },
        }
    }
}

impl HttpClient {
    /// Delivers a notification: `POST url` with a JSON body, or `GET url` without one.
    /// Any 2xx answer is success, whatever its body (Slack answers `ok`). 429, 5xx and
    /// network errors are retried under the policy; other 4xx fail at once.
    ///
    /// # Errors
    /// Naming the status or the kind of network failure and the attempts, never the URL:
    /// the whole of a webhook's URL is its credential.
    pub(crate) fn deliver(&self, url: &str, json: Option<&str>) -> Result<()> {
        let mut attempt = 0u32;
        loop {
            self.limiter.acquire();
            self.requests.fetch_add(1, Ordering::Relaxed);
            let request = self.agent.request(if json.is_some() { "POST" } else { "GET" }, url);
            let result = match json {
                Some(body) => request.set("Content-Type", "application/json").send_string(body),
                None => request.call(),
            };
            let (status, headers, why) = match result {
                Ok(_) => return Ok(()),
                Err(ureq::Error::Status(status, resp)) => {
                    let headers = Headers::from_response(&resp);
                    let body: String = resp
                        .into_string()
                        .unwrap_or_default()
                        .trim()
                        .chars()
                        .take(200)
                        .collect();
                    let why = format!("HTTP {status}: {}", redact(&body, &[url]));
                    if status != 429 && !(500..=599).contains(&status) {
                        return Err(anyhow!("{why}"));
                    }
                    (Some(status), Some(headers), why)
                }
                // The transport error's own text names the URL; its kind does not.
                Err(ureq::Error::Transport(t)) => (None, None, t.kind().to_string().to_lowercase()),
            };
            if attempt >= self.retry.max_retries {
                let tries = attempt + 1;
                let plural = if tries == 1 { "" } else { "s" };
                return Err(anyhow!("failed after {tries} attempt{plural}: {why}"));
            }
            std::thread::sleep(retry_wait(
                status,
                headers.as_ref(),
                attempt,
                &self.retry,
                SystemTime::now(),
                jitter(),
            ));
            self.retries.fetch_add(1, Ordering::Relaxed);
            attempt += 1;
        }
    }
}

fn secret_values<'a>(fields: &[(&'a str, &'a str)]) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.contains("secret") || k.contains("password") || k.contains("token")
        })
        .map(|(_, v)| *v)
        .collect()
}

/// The human part of an error body: Auth0 Management API `message`, OAuth
/// `error_description`, `error`, or the start of a non-JSON body.
fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        for key in ["message", "error_description", "error"] {
            if let Some(s) = v.get(key).and_then(Value::as_str) {
                let code = v.get("errorCode").and_then(Value::as_str);
                return match code {
                    Some(code) if key == "message" => format!("{s} ({code})"),
                    _ => s.to_string(),
                };
            }
        }
    }
    let trimmed: String = body.trim().chars().take(200).collect();
    if trimmed.is_empty() {
        "empty body".to_string()
    } else {
        trimmed
    }
}

/// The Management API scope a read of `path` needs.
pub(crate) fn scope_for_path(path: &str) -> Option<&'static str> {
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
fn status_hint(status: u16, path: &str, message: &str) -> String {
    let token_call = path.starts_with("/oauth/token");
    match status {
        401 | 403 if token_call => {
            "; check AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, and that the application is authorized for the Auth0 Management API (a client grant) on this domain".to_string()
        }
        401 => "; the Management API rejected the token (bad credentials, an expired token, or a token for another domain); check AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and --domain".to_string(),
        403 => {
            let expected = message
                .split_once("expected any of:")
                .map(|(_, s)| s.split('(').next().unwrap_or(s).trim().trim_end_matches('.').to_string());
            let scope = expected.or_else(|| scope_for_path(path).map(str::to_string));
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

/// GET one JSON page with a bearer token; return it with the
/// `Link: <...>; rel="next"` URL, if any. For paged JSON sources (flags URL).
pub(crate) fn fetch_json_page(client: &HttpClient, url: &str, bearer: &str) -> Result<(Value, Option<String>)> {
    let (value, headers) = client
        .get_json(url, bearer)
        .with_context(|| format!("cannot fetch {}", display_path(url)))?;
    Ok((value, next_link(&headers)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        Headers::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_wait_retry_after_seconds_wins_and_is_padded() {
        let h = headers(&[("Retry-After", "4"), ("X-RateLimit-Reset", "1000020")]);
        assert_eq!(
            retry_wait(Some(429), Some(&h), 0, &policy(), at(1_000_000), 0.0),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn retry_wait_retry_after_http_date_is_understood() {
        let h = headers(&[("Retry-After", "Thu, 01 Jan 1970 00:00:10 GMT")]);
        assert_eq!(
            retry_wait(Some(503), Some(&h), 0, &policy(), at(2), 0.0),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn retry_wait_ratelimit_reset_minus_now_for_429() {
        let h = headers(&[("x-ratelimit-reset", "1000008")]);
        assert_eq!(
            retry_wait(Some(429), Some(&h), 2, &policy(), at(1_000_000), 0.9),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn retry_wait_reset_in_the_past_has_a_floor() {
        let h = headers(&[("x-ratelimit-reset", "10")]);
        assert_eq!(
            retry_wait(Some(429), Some(&h), 0, &policy(), at(1_000), 0.0),
            MIN_HEADER_WAIT
        );
    }

    #[test]
    fn retry_wait_huge_reset_is_capped_at_max_wait() {
        let h = headers(&[("x-ratelimit-reset", "99999999")]);
        assert_eq!(
            retry_wait(Some(429), Some(&h), 0, &policy(), at(1_000), 0.0),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn retry_wait_reset_header_ignored_for_5xx() {
        let h = headers(&[("x-ratelimit-reset", "1000008")]);
        assert_eq!(
            retry_wait(Some(503), Some(&h), 1, &policy(), at(1_000_000), 0.0),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn retry_wait_backoff_doubles_adds_jitter_and_caps() {
        let p = policy();
        assert_eq!(retry_wait(None, None, 0, &p, at(0), 0.0), Duration::from_millis(500));
        assert_eq!(retry_wait(None, None, 2, &p, at(0), 0.0), Duration::from_millis(2000));
        assert_eq!(retry_wait(None, None, 2, &p, at(0), 1.0), Duration::from_millis(2250));
        assert_eq!(retry_wait(None, None, 10, &p, at(0), 0.5), Duration::from_secs(30));
    }

    #[test]
    fn next_link_finds_rel_next_among_several() {
        let h = headers(&[("Link", "<https://t.auth0.com/api/v2/logs?from=1&take=100>; rel=\"prev\", <https://t.auth0.com/api/v2/logs?from=9&take=100>; rel=\"next\"")]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://t.auth0.com/api/v2/logs?from=9&take=100")
        );
        assert_eq!(next_link(&headers(&[("link", "<https://x/a>; rel=prev")])), None);
        assert_eq!(next_link(&Headers::default()), None);
    }

    #[test]
    fn redact_removes_every_secret() {
        let text = "bad secret s3cr3t-value and token eyJabc.def again s3cr3t-value";
        let out = redact(text, &["s3cr3t-value", "eyJabc.def", ""]);
        assert!(!out.contains("s3cr3t-value") && !out.contains("eyJabc.def"), "{out}");
        assert_eq!(out.matches("[REDACTED]").count(), 3);
    }

    #[test]
    fn display_path_drops_host_and_masks_token_params() {
        assert_eq!(
            display_path("https://t.auth0.com/api/v2/logs?from=1&access_token=abc"),
            "/api/v2/logs?from=1&access_token=[REDACTED]"
        );
        assert_eq!(
            display_path("http://127.0.0.1:9/api/v2/connections"),
            "/api/v2/connections"
        );
    }

    #[test]
    fn error_message_reads_auth0_and_oauth_shapes() {
        let mgmt = r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:organizations","errorCode":"insufficient_scope"}"#;
        assert_eq!(
            error_message(mgmt),
            "Insufficient scope, expected any of: read:organizations (insufficient_scope)"
        );
        assert_eq!(
            error_message(r#"{"error":"access_denied","error_description":"Unauthorized"}"#),
            "Unauthorized"
        );
        assert_eq!(error_message("<html>oops</html>"), "<html>oops</html>");
    }

    #[test]
    fn status_hint_names_the_missing_scope() {
        let hint = status_hint(
            403,
            "/api/v2/organizations?take=50",
            "Insufficient scope, expected any of: read:organizations (insufficient_scope)",
        );
        assert!(
            hint.contains("read:organizations") && !hint.contains("(insufficient_scope)"),
            "{hint}"
        );
        let hint = status_hint(403, "/api/v2/organizations/org_1/enabled_connections", "Forbidden");
        assert!(hint.contains("read:organization_connections"), "{hint}");
        assert!(status_hint(401, "/oauth/token", "Unauthorized").contains("AUTH0_CLIENT_SECRET"));
        assert_eq!(status_hint(404, "/api/v2/connections", "nope"), "");
    }

    #[test]
    fn rate_limiter_spaces_requests() {
        let limiter = RateLimiter::new(50.0);
        let start = Instant::now();
        for _ in 0..6 {
            limiter.acquire();
        }
        assert!(start.elapsed() >= Duration::from_millis(100), "{:?}", start.elapsed());
        let unlimited = RateLimiter::new(0.0);
        let start = Instant::now();
        for _ in 0..100 {
            unlimited.acquire();
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn encode_component_escapes_query_syntax() {
        assert_eq!(
            encode_component("type:s AND date:[2026-09-01 TO *]"),
            "type%3As%20AND%20date%3A%5B2026-09-01%20TO%20%2A%5D"
        );
    }
}
