//! A stand-in Salesforce org for integration tests: std `TcpListener` on an
//! OS-assigned port (plain HTTP, or TLS with a certificate the test makes), a thread
//! per connection, minimal HTTP/1.1. Also a tiny forwarding HTTP proxy that records
//! what it forwarded.
//!
//! Serves the shapes of `reference/salesforce-exports.md` §3: the client credentials
//! token endpoint; REST `query` with `nextRecordsUrl` pages and `Sforce-Limit-Info`;
//! `SELECT COUNT()`; `CurrencyType` (only in a multi-currency org, else `INVALID_TYPE`);
//! Bulk API 2.0 query jobs (`UploadComplete`, `InProgress`, `JobComplete` or `Failed`;
//! results as all-quoted CSV pages through `Sforce-Locator` until `null`; 412
//! `JOB_NOT_COMPLETE` for results asked too early); errors as `[{message, errorCode}]`,
//! `INVALID_FIELD` with Salesforce's wording; and injectable 429, 503 and 401
//! `INVALID_SESSION_ID` answers. It counts how often each record was served.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use crate::auth0_server::{parse_pairs, read_request, Request};

pub const API_VERSION: &str = "62.0";
pub const API_LIMIT: u64 = 15_000;

/// One Account record, its money as the JSON number text the API sends.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    /// `120000.0`, `1.2E5`, ... ; None = null.
    pub arr: Option<String>,
    pub currency: String,
    /// `ws_1;ws_2`.
    pub workspaces: String,
}

/// What to break, on which requests.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// 429 with `Retry-After: 0`.
    RateLimited,
    /// 503 with a Salesforce-shaped body.
    Unavailable,
    /// 401 `INVALID_SESSION_ID`, and the token presented is revoked.
    InvalidSession,
    /// Answer normally, but only after this delay (beyond the client's read timeout).
    Slow(Duration),
}

/// Which requests break, and how.
pub type Fault = crate::auth0_server::Fault<FaultKind>;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub client_id: String,
    pub client_secret: String,
    pub accounts: Vec<Account>,
    /// Records per REST page.
    pub page_size: usize,
    /// Records per Bulk results page (the client's maxRecords is larger).
    pub bulk_page_size: usize,
    /// Active currencies (`IsoCode`, `ConversionRate` text, `IsCorporate`); None: a
    /// single-currency org, without `CurrencyType` and `CurrencyIsoCode`.
    pub currencies: Option<Vec<(String, String, bool)>>,
    /// Polls answered `InProgress` before `JobComplete`.
    pub polls_in_progress: usize,
    /// Results requests answered 412 `JOB_NOT_COMPLETE` (after the job said JobComplete).
    pub results_not_complete: usize,
    /// The job ends `Failed` with this `errorMessage`.
    pub job_fails_with: Option<String>,
    pub faults: Vec<Fault>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            client_id: "3MVG9standin.consumer.key".into(),
            client_secret: "standin-sf-secret-51c0ffee".into(),
            accounts: Vec::new(),
            page_size: 2000,
            bulk_page_size: 50_000,
            currencies: None,
            polls_in_progress: 0,
            results_not_complete: 0,
            job_fails_with: None,
            faults: Vec::new(),
        }
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

struct Job {
    fields: Vec<String>,
    polls: usize,
}

#[derive(Default)]
struct State {
    /// Every token handed out, in order; the valid ones are in `valid`.
    issued: Vec<String>,
    valid: HashSet<String>,
    /// cursor id -> fields of its query.
    cursors: HashMap<String, Vec<String>>,
    jobs: HashMap<String, Job>,
    not_complete_left: usize,
    served: HashMap<String, usize>,
    log: Vec<Recorded>,
    /// The path of every request that reached the fault check (the token request,
    /// and data requests with a valid token), in order: a fault's `nth` counts them.
    arrived: Vec<String>,
    data_requests: u64,
}

struct Shared {
    config: ServerConfig,
    state: Mutex<State>,
    stop: AtomicBool,
}

