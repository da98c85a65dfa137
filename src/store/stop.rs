//! Stop points for the tests of issue 18 (items 3 and 4): debug builds only.
//!
//! With `FEATUREARR_STOP_AT=NAME`, a debug build that reaches the point NAME prints
//! `featurearr: stopped at NAME (PID n)` on stderr and waits there: until the file
//! named by `FEATUREARR_STOP_RELEASE` exists, or, without it, until it is killed. A
//! test can so SIGKILL a load exactly while its transaction is open, or hold a real
//! process on the store while another one queues, with no timing guess. The points:
//!
//! - `before-commit`: every row of a snapshot replace (or, for `refresh`, of all its
//!   snapshots and its runs row) is written, the commit not yet asked for;
//! - `after-commit`: the commit returned, the store not yet closed (nor checkpointed);
//! - `read-open`: a reader (report, doctor, snapshots) has opened the store.
//!
//! Release builds compile none of it: `at` is an empty function there, and nothing
//! reads the variables.

/// Stops here when `FEATUREARR_STOP_AT` names `point` (debug builds only).
#[cfg(debug_assertions)]
pub(crate) fn at(point: &str) {
    use std::io::Write;
    use std::time::Duration;

    if std::env::var("FEATUREARR_STOP_AT").ok().as_deref() != Some(point) {
        return;
    }
    let release = std::env::var_os("FEATUREARR_STOP_RELEASE").map(std::path::PathBuf::from);
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "featurearr: stopped at {point} (PID {})", std::process::id());
    let _ = stderr.flush();
    drop(stderr);
    loop {
        if release.as_ref().is_some_and(|file| file.exists()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn at(_point: &str) {}
