//! Pagination loops for the Management API, as pure functions over a
//! closure that fetches one page, so tests drive them without HTTP.
//!
//! They never truncate silently: offset paging stops at Auth0's 1,000-record
//! cap with an error, checkpoint paging runs until `next` disappears.

use anyhow::{bail, ensure, Result};
use serde_json::Value;

/// Auth0 refuses offset pages past this many records (`400 invalid_paging`).
pub(crate) const OFFSET_CAP: usize = 1000;

/// Safety net against a server that keeps handing out `next` forever.
const MAX_PAGES: usize = 100_000;

/// One offset page: the items and, if the envelope had it, `total`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OffsetPage {
    pub items: Vec<Value>,
    pub total: Option<usize>,
}

/// Pages `page = 0, 1, ...` of `per_page` items until a short or empty page
/// or `total` is reached. (`limit` in the envelope is not trusted: Auth0 has
/// been seen answering `limit: 1` to `per_page=50`.)
///
/// # Errors
/// Fails when more records remain past Auth0's 1,000-record offset cap,
/// naming `what`.
pub(crate) fn offset_pages(
    what: &str,
    per_page: usize,
    mut get: impl FnMut(usize) -> Result<OffsetPage>,
) -> Result<Vec<Value>> {
    ensure!(per_page > 0, "per_page must be positive");
    let mut out = Vec::new();
    for page in 0.. {
        let batch = get(page)?;
        let n = batch.items.len();
        out.extend(batch.items);
        let done = match batch.total {
            Some(total) => out.len() >= total || n == 0,
            None => n < per_page,
        };
        if done {
            return Ok(out);
        }
        ensure!(
            (page + 1) * per_page < OFFSET_CAP,
            "{what}: Auth0 offset paging stops at {OFFSET_CAP} records and more remain; refusing to return a truncated list"
        );
    }
    unreachable!("the page loop only ends by returning")
}

/// Checkpoint paging (`from`/`take`): calls `get(None)`, then
/// `get(Some(next))` while the response carries `next`.
///
/// # Errors
/// When `get` fails, or the server repeats a `next` value (a loop).
pub(crate) fn checkpoint_pages(
    what: &str,
    mut get: impl FnMut(Option<&str>) -> Result<(Vec<Value>, Option<String>)>,
) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut from: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let (items, next) = get(from.as_deref())?;
        let empty = items.is_empty();
        out.extend(items);
        match next {
            None => return Ok(out),
            Some(_) if empty => return Ok(out),
            Some(n) => {
                if !seen.insert(n.clone()) {
                    bail!("{what}: Auth0 returned the same checkpoint twice; stopping instead of looping");
                }
                from = Some(n);
            }
        }
    }
    bail!("{what}: more than {MAX_PAGES} checkpoint pages; stopping")
}

/// `Link: rel="next"` paging (logs in checkpoint mode): calls `get(url)`
/// and follows the next URL until an empty page (Auth0 then repeats the same
/// URL), no next link, or `stop(page)` says the rest is out of range.
///
/// # Errors
/// When `get` fails.
pub(crate) fn link_pages(
    what: &str,
    first_url: String,
    mut get: impl FnMut(&str) -> Result<(Vec<Value>, Option<String>)>,
    mut stop: impl FnMut(&[Value]) -> bool,
) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut url = first_url;
    for _ in 0..MAX_PAGES {
        let (items, next) = get(&url)?;
        if items.is_empty() {
            return Ok(out);
        }
        let past = stop(&items);
        out.extend(items);
        match next {
            Some(n) if !past && n != url => url = n,
            _ => return Ok(out),
        }
    }
    bail!("{what}: more than {MAX_PAGES} pages; stopping")
}

