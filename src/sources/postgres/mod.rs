//! Workspace flags from PostgreSQL: connect as libpq would (`target`, `tls`), run
//! the user's query in a read-only transaction, and stream its rows through the
//! flags reader's checks (`flags::FlagsTable`) as the server sends them.
//!
//! The rows come as `COPY (query) TO STDOUT` in the text format (`copy_text`),
//! one line each, so a million-row result is never held twice. The query's
//! columns are found first, from the prepared statement, and checked as a CSV
//! header is. The only module that names `tokio_postgres::` and `rustls::`.
//!
//! Errors say what to do next: which host and port refused, which user and where
//! its password came from, PostgreSQL's message with its place in the query, a
//! statement timeout. The password never appears in them.

mod copy_text;
mod target;
mod tls;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::Poll;

use anyhow::{anyhow, Context, Result};
use futures_util::StreamExt;
use tokio_postgres::error::{DbError, ErrorPosition, SqlState};
use tokio_postgres::types::{Kind, Type};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::flags::{FeatureColumn, FlagsSnapshot, FlagsTable};
use super::table::TableColumn;
use copy_text::CopyRow;
pub(crate) use target::{is_postgres_url, redact, Target};
use target::{Host, PasswordSource, SslMode};

/// What `COPY` wraps around the query; errors subtract its length from positions.
/// The query sits on lines of its own, so a trailing `-- comment` cannot swallow `)`.
const COPY_HEAD: &str = "COPY (\n";
const COPY_TAIL: &str = "\n) TO STDOUT";

/// Reads one flags snapshot from the rows `query` returns on `target`. `ca_file` is
/// `[http] ca_file`, a CA for `sslmode=verify-ca` and `verify-full`.
///
/// # Errors
/// A connection, authentication or SQL failure, explained (see the module docs), or
/// a value that breaks the flags rules, named by row, workspace_id and column.
pub(crate) fn read_flags(
    target: &Target,
    query: &str,
    features: &[FeatureColumn],
    ca_file: Option<&Path>,
) -> Result<FlagsSnapshot> {
    let (runtime, mut client, mut session) = open(target, ca_file)?;
    let query = trimmed(query);
    let origin = target.origin();
    let offset = COPY_HEAD.chars().count();
    let copy = format!("{COPY_HEAD}{query}{COPY_TAIL}");
    let query_failed = |offset: usize| move |e: tokio_postgres::Error| query_error(&e, target, query, offset);

    // Two stages on two threads: this one takes the rows off the connection in batches
    // of whole lines, the other checks them, so that the two overlap. One after the
    // other, they took 1.6 times as long as reading the same rows from a CSV file.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    let (columns_sender, columns_receiver) = std::sync::mpsc::channel::<Vec<TableColumn>>();
    std::thread::scope(|scope| {
        let checker = scope.spawn(move || -> Result<Option<FlagsTable>> {
            // No columns: the query failed before its rows, and says why.
            let Ok(columns) = columns_receiver.recv() else {
                return Ok(None);
            };
            let mut table = FlagsTable::new(
                origin,
                &columns,
                features,
                "the query returns",
                "e.g. SELECT id AS workspace_id, ...",
            )?;
            let mut row = CopyRow::default();
            for batch in receiver {
                check_batch(&mut table, &batch, origin, &mut row)?;
            }
            Ok(Some(table))
        });
        let received = session.run(
            &runtime,
            async {
                let (tx, statement) = prepare_read_only(&mut client, query, query_failed(0)).await?;
                if columns_sender.send(statement_columns(&statement)).is_err() {
                    return Ok(false);
                }
                let rows = tx.copy_out(&copy).await.map_err(query_failed(offset))?;
                if !send_batches(rows, &sender).await.map_err(query_failed(offset))? {
                    return Ok(false);
                }
                tx.commit().await.map_err(query_failed(0))?;
                Ok(true)
            },
            query_failed(0),
        );
        drop((sender, columns_sender));
        let checked = checker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // A failure on the connection (a statement timeout, say) ends the rows early: it
        // comes first. A bad row stops the checker, and with it the reading.
        let all_read = received?;
        let table = checked?;
        match table {
            Some(table) if all_read => {
                let mut snapshot = table.finish()?;
                snapshot.query = Some(query.to_string());
                Ok(snapshot)
            }
            _ => Err(anyhow!(
                "reading the rows from {origin} stopped before their end; run the load again"
            )),
        }
    })
}

