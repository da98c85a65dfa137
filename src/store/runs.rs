//! The record of `featurearr refresh` runs (schema.sql: runs, run_steps, run_sources):
//! writing one run in a transaction of its own, and reading them back newest first.
//!
//! Knows nothing about what a run does; the caller hands over what happened.

use anyhow::{bail, Context, Result};
use duckdb::params;
use serde::{Deserialize, Serialize};

use super::Store;

/// One run as recorded. Times are UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunRecord {
    /// Given by the store when the run is recorded; 0 before.
    pub run_id: i64,
    pub as_of: String,
    pub started_at: String,
    pub finished_at: String,
    /// `ok`, `failed` or `gates-exceeded`.
    pub outcome: String,
    pub failed_step: Option<String>,
    pub error: Option<String>,
    pub output_dir: Option<String>,
    pub steps: Vec<RunStep>,
    pub sources: Vec<RunSource>,
    /// What the run kept besides: gates exceeded, notifications, headline numbers (JSON).
    pub details: serde_json::Value,
}

/// One step of a run and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunStep {
    pub step: String,
    pub seconds: f64,
    /// `ok` or `failed`.
    pub outcome: String,
}

/// One source of a run: where it came from, the rows read and the HTTP requests made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunSource {
    pub source: String,
    pub origin: String,
    /// None when the source failed before it was read whole.
    pub rows: Option<i64>,
    /// None when unknown (a pull that failed).
    pub requests: Option<i64>,
}

/// A `runs` row as the query returns it.
#[derive(Deserialize)]
struct RunRow {
    run_id: i64,
    as_of: String,
    started_at: String,
    finished_at: String,
    outcome: String,
    failed_step: Option<String>,
    error: Option<String>,
    output_dir: Option<String>,
    details: String,
}

/// A `run_steps` or `run_sources` row with the run it belongs to.
#[derive(Deserialize)]
struct StepRow {
    run_id: i64,
    step: String,
    seconds: f64,
    outcome: String,
}

#[derive(Deserialize)]
struct SourceRow {
    run_id: i64,
    source: String,
    origin: String,
    rows: Option<i64>,
    requests: Option<i64>,
}

/// How DuckDB writes a run's times back: ISO 8601 in UTC, to the millisecond.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S.%gZ";

impl Store {
    /// Records `run` in a transaction of its own and returns its id. Never part of a
    /// refresh's snapshot transaction: a failed run is recorded too.
    pub(crate) fn record_run(&mut self, run: &RunRecord) -> Result<i64> {
        if self.in_transaction {
            bail!("a run is recorded outside the snapshots' transaction; this is a bug, please report it");
        }
        let what = || format!("cannot record the run in {}", self.path.display());
        let tx = self.conn.transaction().with_context(what)?;
        let run_id: i64 = tx.query_row("SELECT nextval('run_ids')", [], |r| r.get(0))?;
        // The times come as `...Z`; DuckDB's TIMESTAMP holds them without a zone.
        let time = |t: &str| t.trim_end_matches('Z').replace('T', " ");
        tx.execute(
            "INSERT INTO runs VALUES (?, ?::DATE, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, ?, ?, ?)",
            params![
                run_id,
                run.as_of,
                time(&run.started_at),
                time(&run.finished_at),
                run.outcome,
                run.failed_step,
                run.error,
                run.output_dir,
                run.details.to_string()
            ],
        )?;
        for (position, step) in run.steps.iter().enumerate() {
            tx.execute(
                "INSERT INTO run_steps VALUES (?, ?, ?, ?, ?)",
                params![run_id, position as i64, step.step, step.seconds, step.outcome],
            )?;
        }
        for source in &run.sources {
            tx.execute(
                "INSERT INTO run_sources VALUES (?, ?, ?, ?, ?)",
                params![run_id, source.source, source.origin, source.rows, source.requests],
            )?;
        }
        tx.commit().with_context(what)?;
        Ok(run_id)
    }

