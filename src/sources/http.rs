//! The one HTTP client of every live source (flag URLs, Auth0, Salesforce): proxies
//! from the environment, extra CA bundles, connect and read timeouts, User-Agent,
//! client-side rate limit, one retry policy, and HTTP status → readable error.
//!
//! This is the only file that names `reqwest::`. The retry policy: 429 waits for
//! `Retry-After` or the reset header; 5xx, timeouts and dropped connections retry with
//! capped backoff and jitter; any other 4xx fails at once with the service's own error
//! text (an Auth0 `message`, Salesforce's `[{message, errorCode}]`) as an [`ApiError`]
//! that the source turns into the user's next step. Attempts are bounded.
//!
//! It never puts a bearer token or a client secret into an error message, a Debug
//! string or a log line: every text that leaves it goes through [`redact`] with the
//! secrets of the call.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Default connect timeout.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default read timeout: the longest wait for a response to start, and for its body.
pub(crate) const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

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

/// A secret string (a client secret, a token): readable through [`Secret::expose`]
/// only; its Debug prints `[REDACTED]` and it has no Display, so neither can leak by `{:?}`.
#[derive(Clone, PartialEq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
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

    fn from_response(headers: &reqwest::header::HeaderMap) -> Self {
        let pairs = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
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

/// Settings of an [`HttpClient`]: `[http]` in the config, and the flags of a pull.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub connect_timeout: Duration,
    /// The longest wait for a response to start, and for its body to be read.
    pub read_timeout: Duration,
    /// PEM bundles of CAs trusted besides Mozilla's and the system's roots (`[http]
    /// ca_file`, `SSL_CERT_FILE`): a TLS-inspecting proxy's or a private CA.
    pub ca_files: Vec<PathBuf>,
    pub retry: RetryPolicy,
    /// Client-side requests per second; 0 = unlimited.
    pub requests_per_second: f64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            ca_files: Vec::new(),
            retry: RetryPolicy::default(),
            requests_per_second: 0.0,
        }
    }
}

/// Who a client talks to: its name in messages, and what a failed call means for
/// the user (a `; ...` suffix naming the next step, or empty).
#[derive(Clone, Copy)]
pub(crate) struct Service {
    pub name: &'static str,
    pub hint: fn(&ApiError) -> String,
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A call the service answered with an error status that is not retried (or no
/// longer): method, path, status, the service's own message and code, and the hint.
/// Sources find it in an error chain with [`ApiError::find`] to react to a status
/// (a 401 fetches a new token) or a code (Salesforce's `JOB_NOT_COMPLETE`).
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub method: &'static str,
    /// Path and query, without scheme and host, secrets masked.
    pub path: String,
    pub status: u16,
    /// The service's message, secrets redacted.
    pub message: String,
    /// Salesforce's `errorCode`, Auth0's `errorCode` or OAuth's `error`.
    pub code: Option<String>,
    hint: String,
}

impl ApiError {
    /// The first `ApiError` in `err`'s chain.
    pub(crate) fn find(err: &anyhow::Error) -> Option<&ApiError> {
        err.chain().find_map(|cause| cause.downcast_ref::<ApiError>())
    }

    /// Whether `err` is (or was caused by) an HTTP `status` answer.
    pub(crate) fn has_status(err: &anyhow::Error, status: u16) -> bool {
        ApiError::find(err).is_some_and(|e| e.status == status)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed with HTTP {}: {}",
            self.method, self.path, self.status, self.message
        )?;
        if let Some(code) = &self.code {
            if !self.message.contains(code.as_str()) {
                write!(f, " ({code})")?;
            }
        }
        f.write_str(&self.hint)
    }
}

impl std::error::Error for ApiError {}

/// An `ApiError` as the client would make it, without a hint, for the hint tests of sources.
#[cfg(test)]
pub(crate) fn test_api_error(status: u16, path: &str, message: &str) -> ApiError {
    ApiError {
        method: "GET",
        path: path.to_string(),
        status,
        message: message.to_string(),
        code: None,
        hint: String::new(),
    }
}