/// Items of a list response in any of Auth0's shapes: a bare array, or an
/// envelope holding `key` (offset `{total,start,limit,key}` or checkpoint
/// `{key, next?}`). Returns the items, `total` and `next`.
///
/// # Errors
/// When the body is neither.
pub(crate) fn list_body(body: Value, key: &str) -> Result<(Vec<Value>, Option<usize>, Option<String>)> {
    match body {
        Value::Array(items) => Ok((items, None, None)),
        Value::Object(mut map) => {
            let Some(Value::Array(items)) = map.remove(key) else {
                bail!("expected a JSON array or an object with a \"{key}\" array");
            };
            let total = map.get("total").and_then(Value::as_u64).map(|t| t as usize);
            let next = map
                .get("next")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            Ok((items, total, next))
        }
        _ => bail!("expected a JSON array or an object with a \"{key}\" array"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(range: std::ops::Range<usize>) -> Vec<Value> {
        range.map(|i| json!({"id": format!("con_{i:016}")})).collect()
    }

    #[test]
    fn offset_pages_stops_on_short_page() {
        let mut calls = vec![];
        let all = offset_pages("connections", 50, |page| {
            calls.push(page);
            let start = page * 50;
            Ok(OffsetPage {
                items: items(start..(start + 50).min(120)),
                total: None,
            })
        })
        .unwrap();
        assert_eq!(all.len(), 120);
        assert_eq!(calls, vec![0, 1, 2]);
    }

    #[test]
    fn offset_pages_exact_multiple_needs_one_empty_page() {
        let all = offset_pages("x", 50, |page| {
            Ok(OffsetPage {
                items: if page < 2 {
                    items(page * 50..page * 50 + 50)
                } else {
                    vec![]
                },
                total: None,
            })
        })
        .unwrap();
        assert_eq!(all.len(), 100);
    }

    #[test]
    fn offset_pages_uses_total_not_limit() {
        let mut calls = 0;
        let all = offset_pages("enabled connections", 50, |page| {
            calls += 1;
            Ok(OffsetPage {
                items: items(page * 50..page * 50 + 50),
                total: Some(100),
            })
        })
        .unwrap();
        assert_eq!((all.len(), calls), (100, 2));
    }

    #[test]
    fn offset_pages_fails_loudly_at_the_1000_cap() {
        let err = offset_pages("organizations", 50, |page| {
            Ok(OffsetPage {
                items: items(page * 50..page * 50 + 50),
                total: None,
            })
        })
        .unwrap_err();
        assert!(err.to_string().contains("1000 records"), "{err}");
    }

    #[test]
    fn offset_pages_exactly_1000_records_is_fine() {
        let all = offset_pages("x", 50, |page| {
            Ok(OffsetPage {
                items: items(page * 50..page * 50 + 50),
                total: Some(1000),
            })
        })
        .unwrap();
        assert_eq!(all.len(), 1000);
    }

    #[test]
    fn checkpoint_pages_follows_next_until_absent() {
        let mut froms = vec![];
        let all = checkpoint_pages("organizations", |from| {
            froms.push(from.map(str::to_string));
            Ok(match from {
                None => (items(0..50), Some("a".into())),
                Some("a") => (items(50..100), Some("b".into())),
                _ => (items(100..120), None),
            })
        })
        .unwrap();
        assert_eq!(all.len(), 120);
        assert_eq!(froms, vec![None, Some("a".into()), Some("b".into())]);
    }

    #[test]
    fn checkpoint_pages_stops_on_empty_page_with_next() {
        let all = checkpoint_pages("x", |from| {
            Ok(if from.is_none() {
                (items(0..3), Some("n".into()))
            } else {
                (vec![], Some("m".into()))
            })
        })
        .unwrap();
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn checkpoint_pages_repeated_next_is_an_error() {
        let err = checkpoint_pages("x", |_| Ok((items(0..1), Some("same".into())))).unwrap_err();
        assert!(err.to_string().contains("same checkpoint twice"));
    }

    #[test]
    fn checkpoint_pages_propagates_errors() {
        let err = checkpoint_pages("x", |from| {
            if from.is_none() {
                Ok((items(0..1), Some("n".into())))
            } else {
                bail!("boom")
            }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "boom");
    }

    #[test]
    fn link_pages_follows_links_until_empty_page() {
        let mut urls = vec![];
        let all = link_pages(
            "logs",
            "u0".into(),
            |url| {
                urls.push(url.to_string());
                Ok(match url {
                    "u0" => (items(0..100), Some("u1".into())),
                    "u1" => (items(100..150), Some("u2".into())),
                    _ => (vec![], Some("u2".into())),
                })
            },
            |_| false,
        )
        .unwrap();
        assert_eq!(all.len(), 150);
        assert_eq!(urls, ["u0", "u1", "u2"]);
    }

    #[test]
    fn link_pages_stops_when_past_the_window() {
        let calls = std::cell::Cell::new(0);
        let all = link_pages(
            "logs",
            "u0".into(),
            |_| {
                calls.set(calls.get() + 1);
                let c = calls.get();
                Ok((items(c * 10..c * 10 + 10), Some(format!("u{c}"))))
            },
            |page| page.len() == 10 && calls.get() == 2,
        )
        .unwrap();
        assert_eq!((all.len(), calls.get()), (20, 2));
    }

    #[test]
    fn list_body_reads_every_shape() {
        let (i, t, n) = list_body(json!([{"id": 1}]), "connections").unwrap();
        assert_eq!((i.len(), t, n), (1, None, None));
        let (i, t, n) = list_body(
            json!({"total": 5, "start": 0, "limit": 50, "connections": [{"id": 1}]}),
            "connections",
        )
        .unwrap();
        assert_eq!((i.len(), t, n), (1, Some(5), None));
        let (i, t, n) = list_body(json!({"organizations": [{"id": 1}], "next": "MjAy"}), "organizations").unwrap();
        assert_eq!((i.len(), t, n.as_deref()), (1, None, Some("MjAy")));
        assert!(list_body(json!({"statusCode": 200}), "logs").is_err());
    }
}
