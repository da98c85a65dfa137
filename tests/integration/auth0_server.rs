//! A stand-in Auth0 Management API for integration tests: std `TcpListener`
//! on an OS-assigned port, a thread per connection, minimal HTTP/1.1.
//!
//! Serves the shapes of `reference/auth0-api.md` (section 9 checklist):
//! client-credentials token, bearer check, connections and organizations in
//! offset and checkpoint modes, offset-only enabled connections, logs in
//! search and checkpoint (`Link: rel="next"`) modes, rate-limit headers on
//! every response, and injectable faults. It records every request so tests
//! can assert exactly-once delivery, bounded retries and request rates.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{NaiveDate, NaiveTime};
use serde_json::{json, Value};

/// What to break, on which requests.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// 429 with `x-ratelimit-reset` one second ahead, no `Retry-After`.
    RateLimitReset,
    /// 429 with `Retry-After: <secs>`.
    RetryAfter(u64),
    /// 503 with an Auth0-shaped body.
    ServiceUnavailable,
    /// Answer normally, but only after this delay (beyond a client timeout).
    Slow(Duration),
    /// 403 `insufficient_scope` naming this scope.
    InsufficientScope(String),
    /// This status with a body that echoes the request (as a misconfigured
    /// proxy might), so secrets in the request come back in the error body.
    EchoRequest(u16),
    /// 401 `Invalid token`, as for a token revoked or expired in the middle of a pull.
    InvalidToken,
}

/// A fault of kind `K` (this stand-in's [`FaultKind`], or the Salesforce one's).
#[derive(Debug, Clone)]
pub struct Fault<K = FaultKind> {
    /// Applies to requests whose path starts with this.
    pub path_prefix: String,
    /// The n-th (1-based) request on that prefix; `None` = every request.
    pub nth: Option<usize>,
    pub kind: K,
}

impl<K> Fault<K> {
    pub fn nth(path_prefix: &str, nth: usize, kind: K) -> Self {
        Fault {
            path_prefix: path_prefix.into(),
            nth: Some(nth),
            kind,
        }
    }

    pub fn every(path_prefix: &str, kind: K) -> Self {
        Fault {
            path_prefix: path_prefix.into(),
            nth: None,
            kind,
        }
    }

    /// The kind of the first of `faults` that applies to the request that just arrived on
    /// `path`; `arrived` holds the path of every request so far, that one included (a
    /// fault's `nth` counts requests on its prefix as they arrive).
    pub fn first_for(faults: &[Fault<K>], path: &str, arrived: &[String]) -> Option<K>
    where
        K: Clone,
    {
        faults
            .iter()
            .find(|f| {
                path.starts_with(&f.path_prefix)
                    && f.nth
                        .is_none_or(|nth| nth == arrived.iter().filter(|p| p.starts_with(&f.path_prefix)).count())
            })
            .map(|f| f.kind.clone())
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The token handed out; tests look for it in outputs.
    pub access_token: String,
    pub expires_in: u64,
    /// Without it, the token lacks `read:connections_options` and
    /// connections come back without `options`.
    pub grant_options_scope: bool,
    /// Largest `per_page`/`take` accepted (bigger values are clamped).
    pub max_page_size: usize,
    pub connections: usize,
    pub organizations: usize,
    pub logs: usize,
    /// Logs run from `as_of - 39 days` to the end of `as_of + 1 day`.
    pub as_of: NaiveDate,
    pub faults: Vec<Fault>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            client_id: "standin-client-id".into(),
            client_secret: "standin-secret-7f3a9c1e5b".into(),
            access_token: "eyJhbGciOiJSUzI1NiJ9.standin-token-d41d8cd98f.sig".into(),
            expires_in: 86400,
            grant_options_scope: true,
            max_page_size: 100,
            connections: 230,
            organizations: 120,
            logs: 2500,
            as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            faults: Vec::new(),
        }
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

struct Data {
    connections: Vec<Value>,
    organizations: Vec<Value>,
    /// org id → enabled connection items.
    enabled: HashMap<String, Vec<Value>>,
    /// Ascending `log_id`.
    logs: Vec<Value>,
    /// connection id → vendor the classifier should find.
    vendors: HashMap<String, String>,
}

struct Shared {
    config: ServerConfig,
    data: Data,
    base_url: String,
    log: Mutex<Vec<Recorded>>,
    /// The path of every request, in order of arrival: a fault's `nth` counts these,
    /// so that a retry arriving while a slow answer is still being held back is the
    /// next request, not the same number again (the log is written on answering).
    arrived: Mutex<Vec<String>>,
    stop: AtomicBool,
}

pub struct StandIn {
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
}

pub fn start(config: ServerConfig) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}");
    let data = generate(&config);
    let shared = Arc::new(Shared {
        config,
        data,
        base_url,
        log: Mutex::new(Vec::new()),
        arrived: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
    });
    let accept_shared = Arc::clone(&shared);
    thread::spawn(move || {
        for stream in listener.incoming() {
            if accept_shared.stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let conn_shared = Arc::clone(&accept_shared);
            thread::spawn(move || serve_connection(stream, &conn_shared));
        }
    });
    StandIn { shared, addr }
}

