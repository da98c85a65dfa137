//! What a load read, loaded and skipped, and why: the one summary line every load ends
//! with on stderr, also kept in its snapshot's `details` JSON (`summary`).

use serde::Serialize;

use crate::wording::count_of;

/// One load's counts. `read` counts what the input holds (`row`s after a CSV header,
/// `object`s of a JSON file, `connection`s of an Auth0 dump); `loaded` what the
/// snapshot keeps (`account`s, `workspace`s, ...). Nouns are singular.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LoadSummary {
    pub read: usize,
    pub read_noun: &'static str,
    pub loaded: usize,
    pub loaded_noun: &'static str,
    /// What was read and not loaded, by reason; reasons with a count of 0 are left out.
    pub skipped: Vec<Skipped>,
    /// What else the reader did with what it read (`3 rows merged into accounts ...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Skipped {
    pub count: usize,
    /// `rows marked deleted`, `footer lines`, ...
    pub why: String,
}

impl LoadSummary {
    pub(crate) fn new(read: usize, read_noun: &'static str, loaded: usize, loaded_noun: &'static str) -> Self {
        LoadSummary {
            read,
            read_noun,
            loaded,
            loaded_noun,
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a reason for skipping, when its count is not 0: what was skipped, in the
    /// singular and the plural (`footer line`, `footer lines`).
    pub(crate) fn skip(mut self, count: usize, singular: &str, plural: &str) -> Self {
        if count > 0 {
            let why = if count == 1 { singular } else { plural };
            self.skipped.push(Skipped {
                count,
                why: why.to_string(),
            });
        }
        self
    }

    /// Adds a note, when `count` is not 0.
    pub(crate) fn note(mut self, count: usize, note: impl FnOnce(usize) -> String) -> Self {
        if count > 0 {
            self.notes.push(note(count));
        }
        self
    }

    /// `loaded 10 accounts into the arr snapshot of 2026-09-30: 25 rows read, 12 skipped
    /// (8 rows marked deleted, 4 footer lines); 3 rows merged into accounts already read`.
    pub(crate) fn line(&self, snapshot: &str) -> String {
        let mut line = format!(
            "loaded {} into {snapshot}: {} read",
            count_of(self.loaded, self.loaded_noun),
            count_of(self.read, self.read_noun),
        );
        let skipped: usize = self.skipped.iter().map(|s| s.count).sum();
        if skipped == 0 {
            line.push_str(", none skipped");
        } else {
            let why: Vec<String> = self.skipped.iter().map(|s| format!("{} {}", s.count, s.why)).collect();
            line.push_str(&format!(", {skipped} skipped ({})", why.join(", ")));
        }
        for note in &self.notes {
            line.push_str("; ");
            line.push_str(note);
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_what_was_read_loaded_and_skipped() {
        let summary = LoadSummary::new(25, "row", 10, "account")
            .skip(8, "row marked deleted", "rows marked deleted")
            .skip(0, "empty row", "empty rows")
            .skip(1, "footer line", "footer lines")
            .note(3, |n| format!("{n} rows merged into accounts already read"));
        assert_eq!(
            summary.line("the arr snapshot of 2026-09-30"),
            "loaded 10 accounts into the arr snapshot of 2026-09-30: 25 rows read, 9 skipped (8 rows marked deleted, \
             1 footer line); 3 rows merged into accounts already read"
        );
        assert_eq!(
            LoadSummary::new(1, "row", 1, "workspace").line("x"),
            "loaded 1 workspace into x: 1 row read, none skipped"
        );
    }
}