pub struct StandIn {
    shared: Arc<Shared>,
    addr: SocketAddr,
    scheme: &'static str,
}

/// Starts the stand-in over plain HTTP.
pub fn start(config: ServerConfig) -> StandIn {
    start_with(config, None)
}

/// Starts the stand-in over TLS with this certificate chain and key (PEM).
pub fn start_tls(config: ServerConfig, cert_pem: &str, key_pem: &str) -> StandIn {
    let certs: Vec<_> = rustls::pki_types::pem::PemObject::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = rustls::pki_types::pem::PemObject::from_pem_slice(key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    start_with(config, Some(Arc::new(tls)))
}

fn start_with(config: ServerConfig, tls: Option<Arc<rustls::ServerConfig>>) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let state = State {
        not_complete_left: config.results_not_complete,
        ..Default::default()
    };
    let shared = Arc::new(Shared {
        config,
        state: Mutex::new(state),
        stop: AtomicBool::new(false),
    });
    let accept_shared = Arc::clone(&shared);
    let scheme = if tls.is_some() { "https" } else { "http" };
    thread::spawn(move || {
        for stream in listener.incoming() {
            if accept_shared.stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let conn_shared = Arc::clone(&accept_shared);
            let tls = tls.clone();
            thread::spawn(move || match tls {
                Some(tls) => {
                    let Ok(conn) = rustls::ServerConnection::new(tls) else {
                        return;
                    };
                    serve(rustls::StreamOwned::new(conn, stream), &conn_shared);
                }
                None => serve(stream, &conn_shared),
            });
        }
    });
    StandIn { shared, addr, scheme }
}

impl StandIn {
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// Every token handed out.
    pub fn tokens(&self) -> Vec<String> {
        self.shared.state.lock().unwrap().issued.clone()
    }

    /// How many times each record id was served in a successful answer.
    pub fn served(&self) -> HashMap<String, usize> {
        self.shared.state.lock().unwrap().served.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().log.clone()
    }

    /// Requests whose path starts with `prefix`.
    pub fn request_count(&self, prefix: &str) -> usize {
        self.requests().iter().filter(|r| r.path.starts_with(prefix)).count()
    }

