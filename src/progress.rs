//! A spinner on stderr for long steps (reading a million-row export, writing
//! a snapshot), shown only when stderr is a terminal so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A running step; the spinner disappears when it is dropped.
pub(crate) struct Step(Option<ProgressBar>);

/// Starts a step with `message`, e.g. "reading flags.csv".
pub(crate) fn step(message: impl Into<String>) -> Step {
    if !std::io::stderr().is_terminal() {
        return Step(None);
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"));
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    Step(Some(bar))
}

impl Step {
    /// Moves on to the next part of the step.
    pub(crate) fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.into());
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// A spinner for a pull, drawn on stderr when `enabled` (the caller checks that stderr
/// is a terminal), hidden otherwise; the pull sets its message as it goes.
pub(crate) fn pull_spinner(enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