/// Checks, without reading a row, that `query` would load on `target`: the connection
/// and its password, the query's columns as the flags rules want them, and that the
/// server would run it (`EXPLAIN` checks the user's privileges, which preparing the
/// query does not). In a read-only transaction that is rolled back: nothing changes.
/// Returns how many columns the query gives.
///
/// # Errors
/// As `read_flags`, for everything short of the rows' values.
pub(crate) fn check_flags_query(
    target: &Target,
    query: &str,
    features: &[FeatureColumn],
    ca_file: Option<&Path>,
) -> Result<usize> {
    let (runtime, mut client, mut session) = open(target, ca_file)?;
    let query = trimmed(query);
    let query_failed = |offset: usize| move |e: tokio_postgres::Error| query_error(&e, target, query, offset);
    let explain = format!("{EXPLAIN_HEAD}{query}");
    let columns = session.run(
        &runtime,
        async {
            let (tx, statement) = prepare_read_only(&mut client, query, query_failed(0)).await?;
            tx.batch_execute(&explain)
                .await
                .map_err(query_failed(EXPLAIN_HEAD.chars().count()))?;
            tx.rollback().await.map_err(query_failed(0))?;
            Ok(statement_columns(&statement))
        },
        query_failed(0),
    )?;
    FlagsTable::new(
        target.origin(),
        &columns,
        features,
        "the query returns",
        "e.g. SELECT id AS workspace_id, ...",
    )?;
    Ok(columns.len())
}

/// Starts the read-only transaction a query runs in, and prepares the query in it:
/// its result columns, or PostgreSQL's error (`failed` explains it).
async fn prepare_read_only<'c>(
    client: &'c mut tokio_postgres::Client,
    query: &str,
    failed: impl Fn(tokio_postgres::Error) -> anyhow::Error,
) -> Result<(tokio_postgres::Transaction<'c>, tokio_postgres::Statement)> {
    let tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .map_err(&failed)?;
    let statement = tx.prepare(query).await.map_err(&failed)?;
    Ok((tx, statement))
}

/// What `check_flags_query` puts before the query.
const EXPLAIN_HEAD: &str = "EXPLAIN\n";

/// The query as sent: without the trailing `;` that would end `COPY (...)` early.
fn trimmed(query: &str) -> &str {
    query.trim_end().trim_end_matches(';').trim_end()
}

/// The result columns of a prepared query, as the flags reader checks them.
fn statement_columns(statement: &tokio_postgres::Statement) -> Vec<TableColumn> {
    statement
        .columns()
        .iter()
        .map(|c| TableColumn {
            name: c.name().to_string(),
            fractional: is_fractional(c.type_()),
        })
        .collect()
}

/// An event loop and a connection to `target`, as `connect` opens it.
fn open(target: &Target, ca_file: Option<&Path>) -> Result<(tokio::runtime::Runtime, tokio_postgres::Client, Session)> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the PostgreSQL client's event loop")?;
    let (client, session) = connect(&runtime, target, ca_file, &env)?;
    Ok((runtime, client, session))
}

/// Bytes of rows handed to the checker at a time.
const BATCH_BYTES: usize = 256 * 1024;