impl StandIn {
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// The server's data as a dump (SPEC 2.3): connections as served (with
    /// `options` only if the scope is granted), organizations with their
    /// `enabled_connections`, and every log of every type.
    pub fn dump(&self) -> Value {
        let d = &self.shared.data;
        let orgs: Vec<Value> = d
            .organizations
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o["enabled_connections"] = Value::Array(d.enabled[o["id"].as_str().unwrap()].clone());
                o
            })
            .collect();
        let conns: Vec<Value> = d.connections.iter().map(|c| self.shared.served_connection(c)).collect();
        json!({"connections": conns, "organizations": orgs, "logs": d.logs})
    }

    /// `log_id`s of successful logins (`type` `s`) dated within the
    /// `log_days` days ending on `as_of`.
    pub fn login_log_ids(&self, as_of: NaiveDate, log_days: u32) -> Vec<String> {
        let start = (as_of - chrono::Days::new(u64::from(log_days) - 1))
            .and_time(NaiveTime::MIN)
            .and_utc();
        let end = (as_of + chrono::Days::new(1)).and_time(NaiveTime::MIN).and_utc();
        self.shared
            .data
            .logs
            .iter()
            .filter(|l| l["type"] == "s")
            .filter(|l| {
                let d = chrono::DateTime::parse_from_rfc3339(l["date"].as_str().unwrap()).unwrap();
                d >= start && d < end
            })
            .map(|l| l["log_id"].as_str().unwrap().to_string())
            .collect()
    }

    /// Vendor expected for each enterprise connection id.
    pub fn expected_vendors(&self) -> HashMap<String, String> {
        self.shared.data.vendors.clone()
    }

    /// Requests whose path starts with `path_prefix`, counted on arrival: unlike
    /// `request_count`, this includes a slow answer still held back.
    pub fn arrivals(&self, path_prefix: &str) -> usize {
        let arrived = self.shared.arrived.lock().unwrap();
        arrived.iter().filter(|path| path.starts_with(path_prefix)).count()
    }

    /// Requests whose path starts with `path_prefix`.
    pub fn request_count(&self, path_prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .count()
    }

    /// Arrival time of every request, in order.
    pub fn request_times(&self) -> Vec<Instant> {
        self.requests().iter().map(|r| r.at).collect()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().unwrap().clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

// ---------------------------------------------------------------- data

fn vendor_cases() -> Vec<(&'static str, Value, Option<&'static str>)> {
    vec![
        (
            "samlp",
            json!({"signInEndpoint": "https://acme.okta.com/app/acme_app/exk1/sso/saml"}),
            Some("Okta"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://login.microsoftonline.com/0f1e2d3c-0000-4000-8000-111122223333/saml2"}),
            Some("Microsoft Entra ID"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://accounts.google.com/o/saml2/idp?idpid=C0453"}),
            Some("Google Workspace"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://acme.onelogin.com/trust/saml2/http-post/sso/123"}),
            Some("OneLogin"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://auth.pingone.com/env-1/saml20/idp/sso"}),
            Some("Ping Identity"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://sso.jumpcloud.com/saml2/acme"}),
            Some("JumpCloud"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://sso-abc.sso.duosecurity.com/saml2/sp/x/sso"}),
            Some("Duo"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://fs.acme.com/adfs/ls"}),
            Some("ADFS"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://idp.acme.com/realms/acme/protocol/saml"}),
            Some("Keycloak"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://login.acme.com/app/sso/saml", "subject": {"commonName": "acme", "organizationName": "Okta", "countryName": "US"}}),
            Some("Okta"),
        ),
        (
            "samlp",
            json!({"signInEndpoint": "https://saml-from-metadata-xml.provider/sign_in", "subject": {"countryName": "AU", "organizationName": "Internet Widgits Pty Ltd", "stateOrProvinceName": "Some-State"}}),
            Some("Other SAML"),
        ),
        (
            "oidc",
            json!({"type": "front_channel", "issuer": "https://acme.okta.com", "discovery_url": "https://acme.okta.com/.well-known/openid-configuration"}),
            Some("Okta"),
        ),
        (
            "oidc",
            json!({"type": "front_channel", "issuer": "https://login.microsoftonline.com/tid/v2.0", "discovery_url": "https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration"}),
            Some("Microsoft Entra ID"),
        ),
        (
            "oidc",
            json!({"type": "front_channel", "issuer": "https://api.login.yahoo.com", "discovery_url": "https://api.login.yahoo.com/.well-known/openid-configuration"}),
            Some("Other OIDC"),
        ),
        (
            "waad",
            json!({"domain": "example.onmicrosoft.com", "tenant_domain": "example.onmicrosoft.com", "app_domain": "standin.us.auth0.com", "identity_api": "microsoft-identity-platform-v2.0", "waad_protocol": "openid-connect", "client_secret": "upstream-secret-not-ours"}),
            Some("Microsoft Entra ID"),
        ),
        (
            "google-apps",
            json!({"domain": "example.com", "tenant_domain": "example.com", "ext_groups": true}),
            Some("Google Workspace"),
        ),
        (
            "okta",
            json!({"domain": "domain.okta.com", "issuer": "https://domain.okta.com", "oidc_metadata": {"issuer": "https://domain.okta.com"}}),
            Some("Okta"),
        ),
        (
            "adfs",
            json!({"signInEndpoint": "https://adfs.provider/wsfed", "thumbprints": []}),
            Some("ADFS"),
        ),
        (
            "pingfederate",
            json!({"signInEndpoint": "https://ping.example.com", "pingFederateBaseUrl": "https://ping.example.com"}),
            Some("Ping Identity"),
        ),
        (
            "ad",
            json!({"ips": null, "strategy_version": 2, "brute_force_protection": true}),
            Some("Active Directory"),
        ),
        (
            "auth0",
            json!({"brute_force_protection": true, "strategy_version": 2}),
            None,
        ),
        ("google-oauth2", json!({"email": true, "profile": true}), None),
        ("github", json!({"email": true}), None),
    ]
}

fn generate(cfg: &ServerConfig) -> Data {
    let cases = vendor_cases();
    let mut vendors = HashMap::new();
    let mut connections = Vec::new();
    for i in 0..cfg.connections {
        let (strategy, mut options, vendor) = cases[i % cases.len()].clone();
        let id = format!("con_{i:016}");
        // i % 4: 0 = connection metadata, 1 = via an organization,
        // 2 = name pattern `ws-(.+)-sso`, 3 = mapped to nothing.
        let name = if i % 4 == 2 {
            format!("ws-np{i:04}-sso")
        } else {
            format!("{strategy}-conn-{i:04}")
        };
        options["tenant_domain"] = json!(format!("customer{i}.example.com"));
        let mut c = json!({
            "id": id, "options": options, "strategy": strategy, "name": name,
            "is_domain_connection": false, "show_as_button": false, "enabled_clients": [], "realms": [name],
            "authentication": {"active": true}, "connected_accounts": {"active": false}
        });
        if strategy != "auth0" {
            c["provisioning_ticket_url"] = json!(format!("https://standin.us.auth0.com/p/{strategy}/T{i:07}"));
        }
        if i % 4 == 0 {
            c["metadata"] = json!({"workspace_id": format!("ws-conn{i:04}")});
        }
        if let Some(v) = vendor {
            vendors.insert(id, v.to_string());
        }
        connections.push(c);
    }

    let mut organizations = Vec::new();
    let mut enabled: HashMap<String, Vec<Value>> = HashMap::new();
    for j in 0..cfg.organizations {
        let id = format!("org_{j:016}");
        let mut o = json!({"id": id, "name": format!("org-{j:04}"), "display_name": format!("Customer {j}"), "branding": {"logo_url": "https://example.com/logo.gif"}});
        // Org 0 (and every tenth) has no workspace: it enables many
        // connections so its enabled_connections really pages.
        if j % 10 != 0 {
            o["metadata"] = json!({"workspace_id": format!("ws-org{j:04}")});
        }
        organizations.push(o);
        enabled.insert(id, Vec::new());
    }
    let item = |c: &Value| {
        json!({"connection_id": c["id"], "assign_membership_on_login": true, "show_as_button": true,
               "connection": {"name": c["name"], "strategy": c["strategy"]}})
    };
    if cfg.organizations > 1 {
        for (i, c) in connections.iter().enumerate() {
            if i % 4 == 1 {
                let j = 1 + (i / 4) % (cfg.organizations - 1);
                let j = if j.is_multiple_of(10) { j + 1 } else { j }.min(cfg.organizations - 1);
                enabled.get_mut(&format!("org_{j:016}")).unwrap().push(item(c));
            }
            if i % 3 == 0 && i % 4 != 1 {
                enabled.get_mut("org_0000000000000000").unwrap().push(item(c));
            }
        }
    }

    let start = (cfg.as_of - chrono::Days::new(39)).and_time(NaiveTime::MIN).and_utc();
    let span_ms: i64 = 41 * 86_400_000;
    let mut logs = Vec::new();
    for k in 0..cfg.logs {
        let at = start + chrono::Duration::milliseconds(span_ms * k as i64 / cfg.logs.max(1) as i64 + (k % 7) as i64);
        let log_id = format!("900{}{:036}", at.format("%Y%m%d%H%M%S%3f"), k);
        let kind = match k % 5 {
            0..=2 => "s",
            3 => "f",
            _ => "seccft",
        };
        let c = &connections[(k * 7) % connections.len().max(1)];
        let by_name_only = k % 11 == 0;
        let (connection, connection_id, strategy) = if kind == "seccft" {
            (Value::Null, json!(""), Value::Null)
        } else {
            (
                c["name"].clone(),
                if by_name_only { json!("") } else { c["id"].clone() },
                c["strategy"].clone(),
            )
        };
        logs.push(json!({
            "_id": log_id, "log_id": log_id, "date": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), "type": kind,
            "description": if kind == "f" { "Wrong email or password." } else { "" },
            "connection": connection, "connection_id": connection_id,
            "organization_id": null, "organization_name": null,
            "client_id": "naTYUHwINwCEtmhj8umEL7bHoB57L5e2", "client_name": "Product", "ip": "[REDACTED]",
            "hostname": "standin.us.auth0.com", "details": null,
            "user_id": if kind == "seccft" { "".to_string() } else { format!("samlp|user{}", k % 300) },
            "user_name": "", "user_agent": "Other 0.0.0 / Other 0.0.0",
            "strategy": strategy, "strategy_type": if kind == "seccft" { Value::Null } else { json!("enterprise") },
            "isMobile": false, "location_info": null
        }));
    }
    Data {
        connections,
        organizations,
        enabled,
        logs,
        vendors,
    }
}

// ---------------------------------------------------------------- HTTP

/// One HTTP/1.1 request as read (shared with the stand-in Salesforce).
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn respond(status: u16, body: Value) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target
        .split_once('?')
        .map_or((target.clone(), String::new()), |(p, q)| (p.to_string(), q.to_string()));
    Some(Request {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        let resp = shared.handle(&req);
        let reason = match resp.status {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
            _ => "Status",
        };
        let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 1;
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
            resp.status,
            resp.body.len()
        );
        let has = |name: &str| resp.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if !has("x-ratelimit-limit") {
            head.push_str(&format!(
                "X-RateLimit-Limit: 50\r\nX-RateLimit-Remaining: 49\r\nX-RateLimit-Reset: {reset}\r\n"
            ));
        }
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(resp.body.as_bytes()))
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Percent- and `+`-decoding of a query or form component.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=2` as decoded pairs.
pub fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn num(&self, key: &str) -> Option<usize> {
        self.get(key).and_then(|v| v.parse().ok())
    }
    fn flag(&self, key: &str) -> bool {
        self.get(key) == Some("true")
    }
}

fn auth0_error(status: u16, error: &str, message: &str, code: Option<&str>) -> Response {
    let mut body = json!({"statusCode": status, "error": error, "message": message});
    if let Some(code) = code {
        body["errorCode"] = json!(code);
    }
    respond(status, body)
}

fn cursor(index: usize) -> String {
    format!("cp{index:08x}")
}

fn uncursor(s: &str) -> Option<usize> {
    usize::from_str_radix(s.strip_prefix("cp")?, 16).ok()
}

impl Shared {
    fn served_connection(&self, c: &Value) -> Value {
        let mut c = c.clone();
        if !self.config.grant_options_scope {
            c.as_object_mut().unwrap().remove("options");
        }
        c
    }

    fn scope(&self) -> String {
        let mut s = vec![
            "read:connections",
            "read:organizations",
            "read:organization_connections",
            "read:logs",
            "read:stats",
        ];
        if self.config.grant_options_scope {
            s.insert(1, "read:connections_options");
        }
        s.join(" ")
    }

    fn handle(&self, req: &Request) -> Response {
        let resp = self.route(req);
        self.log.lock().unwrap().push(Recorded {
            at: Instant::now(),
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            status: resp.status,
        });
        resp
    }

    fn fault(&self, req: &Request) -> Option<FaultKind> {
        let mut arrived = self.arrived.lock().unwrap();
        arrived.push(req.path.clone());
        Fault::first_for(&self.config.faults, &req.path, &arrived)
    }

    fn route(&self, req: &Request) -> Response {
        match self.fault(req) {
            Some(FaultKind::RateLimitReset) => {
                let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 1;
                let mut r = respond(
                    429,
                    json!({"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached", "errorCode": "too_many_requests"}),
                );
                r.headers = vec![
                    ("X-RateLimit-Limit".into(), "50".into()),
                    ("X-RateLimit-Remaining".into(), "0".into()),
                    ("X-RateLimit-Reset".into(), reset.to_string()),
                ];
                return r;
            }
            Some(FaultKind::RetryAfter(secs)) => {
                let mut r = respond(
                    429,
                    json!({"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached", "errorCode": "too_many_requests"}),
                );
                r.headers = vec![("Retry-After".into(), secs.to_string())];
                return r;
            }
            Some(FaultKind::InvalidToken) => {
                return respond(
                    401,
                    json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"}),
                );
            }
            Some(FaultKind::ServiceUnavailable) => {
                return auth0_error(503, "Service Unavailable", "Service Unavailable", None)
            }
            Some(FaultKind::InsufficientScope(scope)) => {
                return auth0_error(
                    403,
                    "Forbidden",
                    &format!("Insufficient scope, expected any of: {scope}"),
                    Some("insufficient_scope"),
                )
            }
            Some(FaultKind::EchoRequest(status)) => {
                let echoed = format!(
                    "{} {}?{} authorization={:?} body={}",
                    req.method,
                    req.path,
                    req.query,
                    req.headers.get("authorization"),
                    String::from_utf8_lossy(&req.body)
                );
                return respond(
                    status,
                    json!({"statusCode": status, "error": "Internal Server Error", "message": echoed}),
                );
            }
            Some(FaultKind::Slow(d)) => thread::sleep(d),
            None => {}
        }
        if req.method == "POST" && req.path == "/oauth/token" {
            return self.token(req);
        }
        if req.path.starts_with("/api/v2/") {
            let expected = format!("Bearer {}", self.config.access_token);
            if req.headers.get("authorization") != Some(&expected) {
                return respond(
                    401,
                    json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token", "attributes": {"error": "Invalid token"}}),
                );
            }
        }
        let q = Query(parse_pairs(&req.query));
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["api", "v2", "connections"]) => self.connections(&q),
            ("GET", ["api", "v2", "organizations"]) => self.organizations(&q),
            ("GET", ["api", "v2", "organizations", id, "enabled_connections"]) => {
                self.enabled_connections(&decode(id), &q)
            }
            ("GET", ["api", "v2", "logs"]) => self.logs(req, &q),
            ("GET", ["api", "v2", "stats", "active-users"]) => respond(200, json!(42)),
            ("GET", ["api", "v2", "stats", "daily"]) => respond(
                200,
                json!([{"date": "2026-09-29T00:00:00.000Z", "created_at": "2026-09-29T09:21:33.903Z", "leaked_passwords": 0, "logins": 3, "signups": 1, "updated_at": "2026-09-29T23:21:32.480Z"}]),
            ),
            _ => auth0_error(404, "Not Found", "Not Found", None),
        }
    }

    fn token(&self, req: &Request) -> Response {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let is_json = req.headers.get("content-type").is_some_and(|c| c.contains("json"));
        let fields: HashMap<String, String> = if is_json {
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .map(|m| {
                    m.into_iter()
                        .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            parse_pairs(&body).into_iter().collect()
        };
        let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        if field("grant_type") != "client_credentials"
            || field("client_id") != self.config.client_id
            || field("client_secret") != self.config.client_secret
        {
            return respond(
                401,
                json!({"error": "access_denied", "error_description": "Unauthorized"}),
            );
        }
        let audience = format!("{}/api/v2/", self.base_url);
        if field("audience") != audience {
            return respond(
                403,
                json!({"error": "access_denied", "error_description": format!("Client is not authorized to access \"{}\". You need to create a \"client-grant\" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants", field("audience"))}),
            );
        }
        respond(
            200,
            json!({"access_token": self.config.access_token, "expires_in": self.config.expires_in, "scope": self.scope(), "token_type": "Bearer"}),
        )
    }

    fn page_size(&self, q: &Query, key: &str, default: usize) -> usize {
        q.num(key).unwrap_or(default).clamp(1, self.config.max_page_size)
    }

    /// Offset or checkpoint listing of `items` under `key`.
    fn list(&self, items: Vec<Value>, key: &str, q: &Query) -> Response {
        if q.get("take").is_some() || q.get("from").is_some() {
            let take = self.page_size(q, "take", 50);
            let start = match q.get("from") {
                Some(f) => match uncursor(f) {
                    Some(i) => i,
                    None => return auth0_error(400, "Bad Request", "Invalid checkpoint", Some("invalid_query_string")),
                },
                None => 0,
            };
            let end = (start + take).min(items.len());
            let page: Vec<Value> = items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default();
            let mut body = json!({ key: page });
            if end < items.len() {
                body["next"] = json!(cursor(end));
            }
            return respond(200, body);
        }
        let per_page = self.page_size(q, "per_page", self.config.max_page_size / 2);
        let page = q.num("page").unwrap_or(0);
        if (page + 1) * per_page > 1000 {
            return auth0_error(
                400,
                "Bad Request",
                "Requesting page exceeds the allowed maximum of 1000 records.",
                Some("invalid_paging"),
            );
        }
        let start = (page * per_page).min(items.len());
        let end = (start + per_page).min(items.len());
        let slice = items[start..end].to_vec();
        if q.flag("include_totals") {
            respond(
                200,
                json!({"total": items.len(), "start": start, "limit": per_page, key: slice}),
            )
        } else {
            respond(200, Value::Array(slice))
        }
    }

    fn connections(&self, q: &Query) -> Response {
        let strategies = q.all("strategy");
        let mut items: Vec<Value> = self
            .data
            .connections
            .iter()
            .filter(|c| strategies.is_empty() || strategies.contains(&c["strategy"].as_str().unwrap_or("")))
            .filter(|c| q.get("name").is_none_or(|n| c["name"] == n))
            .map(|c| self.served_connection(c))
            .collect();
        if let Some(fields) = q.get("fields") {
            let fields: Vec<&str> = fields.split(',').collect();
            let include = q.get("include_fields") != Some("false");
            for c in &mut items {
                let map = c.as_object_mut().unwrap();
                // Auth0 returns is_domain_connection even when not asked.
                map.retain(|k, _| k == "is_domain_connection" || fields.contains(&k.as_str()) == include);
            }
        }
        self.list(items, "connections", q)
    }

    fn organizations(&self, q: &Query) -> Response {
        self.list(self.data.organizations.clone(), "organizations", q)
    }

    fn enabled_connections(&self, org_id: &str, q: &Query) -> Response {
        let Some(items) = self.data.enabled.get(org_id) else {
            return auth0_error(404, "Not Found", "No organization found by that id or name", None);
        };
        let per_page = self.page_size(q, "per_page", 50);
        let page = q.num("page").unwrap_or(0);
        let start = (page * per_page).min(items.len());
        let end = (start + per_page).min(items.len());
        let slice = items[start..end].to_vec();
        if q.flag("include_totals") {
            // Recorded: `limit` is what came back, not `per_page`.
            respond(
                200,
                json!({"enabled_connections": slice, "start": start, "limit": slice.len(), "total": items.len()}),
            )
        } else {
            respond(200, Value::Array(slice))
        }
    }

    fn logs(&self, req: &Request, q: &Query) -> Response {
        if q.get("from").is_some() || q.get("take").is_some() {
            let take = q.num("take").unwrap_or(50).clamp(1, 100);
            let start = match q.get("from") {
                Some(from) => self
                    .data
                    .logs
                    .partition_point(|l| l["log_id"].as_str().unwrap() <= from),
                None => 0,
            };
            let end = (start + take).min(self.data.logs.len());
            let page = self.data.logs[start..end].to_vec();
            let next = match page.last() {
                Some(last) => format!(
                    "{}/api/v2/logs?from={}&take={take}",
                    self.base_url,
                    last["log_id"].as_str().unwrap()
                ),
                None => format!("{}{}?{}", self.base_url, req.path, req.query),
            };
            let mut r = respond(200, Value::Array(page));
            r.headers.push(("Link".into(), format!("<{next}>; rel=\"next\"")));
            return r;
        }
        let query = q.get("q").or_else(|| q.get("search")).unwrap_or("");
        let mut matched: Vec<&Value> = self.data.logs.iter().filter(|l| matches_query(l, query)).collect();
        if q.get("sort") != Some("date:1") {
            matched.reverse();
        }
        let per_page = q.num("per_page").unwrap_or(50).clamp(1, 100);
        let page = q.num("page").unwrap_or(0);
        if (page + 1) * per_page > 1000 {
            return auth0_error(
                400,
                "Bad Request",
                "You can only page through the first 1000 records",
                Some("invalid_paging"),
            );
        }
        let start = (page * per_page).min(matched.len());
        let end = (start + per_page).min(matched.len());
        let slice: Vec<Value> = matched[start..end].iter().map(|v| (*v).clone()).collect();
        if q.flag("include_totals") {
            respond(
                200,
                json!({"length": slice.len(), "limit": per_page, "logs": slice, "start": start, "total": slice.len()}),
            )
        } else {
            respond(200, Value::Array(slice))
        }
    }
}

/// The Lucene subset we need: `field:value` and `date:[A TO B]` (inclusive,
/// `*` open, date-only bounds cover whole days) joined by ` AND `.
fn matches_query(log: &Value, q: &str) -> bool {
    q.split(" AND ").map(str::trim).filter(|t| !t.is_empty()).all(|term| {
        let Some((field, value)) = term.split_once(':') else {
            return true;
        };
        let actual = log[field].as_str().unwrap_or("");
        if let Some(range) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let (lo, hi) = range.split_once(" TO ").unwrap_or((range, "*"));
            let day = actual.get(..lo.len().min(actual.len())).unwrap_or("");
            let lo_ok = lo == "*" || day >= lo;
            let hi_ok = hi == "*" || actual.get(..hi.len().min(actual.len())).unwrap_or("") <= hi;
            lo_ok && hi_ok
        } else {
            actual == value.trim_matches('"')
        }
    })
}

// ---------------------------------------------------------------- self-tests

mod self_tests {
    use super::*;

    use reqwest::blocking::{Client, Response};

    fn token(server: &StandIn) -> String {
        let cfg = server.config();
        let resp = Client::new()
            .post(format!("{}/oauth/token", server.base_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &cfg.client_id),
                ("client_secret", &cfg.client_secret),
                ("audience", &format!("{}/api/v2/", server.base_url())),
            ])
            .send()
            .unwrap();
        let body: Value = json_of(resp);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 86400);
        body["access_token"].as_str().unwrap().to_string()
    }

    fn get(server: &StandIn, path: &str, token: &str) -> Response {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", server.base_url())
        };
        Client::new().get(url).bearer_auth(token).send().unwrap()
    }

    fn json_of(resp: Response) -> Value {
        serde_json::from_str(&resp.text().unwrap()).unwrap()
    }

    fn status_body(resp: Response) -> (u16, Value) {
        (resp.status().as_u16(), json_of(resp))
    }

    fn header(resp: &Response, name: &str) -> Option<String> {
        resp.headers().get(name).map(|v| v.to_str().unwrap().to_string())
    }

    #[test]
    fn standin_token_checks_credentials() {
        let server = start(ServerConfig::default());
        assert_eq!(token(&server), server.config().access_token);
        let bad = Client::new()
            .post(format!("{}/oauth/token", server.base_url()))
            .header("Content-Type", "application/json")
            .body(json!({
                "grant_type": "client_credentials", "client_id": server.config().client_id, "client_secret": "wrong", "audience": format!("{}/api/v2/", server.base_url())
            }).to_string())
            .send()
            .unwrap();
        let (code, body) = status_body(bad);
        assert_eq!(
            (code, body),
            (
                401,
                json!({"error": "access_denied", "error_description": "Unauthorized"})
            )
        );
        let (code, body) = status_body(get(&server, "/api/v2/connections", "nope"));
        assert_eq!((code, body["message"].as_str()), (401, Some("Invalid token")));
    }

    #[test]
    fn standin_checkpoint_and_offset_paging_cover_every_connection_once() {
        let server = start(ServerConfig::default());
        let t = token(&server);
        let mut ids = Vec::new();
        let mut from: Option<String> = None;
        loop {
            let path = match &from {
                Some(f) => format!("/api/v2/connections?take=50&from={f}"),
                None => "/api/v2/connections?take=50".into(),
            };
            let (_, body) = status_body(get(&server, &path, &t));
            ids.extend(
                body["connections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].as_str().unwrap().to_string()),
            );
            match body.get("next") {
                Some(n) => from = Some(n.as_str().unwrap().to_string()),
                None => break,
            }
        }
        assert_eq!(ids.len(), 230);
        let (_, body) = status_body(get(
            &server,
            "/api/v2/connections?page=1&per_page=50&include_totals=true",
            &t,
        ));
        assert_eq!(
            (
                body["total"].as_u64(),
                body["start"].as_u64(),
                body["connections"].as_array().unwrap().len()
            ),
            (Some(230), Some(50), 50)
        );
        let (_, body) = status_body(get(&server, "/api/v2/connections?strategy=waad&strategy=okta", &t));
        assert!(body
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["strategy"] == "waad" || c["strategy"] == "okta"));
        let (code, body) = status_body(get(&server, "/api/v2/connections?page=20&per_page=50", &t));
        assert_eq!((code, body["errorCode"].as_str()), (400, Some("invalid_paging")));
        assert_eq!(server.request_count("/api/v2/connections"), 8);
    }

    #[test]
    fn standin_enabled_connections_page_with_totals() {
        let server = start(ServerConfig::default());
        let t = token(&server);
        let (_, body) = status_body(get(
            &server,
            "/api/v2/organizations/org_0000000000000000/enabled_connections?page=0&per_page=50&include_totals=true",
            &t,
        ));
        assert!(body["total"].as_u64().unwrap() > 50, "org 0 must need two pages");
        let (code, _) = status_body(get(&server, "/api/v2/organizations/org_nope/enabled_connections", &t));
        assert_eq!(code, 404);
    }

    #[test]
    fn standin_logs_checkpoint_follows_link_to_an_empty_page() {
        let server = start(ServerConfig::default());
        let t = token(&server);
        let (_, first) = status_body(get(
            &server,
            "/api/v2/logs?q=type%3As%20AND%20date%3A%5B2026-09-01%20TO%20*%5D&sort=date%3A1&per_page=1",
            &t,
        ));
        let first = &first[0];
        assert!(first["date"].as_str().unwrap() >= "2026-09-01");
        let mut url = format!(
            "{}/api/v2/logs?from={}&take=100",
            server.base_url(),
            first["log_id"].as_str().unwrap()
        );
        let mut seen = 0;
        loop {
            let resp = get(&server, &url, &t);
            let link = header(&resp, "link").unwrap();
            let page: Vec<Value> = serde_json::from_value(json_of(resp)).unwrap();
            let next = link.trim_start_matches('<').split('>').next().unwrap().to_string();
            if page.is_empty() {
                assert_eq!(next, url, "an empty page links to the same URL");
                break;
            }
            seen += page.len();
            url = next;
        }
        let after = server.dump()["logs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["log_id"].as_str().unwrap() > first["log_id"].as_str().unwrap())
            .count();
        assert_eq!(seen, after);
        assert!(!server.login_log_ids(server.config().as_of, 30).is_empty());
    }

    #[test]
    fn standin_faults_fire_on_the_nth_request() {
        let server = start(ServerConfig {
            faults: vec![
                Fault::nth("/api/v2/connections", 1, FaultKind::RateLimitReset),
                Fault::nth("/api/v2/connections", 2, FaultKind::RetryAfter(0)),
                Fault::nth("/api/v2/connections", 3, FaultKind::ServiceUnavailable),
                Fault::nth(
                    "/api/v2/connections",
                    4,
                    FaultKind::InsufficientScope("read:connections".into()),
                ),
            ],
            ..ServerConfig::default()
        });
        let t = token(&server);
        let resp = get(&server, "/api/v2/connections", &t);
        assert_eq!(resp.status(), 429);
        assert!(header(&resp, "x-ratelimit-reset").is_some() && header(&resp, "retry-after").is_none());
        let resp = get(&server, "/api/v2/connections", &t);
        assert_eq!(resp.status(), 429);
        assert_eq!(header(&resp, "retry-after").as_deref(), Some("0"));
        assert_eq!(status_body(get(&server, "/api/v2/connections", &t)).0, 503);
        let (code, body) = status_body(get(&server, "/api/v2/connections", &t));
        assert_eq!((code, body["errorCode"].as_str()), (403, Some("insufficient_scope")));
        assert_eq!(status_body(get(&server, "/api/v2/connections", &t)).0, 200);
        assert_eq!(server.request_times().len(), 6);
    }

    #[test]
    fn standin_without_options_scope_drops_options() {
        let server = start(ServerConfig {
            grant_options_scope: false,
            ..ServerConfig::default()
        });
        let t = token(&server);
        let (_, body) = status_body(get(&server, "/api/v2/connections?take=5", &t));
        assert!(body["connections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("options").is_none()));
    }
}
