//! Where and how to connect to PostgreSQL, as libpq reads it: a
//! `postgresql://` (or `postgres://`) URL, the `PG*` environment variables for
//! what the URL leaves out, and the password from the URL, `PGPASSWORD` or the
//! password file (`~/.pgpass`, `PGPASSFILE`, the `passfile` parameter).
//!
//! The password is kept out of everything that can be shown: `origin` is the URL
//! without it (what the snapshot records), `Debug` redacts it, and errors say only
//! where it came from.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};

use crate::cli::{Bounds, PG_CONNECT_TIMEOUT};

/// The seconds a connection may take when neither the URL nor PGCONNECT_TIMEOUT says:
/// long enough for a far replica, short enough that a scheduled run fails soon.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: u64 = 10;

const PORT: Bounds<u64> = Bounds::new(1, 65_535);

/// The URL parameters featurearr reads; libpq's others are refused rather than ignored.
const PARAMETERS: [&str; 11] = [
    "host",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
    "options",
];

/// libpq's `sslmode`, without `allow` (plain first, TLS only if the server insists),
/// which the client library cannot do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    /// TLS when the server offers it, else plain; the certificate is not checked.
    Prefer,
    /// TLS or nothing; the certificate is not checked (as libpq without a root CA).
    Require,
    /// TLS with a certificate signed by the given CA, for any host name.
    VerifyCa,
    /// TLS with a certificate signed by the given CA and naming the host.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The server: a host name or address, or the folder of a Unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    Tcp(String),
    Socket(PathBuf),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Tcp(name) if name.contains(':') => write!(f, "[{name}]"),
            Host::Tcp(name) => f.write_str(name),
            Host::Socket(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// A PostgreSQL server to read from, resolved from a URL and the environment.
#[derive(Clone)]
pub(crate) struct Target {
    /// The URL without its password, as errors and the snapshot name it.
    origin: String,
    pub host: Host,
    pub port: u16,
    pub user: String,
    pub dbname: String,
    pub sslmode: SslMode,
    pub sslrootcert: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub application_name: String,
    pub options: Option<String>,
    /// The password given in the URL, if any.
    url_password: Option<String>,
    /// The `passfile` parameter.
    passfile: Option<PathBuf>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("origin", &self.origin)
            .field("sslmode", &self.sslmode)
            .field("url_password", &self.url_password.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// Where the password came from, for the error when the server refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PasswordSource {
    Url,
    Environment,
    /// The password file and the line that matched.
    File(PathBuf, usize),
    /// No password: the places that were looked at, and why each gave none.
    NotFound(Vec<String>),
}

impl fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordSource::Url => f.write_str("the password came from the URL"),
            PasswordSource::Environment => f.write_str("the password came from PGPASSWORD"),
            PasswordSource::File(path, line) => {
                write!(f, "the password came from line {line} of {}", path.display())
            }
            PasswordSource::NotFound(looked) => write!(f, "no password was found: {}", looked.join(", ")),
        }
    }
}

/// Whether `text` names a PostgreSQL server rather than a file or an HTTP URL.
pub(crate) fn is_postgres_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgresql://") || lower.starts_with("postgres://")
}

