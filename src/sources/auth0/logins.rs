//! Successful logins counted one log at a time, so that a dump reader can count
//! while it parses and never hold a million log objects.

use std::collections::HashMap;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use super::elements::LogFields;

/// Successful logins (log type `s`) through one connection on one UTC day.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoginCount {
    pub connection_id: String,
    pub day: NaiveDate,
    pub logins: i64,
}

/// Successful logins counted one log at a time, so that a dump reader can count while
/// it parses and never hold a million log objects. Logs that name their connection
/// only by name are resolved once the connections are known (`finish`).
#[derive(Debug, Default)]
pub(crate) struct LoginTally {
    // FxHash: SipHash over a million log ids was 8% of a 1M load's CPU (perf); the ids come from
    // the tenant's own Auth0 logs.
    seen: FxHashSet<Box<str>>,
    /// Connection ids, each held once; `by_id` refers to them by number.
    ids: FxHashMap<Box<str>, usize>,
    /// (connection id's number, day) -> logins.
    by_id: FxHashMap<(usize, NaiveDate), i64>,
    /// connection name -> (day -> logins, logins with no valid date).
    by_name: HashMap<String, (HashMap<NaiveDate, i64>, usize)>,
    no_connection: usize,
    bad_date: usize,
}

impl LoginTally {
    pub(crate) fn from_values(logs: &[Value]) -> Self {
        let mut tally = LoginTally::default();
        for log in logs {
            tally.add(&LogFields::of_value(log));
        }
        tally
    }

    /// Counts one log: type `s` only, each `log_id` once.
    pub(crate) fn add(&mut self, log: &LogFields) {
        if log.is_login() {
            self.add_login(log, log.day());
        }
    }

    /// [`add`](Self::add) for a log known to be a login, its `day` read beforehand: a
    /// dump reader reads it on the thread that parsed the log, which has time to spare.
    pub(crate) fn add_login(&mut self, log: &LogFields, day: Option<NaiveDate>) {
        if let Some(log_id) = log.log_id {
            if !self.seen.insert(log_id.into()) {
                return;
            }
        }
        match (log.connection_id, log.connection) {
            (Some(id), _) => {
                let Some(day) = day else {
                    self.bad_date += 1;
                    return;
                };
                let id = self.number(id);
                *self.by_id.entry((id, day)).or_default() += 1;
            }
            (None, Some(name)) => {
                let entry = match self.by_name.get_mut(name) {
                    Some(entry) => entry,
                    None => self.by_name.entry(name.to_string()).or_default(),
                };
                match day {
                    Some(day) => *entry.0.entry(day).or_default() += 1,
                    None => entry.1 += 1,
                }
            }
            (None, None) => self.no_connection += 1,
        }
    }

    /// The number of a connection id in `ids`.
    fn number(&mut self, id: &str) -> usize {
        if let Some(&n) = self.ids.get(id) {
            return n;
        }
        let n = self.ids.len();
        self.ids.insert(id.into(), n);
        n
    }

    /// The connection names that logins without a connection id give.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Logins per connection and day, sorted; a log naming an unknown connection counts
    /// as naming none (checked before its date, as for logs read one by one).
    pub(crate) fn finish(mut self, ids_by_name: &HashMap<&str, &str>, warnings: &mut Vec<String>) -> Vec<LoginCount> {
        drop(std::mem::take(&mut self.seen));
        let (mut no_connection, mut bad_date) = (self.no_connection, self.bad_date);
        for (name, (days, bad)) in std::mem::take(&mut self.by_name) {
            let Some(id) = ids_by_name.get(name.as_str()) else {
                no_connection += bad + days.values().sum::<i64>() as usize;
                continue;
            };
            bad_date += bad;
            let id = self.number(id);
            for (day, n) in days {
                *self.by_id.entry((id, day)).or_default() += n;
            }
        }
        if no_connection > 0 {
            warnings.push(format!(
                "{no_connection} successful logins name no known connection and are not counted"
            ));
        }
        if bad_date > 0 {
            warnings.push(format!(
                "{bad_date} successful logins have no valid date and are not counted"
            ));
        }
        let mut names = vec![""; self.ids.len()];
        for (id, &n) in &self.ids {
            names[n] = id;
        }
        let mut counts: Vec<(&str, NaiveDate, i64)> = self
            .by_id
            .iter()
            .map(|(&(n, day), &logins)| (names[n], day, logins))
            .collect();
        counts.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        counts
            .into_iter()
            .map(|(connection_id, day, logins)| LoginCount {
                connection_id: connection_id.to_string(),
                day,
                logins,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(id: &str, kind: &str, date: &str, connection_id: &str, connection: &str) -> Value {
        json!({"log_id": id, "type": kind, "date": date, "connection_id": connection_id, "connection": connection})
    }

    #[test]
    fn logins_are_counted_once_per_log_id_and_names_resolve_at_the_end() {
        let tally = LoginTally::from_values(&[
            log("1", "s", "2026-09-01T10:00:00Z", "con_a", ""),
            log("1", "s", "2026-09-02T10:00:00Z", "con_b", ""),
            log("2", "f", "2026-09-01T10:00:00Z", "con_a", ""),
            log("3", "s", "2026-09-01T23:59:59.999Z", "con_a", ""),
            log("4", "s", "2026-09-02T00:00:00+02:00", " ", "acme"),
            log("5", "s", "not a date", "con_a", ""),
            log("6", "s", "not a date", "", "acme"),
            log("7", "s", "2026-09-01T10:00:00Z", "", "gone"),
            log("8", "s", "2026-09-01T10:00:00Z", "", ""),
        ]);
        assert_eq!(tally.names().collect::<Vec<_>>().len(), 2);
        let mut warnings = Vec::new();
        let counts = tally.finish(&HashMap::from([("acme", "con_b")]), &mut warnings);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let count = |id: &str, day: &str, logins| LoginCount {
            connection_id: id.into(),
            day: d(day),
            logins,
        };
        assert_eq!(
            counts,
            [count("con_a", "2026-09-01", 2), count("con_b", "2026-09-01", 1)]
        );
        assert_eq!(
            warnings,
            [
                "2 successful logins name no known connection and are not counted",
                "2 successful logins have no valid date and are not counted"
            ]
        );
    }
}