/// A request body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    Empty,
    /// `application/x-www-form-urlencoded`; values of fields whose name holds
    /// `secret`, `password` or `token` are redacted from any error.
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a str),
}

/// One request: method, URL, bearer token, body and the media type asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    method: &'static str,
    url: &'a str,
    bearer: Option<&'a str>,
    body: Body<'a>,
    accept: &'a str,
}

impl<'a> Request<'a> {
    pub(crate) fn get(url: &'a str) -> Self {
        Request {
            method: "GET",
            url,
            bearer: None,
            body: Body::Empty,
            accept: "application/json",
        }
    }

    pub(crate) fn post(url: &'a str, body: Body<'a>) -> Self {
        Request {
            method: "POST",
            body,
            ..Request::get(url)
        }
    }

    /// Sends `Authorization: Bearer <token>`; an empty token sends none (a public URL).
    pub(crate) fn bearer(self, token: &'a str) -> Self {
        Request {
            bearer: (!token.is_empty()).then_some(token),
            ..self
        }
    }

    pub(crate) fn accept(self, media_type: &'a str) -> Self {
        Request {
            accept: media_type,
            ..self
        }
    }

    /// Every secret of the request, to redact from what leaves this module.
    fn secrets(&self) -> Vec<&'a str> {
        let mut secrets: Vec<&str> = self.bearer.into_iter().collect();
        if let Body::Form(fields) = self.body {
            secrets.extend(secret_values(fields));
        }
        secrets
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as UTF-8 text.
    pub(crate) fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).context("the response body is not UTF-8")
    }
}

/// Blocking client shared by all calls of one pull; counts its requests and retries.
pub(crate) struct HttpClient {
    client: reqwest::blocking::Client,
    service: Service,
    retry: RetryPolicy,
    limiter: Arc<RateLimiter>,
    requests: AtomicU64,
    retries: AtomicU64,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("service", &self.service)
            .field("retry", &self.retry)
            .field("requests", &self.requests())
            .field("retries", &self.retries())
            .finish_non_exhaustive()
    }
}

/// One attempt's outcome, before deciding whether to retry.
enum Attempt {
    Done(Reply),
    Retryable {
        status: Option<u16>,
        headers: Option<Headers>,
        why: String,
    },
    Fatal(anyhow::Error),
}