impl Target {
    /// Reads a `postgresql://` URL, with the process's `PG*` variables for what it leaves out.
    ///
    /// # Errors
    /// A URL featurearr cannot use (a malformed part, an unknown parameter, a value out
    /// of range): the caller reports it as a usage error.
    pub(crate) fn from_url(url: &str) -> Result<Target> {
        Target::parse(url, &|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// `from_url` with the environment given, for tests.
    pub(crate) fn parse(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Target> {
        let shown = redact(url);
        let rest = strip_scheme(url)
            .ok_or_else(|| anyhow!("`{shown}` is not a PostgreSQL URL; write postgresql://USER@HOST:PORT/DATABASE"))?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = location.split_once('/').unwrap_or((location, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        ensure!(
            !hostport.contains(','),
            "{shown} names several hosts; featurearr connects to one: name the replica to read from"
        );
        let (mut user, mut password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((user, password)) => (Some(decode(user, &shown)?), Some(decode(password, &shown)?)),
                None => (Some(decode(info, &shown)?), None),
            },
            None => (None, None),
        };
        let (host_text, port_text) = split_host_port(hostport, &shown)?;
        let mut host = host_text.map(|h| decode(h, &shown)).transpose()?;
        let mut port = port_text.map(str::to_string);
        let mut dbname = Some(decode(path, &shown)?).filter(|d| !d.is_empty());
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key, &shown)?;
            let value = decode(value, &shown)?;
            ensure!(
                PARAMETERS.contains(&key.as_str()),
                "{shown}: the parameter `{key}` is not one featurearr reads; use {}",
                PARAMETERS.join(", ")
            );
            match key.as_str() {
                "host" => host = Some(value),
                "port" => port = Some(value),
                "dbname" => dbname = Some(value),
                "user" => user = Some(value),
                "password" => password = Some(value),
                _ => params.push((key, value)),
            }
        }
        let param = |name: &str, variable: &str| -> Option<(String, String)> {
            match params.iter().rev().find(|(k, _)| k == name) {
                Some((_, value)) => Some((value.clone(), format!("{name} in the URL"))),
                None => env(variable).map(|value| (value, variable.to_string())),
            }
        };

        let user = match user.filter(|u| !u.is_empty()).or_else(|| env("PGUSER")) {
            Some(user) => user,
            None => bail!("{shown} names no user; write postgresql://USER@HOST:PORT/DATABASE or set PGUSER"),
        };
        let dbname = dbname.or_else(|| env("PGDATABASE")).unwrap_or_else(|| user.clone());
        let host = match host.filter(|h| !h.is_empty()).or_else(|| env("PGHOST")) {
            Some(dir) if dir.starts_with('/') => Host::Socket(PathBuf::from(dir)),
            Some(name) => Host::Tcp(name),
            None => Host::Tcp("localhost".into()),
        };
        let port = match port.filter(|p| !p.is_empty()) {
            Some(text) => bounded(&text, "the port in the URL", PORT)?,
            None => match env("PGPORT") {
                Some(text) => bounded(&text, "PGPORT", PORT)?,
                None => 5432,
            },
        } as u16;
        let sslmode = match param("sslmode", "PGSSLMODE") {
            None => SslMode::Prefer,
            Some((text, from)) => SslMode::parse(&text).ok_or_else(|| {
                anyhow!("{from} is `{text}`, an sslmode featurearr does not know; use disable, prefer, require, verify-ca or verify-full")
            })?,
        };
        let connect_timeout = match param("connect_timeout", "PGCONNECT_TIMEOUT") {
            None => DEFAULT_CONNECT_TIMEOUT,
            Some((text, from)) => bounded(&text, &from, PG_CONNECT_TIMEOUT)?,
        };
        Ok(Target {
            origin: shown,
            host,
            port,
            user,
            dbname,
            sslmode,
            sslrootcert: param("sslrootcert", "PGSSLROOTCERT").map(|(path, _)| PathBuf::from(path)),
            connect_timeout: Duration::from_secs(connect_timeout),
            application_name: param("application_name", "PGAPPNAME")
                .map_or_else(|| "featurearr".to_string(), |(name, _)| name),
            options: param("options", "PGOPTIONS").map(|(options, _)| options),
            url_password: password,
            passfile: params
                .iter()
                .rev()
                .find(|(k, _)| k == "passfile")
                .map(|(_, path)| PathBuf::from(path)),
        })
    }

    /// The URL without its password: what errors and the snapshot name.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// `host:port`, or the socket folder and port.
    pub(crate) fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The password to send and where it came from, looked up as libpq does: the URL,
    /// then PGPASSWORD, then the password file (`passfile`, PGPASSFILE or ~/.pgpass).
    pub(crate) fn password(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<(Option<String>, PasswordSource)> {
        if let Some(password) = &self.url_password {
            return Ok((Some(password.clone()), PasswordSource::Url));
        }
        if let Some(password) = env("PGPASSWORD") {
            return Ok((Some(password), PasswordSource::Environment));
        }
        let mut looked = vec!["none in the URL".to_string(), "PGPASSWORD is not set".to_string()];
        let file = self
            .passfile
            .clone()
            .or_else(|| env("PGPASSFILE").map(PathBuf::from))
            .or_else(|| env("HOME").map(|home| Path::new(&home).join(".pgpass")));
        let Some(file) = file else {
            looked.push("no password file (HOME and PGPASSFILE are not set)".into());
            return Ok((None, PasswordSource::NotFound(looked)));
        };
        let shown = file.display();
        if !file.exists() {
            looked.push(format!("{shown} does not exist"));
            return Ok((None, PasswordSource::NotFound(looked)));
        }
        if let Some(problem) = unsafe_permissions(&file) {
            looked.push(format!("{shown} is ignored because {problem} (chmod 0600 {shown})"));
            return Ok((None, PasswordSource::NotFound(looked)));
        }
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read the password file {shown}; check its permissions"))?;
        // libpq matches a socket connection as `localhost`.
        let host = match &self.host {
            Host::Tcp(name) => name.clone(),
            Host::Socket(_) => "localhost".into(),
        };
        let wanted = [host.as_str(), &self.port.to_string(), &self.dbname, &self.user];
        match find_password(&text, &wanted) {
            Some((line, password)) => Ok((Some(password), PasswordSource::File(file, line))),
            None => {
                looked.push(format!("{shown} has no line for {}", wanted.join(":")));
                Ok((None, PasswordSource::NotFound(looked)))
            }
        }
    }
}

/// A numeric URL part or variable in `bounds`; `what` names it in the error.
fn bounded(text: &str, what: &str, bounds: Bounds<u64>) -> Result<u64> {
    bounds
        .parse(text)
        .map_err(|must| anyhow!("{what} {must}, not `{text}`"))
}

fn strip_scheme(url: &str) -> Option<&str> {
    ["postgresql://", "postgres://"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    })
}

/// `host`, `host:port`, `[::1]:port` or nothing.
fn split_host_port<'u>(text: &'u str, shown: &str) -> Result<(Option<&'u str>, Option<&'u str>)> {
    if let Some(inner) = text.strip_prefix('[') {
        let (host, after) = inner
            .split_once(']')
            .ok_or_else(|| anyhow!("{shown}: an IPv6 address needs its closing `]`"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| anyhow!("{shown}: expected `:PORT` after the IPv6 address"))?,
            ),
        };
        return Ok((Some(host), port));
    }
    Ok(match text.rsplit_once(':') {
        Some((host, port)) => (Some(host).filter(|h| !h.is_empty()), Some(port)),
        None => (Some(text).filter(|h| !h.is_empty()), None),
    })
}

