//! Serde visitors for `model::read_dump_for_load`. They accept exactly the documented
//! envelope; anything else is an error, and the caller then lets `read_dump` word it.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::facts::{ConnectionFact, ConnectionSeed, ListSeed, OrgFact, OrgSeed, Skip};
use super::rows::{LogFields, LoginTally};

/// The dump's arrays as the stream found them; `None` when absent or null.
#[derive(Default)]
pub(super) struct Parts {
    pub connections: Option<Vec<ConnectionFact>>,
    pub organizations: Option<Vec<OrgFact>>,
    pub logs: Option<LoginTally>,
}

/// Reads a whole dump, and checks nothing follows it.
pub(super) fn read<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> serde_json::Result<Parts> {
    let parts = de::Deserializer::deserialize_map(&mut de, DumpVisitor)?;
    de.end()?;
    Ok(parts)
}

pub(super) struct DumpVisitor;

impl<'de> Visitor<'de> for DumpVisitor {
    type Value = Parts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Auth0 dump object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts, A::Error> {
        let mut parts = Parts::default();
        let mut logs_seen = false;
        // Keys may come in any order; of a key given twice the last wins, as in a `Value`.
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Connections => parts.connections = map.next_value_seed(ListSeed(ConnectionSeed))?,
                Key::Organizations => parts.organizations = map.next_value_seed(ListSeed(OrgSeed))?,
                Key::Logs if logs_seen => return Err(de::Error::custom("\"logs\" appears twice")),
                Key::Logs => {
                    logs_seen = true;
                    parts.logs = map.next_value_seed(LogsSeed)?;
                }
                Key::Other => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(parts)
    }
}

enum Key {
    Connections,
    Organizations,
    Logs,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "connections" => Key::Connections,
                    "organizations" => Key::Organizations,
                    "logs" => Key::Logs,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// `"logs"`: null (no logs) or an array of objects, counted one by one.
struct LogsSeed;

impl<'de> DeserializeSeed<'de> for LogsSeed {
    type Value = Option<LoginTally>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogsSeed {
    type Value = Option<LoginTally>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of log objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tally = LoginTally::default();
        while let Some(log) = seq.next_element::<Log>()? {
            tally.add(&log.fields());
        }
        Ok(Some(tally))
    }
}

/// The fields of a log object that counting reads, each kept only when it is a string.
#[derive(Default)]
struct Log {
    log_id: Option<String>,
    kind: Option<String>,
    date: Option<String>,
    connection: Option<String>,
    connection_id: Option<String>,
}

impl Log {
    fn fields(&self) -> LogFields<'_> {
        // As `str_field`: trimmed, and an empty string counts as absent.
        fn f(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        LogFields {
            log_id: f(&self.log_id),
            kind: f(&self.kind),
            date: f(&self.date),
            connection: f(&self.connection),
            connection_id: f(&self.connection_id),
        }
    }
}

impl<'de> de::Deserialize<'de> for Log {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Log, D::Error> {
        d.deserialize_map(LogVisitor)
    }
}

struct LogVisitor;

impl<'de> Visitor<'de> for LogVisitor {
    type Value = Log;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a log object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Log, A::Error> {
        let mut log = Log::default();
        while let Some(key) = map.next_key::<LogKey>()? {
            let slot = match key {
                LogKey::LogId => &mut log.log_id,
                LogKey::Type => &mut log.kind,
                LogKey::Date => &mut log.date,
                LogKey::Connection => &mut log.connection,
                LogKey::ConnectionId => &mut log.connection_id,
                LogKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<MaybeString>()?.0;
        }
        Ok(log)
    }
}

enum LogKey {
    LogId,
    Type,
    Date,
    Connection,
    ConnectionId,
    Other,
}

impl<'de> de::Deserialize<'de> for LogKey {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<LogKey, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = LogKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<LogKey, E> {
                Ok(match key {
                    "log_id" => LogKey::LogId,
                    "type" => LogKey::Type,
                    "date" => LogKey::Date,
                    "connection" => LogKey::Connection,
                    "connection_id" => LogKey::ConnectionId,
                    _ => LogKey::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// Any JSON value; keeps the text when it is a string (as `Value::as_str` would).
struct MaybeString(Option<String>);

impl<'de> de::Deserialize<'de> for MaybeString {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<MaybeString, D::Error> {
        match <Value as de::Deserialize>::deserialize(d)? {
            Value::String(s) => Ok(MaybeString(Some(s))),
            _ => Ok(MaybeString(None)),
        }
    }
}