/// Takes the rows off the connection and sends them in batches of whole lines.
/// `Ok(false)` when the checker stopped taking them (it has the error to tell).
async fn send_batches(
    rows: tokio_postgres::CopyOutStream,
    sender: &std::sync::mpsc::SyncSender<Vec<u8>>,
) -> Result<bool, tokio_postgres::Error> {
    let mut rows = std::pin::pin!(rows);
    let mut batch: Vec<u8> = Vec::with_capacity(BATCH_BYTES * 2);
    while let Some(chunk) = rows.next().await {
        batch.extend_from_slice(&chunk?);
        if batch.len() >= BATCH_BYTES {
            let Some(last) = batch.iter().rposition(|&b| b == b'\n') else {
                continue;
            };
            let rest = batch.split_off(last + 1);
            let full = std::mem::replace(&mut batch, rest);
            // Blocks this thread while the checker is behind: the connection waits too.
            if sender.send(full).is_err() {
                return Ok(false);
            }
            batch.reserve(BATCH_BYTES * 2);
        }
    }
    Ok(batch.is_empty() || sender.send(batch).is_ok())
}

/// Checks the rows of one batch (lines of COPY's text format) into `table`.
fn check_batch(table: &mut FlagsTable, batch: &[u8], origin: &str, row: &mut CopyRow) -> Result<()> {
    let row_error = |table: &FlagsTable, problem: &str| anyhow!("{origin}: row {}: {problem}", table.rows() + 1);
    // The connection asks for UTF-8, and batches end at line breaks.
    let text = std::str::from_utf8(batch).map_err(|_| row_error(table, "the server sent text that is not UTF-8"))?;
    for line in text.split_terminator('\n') {
        let mut cells = Vec::with_capacity(table.width());
        if line.contains('\\') {
            row.read(line.as_bytes())
                .map_err(|problem| row_error(table, &problem))?;
            row.values(&mut cells);
        } else {
            // No escape, so no NULL either: the values are the text between the tabs.
            cells.extend(line.split('\t').map(Some));
        }
        table.push(&cells)?;
    }
    Ok(())
}

/// The connection's side of a client: it sends the client's requests and takes the
/// server's answers off the socket, on this thread, while `run` waits for a request.
struct Session {
    connection: Pin<Box<dyn Future<Output = Result<(), tokio_postgres::Error>> + Send>>,
    closed: bool,
}

impl Session {
    /// Runs `request` to its end, driving the connection meanwhile. A failure of the
    /// connection itself (a FATAL message, a broken socket) wins, through `failed`.
    /// One call for the whole read: a call per row, as the synchronous `postgres`
    /// crate makes, cost a tenth of the load's CPU time in entering the event loop.
    fn run<T>(
        &mut self,
        runtime: &tokio::runtime::Runtime,
        request: impl Future<Output = Result<T>>,
        failed: impl Fn(tokio_postgres::Error) -> anyhow::Error,
    ) -> Result<T> {
        let mut request = std::pin::pin!(request);
        runtime.block_on(std::future::poll_fn(|cx| {
            if !self.closed {
                match self.connection.as_mut().poll(cx) {
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(failed(e))),
                    // The request then fails too, as "connection closed".
                    Poll::Ready(Ok(())) => self.closed = true,
                    Poll::Pending => {}
                }
            }
            request.as_mut().poll(cx)
        }))
    }
}

