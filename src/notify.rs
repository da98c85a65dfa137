//! Telling the team how a refresh went: a Slack-compatible webhook message (`text`
//! plus `blocks`) and a dead-man's-switch heartbeat (`GET {url}` on success,
//! `GET {url}/fail` on failure, the convention of Healthchecks.io and its kin).
//!
//! Each is tried a few times; what happened is returned, never raised, because a
//! notification that fails must not fail or roll back a run. The URLs are secrets:
//! nothing this module returns contains them. The wording is not here: the caller
//! renders it from `reports/refresh-message.j2`.

use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};

use crate::sources::http::{redact, ApiError, Body, HttpClient, HttpSettings, Request, RetryPolicy, Service};

/// Attempts per notification: the first and two retries.
const RETRIES: u32 = 2;
/// A receiver slower than this is taken as down: the run has finished and waits.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Slack refuses a section's text beyond 3,000 characters.
const SECTION_LIMIT: usize = 3000;
/// Slack refuses a header's text beyond 150 characters.
const HEADER_LIMIT: usize = 150;

/// What became of one notification, as `runs` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct Delivery {
    /// `webhook` or `heartbeat`.
    pub channel: String,
    /// `sent` or `failed`.
    pub outcome: String,
    /// Requests made, retries included.
    pub attempts: u64,
    /// Why it failed, without the URL.
    pub error: Option<String>,
}

/// The message's parts, each a list of lines: a title, sections of mrkdwn, and a
/// closing context line.
pub(crate) struct Message {
    pub title: String,
    pub sections: Vec<Vec<String>>,
    pub context: Vec<String>,
}

/// A Slack-compatible payload: `text` (what notifications and clients without blocks
/// show: every line) and `blocks` (a header, one section per part, a context).
pub(crate) fn slack_payload(message: &Message) -> Value {
    let mut text = vec![message.title.clone()];
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": truncate(&message.title, HEADER_LIMIT), "emoji": true }
    })];
    for section in message.sections.iter().filter(|s| !s.is_empty()) {
        let body = section.join("\n");
        text.push(body.clone());
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": truncate(&body, SECTION_LIMIT) }
        }));
    }
    if !message.context.is_empty() {
        text.push(message.context.join("\n"));
        blocks.push(json!({
            "type": "context",
            "elements": message.context.iter().map(|line| json!({ "type": "mrkdwn", "text": truncate(line, SECTION_LIMIT) })).collect::<Vec<_>>()
        }));
    }
    json!({ "text": text.join("\n\n"), "blocks": blocks })
}

/// The webhook as the HTTP layer names it in errors; any 4xx but 429 is final.
const WEBHOOK: Service = Service {
    name: "the webhook",
    hint: webhook_hint,
};

/// The heartbeat service as the HTTP layer names it in errors.
const HEARTBEAT: Service = Service {
    name: "the heartbeat service",
    hint: heartbeat_hint,
};

fn webhook_hint(err: &ApiError) -> String {
    match err.status {
        400..=499 => "; check FEATUREARR_WEBHOOK_URL or [notify] webhook_url: the webhook may have been revoked".into(),
        _ => String::new(),
    }
}

fn heartbeat_hint(err: &ApiError) -> String {
    match err.status {
        400..=499 => "; check FEATUREARR_HEARTBEAT_URL or [notify] heartbeat_url".into(),
        _ => String::new(),
    }
}

/// POSTs `payload` to the webhook at `url`, with the `[http]` settings (`http`: its
/// proxies and CA files) under the notifications' own timeout and retries.
pub(crate) fn post_webhook(http: &HttpSettings, url: &str, payload: &Value) -> Delivery {
    let body = payload.to_string();
    deliver("webhook", WEBHOOK, http, url, Request::post(url, Body::Json(&body)))
}

/// GETs `url` after a run that succeeded, `url/fail` after one that did not.
pub(crate) fn ping_heartbeat(http: &HttpSettings, url: &str, success: bool) -> Delivery {
    let target = if success { url.to_string() } else { fail_url(url) };
    deliver("heartbeat", HEARTBEAT, http, url, Request::get(&target).accept("*/*"))
}

/// Sends `request` through the HTTP layer's retry policy: any 2xx answer is success,
/// whatever its body (Slack answers `ok`); 429, 5xx and network errors are retried;
/// other 4xx fail at once. The outcome keeps no part of `url`.
fn deliver(channel: &str, service: Service, http: &HttpSettings, url: &str, request: Request<'_>) -> Delivery {
    let settings = HttpSettings {
        connect_timeout: TIMEOUT,
        read_timeout: TIMEOUT,
        retry: RetryPolicy {
            max_retries: RETRIES,
            max_wait: Duration::from_secs(5),
            base_backoff: Duration::from_millis(500),
        },
        requests_per_second: 0.0,
        ..http.clone()
    };
    let (result, attempts) = match HttpClient::new(&settings, service) {
        Ok(client) => (client.send(request).map(drop), client.requests()),
        Err(err) => (Err(err), 0),
    };
    Delivery {
        channel: channel.to_string(),
        outcome: if result.is_ok() { "sent" } else { "failed" }.to_string(),
        attempts,
        error: result.err().map(|err| hide_url(&format!("{err:#}"), url)),
    }
}

/// `{url}/fail`, before any query string and without a doubled slash.
fn fail_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut target = format!("{}/fail", base.trim_end_matches('/'));
    if let Some(query) = query {
        target.push('?');
        target.push_str(query);
    }
    target
}

/// `text` without `url` or any telling part of it: the URL whole, its path and query,
/// and every path segment long enough to be a token.
fn hide_url(text: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    let mut secrets: Vec<&str> = vec![url, path];
    secrets.extend(path.split(['/', '?', '&', '=']).filter(|part| part.len() >= 6));
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    redact(text, &secrets)
}

fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fail_ping_goes_before_the_query_without_a_double_slash() {
        assert_eq!(fail_url("https://hc-ping.com/abc"), "https://hc-ping.com/abc/fail");
        assert_eq!(fail_url("https://hc-ping.com/abc/"), "https://hc-ping.com/abc/fail");
        assert_eq!(
            fail_url("https://hc-ping.com/abc?rid=7"),
            "https://hc-ping.com/abc/fail?rid=7"
        );
    }

    #[test]
    fn errors_keep_no_part_of_the_url_that_could_be_a_credential() {
        let url = "https://hooks.slack.com/services/T0123ABC/B0456DEF/xYz789SeCrEt";
        let text = format!("POST {url} failed; /services/T0123ABC/B0456DEF/xYz789SeCrEt; token xYz789SeCrEt");
        let hidden = hide_url(&text, url);
        for part in ["T0123ABC", "B0456DEF", "xYz789SeCrEt", "services/"] {
            assert!(!hidden.contains(part), "{hidden}");
        }
    }

    #[test]
    fn the_payload_has_text_and_blocks_with_every_line() {
        let payload = slack_payload(&Message {
            title: "featurearr refresh 2026-09-30: done".into(),
            sections: vec![vec!["*SSO*: 30% of customers".into(), "*SCIM*: 10%".into()], vec![]],
            context: vec!["reports: /srv/reports/2026-09-30".into()],
        });
        let text = payload["text"].as_str().unwrap();
        assert!(text.contains("*SSO*: 30% of customers\n*SCIM*: 10%") && text.contains("/srv/reports"));
        let kinds: Vec<&str> = payload["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["header", "section", "context"], "an empty section is left out");
    }
}