impl HttpClient {
    /// A client for `service`. Proxies come from `HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` (upper or lower case), as curl reads them.
    ///
    /// # Errors
    /// When a CA file cannot be read or holds no PEM certificate.
    pub(crate) fn new(settings: &HttpSettings, service: Service) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .user_agent(format!("featurearr/{}", env!("CARGO_PKG_VERSION")));
        for path in &settings.ca_files {
            for certificate in read_ca_file(path)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        // The blocking client bounds the wait for an answer to start and, again, the
        // reading of its body. (The async client's per-read timeout needs a Tokio reactor
        // on the calling thread, which the blocking client reads bodies without.)
        let client = reqwest::blocking::ClientBuilder::from(builder)
            .timeout(settings.read_timeout)
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(HttpClient {
            client,
            service,
            retry: settings.retry.clone(),
            limiter: Arc::new(RateLimiter::new(settings.requests_per_second)),
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        })
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
    /// As [`HttpClient::send`], and when the body is not JSON.
    pub(crate) fn get_json(&self, url: &str, bearer: &str) -> Result<(Value, Headers)> {
        let request = Request::get(url).bearer(bearer);
        let reply = self.send(request)?;
        Ok((self.json(&request, &reply.body)?, reply.headers))
    }

    /// `POST url` with a form body, JSON body back.
    pub(crate) fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<(Value, Headers)> {
        let request = Request::post(url, Body::Form(fields));
        let reply = self.send(request)?;
        Ok((self.json(&request, &reply.body)?, reply.headers))
    }

    fn json(&self, request: &Request<'_>, body: &[u8]) -> Result<Value> {
        serde_json::from_slice(body).map_err(|e| {
            anyhow!(
                "{} {} returned a body that is not JSON ({e}); is this a {} URL?",
                request.method,
                display_path(&redact(request.url, &request.secrets())),
                self.service.name
            )
        })
    }

    /// Sends `request` under the retry policy (see the module docs).
    ///
    /// # Errors
    /// An [`ApiError`] for a 4xx other than 429, at once; after the last retry, one
    /// naming the attempts and the last failure (429, 5xx, timeout, connection).
    pub(crate) fn send(&self, request: Request<'_>) -> Result<Reply> {
        let secrets = request.secrets();
        let path = display_path(&redact(request.url, &secrets));
        let mut attempt = 0u32;
        loop {
            self.limiter.acquire();
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.attempt(&request, &path, &secrets) {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Fatal(err) => return Err(err),
                Attempt::Retryable { status, headers, why } => {
                    if attempt >= self.retry.max_retries {
                        let tries = attempt + 1;
                        let plural = if tries == 1 { "" } else { "s" };
                        bail!(
                            "{} {path} failed after {tries} attempt{plural}: {why}; {} may be down or throttling, try again later{}",
                            request.method,
                            self.service.name,
                            proxy_note()
                        );
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

    fn attempt(&self, request: &Request<'_>, path: &str, secrets: &[&str]) -> Attempt {
        let mut builder = match request.method {
            "POST" => self.client.post(request.url),
            _ => self.client.get(request.url),
        }
        .header(reqwest::header::ACCEPT, request.accept);
        if let Some(token) = request.bearer {
            builder = builder.bearer_auth(token);
        }
        builder = match request.body {
            Body::Empty => builder,
            Body::Form(fields) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form_body(fields)),
            Body::Json(json) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json.to_string()),
        };
        let response = match builder.send() {
            Ok(response) => response,
            Err(err) => return transport_failure(&err, request.method, path, secrets),
        };
        let status = response.status().as_u16();
        let headers = Headers::from_response(response.headers());
        let body = match response.bytes() {
            Ok(body) => body.to_vec(),
            Err(err) => return transport_failure(&err, request.method, path, secrets),
        };
        if (200..300).contains(&status) {
            return Attempt::Done(Reply { headers, body });
        }
        let (message, code) = error_message(&String::from_utf8_lossy(&body));
        let message = redact(&message, secrets);
        if status == 429 || (500..=599).contains(&status) {
            return Attempt::Retryable {
                status: Some(status),
                headers: Some(headers),
                why: format!("HTTP {status}: {message}"),
            };
        }
        let mut error = ApiError {
            method: request.method,
            path: path.to_string(),
            status,
            message,
            code,
            hint: String::new(),
        };
        error.hint = (self.service.hint)(&error);
        Attempt::Fatal(error.into())
    }
}

/// A request that got no answer: an untrusted certificate fails at once (it will not
/// change by retrying), anything else (timeout, refused or dropped connection) is retried.
fn transport_failure(err: &reqwest::Error, method: &str, path: &str, secrets: &[&str]) -> Attempt {
    let why = redact(&error_chain(err), secrets);
    if why.contains("certificate") {
        return Attempt::Fatal(anyhow!(
            "{method} {path} failed: {why}; the server's TLS certificate is not trusted. If a TLS-inspecting \
             proxy or a private CA signs it, point [http] ca_file or SSL_CERT_FILE at that CA's PEM bundle"
        ));
    }
    let kind = if err.is_timeout() { "timed out: " } else { "" };
    Attempt::Retryable {
        status: None,
        headers: None,
        why: format!("{kind}{why}"),
    }
}

/// `err` and its causes on one line, without the URL (the caller shows the path).
fn error_chain(err: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(err);
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    if parts.is_empty() {
        parts.push(err.to_string());
    }
    parts.join(": ")
}

/// `; through the proxy in HTTPS_PROXY` when one is set, so that a proxy that
/// refuses or stalls is not mistaken for the service.
fn proxy_note() -> String {
    let set: Vec<&str> = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .filter(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    .collect();
    match set.first() {
        Some(name) => {
            format!(" (requests go through the proxy in {name}; check it too, or exclude the host with NO_PROXY)")
        }
        None => String::new(),
    }
}

/// The certificates of a PEM bundle.
fn read_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the CA bundle {}; fix [http] ca_file or SSL_CERT_FILE",
            path.display()
        )
    })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| {
        format!(
            "{} is not a PEM bundle of CA certificates; fix [http] ca_file or SSL_CERT_FILE",
            path.display()
        )
    })?;
    if certificates.is_empty() {
        bail!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----); fix [http] ca_file or SSL_CERT_FILE",
            path.display()
        );
    }
    Ok(certificates)
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
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

