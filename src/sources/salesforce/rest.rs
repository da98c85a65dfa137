//! SOQL over the REST API: `GET /services/data/vXX.X/query?q=...`, then each
//! `nextRecordsUrl` until `done`. Each record's fields are read as the text the JSON
//! holds (a number's own digits, never through `f64`), so that money stays exact.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::session::Session;
use crate::sources::http::encode_component;

/// Safety net against a server that hands out `nextRecordsUrl` forever.
const MAX_PAGES: usize = 1_000_000;

/// One page of a query answer, its records left as raw JSON.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(rename = "totalSize")]
    total_size: u64,
    done: bool,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
}

/// The records of a query: one row of cell texts per record, in the order of `fields`.
#[derive(Debug, Default)]
pub(crate) struct QueryRows {
    pub rows: Vec<Vec<String>>,
    /// `totalSize` of the answer: how many records the query matched.
    pub total_size: u64,
    pub pages: u64,
}

/// `SELECT COUNT() ...`: how many records the query matches, in one request.
pub(crate) fn count(session: &Session<'_>, data_path: &str, soql: &str) -> Result<u64> {
    let reply = session.get(&query_path(data_path, soql), "application/json")?;
    let page: Page = serde_json::from_slice(&reply.body).context("the COUNT() answer is not a query result")?;
    Ok(page.total_size)
}

/// Runs `soql` and reads `fields` (API names, dotted for relationships) of every
/// record, following `nextRecordsUrl`. `on_page` hears the rows read so far.
///
/// # Errors
/// A failed request, a record that is not an object, a field that holds an object,
/// or fewer records than `totalSize` said.
pub(crate) fn query(
    session: &Session<'_>,
    data_path: &str,
    soql: &str,
    fields: &[&str],
    mut on_page: impl FnMut(usize),
) -> Result<QueryRows> {
    let mut out = QueryRows::default();
    let mut next = Some(query_path(data_path, soql));
    while let Some(path) = next.take() {
        out.pages += 1;
        if out.pages as usize > MAX_PAGES {
            bail!("the query returned more than {MAX_PAGES} pages; its nextRecordsUrl may loop");
        }
        let reply = session.get(&path, "application/json")?;
        let text = reply.text()?;
        let page: Page = serde_json::from_str(text)
            .with_context(|| format!("page {} of the query answer is not a query result", out.pages))?;
        if out.pages == 1 {
            out.total_size = page.total_size;
            out.rows.reserve(page.total_size.min(10_000_000) as usize);
        }
        for record in &page.records {
            out.rows.push(
                read_record(record, fields)
                    .with_context(|| format!("record {} of the query answer", out.rows.len() + 1))?,
            );
        }
        on_page(out.rows.len());
        if !page.done {
            match page.next_records_url {
                Some(url) => next = Some(url),
                None => bail!("a query page says it is not done but has no nextRecordsUrl; rows would be lost"),
            }
        }
    }
    if out.rows.len() as u64 != out.total_size {
        bail!(
            "the query said it matched {} records but its pages held {}; no snapshot was written, try again",
            out.total_size,
            out.rows.len()
        );
    }
    Ok(out)
}

fn query_path(data_path: &str, soql: &str) -> String {
    format!("{data_path}/query?q={}", encode_component(soql))
}

/// The cells of one record: each field's text, empty for `null`.
fn read_record(record: &RawValue, fields: &[&str]) -> Result<Vec<String>> {
    let object = object_of(record)?;
    fields.iter().map(|field| field_text(&object, field)).collect()
}

/// A JSON object's fields by lower-cased name (Salesforce answers in the API name's
/// own case, which need not be the case the config wrote).
fn object_of(value: &RawValue) -> Result<BTreeMap<String, &RawValue>> {
    let map: BTreeMap<String, &RawValue> =
        serde_json::from_str(value.get()).context("a record is not a JSON object")?;
    Ok(map.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect())
}

/// The text of `field` (`Name`, or `Owner.Workspace__c` through a relationship):
/// a string as it is, a number as its digits, a boolean as `true`/`false`, `null`
/// (or a field the answer left out, or a null relationship) as empty.
fn field_text(object: &BTreeMap<String, &RawValue>, field: &str) -> Result<String> {
    let (head, rest) = match field.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (field, None),
    };
    let Some(raw) = object.get(&head.to_ascii_lowercase()) else {
        return Ok(String::new());
    };
    let text = raw.get().trim();
    match (text.as_bytes().first(), rest) {
        (Some(b'n'), _) => Ok(String::new()),
        (Some(b'{'), Some(rest)) => field_text(&object_of(raw)?, rest),
        (_, Some(_)) => bail!("`{head}` is not a relationship, so `{field}` cannot be read"),
        (Some(b'"'), None) => Ok(serde_json::from_str::<String>(text)?),
        (Some(b'{' | b'['), None) => bail!("field `{field}` holds an object, not a value; name one of its fields"),
        (_, None) => Ok(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str, fields: &[&str]) -> Result<Vec<String>> {
        let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
        read_record(&raw, fields)
    }

    #[test]
    fn numbers_keep_their_digits_and_nulls_are_empty() {
        let json = r#"{"attributes": {"type": "Account", "url": "/x"}, "Id": "0015g00000XyZaBAAV",
            "Name": "Acme \"North\", Inc.", "ParentId": null, "ARR__c": 9007199254740993.01,
            "Other__c": 1.2E5, "IsActive__c": true}"#;
        let cells = record(
            json,
            &[
                "Id",
                "name",
                "ParentId",
                "ARR__C",
                "Other__c",
                "IsActive__c",
                "Missing__c",
            ],
        )
        .unwrap();
        assert_eq!(
            cells,
            [
                "0015g00000XyZaBAAV",
                "Acme \"North\", Inc.",
                "",
                "9007199254740993.01",
                "1.2E5",
                "true",
                ""
            ]
        );
    }

    #[test]
    fn relationship_paths_are_walked_and_objects_refused() {
        let json = r#"{"Id": "a", "Owner": {"attributes": {}, "Workspace__c": "ws_1"}, "Parent": null}"#;
        assert_eq!(
            record(json, &["Owner.Workspace__c", "Parent.Name"]).unwrap(),
            ["ws_1", ""]
        );
        let err = record(json, &["Owner"]).unwrap_err().to_string();
        assert!(err.contains("holds an object"), "{err}");
        let err = record(json, &["Id.Name"]).unwrap_err().to_string();
        assert!(err.contains("not a relationship"), "{err}");
    }
}
