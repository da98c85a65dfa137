//! Auth0 dump files: `load auth0` reads them, `pull auth0 --save-dump` writes them.
//!
//! [`read_dump_for_load`] does not hold the objects at all: it streams the file
//! (`stream`) and keeps only the facts and the login tally, and accepts and rejects
//! what [`read_dump`] does, with the one exception it had before: the fields of a
//! log object that counting does not read are skipped unchecked.

use std::fs;
use std::io::{BufReader, Seek, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::dump::{no_array, Auth0Dump, EXPECTED_SHAPE};
use super::elements::Skip;
use super::facts::DumpFacts;
use super::logins::LoginTally;
use super::stream;
use crate::sources::text::decode::read_bytes;
use crate::sources::text::json;

/// How much of a dump `read_dump_for_load` reads at a time.
const CHUNK: usize = 8 << 20;

/// How many bytes of a dump's array elements a parser thread takes at a time
/// (`stream::read_chunked`): a few batches are held at once, and a small dump, all in
/// one batch, is parsed without threads.
const BATCH: usize = 1 << 20;

/// Reads a dump file.
///
/// # Errors
/// Names the file; for invalid JSON also the line and column; for a wrong
/// shape, the expected one.
#[cfg(test)]
pub(crate) fn read_dump(path: &Path) -> Result<Auth0Dump> {
    let text = read_dump_text(path)?;
    let value: Value = parse_whole(&text, path)?;
    Auth0Dump::from_value(value, &path.display().to_string())
}

/// The text of a dump file, checked to be UTF-8 and not blank.
fn read_dump_text(path: &Path) -> Result<String> {
    let origin = path.display();
    let bytes = read_bytes(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        anyhow::anyhow!("{origin}:{line}: not UTF-8; an Auth0 dump is JSON, which is always UTF-8, so pull it again")
    })?;
    if text.trim().is_empty() {
        bail!(
            "{origin} is empty; expected {EXPECTED_SHAPE}; pull it again with `featurearr pull auth0 --save-dump FILE`"
        );
    }
    Ok(text)
}

/// The dump text parsed whole, the way `read_dump` reads it: its errors name the
/// file, line and column.
fn parse_whole<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    let advice = format!("expected {EXPECTED_SHAPE}; if the file was cut short, pull it again");
    json::parse(text, &path.display().to_string(), 0, &advice)
}

/// Reads a dump for `load auth0` while the file streams past: of each connection and
/// organization only the few fields that classification and mapping read
/// ([`DumpFacts`]; connections are classified as they come), and the logs counted into a
/// [`LoginTally`]. So a dump of hundreds of thousands of objects is never held in memory,
/// as text or as JSON values. `None` for the tally when the dump has no logs.
///
/// The file is read in chunks ([`stream::read_chunked`]); a file that reader does not
/// take is read again through serde_json's own reader, which decides as before.
///
/// # Errors
/// As [`read_dump`], with the same messages: on any problem the file is read again
/// the way `read_dump` reads it, which names the file, the line or the shape.
pub(crate) fn read_dump_for_load(path: &Path) -> Result<(DumpFacts, Option<LoginTally>)> {
    let mut file = fs::File::open(path).with_context(|| format!("cannot read Auth0 dump {}", path.display()))?;
    let parts = match stream::read_chunked(&mut file, CHUNK, BATCH) {
        Some(parts) => parts,
        None => {
            let through = file.rewind().map_err(serde_json::Error::io).and_then(|()| {
                let reader = BufReader::with_capacity(1 << 20, &file);
                stream::read(serde_json::Deserializer::from_reader(reader))
            });
            match through {
                Ok(parts) => parts,
                Err(_) => return read_whole_for_load(path),
            }
        }
    };
    let origin = path.display();
    // A null array is an absent one, as in `Auth0Dump::from_value`; only connections are required.
    let connections = parts.connections.ok_or_else(|| no_array(&origin, "connections"))?;
    let organizations = parts.organizations.unwrap_or_default();
    let facts = DumpFacts {
        connections,
        organizations,
    };
    Ok((facts, parts.logs))
}

/// [`read_dump_for_load`] for a file the stream rejected: `read_dump`'s checks in
/// `read_dump`'s order, so the error is the one `read_dump` gives. A file that is
/// not JSON fails before any value is built; a file that is valid JSON the stream
/// would not take (a repeated `"logs"` key, say) is read whole, as `read_dump` reads it.
fn read_whole_for_load(path: &Path) -> Result<(DumpFacts, Option<LoginTally>)> {
    let text = read_dump_text(path)?;
    parse_whole::<Skip>(&text, path)?;
    let value: Value = parse_whole(&text, path)?;
    drop(text);
    let dump = Auth0Dump::from_value(value, &path.display().to_string())?;
    let tally = dump.logs.as_deref().map(LoginTally::from_values);
    Ok((DumpFacts::from_dump(&dump)?, tally))
}