/// The human part of an error body and its code: Salesforce's
/// `[{"message", "errorCode"}]` (the first), an Auth0 Management API `message` and
/// `errorCode`, OAuth's `error_description` and `error`, or the start of a non-JSON body.
pub(crate) fn error_message(body: &str) -> (String, Option<String>) {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let first = match &v {
            Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let text = |key: &str| first.get(key).and_then(Value::as_str).map(str::to_string);
        let code = text("errorCode").or_else(|| text("error"));
        if let Some(message) = text("message")
            .or_else(|| text("error_description"))
            .or_else(|| text("error"))
        {
            // Salesforce's SOQL errors span lines (the query, a caret, the reason).
            let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            let code = code.filter(|c| *c != message);
            return (message, code);
        }
    }
    let trimmed: String = body.trim().chars().take(200).collect();
    if trimmed.is_empty() {
        ("empty body".to_string(), None)
    } else {
        (trimmed, None)
    }
}

/// Runs `call` with the token `token` gives; when the call fails with HTTP 401 (a token
/// expired or revoked in the middle of a pull), runs `renew` (which fetches a new
/// token) and `call` once more with it. A second 401 is returned as it is, and so is a
/// failure to get a token at all (a refused client secret is not renewed).
///
/// # Errors
/// The error of `token`, of `renew`, or of the last `call`.
pub(crate) fn renewing_token_on_401<T>(
    token: impl Fn() -> Result<Secret>,
    call: impl Fn(&str) -> Result<T>,
    renew: impl FnOnce() -> Result<()>,
) -> Result<T> {
    match call(token()?.expose()) {
        Err(err) if ApiError::has_status(&err, 401) => {
            renew().context("the token was refused in the middle of the pull, and a new one could not be had")?;
            call(token()?.expose())
        }
        other => other,
    }
}

/// A service for plain JSON URLs (a flags URL): a 401 or 403 points at its token.
pub(crate) const FLAGS_URL: Service = Service {
    name: "the flags URL",
    hint: flags_url_hint,
};

