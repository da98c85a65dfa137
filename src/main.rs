//! The `featurearr` binary: parse the command line, run, print the error chain,
//! choose the exit code.

use std::process::ExitCode;

use clap::Parser;
use featurearr::cli::{Cli, UsageError};

// mimalloc, built with `override`, also replaces malloc for libduckdb.so (the binary
// exports the symbols the library links against). DuckDB's compression analysis and
// our parsers allocate millions of small blocks; glibc spent a third of a 1M ARR load
// in malloc/free (perf), mimalloc halves that load. The official DuckDB Python and CLI
// builds link jemalloc for the same reason.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code of a usage error, as clap uses for the ones it finds.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
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
    ExitCode::FAILURE
}