/// Writes a dump as pretty JSON, to a temporary file in the same folder that
/// is then renamed over `path`, so a reader never sees half a dump.
///
/// # Errors
/// When the folder is not writable or the rename fails.
pub(crate) fn write_dump(path: &Path, dump: &Auth0Dump) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut text = serde_json::to_string_pretty(&dump.to_value()).context("cannot serialise the Auth0 dump")?;
        text.push('\n');
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot flush {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write Auth0 dump {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::auth0::rows::{to_rows, to_rows_with_logins};
    use crate::sources::auth0::test_dumps;
    use serde_json::json;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("featurearr-auth0-file-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn sample() -> Auth0Dump {
        Auth0Dump {
            connections: vec![
                json!({"id": "con_Xx9aiRppSPC3E6vT", "name": "acme-sso", "strategy": "samlp", "options": {"signInEndpoint": "https://acme.okta.com/app/x/1/sso/saml"}}),
            ],
            organizations: vec![
                json!({"id": "org_qK4t86pcMGKq00gN", "name": "acme", "metadata": {"workspace_id": "ws-1"},
                "enabled_connections": [{"connection_id": "con_Xx9aiRppSPC3E6vT", "assign_membership_on_login": true, "show_as_button": true, "connection": {"name": "acme-sso", "strategy": "samlp"}}]}),
            ],
            logs: Some(vec![
                json!({"log_id": "900", "type": "s", "date": "2026-09-01T10:00:00.000Z", "connection_id": "con_Xx9aiRppSPC3E6vT", "organization_id": null}),
            ]),
        }
    }

    #[test]
    fn dump_round_trip_keeps_objects_exactly() {
        let dir = scratch("round");
        let path = dir.join("dump.json");
        write_dump(&path, &sample()).unwrap();
        assert_eq!(read_dump(&path).unwrap(), sample());
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.find("\"connections\"").unwrap() < text.find("\"organizations\"").unwrap());
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn dump_without_logs_round_trips_as_none() {
        let dir = scratch("nologs");
        let path = dir.join("dump.json");
        let dump = Auth0Dump { logs: None, ..sample() };
        write_dump(&path, &dump).unwrap();
        assert!(!fs::read_to_string(&path).unwrap().contains("\"logs\""));
        assert_eq!(read_dump(&path).unwrap().logs, None);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_bad_json_names_file_and_line() {
        let dir = scratch("badjson");
        let path = dir.join("bad.json");
        fs::write(&path, "{\n \"connections\": [],\n \"organizations\": [,]\n}").unwrap();
        let err = format!("{:#}", read_dump(&path).unwrap_err());
        assert!(err.contains("bad.json:3:"), "{err}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_for_load_counts_logins_as_to_rows_does() {
        let dir = scratch("forload");
        let path = dir.join("dump.json");
        let mut dump = sample();
        let logs = dump.logs.as_mut().unwrap();
        logs.push(json!({"log_id": "900", "type": "s", "date": "2026-09-01T11:00:00.000Z", "connection_id": "con_Xx9aiRppSPC3E6vT"}));
        logs.push(json!({"log_id": "901", "type": "s", "date": "2026-09-02T00:00:00.000Z", "connection": "acme-sso", "connection_id": " "}));
        logs.push(json!({"log_id": "902", "type": "s", "date": "bad", "connection": "acme-sso"}));
        logs.push(json!({"log_id": "903", "type": "s", "date": "2026-09-02T00:00:00.000Z", "connection": "nobody"}));
        logs.push(json!({"log_id": 904, "type": "f", "date": "2026-09-02T00:00:00.000Z", "connection": {"x": [1]}}));
        write_dump(&path, &dump).unwrap();
        let (read, tally) = read_dump_for_load(&path).unwrap();
        assert_eq!(read, DumpFacts::from_dump(&dump).unwrap());
        let streamed = to_rows_with_logins(read, tally, None).unwrap();
        assert_eq!(streamed, to_rows(&dump, None).unwrap());
        assert_eq!(streamed.logins.as_ref().map(Vec::len), Some(2));

        write_dump(&path, &Auth0Dump { logs: None, ..sample() }).unwrap();
        assert!(read_dump_for_load(&path).unwrap().1.is_none());
        fs::write(&path, r#"{"connections": [], "organizations": [], "logs": [1]}"#).unwrap();
        let err = format!("{:#}", read_dump_for_load(&path).unwrap_err());
        assert!(err.contains("\"logs\"[0] is not a JSON object"), "{err}");
        fs::write(&path, "{\n \"connections\": [],\n \"organizations\": [,]\n}").unwrap();
        let err = format!("{:#}", read_dump_for_load(&path).unwrap_err());
        assert!(err.contains("dump.json:3:"), "{err}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_missing_file_names_it() {
        let err = format!("{:#}", read_dump(Path::new("/nonexistent/auth0.json")).unwrap_err());
        assert!(err.contains("/nonexistent/auth0.json"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, failure_persistence: None, ..Default::default() })]

        /// The streamed load gives what `read_dump` then `to_rows` give, error messages included.
        #[test]
        fn read_dump_for_load_agrees_with_read_dump(text in test_dumps::dump()) {
            let file = crate::sources::test_file::test_file("dump.json", &test_dumps::written(&text));
            let pattern = regex::Regex::new("^ws-(.+)-sso$").unwrap();
            let streamed = read_dump_for_load(&file.path)
                .and_then(|(facts, tally)| to_rows_with_logins(facts, tally, Some(&pattern)));
            let whole = read_dump(&file.path).and_then(|dump| to_rows(&dump, Some(&pattern)));
            match (streamed, whole) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b),
                (Err(a), Err(b)) => proptest::prop_assert_eq!(format!("{a:#}"), format!("{b:#}")),
                (a, b) => proptest::prop_assert!(false, "streamed {:?}\nwhole {:?}\n{}", a.map(|_| ()), b.map(|_| ()), text),
            }
        }
    }
}
