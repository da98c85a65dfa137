//! SOQL over Bulk API 2.0, for large pulls: create a query job, poll it with a
//! backoff capped at a few seconds until `JobComplete` (`Failed` and `Aborted` are
//! errors with the job's own message), then read its CSV results page by page through
//! `Sforce-Locator` until it is the string `null`. Results asked for too early (412
//! `JOB_NOT_COMPLETE`) send the pull back to polling.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::session::Session;
use crate::sources::http::ApiError;

/// First wait between two polls of the job; it doubles up to `POLL_CAP`.
const POLL_START: Duration = Duration::from_millis(250);
const POLL_CAP: Duration = Duration::from_secs(5);
/// Records per results page (Salesforce's own upper bound is much higher; pages of this
/// size keep each request short).
const PAGE_RECORDS: u32 = 50_000;
/// How many times results answered `JOB_NOT_COMPLETE` send the pull back to polling.
const MAX_NOT_COMPLETE: u32 = 10;
/// Safety net against a locator that never becomes `null`.
const MAX_PAGES: usize = 1_000_000;

/// The records of a job, one row of cell texts per record in the order of `fields`.
#[derive(Debug, Default)]
pub(crate) struct JobRows {
    pub rows: Vec<Vec<String>>,
    pub job_id: String,
    pub pages: u64,
    pub polls: u64,
}

/// What the pull is doing, for its progress line.
pub(crate) enum Progress<'a> {
    Waiting { state: &'a str, processed: u64 },
    Reading { rows: usize },
}

