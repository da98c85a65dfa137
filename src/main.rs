//! The `featurearr` binary: parse the command line, run, print the error chain.

use std::process::ExitCode;

use clap::Parser;
use featurearr::cli::Cli;

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
    ExitCode::FAILURE
}
