//! The `featurearr` binary: parse the command line, run, print the error chain,
//! choose the exit code; and turn a panic into one line instead of a backtrace.

use std::any::Any;
use std::io::Write;
use std::panic::Location;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use featurearr::cli::{Cli, GatesExceeded, UsageError};

// mimalloc, built with `override`, also replaces malloc for libduckdb.so (the binary
// exports the symbols the library links against). DuckDB's compression analysis and
// our parsers allocate millions of small blocks; glibc spent a third of a 1M ARR load
// in malloc/free (perf), mimalloc halves that load. The official DuckDB Python and CLI
// builds link jemalloc for the same reason.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code of a usage error, as clap uses for the ones it finds.
const EXIT_USAGE: u8 = 2;
/// Exit code of a refresh that loaded and reported but exceeded a doctor gate.
const EXIT_GATES_EXCEEDED: u8 = 3;

fn main() -> ExitCode {
    install_panic_hook();
    debug_panic_for_tests();
    let Err(err) = featurearr::run(Cli::parse()) else {
        return ExitCode::SUCCESS;
    };
    // A closed pipe (`featurearr report ... | head`) is not a failure.
    if err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if err.chain().any(|c| c.is::<UsageError>()) {
        return ExitCode::from(EXIT_USAGE);
    }
    if err.chain().any(|c| c.is::<GatesExceeded>()) {
        return ExitCode::from(EXIT_GATES_EXCEEDED);
    }
    ExitCode::FAILURE
}

/// A panic is a bug of ours: the user gets one line saying so (the process still
/// exits 101, Rust's code for a panic), not a backtrace meant for developers. With
/// `RUST_BACKTRACE` set (and not `0`), Rust's own hook prints as usual. Only the first
/// panic is reported: a worker thread's panic is usually re-raised by the thread
/// that joins it, and that second message would say less.
fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    let reported = AtomicBool::new(false);
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            return default_hook(info);
        }
        if reported.swap(true, Ordering::SeqCst) {
            return;
        }
        // Ignoring a failed write: there is nowhere left to report it.
        let _ = writeln!(std::io::stderr(), "{}", panic_line(info.payload(), info.location()));
    }));
}

/// `internal error: MESSAGE (at FILE:LINE); please report it`, on one line whatever
/// the message holds.
fn panic_line(payload: &(dyn Any + Send), location: Option<&Location<'_>>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match location {
        Some(at) => format!(
            "internal error: {message} (at {}:{}); please report it",
            at.file(),
            at.line()
        ),
        None => format!("internal error: {message}; please report it"),
    }
}

/// Debug and test builds only (never in a release binary, never in `--help`): with
/// `FEATUREARR_DEBUG_PANIC` set, panic in a worker thread whose join re-raises it,
/// as the demo writer's threads would. The integration tests prove through it that a
/// panic reaches the user as one line and exit code 101.
fn debug_panic_for_tests() {
    #[cfg(debug_assertions)]
    if std::env::var_os("FEATUREARR_DEBUG_PANIC").is_some() {
        std::thread::spawn(|| panic!("FEATUREARR_DEBUG_PANIC is set"))
            .join()
            .expect("the FEATUREARR_DEBUG_PANIC thread panicked");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_line_is_one_line_with_the_message_and_where() {
        let here = Location::caller();
        let line = panic_line(&"NaiveDate - Days\nout of range", Some(here));
        assert_eq!(
            line,
            format!(
                "internal error: NaiveDate - Days out of range (at {}:{}); please report it",
                here.file(),
                here.line()
            )
        );
    }

    #[test]
    fn panic_line_reads_formatted_messages_and_bare_payloads() {
        let formatted: String = format!("index {} out of range", 7);
        assert_eq!(
            panic_line(&formatted, None),
            "internal error: index 7 out of range; please report it"
        );
        assert_eq!(
            panic_line(&42_u8, None),
            "internal error: a panic without a message; please report it"
        );
    }
}