/// Opens a connection: password and TLS as libpq finds them, every failure explained.
fn connect(
    runtime: &tokio::runtime::Runtime,
    target: &Target,
    ca_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(tokio_postgres::Client, Session)> {
    let (password, source) = target.password(env)?;
    let home = env("HOME").map(std::path::PathBuf::from);
    let ca = tls::ca_file(target.sslrootcert.as_deref(), ca_file, home.as_deref());
    let tls = match target.sslmode {
        // Verify modes need their CA now; the others never read it.
        SslMode::VerifyCa | SslMode::VerifyFull => tls::client_config(target.sslmode, ca.as_deref())?,
        _ => tls::client_config(target.sslmode, None)?,
    };
    let mut config = tokio_postgres::Config::new();
    config
        .user(&target.user)
        .dbname(&target.dbname)
        .port(target.port)
        .connect_timeout(target.connect_timeout)
        .application_name(&target.application_name)
        .ssl_mode(match target.sslmode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        });
    match &target.host {
        Host::Tcp(name) => config.host(name),
        Host::Socket(dir) => config.host_path(dir),
    };
    if let Some(password) = &password {
        config.password(password);
    }
    if let Some(options) = &target.options {
        config.options(options);
    }
    // tokio-postgres bounds only the TCP connect by connect_timeout; libpq bounds the
    // whole start (TLS, authentication), so a server that accepts and then says
    // nothing must fail too.
    let started = runtime.block_on(async {
        tokio::time::timeout(target.connect_timeout, config.connect(MakeRustlsConnect::new(tls))).await
    });
    match started {
        Ok(Ok((client, connection))) => Ok((
            client,
            Session {
                connection: Box::pin(connection),
                closed: false,
            },
        )),
        Ok(Err(e)) => Err(connect_error(&e, target, &source)),
        Err(_) => Err(no_answer(target)),
    }
}

fn no_answer(target: &Target) -> anyhow::Error {
    anyhow!(
        "no answer from PostgreSQL at {} within {} s (connect_timeout); check the host, the port and any firewall \
         between, or raise connect_timeout in the URL",
        target.address(),
        target.connect_timeout.as_secs()
    )
}

/// NUMERIC and floating-point columns, whose whole values print as `12.0`.
fn is_fractional(ty: &Type) -> bool {
    match ty.kind() {
        Kind::Domain(inner) => is_fractional(inner),
        _ => [Type::NUMERIC, Type::FLOAT4, Type::FLOAT8].contains(ty),
    }
}

/// The errors in `err`'s chain, with the error inside an `io::Error` too.
fn chain<'e>(err: &'e (dyn std::error::Error + 'static)) -> Vec<&'e (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.push(e);
        next = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    out
}

/// Why a connection failed, and what to check.
fn connect_error(err: &tokio_postgres::Error, target: &Target, password: &PasswordSource) -> anyhow::Error {
    let address = target.address();
    let user = &target.user;
    if let Some(db) = err.as_db_error() {
        let message = db.message();
        let code = db.code();
        return match code {
            c if *c == SqlState::INVALID_PASSWORD => anyhow!(
                "PostgreSQL at {address} refused the password of user `{user}` ({message}); {password}; \
                 correct it (the URL wins over PGPASSWORD, which wins over a line \
                 host:port:database:user:password of ~/.pgpass, mode 0600)"
            ),
            c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => anyhow!(
                "PostgreSQL at {address} does not let user `{user}` connect to database `{}` ({message}); \
                 check the user name, or ask the server's administrator for a pg_hba.conf entry",
                target.dbname
            ),
            c if *c == SqlState::INVALID_CATALOG_NAME => anyhow!(
                "PostgreSQL at {address} has no database `{}` ({message}); check the name after the `/` in the URL",
                target.dbname
            ),
            _ => anyhow!(
                "PostgreSQL at {address} refused the connection of user `{user}`: {message} (SQLSTATE {})",
                code.code()
            ),
        };
    }
    let errors = chain(err);
    // tokio-postgres says these only in its messages.
    let said = |phrase: &str| errors.iter().any(|e| e.to_string().contains(phrase));
    if said("password missing") {
        return anyhow!(
            "PostgreSQL at {address} asks for a password for user `{user}`, and {password}; \
             set PGPASSWORD, or add a line host:port:database:user:password to ~/.pgpass (mode 0600)"
        );
    }
    if let Some(tls) = errors.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        let hint = match tls {
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName | rustls::CertificateError::NotValidForNameContext { .. },
            ) => format!(
                "the certificate does not name {}; connect by a name it holds, or use sslmode=verify-ca",
                target.host
            ),
            rustls::Error::InvalidCertificate(_) => {
                "give the CA that signed it in sslrootcert=PATH or [http] ca_file".to_string()
            }
            _ => "check the server's ssl settings".to_string(),
        };
        return anyhow!(
            "the TLS handshake with PostgreSQL at {address} failed under sslmode={} ({tls}); {hint}",
            target.sslmode.name()
        );
    }
    if said("server does not support TLS") {
        return anyhow!(
            "PostgreSQL at {address} does not offer TLS, and sslmode={} requires it; turn on ssl in the server's \
             postgresql.conf, or use sslmode=prefer or disable on a network you trust",
            target.sslmode.name()
        );
    }
    let io = errors.iter().find_map(|e| e.downcast_ref::<std::io::Error>());
    match io.map(std::io::Error::kind) {
        Some(std::io::ErrorKind::ConnectionRefused) => anyhow!(
            "cannot connect to PostgreSQL at {address}: connection refused; check the host and port in the URL, \
             and that the server is running and listens there (listen_addresses and port in postgresql.conf)"
        ),
        Some(std::io::ErrorKind::TimedOut) => no_answer(target),
        _ => anyhow!(
            "cannot connect to PostgreSQL at {address}: {}; check the host and port in the URL",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(": ")
        ),
    }
}