    /// Every recorded run, newest first, with its steps in order and its sources.
    pub(crate) fn runs(&self) -> Result<Vec<RunRecord>> {
        let rows: Vec<RunRow> = self.query_rows(&format!(
            "SELECT run_id, strftime(as_of, '%Y-%m-%d') AS as_of,
                    strftime(started_at, '{TIME_FORMAT}') AS started_at,
                    strftime(finished_at, '{TIME_FORMAT}') AS finished_at,
                    outcome, failed_step, error, output_dir, details
             FROM runs ORDER BY started_at DESC, run_id DESC"
        ))?;
        let steps: Vec<StepRow> =
            self.query_rows("SELECT run_id, step, seconds, outcome FROM run_steps ORDER BY run_id, position")?;
        let sources: Vec<SourceRow> =
            self.query_rows("SELECT run_id, source, origin, rows, requests FROM run_sources ORDER BY run_id, rowid")?;
        rows.into_iter()
            .map(|r| {
                let details = serde_json::from_str(&r.details)
                    .with_context(|| format!("run {} has details that are not JSON", r.run_id))?;
                Ok(RunRecord {
                    run_id: r.run_id,
                    as_of: r.as_of,
                    started_at: r.started_at,
                    finished_at: r.finished_at,
                    outcome: r.outcome,
                    failed_step: r.failed_step,
                    error: r.error,
                    output_dir: r.output_dir,
                    steps: steps
                        .iter()
                        .filter(|s| s.run_id == r.run_id)
                        .map(|s| RunStep {
                            step: s.step.clone(),
                            seconds: s.seconds,
                            outcome: s.outcome.clone(),
                        })
                        .collect(),
                    sources: sources
                        .iter()
                        .filter(|s| s.run_id == r.run_id)
                        .map(|s| RunSource {
                            source: s.source.clone(),
                            origin: s.origin.clone(),
                            rows: s.rows,
                            requests: s.requests,
                        })
                        .collect(),
                    details,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn run(as_of: &str, started_at: &str, outcome: &str) -> RunRecord {
        RunRecord {
            run_id: 0,
            as_of: as_of.into(),
            started_at: started_at.into(),
            finished_at: "2026-10-01T06:00:09.250Z".into(),
            outcome: outcome.into(),
            failed_step: (outcome == "failed").then(|| "auth0".into()),
            error: (outcome == "failed").then(|| "GET /api/v2/connections failed".into()),
            output_dir: None,
            steps: vec![
                RunStep {
                    step: "flags".into(),
                    seconds: 0.5,
                    outcome: "ok".into(),
                },
                RunStep {
                    step: "auth0".into(),
                    seconds: 1.25,
                    outcome: if outcome == "failed" { "failed" } else { "ok" }.into(),
                },
            ],
            sources: vec![RunSource {
                source: "auth0".into(),
                origin: "pull http://127.0.0.1:1".into(),
                rows: Some(3),
                requests: Some(7),
            }],
            details: serde_json::json!({ "gates_exceeded": [] }),
        }
    }

    #[test]
    fn runs_come_back_newest_first_as_they_were_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_write(&dir.path().join("t.duckdb"), Duration::ZERO).unwrap();
        let first = run("2026-09-30", "2026-10-01T06:00:00.125Z", "ok");
        let second = run("2026-10-31", "2026-11-01T06:00:00.000Z", "failed");
        assert_eq!(store.record_run(&first).unwrap(), 1);
        assert_eq!(store.record_run(&second).unwrap(), 2);
        let runs = store.runs().unwrap();
        assert_eq!(
            runs,
            [RunRecord { run_id: 2, ..second }, RunRecord { run_id: 1, ..first }]
        );
    }

    #[test]
    fn a_run_is_not_recorded_inside_the_snapshots_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_write(&dir.path().join("t.duckdb"), Duration::ZERO).unwrap();
        let err = store
            .in_one_transaction(|store| store.record_run(&run("2026-09-30", "2026-10-01T06:00:00.000Z", "ok")))
            .unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
        assert!(store.runs().unwrap().is_empty());
    }
}