fn flags_url_hint(err: &ApiError) -> String {
    match err.status {
        401 | 403 => "; set FEATUREARR_FLAGS_TOKEN to a token this URL accepts".to_string(),
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
    fn error_message_reads_salesforce_auth0_and_oauth_shapes() {
        let mgmt = r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:organizations","errorCode":"insufficient_scope"}"#;
        assert_eq!(
            error_message(mgmt),
            (
                "Insufficient scope, expected any of: read:organizations".to_string(),
                Some("insufficient_scope".to_string())
            )
        );
        // Key order varies in Salesforce's answers; only the first error is shown.
        let salesforce = r#"[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"},{"message":"x","errorCode":"Y"}]"#;
        assert_eq!(
            error_message(salesforce),
            (
                "Session expired or invalid".to_string(),
                Some("INVALID_SESSION_ID".to_string())
            )
        );
        assert_eq!(
            error_message(r#"{"error":"access_denied","error_description":"Unauthorized"}"#),
            ("Unauthorized".to_string(), Some("access_denied".to_string()))
        );
        assert_eq!(
            error_message(r#"{"error":"invalid_client"}"#),
            ("invalid_client".to_string(), None)
        );
        assert_eq!(
            error_message("<html>oops</html>"),
            ("<html>oops</html>".to_string(), None)
        );
        assert_eq!(error_message(""), ("empty body".to_string(), None));
    }

    fn api_error(status: u16, code: Option<&str>) -> anyhow::Error {
        ApiError {
            method: "GET",
            path: "/services/data/v62.0/query".into(),
            status,
            message: "Session expired or invalid".into(),
            code: code.map(str::to_string),
            hint: "; get a new token".into(),
        }
        .into()
    }

    #[test]
    fn api_error_reads_as_one_sentence_and_is_found_in_a_chain() {
        let err = api_error(401, Some("INVALID_SESSION_ID")).context("cannot count the accounts");
        assert_eq!(
            format!("{:#}", err),
            "cannot count the accounts: GET /services/data/v62.0/query failed with HTTP 401: \
             Session expired or invalid (INVALID_SESSION_ID); get a new token"
        );
        assert!(ApiError::has_status(&err, 401) && !ApiError::has_status(&err, 403));
        assert_eq!(
            ApiError::find(&err).and_then(|e| e.code.as_deref()),
            Some("INVALID_SESSION_ID")
        );
    }

    #[test]
    fn a_401_renews_the_token_once_and_a_second_401_is_the_error() {
        use std::cell::{Cell, RefCell};
        let token = RefCell::new("old".to_string());
        let token_of = || Ok(Secret::new(token.borrow().clone()));
        let renew = || {
            *token.borrow_mut() = "new".to_string();
            Ok(())
        };
        // The old token is refused, the new one accepted.
        let seen = RefCell::new(Vec::new());
        let result = renewing_token_on_401(
            token_of,
            |t| {
                seen.borrow_mut().push(t.to_string());
                if t == "old" {
                    Err(api_error(401, None))
                } else {
                    Ok(())
                }
            },
            renew,
        );
        assert!(result.is_ok());
        assert_eq!(*seen.borrow(), ["old", "new"]);

        // Both refused: one renewal, then the 401.
        let (calls, renewals) = (Cell::new(0), Cell::new(0));
        let result: Result<()> = renewing_token_on_401(
            || Ok(Secret::new("t")),
            |_| {
                calls.set(calls.get() + 1);
                Err(api_error(401, None))
            },
            || {
                renewals.set(renewals.get() + 1);
                Ok(())
            },
        );
        assert!(ApiError::has_status(&result.unwrap_err(), 401));
        assert_eq!((calls.get(), renewals.get()), (2, 1));

        // Only a 401 of the call renews: not a 403, not a token that cannot be had.
        for (token_fails, status) in [(false, 403), (true, 401)] {
            let renewals = Cell::new(0);
            let result: Result<()> = renewing_token_on_401(
                || {
                    if token_fails {
                        Err(api_error(401, None))
                    } else {
                        Ok(Secret::new("t"))
                    }
                },
                |_| Err(api_error(status, None)),
                || {
                    renewals.set(renewals.get() + 1);
                    Ok(())
                },
            );
            assert!(result.is_err());
            assert_eq!(renewals.get(), 0);
        }
    }

    #[test]
    fn form_bodies_are_percent_encoded_and_their_secrets_known() {
        let fields = [("grant_type", "client_credentials"), ("client_secret", "a b&c=d")];
        assert_eq!(
            form_body(&fields),
            "grant_type=client_credentials&client_secret=a%20b%26c%3Dd"
        );
        let request = Request::post("http://x/oauth/token", Body::Form(&fields));
        assert_eq!(request.secrets(), ["a b&c=d"]);
        assert_eq!(Request::get("http://x/").bearer("tok-123").secrets(), ["tok-123"]);
        assert!(Request::get("http://x/").bearer("").secrets().is_empty());
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