/// Percent-decodes one part of the URL.
fn decode(text: &str, shown: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text.get(at + 1..at + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                bail!("{shown}: `%` must be followed by two hex digits (write `%25` for a `%` itself)");
            };
            out.push(byte);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).map_err(|_| anyhow!("{shown}: a percent-encoded part is not UTF-8"))
}

/// The URL with the password left out of its user part and its parameters: what may
/// be shown and stored. Malformed URLs are redacted as far as they can be read.
pub(crate) fn redact(url: &str) -> String {
    let Some(rest) = strip_scheme(url) else {
        // Not a URL featurearr reads; show no part that could hold a password.
        return url.split('@').next_back().unwrap_or_default().to_string();
    };
    let scheme = &url[..url.len() - rest.len()];
    let (location, query) = match rest.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (rest, None),
    };
    let authority_end = location.find('/').unwrap_or(location.len());
    let (authority, path) = location.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .filter(|pair| {
                let key = pair.split_once('=').map_or(*pair, |(key, _)| key);
                !key.eq_ignore_ascii_case("password")
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    match query {
        Some(q) if !q.is_empty() => format!("{scheme}{authority}{path}?{q}"),
        _ => format!("{scheme}{authority}{path}"),
    }
}

/// Why libpq would ignore the password file: others may read or write it.
fn unsafe_permissions(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return Some("it is not a regular file".into());
        }
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!("its permissions ({:o}) let others read it", mode & 0o777));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// The password of the first line of a password file matching `wanted` (host, port,
/// database, user; `*` in a line matches anything), with its 1-based line number.
/// Fields are separated by `:`; `\:` and `\\` stand for `:` and `\`.
fn find_password(text: &str, wanted: &[&str; 4]) -> Option<(usize, String)> {
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields: Vec<String> = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => fields.last_mut()?.push(chars.next().unwrap_or('\\')),
                // The password is the rest of the line, `:` and all.
                ':' if fields.len() < 5 => fields.push(String::new()),
                c => fields.last_mut()?.push(c),
            }
        }
        if fields.len() < 5 {
            continue;
        }
        let matches = fields[..4]
            .iter()
            .zip(wanted)
            .all(|(field, wanted)| field == "*" || field == wanted);
        if matches {
            return Some((index + 1, fields.swap_remove(4)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn parse(url: &str, vars: &[(&str, &str)]) -> Result<Target> {
        Target::parse(url, &env_of(vars))
    }

    #[test]
    fn a_full_url_is_read_and_shown_without_its_password() {
        let t = parse(
            "postgresql://fa%40ro:s3cr%3At@db.internal:6543/app%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=nightly",
            &[],
        )
        .unwrap();
        assert_eq!(t.user, "fa@ro");
        assert_eq!(t.url_password.as_deref(), Some("s3cr:t"));
        assert_eq!(t.host, Host::Tcp("db.internal".into()));
        assert_eq!((t.port, t.dbname.as_str()), (6543, "app db"));
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        assert_eq!(t.sslrootcert.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert_eq!(t.connect_timeout, Duration::from_secs(3));
        assert_eq!(t.application_name, "nightly");
        assert_eq!(
            t.origin(),
            "postgresql://fa%40ro@db.internal:6543/app%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=nightly"
        );
        assert!(!format!("{t:?}").contains("s3cr"));
    }

    #[test]
    fn a_password_parameter_is_taken_and_redacted_too() {
        let t = parse("postgres://u@h/d?password=pw&sslmode=disable", &[]).unwrap();
        assert_eq!(t.url_password.as_deref(), Some("pw"));
        assert_eq!(t.origin(), "postgres://u@h/d?sslmode=disable");
        assert_eq!(redact("postgres://u:pw@h/d?password=pw"), "postgres://u@h/d");
        assert_eq!(redact("nonsense://u:pw@h"), "h");
    }

    #[test]
    fn what_the_url_leaves_out_comes_from_the_environment_then_libpq_defaults() {
        let t = parse("postgresql://", &[("PGUSER", "ro"), ("PGSSLMODE", "require")]).unwrap();
        assert_eq!(t.host, Host::Tcp("localhost".into()));
        assert_eq!((t.port, t.user.as_str(), t.dbname.as_str()), (5432, "ro", "ro"));
        assert_eq!(t.sslmode, SslMode::Require);
        assert_eq!(t.connect_timeout, Duration::from_secs(DEFAULT_CONNECT_TIMEOUT));
        let t = parse(
            "postgresql://ro@[::1]:5433?host=/run/postgresql",
            &[("PGDATABASE", "app"), ("PGCONNECT_TIMEOUT", "60")],
        )
        .unwrap();
        assert_eq!(t.host, Host::Socket("/run/postgresql".into()));
        assert_eq!((t.port, t.dbname.as_str()), (5433, "app"));
        assert_eq!(t.connect_timeout, Duration::from_secs(60));
        let t = parse("postgresql://ro@[::1]:5433/app", &[]).unwrap();
        assert_eq!(t.host, Host::Tcp("::1".into()));
        assert_eq!(t.address(), "[::1]:5433");
        // The URL wins over the environment.
        let t = parse("postgresql://ro@h/app?sslmode=disable", &[("PGSSLMODE", "require")]).unwrap();
        assert_eq!(t.sslmode, SslMode::Disable);
    }

    #[test]
    fn bad_urls_say_what_to_write() {
        let err = |url: &str, vars: &[(&str, &str)]| parse(url, vars).unwrap_err().to_string();
        assert!(err("mysql://u@h/d", &[]).contains("write postgresql://USER@HOST:PORT/DATABASE"));
        assert!(err("postgresql://h/d", &[]).contains("names no user"));
        assert_eq!(
            err("postgresql://u:pw@h:0/d", &[]),
            "the port in the URL must be a whole number from 1 to 65535, not `0`"
        );
        assert_eq!(
            err("postgresql://u@h/d?connect_timeout=0", &[]),
            format!(
                "connect_timeout in the URL must be a whole number from {}, not `0`",
                PG_CONNECT_TIMEOUT.range()
            )
        );
        assert!(err("postgresql://u@h/d", &[("PGCONNECT_TIMEOUT", "99999")]).starts_with("PGCONNECT_TIMEOUT must be"));
        assert!(err("postgresql://u@h/d?sslmode=allow", &[])
            .contains("use disable, prefer, require, verify-ca or verify-full"));
        assert!(
            err("postgresql://u@h/d?sslcert=x", &[]).contains("the parameter `sslcert` is not one featurearr reads")
        );
        assert!(err("postgresql://u@h1,h2/d", &[]).contains("connects to one"));
        let message = err("postgresql://u:pw%zz@h/d", &[]);
        assert!(
            message.contains("two hex digits") && !message.contains("pw"),
            "{message}"
        );
    }

    #[test]
    fn the_password_comes_from_the_url_then_pgpassword_then_the_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:ro:nope\n127.0.0.1:5432:app:ro:first\\:pw\n*:*:*:*:fallback\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let passfile = file.display().to_string();
        let t = parse("postgresql://ro:url@127.0.0.1/app", &[]).unwrap();
        let vars = [("PGPASSWORD", "env"), ("PGPASSFILE", passfile.as_str())];
        assert_eq!(
            t.password(&env_of(&vars)).unwrap(),
            (Some("url".into()), PasswordSource::Url)
        );
        let t = parse("postgresql://ro@127.0.0.1/app", &[]).unwrap();
        assert_eq!(
            t.password(&env_of(&vars)).unwrap(),
            (Some("env".into()), PasswordSource::Environment)
        );
        assert_eq!(
            t.password(&env_of(&vars[1..])).unwrap(),
            (Some("first:pw".into()), PasswordSource::File(file.clone(), 3))
        );
        let t = parse("postgresql://other@127.0.0.1:5433/x", &[]).unwrap();
        assert_eq!(
            t.password(&env_of(&vars[1..])).unwrap(),
            (Some("fallback".into()), PasswordSource::File(file.clone(), 4))
        );
    }

    #[test]
    fn a_missing_password_says_where_it_was_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let t = parse("postgresql://ro@db/app", &[]).unwrap();
        let home = dir.path().display().to_string();
        let (password, source) = t.password(&env_of(&[("HOME", &home)])).unwrap();
        assert_eq!(password, None);
        assert_eq!(
            source.to_string(),
            format!("no password was found: none in the URL, PGPASSWORD is not set, {home}/.pgpass does not exist")
        );
        let file = dir.path().join(".pgpass");
        std::fs::write(&file, "db:5432:app:someone:pw\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            let (_, source) = t.password(&env_of(&[("HOME", &home)])).unwrap();
            assert!(source
                .to_string()
                .contains("is ignored because its permissions (644) let others read it"));
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let (_, source) = t.password(&env_of(&[("HOME", &home)])).unwrap();
        assert!(
            source.to_string().ends_with("has no line for db:5432:app:ro"),
            "{source}"
        );
    }
}