/// Why the query failed, with PostgreSQL's message and where in the query it points.
/// `offset` is how many characters the statement sent put before the query.
fn query_error(err: &tokio_postgres::Error, target: &Target, query: &str, offset: usize) -> anyhow::Error {
    let Some(db) = err.as_db_error() else {
        return clone_message(err).context(format!(
            "the connection to PostgreSQL at {} failed during the query; run the load again",
            target.address()
        ));
    };
    let message = db.message();
    let code = db.code();
    let place = place_in_query(db, query, offset);
    let extra = [db.detail(), db.hint()]
        .into_iter()
        .flatten()
        .map(|text| format!(" {text}"))
        .collect::<String>();
    if *code == SqlState::QUERY_CANCELED {
        if message.contains("statement timeout") {
            return anyhow!(
                "the query ran longer than the server's statement_timeout and PostgreSQL cancelled it; make it \
                 faster (select fewer rows or columns, or ask for an index), or raise the timeout for user `{}` \
                 (ALTER ROLE {} SET statement_timeout = '10min') or in the URL (options=-c%20statement_timeout%3D600000)",
                target.user,
                target.user
            );
        }
        return anyhow!("PostgreSQL cancelled the query ({message}); run the load again");
    }
    if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        return anyhow!(
            "the query tries to change data ({message}); featurearr runs it read-only: give a SELECT that returns the flags columns"
        );
    }
    if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        return anyhow!(
            "the query failed: {message}{place}; user `{}` needs SELECT on the columns it reads \
             (see \"A read-only role\" in the README)",
            target.user
        );
    }
    anyhow!(
        "the query failed: {message}{place} (SQLSTATE {}){extra}; fix the query (--query or [flags] query) and load again",
        code.code()
    )
}

/// ` at line L, column C of the query: `LINE`` for an error with a position in it.
fn place_in_query(db: &DbError, query: &str, offset: usize) -> String {
    let Some(ErrorPosition::Original(position)) = db.position() else {
        return String::new();
    };
    // 1-based, in characters of the statement sent.
    let Some(at) = (*position as usize).checked_sub(1 + offset) else {
        return String::new();
    };
    let before: String = query.chars().take(at).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    let text = query.lines().nth(line - 1).unwrap_or_default().trim();
    format!(" at line {line}, column {column} of the query: `{text}`")
}

/// A postgres error as a plain message (the type is not `Clone`).
fn clone_message(err: &tokio_postgres::Error) -> anyhow::Error {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        text.push_str(&format!(": {e}"));
        source = e.source();
    }
    anyhow!(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_fractions_are_numeric_and_floats() {
        assert!(is_fractional(&Type::NUMERIC) && is_fractional(&Type::FLOAT8));
        assert!(!is_fractional(&Type::INT8) && !is_fractional(&Type::TEXT) && !is_fractional(&Type::BOOL));
    }
}