    /// Requests whose path starts with `prefix`, counted on arrival (a slow answer
    /// is logged by [`StandIn::requests`] only once it is sent, maybe after the pull).
    pub fn arrivals(&self, prefix: &str) -> usize {
        let state = self.shared.state.lock().unwrap();
        state.arrived.iter().filter(|path| path.starts_with(prefix)).count()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

// ---------------------------------------------------------------- HTTP

struct Response {
    status: u16,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

fn json_response(status: u16, body: Value) -> Response {
    Response {
        status,
        content_type: "application/json;charset=UTF-8",
        headers: Vec::new(),
        body: body.to_string(),
    }
}

fn sf_error(status: u16, code: &str, message: &str) -> Response {
    json_response(status, json!([{"message": message, "errorCode": code}]))
}

fn serve<S: Read + Write>(stream: S, shared: &Shared) {
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        let resp = shared.handle(&req);
        let reason = match resp.status {
            200 => "OK",
            201 => "Created",
            400 => "Bad Request",
            401 => "Unauthorized",
            404 => "Not Found",
            412 => "Precondition Failed",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            resp.status,
            resp.content_type,
            resp.body.len()
        );
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let writer = reader.get_mut();
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

impl Shared {
    fn handle(&self, req: &Request) -> Response {
        let mut resp = self.route(req);
        let mut state = self.state.lock().unwrap();
        if req.path.starts_with("/services/data/") {
            state.data_requests += 1;
            resp.headers.push((
                "Sforce-Limit-Info".into(),
                format!("api-usage={}/{API_LIMIT}", 40 + state.data_requests),
            ));
        }
        state.log.push(Recorded {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            status: resp.status,
        });
        resp
    }

    fn fault(&self, path: &str) -> Option<FaultKind> {
        let mut state = self.state.lock().unwrap();
        state.arrived.push(path.to_string());
        Fault::first_for(&self.config.faults, path, &state.arrived)
    }

    /// The answer to an injected fault, or None to answer normally (after `Slow`'s
    /// delay); `token` is the one presented (revoked by `InvalidSession`).
    fn injected(&self, kind: FaultKind, token: &str) -> Option<Response> {
        Some(match kind {
            FaultKind::RateLimited => {
                let mut r = sf_error(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests, try again later");
                r.headers.push(("Retry-After".into(), "0".into()));
                r
            }
            FaultKind::Unavailable => sf_error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable"),
            FaultKind::InvalidSession => {
                self.state.lock().unwrap().valid.remove(token);
                sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            }
            FaultKind::Slow(delay) => {
                thread::sleep(delay);
                return None;
            }
        })
    }

    fn route(&self, req: &Request) -> Response {
        if req.path == "/services/oauth2/token" && req.method == "POST" {
            // The token endpoint can be rate limited or unavailable like any other.
            if let Some(resp) = self.fault(&req.path).and_then(|kind| self.injected(kind, "")) {
                return resp;
            }
            return self.token(req);
        }
        let token = req
            .headers
            .get("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_string();
        if !self.state.lock().unwrap().valid.contains(&token) {
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        if let Some(resp) = self.fault(&req.path).and_then(|kind| self.injected(kind, &token)) {
            return resp;
        }
        let data = format!("/services/data/v{API_VERSION}");
        let Some(rest) = req.path.strip_prefix(&data) else {
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        let query: HashMap<String, String> = parse_pairs(&req.query).into_iter().collect();
        match (req.method.as_str(), rest) {
            ("GET", "/query") => self.query(query.get("q").map_or("", String::as_str)),
            ("GET", p) if p.starts_with("/query/") => self.query_page(&p["/query/".len()..]),
            ("POST", "/jobs/query") => self.create_job(req),
            ("GET", p) if p.starts_with("/jobs/query/") => {
                let rest = &p["/jobs/query/".len()..];
                match rest.split_once('/') {
                    Some((id, "results")) => self.results(id, &query),
                    None => self.job(rest),
                    _ => sf_error(404, "NOT_FOUND", "The requested resource does not exist"),
                }
            }
            _ => sf_error(404, "NOT_FOUND", "The requested resource does not exist"),
        }
    }

    fn token(&self, req: &Request) -> Response {
        let form: HashMap<String, String> = parse_pairs(&String::from_utf8_lossy(&req.body)).into_iter().collect();
        let get = |k: &str| form.get(k).map_or("", String::as_str);
        if get("grant_type") != "client_credentials" {
            return json_response(
                400,
                json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"}),
            );
        }
        if get("client_id") != self.config.client_id || get("client_secret") != self.config.client_secret {
            return json_response(
                400,
                json!({"error": "invalid_client", "error_description": "invalid client credentials"}),
            );
        }
        let mut state = self.state.lock().unwrap();
        let token = format!("00DSTANDIN!AQ0AQ.standin-token-{:04}.x9f", state.issued.len() + 1);
        state.issued.push(token.clone());
        state.valid.insert(token.clone());
        json_response(
            200,
            json!({"access_token": token, "signature": "c2lnbmF0dXJl", "scope": "api",
                   "instance_url": "https://standin.my.salesforce.com", "id": "https://login.salesforce.com/id/00D/005",
                   "token_type": "Bearer", "issued_at": "1790000000000"}),
        )
    }

    /// The fields a SOQL selects from an object, or the error Salesforce gives.
    fn parse_soql(&self, soql: &str) -> Result<(String, Vec<String>), Response> {
        let upper = soql.to_ascii_uppercase();
        let (Some(select), Some(from)) = (upper.find("SELECT "), upper.find(" FROM ")) else {
            return Err(sf_error(400, "MALFORMED_QUERY", &format!("unexpected token: '{soql}'")));
        };
        let fields: Vec<String> = soql[select + 7..from]
            .split(',')
            .map(|f| f.trim().to_string())
            .collect();
        let object = soql[from + 6..].split_whitespace().next().unwrap_or("").to_string();
        let known: Vec<&str> = match object.as_str() {
            "Account" => {
                let mut k = vec!["Id", "Name", "ParentId", "ARR__c", "Workspace_ID__c", "COUNT()"];
                if self.config.currencies.is_some() {
                    k.push("CurrencyIsoCode");
                }
                k
            }
            "CurrencyType" if self.config.currencies.is_some() => vec!["IsoCode", "ConversionRate", "IsCorporate"],
            _ => {
                return Err(sf_error(
                    400,
                    "INVALID_TYPE",
                    &format!("sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name."),
                ))
            }
        };
        for field in &fields {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(field)) {
                let column = soql.find(field.as_str()).unwrap_or(0) + 1;
                return Err(sf_error(
                    400,
                    "INVALID_FIELD",
                    &format!(
                        "\n{soql}\n{}^\nERROR at Row:1:Column:{column}\nNo such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                        " ".repeat(column - 1)
                    ),
                ));
            }
        }
        Ok((object, fields))
    }

    fn query(&self, soql: &str) -> Response {
        let (object, fields) = match self.parse_soql(soql) {
            Ok(parsed) => parsed,
            Err(resp) => return resp,
        };
        if fields == ["COUNT()"] {
            return json_response(
                200,
                json!({"totalSize": self.config.accounts.len(), "done": true, "records": []}),
            );
        }
        if object == "CurrencyType" {
            let records: Vec<String> = self
                .config
                .currencies
                .iter()
                .flatten()
                .map(|(code, rate, corporate)| {
                    format!(
                        r#"{{"attributes":{{"type":"CurrencyType","url":"/services/data/v{API_VERSION}/sobjects/CurrencyType/01L{code}"}},"IsoCode":"{code}","ConversionRate":{rate},"IsCorporate":{corporate}}}"#
                    )
                })
                .collect();
            return raw_page(records.len(), true, None, &records);
        }
        let cursor = {
            let mut state = self.state.lock().unwrap();
            let id = format!("01gSTANDIN{:05}", state.cursors.len() + 1);
            state.cursors.insert(id.clone(), fields);
            id
        };
        self.page(&cursor, 0)
    }

    fn query_page(&self, locator: &str) -> Response {
        let Some((cursor, offset)) = locator.rsplit_once('-') else {
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        };
        match offset.parse() {
            Ok(offset) => self.page(cursor, offset),
            Err(_) => sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator"),
        }
    }

    fn page(&self, cursor: &str, offset: usize) -> Response {
        let Some(fields) = self.state.lock().unwrap().cursors.get(cursor).cloned() else {
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        };
        let accounts = &self.config.accounts;
        let end = (offset + self.config.page_size).min(accounts.len());
        let slice = &accounts[offset.min(end)..end];
        let records: Vec<String> = slice.iter().map(|a| record_json(a, &fields)).collect();
        let done = end >= accounts.len();
        let next = (!done).then(|| format!("/services/data/v{API_VERSION}/query/{cursor}-{end}"));
        let mut state = self.state.lock().unwrap();
        for a in slice {
            *state.served.entry(a.id.clone()).or_insert(0) += 1;
        }
        drop(state);
        raw_page(accounts.len(), done, next, &records)
    }

    fn create_job(&self, req: &Request) -> Response {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if body["operation"] != "query" || body["contentType"] != "CSV" {
            return sf_error(400, "INVALIDJOB", "operation and contentType are required");
        }
        let soql = body["query"].as_str().unwrap_or("");
        let (_, fields) = match self.parse_soql(soql) {
            Ok(parsed) => parsed,
            Err(resp) => return resp,
        };
        let mut state = self.state.lock().unwrap();
        let id = format!("750STANDIN{:05}AAA", state.jobs.len() + 1);
        state.jobs.insert(id.clone(), Job { fields, polls: 0 });
        json_response(200, self.job_info(&id, "UploadComplete", 0))
    }

    fn job_info(&self, id: &str, state: &str, processed: usize) -> Value {
        json!({"id": id, "operation": "query", "object": "Account", "createdById": "005R0000000GiwjIAC",
               "createdDate": "2026-09-30T17:50:19.000+0000", "systemModstamp": "2026-09-30T17:51:27.000+0000",
               "state": state, "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": 62.0,
               "jobType": "V2Query", "lineEnding": "LF", "columnDelimiter": "COMMA",
               "numberRecordsProcessed": processed, "retries": 0, "totalProcessingTime": 334})
    }

    fn job(&self, id: &str) -> Response {
        let mut state = self.state.lock().unwrap();
        let Some(job) = state.jobs.get_mut(id) else {
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        job.polls += 1;
        let polls = job.polls;
        drop(state);
        if polls <= self.config.polls_in_progress {
            return json_response(200, self.job_info(id, "InProgress", 0));
        }
        if let Some(message) = &self.config.job_fails_with {
            let mut info = self.job_info(id, "Failed", 0);
            info["errorMessage"] = json!(message);
            return json_response(200, info);
        }
        json_response(200, self.job_info(id, "JobComplete", self.config.accounts.len()))
    }

    fn results(&self, id: &str, query: &HashMap<String, String>) -> Response {
        let mut state = self.state.lock().unwrap();
        let Some(job) = state.jobs.get(id) else {
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        let fields = job.fields.clone();
        let polls = job.polls;
        if polls <= self.config.polls_in_progress || state.not_complete_left > 0 {
            state.not_complete_left = state.not_complete_left.saturating_sub(1);
            return sf_error(
                412,
                "JOB_NOT_COMPLETE",
                "can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: IN_PROGRESS",
            );
        }
        let offset: usize = query
            .get("locator")
            .map_or(0, |l| l.trim_start_matches("TE9D").parse().unwrap_or(0));
        let max: usize = query
            .get("maxRecords")
            .and_then(|m| m.parse().ok())
            .unwrap_or(usize::MAX);
        let accounts = &self.config.accounts;
        let end = (offset + self.config.bulk_page_size.min(max)).min(accounts.len());
        let slice = &accounts[offset.min(end)..end];
        for a in slice {
            *state.served.entry(a.id.clone()).or_insert(0) += 1;
        }
        drop(state);
        let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
        let mut csv = fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",") + "\n";
        for a in slice {
            let cells: Vec<String> = fields.iter().map(|f| quote(&bulk_value(a, f))).collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        let locator = if end < accounts.len() {
            format!("TE9D{end}")
        } else {
            "null".to_string()
        };
        Response {
            status: 200,
            content_type: "text/csv",
            headers: vec![
                ("Sforce-Locator".into(), locator),
                ("Sforce-NumberOfRecords".into(), slice.len().to_string()),
            ],
            body: csv,
        }
    }
}

fn raw_page(total: usize, done: bool, next: Option<String>, records: &[String]) -> Response {
    let next = next.map_or(String::new(), |n| format!(r#""nextRecordsUrl":"{n}","#));
    Response {
        status: 200,
        content_type: "application/json;charset=UTF-8",
        headers: Vec::new(),
        body: format!(
            r#"{{"totalSize":{total},"done":{done},{next}"records":[{}]}}"#,
            records.join(",")
        ),
    }
}

/// A REST record with the API's `attributes`, money as its number text.
fn record_json(a: &Account, fields: &[String]) -> String {
    let mut parts = vec![format!(
        r#""attributes":{{"type":"Account","url":"/services/data/v{API_VERSION}/sobjects/Account/{}"}}"#,
        a.id
    )];
    for field in fields {
        let value = match field.to_ascii_lowercase().as_str() {
            "id" => json!(a.id).to_string(),
            "name" => json!(a.name).to_string(),
            "parentid" => a.parent.as_ref().map_or("null".into(), |p| json!(p).to_string()),
            "arr__c" => a.arr.clone().unwrap_or_else(|| "null".into()),
            "currencyisocode" => json!(a.currency).to_string(),
            "workspace_id__c" => {
                if a.workspaces.is_empty() {
                    "null".into()
                } else {
                    json!(a.workspaces).to_string()
                }
            }
            other => panic!("unknown field {other}"),
        };
        // The API answers in the field's own case.
        let canonical = match field.to_ascii_lowercase().as_str() {
            "id" => "Id",
            "name" => "Name",
            "parentid" => "ParentId",
            "arr__c" => "ARR__c",
            "currencyisocode" => "CurrencyIsoCode",
            _ => "Workspace_ID__c",
        };
        parts.push(format!(r#""{canonical}":{value}"#));
    }
    format!("{{{}}}", parts.join(","))
}

/// A Bulk CSV cell: text, empty for null.
fn bulk_value(a: &Account, field: &str) -> String {
    match field.to_ascii_lowercase().as_str() {
        "id" => a.id.clone(),
        "name" => a.name.clone(),
        "parentid" => a.parent.clone().unwrap_or_default(),
        "arr__c" => a.arr.clone().unwrap_or_default(),
        "currencyisocode" => a.currency.clone(),
        "workspace_id__c" => a.workspaces.clone(),
        other => panic!("unknown field {other}"),
    }
}

// ---------------------------------------------------------------- proxy

/// A forwarding HTTP proxy on 127.0.0.1: absolute-form requests (`GET http://...`) are
/// sent on with `Connection: close`, `CONNECT host:port` tunnels. Records the request
/// line of each.
pub struct Proxy {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines forwarded, in order.
    pub fn forwarded(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

pub fn start_proxy() -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let accept_log = Arc::clone(&log);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = Arc::clone(&accept_log);
            thread::spawn(move || proxy_connection(stream, &log));
        }
    });
    Proxy { addr, log }
}

fn proxy_connection(client: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        if h.trim_end().is_empty() {
            break;
        }
        headers.push(h.trim_end().to_string());
    }
    log.lock().unwrap().push(line.trim_end().to_string());
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        let Ok(upstream) = TcpStream::connect(target) else {
            return;
        };
        let mut client = reader.into_inner();
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .is_err()
        {
            return;
        }
        tunnel(client, upstream);
        return;
    }
    let Some(rest) = target.strip_prefix("http://") else {
        return;
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(mut upstream) = TcpStream::connect(host) else {
        return;
    };
    let length = headers
        .iter()
        .find_map(|h| {
            h.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut head = format!("{method} {} HTTP/1.1\r\n", if path.is_empty() { "/" } else { path });
    for h in headers.iter().filter(|h| {
        let lower = h.to_ascii_lowercase();
        !lower.starts_with("proxy-") && !lower.starts_with("connection:")
    }) {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    if upstream
        .write_all(head.as_bytes())
        .and_then(|_| upstream.write_all(&body))
        .is_err()
    {
        return;
    }
    // The answer goes back with `Connection: close`, so the client opens a new
    // connection (and the proxy sees a new request line) for its next request.
    let mut answer = BufReader::new(upstream);
    let mut status = String::new();
    if answer.read_line(&mut status).unwrap_or(0) == 0 {
        return;
    }
    let mut out = status;
    let mut length = 0;
    loop {
        let mut h = String::new();
        if answer.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        if h.trim_end().is_empty() {
            out.push_str("Connection: close\r\n\r\n");
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("content-length:") {
            length = n.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            out.push_str(&h);
        }
    }
    // The stand-in keeps its connections open, so the body is read by its length.
    let mut rest = vec![0; length];
    if answer.read_exact(&mut rest).is_err() {
        return;
    }
    let mut client = reader.into_inner();
    let _ = client.write_all(out.as_bytes()).and_then(|_| client.write_all(&rest));
}

fn tunnel(client: TcpStream, upstream: TcpStream) {
    let (mut c_read, mut u_write) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let forward = thread::spawn(move || {
        let _ = std::io::copy(&mut c_read, &mut u_write);
        let _ = u_write.shutdown(std::net::Shutdown::Write);
    });
    let (mut u_read, mut c_write) = (upstream, client);
    let _ = std::io::copy(&mut u_read, &mut c_write);
    let _ = c_write.shutdown(std::net::Shutdown::Write);
    let _ = forward.join();
}