/// Runs `soql` as a Bulk API 2.0 query job and reads `fields` of every record.
///
/// # Errors
/// A failed request, a `Failed` or `Aborted` job, a results page without a column of
/// `fields`, or fewer rows than the job processed.
pub(crate) fn query(
    session: &Session<'_>,
    data_path: &str,
    soql: &str,
    fields: &[&str],
    mut progress: impl FnMut(Progress<'_>),
) -> Result<JobRows> {
    let body = json!({
        "operation": "query",
        "query": soql,
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    })
    .to_string();
    let jobs = format!("{data_path}/jobs/query");
    let job = session
        .post_json(&jobs, &body)
        .context("cannot create the Bulk API 2.0 query job")?;
    let Some(job_id) = job.get("id").and_then(Value::as_str).map(str::to_string) else {
        bail!("Salesforce created a Bulk API 2.0 job without an id");
    };
    let mut out = JobRows {
        job_id: job_id.clone(),
        ..Default::default()
    };
    let job_path = format!("{jobs}/{job_id}");
    let mut processed = wait_for_job(session, &job_path, &mut out, &mut progress)?;

    let mut locator: Option<String> = None;
    let mut not_complete = 0;
    loop {
        if out.pages as usize >= MAX_PAGES {
            bail!("job {job_id} returned more than {MAX_PAGES} result pages; its Sforce-Locator may loop");
        }
        let mut path = format!("{job_path}/results?maxRecords={PAGE_RECORDS}");
        if let Some(l) = &locator {
            path.push_str(&format!("&locator={}", crate::sources::http::encode_component(l)));
        }
        let reply = match session.get(&path, "text/csv") {
            Ok(reply) => reply,
            Err(err) if is_not_complete(&err) && not_complete < MAX_NOT_COMPLETE => {
                // Salesforce may say JobComplete a moment before its results can be read.
                not_complete += 1;
                processed = wait_for_job(session, &job_path, &mut out, &mut progress)?;
                continue;
            }
            Err(err) => return Err(err.context(format!("cannot read the results of Bulk API 2.0 job {job_id}"))),
        };
        out.pages += 1;
        read_page(&reply.body, fields, &mut out.rows)
            .with_context(|| format!("results page {} of Bulk API 2.0 job {job_id}", out.pages))?;
        progress(Progress::Reading { rows: out.rows.len() });
        match reply.headers.get("sforce-locator").map(str::trim) {
            Some(next) if !next.is_empty() && next != "null" => locator = Some(next.to_string()),
            _ => break,
        }
    }
    if out.rows.len() as u64 != processed {
        bail!(
            "Bulk API 2.0 job {job_id} processed {processed} records but its result pages held {}; no snapshot \
             was written, try again",
            out.rows.len()
        );
    }
    Ok(out)
}

fn is_not_complete(err: &anyhow::Error) -> bool {
    ApiError::find(err).is_some_and(|e| e.status == 412 || e.code.as_deref() == Some("JOB_NOT_COMPLETE"))
}

/// Polls the job until `JobComplete`, waiting longer each time up to `POLL_CAP`;
/// returns `numberRecordsProcessed`.
fn wait_for_job(
    session: &Session<'_>,
    job_path: &str,
    out: &mut JobRows,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<u64> {
    let mut wait = POLL_START;
    loop {
        out.polls += 1;
        let (job, _) = session
            .get_json(job_path)
            .with_context(|| format!("cannot poll Bulk API 2.0 job {}", out.job_id))?;
        let state = job.get("state").and_then(Value::as_str).unwrap_or("");
        let processed = job.get("numberRecordsProcessed").and_then(Value::as_u64).unwrap_or(0);
        match state {
            "JobComplete" => return Ok(processed),
            "Failed" | "Aborted" => {
                let message = job
                    .get("errorMessage")
                    .and_then(Value::as_str)
                    .filter(|m| !m.is_empty())
                    .unwrap_or("no errorMessage given");
                bail!(
                    "Bulk API 2.0 job {} ended {state}: {message}; check [salesforce] object, where and \
                     [salesforce.fields], or pull with --rest",
                    out.job_id
                );
            }
            "UploadComplete" | "InProgress" | "Open" => {
                progress(Progress::Waiting { state, processed });
                std::thread::sleep(wait);
                wait = (wait * 2).min(POLL_CAP);
            }
            other => bail!("Bulk API 2.0 job {} is in an unknown state `{other}`", out.job_id),
        }
    }
}

/// Appends the records of one CSV results page (NUL bytes stripped, as Salesforce's
/// results can carry them) as rows in the order of `fields`.
fn read_page(body: &[u8], fields: &[&str], rows: &mut Vec<Vec<String>>) -> Result<()> {
    let cleaned: Vec<u8> = body.iter().copied().filter(|&b| b != 0).collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(cleaned.as_slice());
    let header = reader.headers().context("the page has no CSV header")?.clone();
    let positions: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim().to_ascii_lowercase(), i))
        .collect();
    let columns: Vec<usize> = fields
        .iter()
        .map(|field| {
            positions.get(&field.to_ascii_lowercase()).copied().with_context(|| {
                format!(
                    "the page has no column `{field}`; its header is {}",
                    header.iter().collect::<Vec<_>>().join(",")
                )
            })
        })
        .collect::<Result<_>>()?;
    for record in reader.records() {
        let record = record.context("a results page is not valid CSV")?;
        rows.push(
            columns
                .iter()
                .map(|&c| record.get(c).unwrap_or("").to_string())
                .collect(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_by_column_name_without_nul_bytes() {
        let page = b"\"Id\",\"ARR__c\",\"Name\"\n\"0015g00000XyZaBAAV\",\"120000\",\"Acme\0, Inc\"\n\"0015g00000Pq7RsAAJ\",\"\",\"\"\n";
        let mut rows = Vec::new();
        read_page(page, &["Id", "Name", "arr__c"], &mut rows).unwrap();
        assert_eq!(
            rows,
            [
                ["0015g00000XyZaBAAV", "Acme, Inc", "120000"],
                ["0015g00000Pq7RsAAJ", "", ""]
            ]
        );
        let err = read_page(page, &["Id", "Workspace_ID__c"], &mut rows)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column `Workspace_ID__c`"), "{err}");
    }
}
