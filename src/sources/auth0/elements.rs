//! The elements of an Auth0 dump as the readers see them: of each connection,
//! organization and log object, only the fields that classification, workspace
//! mapping and login counting read, parsed straight from JSON (a dump file as it
//! streams past, or a `serde_json::Value`) without building the whole object.
//!
//! Each field is what `Value::get(..).and_then(Value::as_str)` gives on the
//! same path: a field that is missing or not a string is `None`, a parent that
//! is not an object has no children, and of a key given twice the last wins.
//! Everything else in a connection or an organization is read and checked as a
//! `Value` parse would check it, then dropped ([`Skip`]), so that the streamed
//! load accepts a connection or an organization exactly when `read_dump` does.

use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// `options` fields that point at the IdP, most telling first; `a.b` is
/// field `b` of the object `options.a`.
pub(crate) const URL_FIELDS: &[&str] = &[
    "signInEndpoint",
    "metadataUrl",
    "discovery_url",
    "issuer",
    "oidc_metadata.issuer",
    "authorization_endpoint",
    "oidc_metadata.authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "signOutEndpoint",
    "destinationUrl",
    "adfs_server",
    "pingFederateBaseUrl",
];

// ----------------------------------------------------------- serde helpers ---

/// Visitor methods for the scalar JSON values (strings included) that a
/// visitor does not keep: each gives `$value`.
macro_rules! skip_scalars {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// `visit_seq` for a visitor that does not keep arrays: the array is read
/// (and checked) as [`Skip`] reads it, and gives `$value`.
macro_rules! skip_seq {
    ($value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            SkipVisitor.visit_seq(seq)?;
            Ok($value)
        }
    };
}

/// `visit_map` for a visitor that does not keep objects.
macro_rules! skip_map {
    ($value:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            SkipVisitor.visit_map(map)?;
            Ok($value)
        }
    };
}

// ------------------------------------------------------------------ fields ---

/// The fields of a connection object that classification and mapping read.
#[derive(Debug, Default)]
pub(crate) struct ConnectionFields {
    pub id: Option<String>,
    pub name: Option<String>,
    pub strategy: Option<String>,
    /// `metadata.workspace_id`.
    pub workspace_id: Option<String>,
    /// `None` when `options` is missing or not an object.
    pub options: Option<OptionsFields>,
}

/// The fields of a connection's `options` that point at its IdP.
#[derive(Debug, Default)]
pub(crate) struct OptionsFields {
    /// One per entry of [`URL_FIELDS`], in its order (`a.b` is field `b` of object `a`).
    pub urls: [Option<String>; URL_FIELDS.len()],
    /// `subject.commonName`, `subject.organizationName`, `subject.organizationalUnitName`,
    /// `subject.emailAddress`.
    pub subject: Subject,
}

#[derive(Debug, Default)]
pub(crate) struct Subject {
    pub common_name: Option<String>,
    pub organization_name: Option<String>,
    pub organizational_unit_name: Option<String>,
    pub email_address: Option<String>,
}

/// The fields of an organization object that mapping reads.
#[derive(Debug, Default)]
pub(crate) struct OrgFields {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `metadata.workspace_id`.
    pub workspace_id: Option<String>,
    pub enabled_connections: EnabledConnections,
}

/// An organization's `enabled_connections`.
#[derive(Debug, Default)]
pub(crate) enum EnabledConnections {
    #[default]
    Absent,
    /// Null included: `read_dump` rejects such a dump.
    NotAnArray,
    /// `connection_id` of each entry.
    Listed(Vec<Option<String>>),
}

impl ConnectionFields {
    /// Reads a connection from a `Value` (tests).
    #[cfg(test)]
    pub(crate) fn of_value(v: &serde_json::Value) -> Self {
        Object::<ConnectionFields>::deserialize(v)
            .expect("any value reads")
            .0
            .unwrap_or_default()
    }
}

/// An object's fields, read by key.
pub(crate) trait Fields: Default {
    const KEYS: &'static [&'static str];
    /// Reads the value of `KEYS[key]`.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: usize, map: &mut A) -> Result<(), A::Error>;
}

fn read_fields<'de, T: Fields, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut fields = T::default();
    while let Some(key) = map.next_key_seed(KeyIn(T::KEYS))? {
        match key {
            Some(key) => fields.read(key, &mut map)?,
            None => {
                map.next_value::<Skip>()?;
            }
        }
    }
    Ok(fields)
}

impl Fields for ConnectionFields {
    const KEYS: &'static [&'static str] = &["id", "name", "strategy", "metadata", "options"];
    fn read<'de, A: MapAccess<'de>>(&mut self, key: usize, map: &mut A) -> Result<(), A::Error> {
        match key {
            0 => self.id = map.next_value::<Str>()?.0,
            1 => self.name = map.next_value::<Str>()?.0,
            2 => self.strategy = map.next_value::<Str>()?.0,
            3 => self.workspace_id = map.next_value::<Object<Metadata>>()?.0.and_then(|m| m.workspace_id),
            _ => self.options = map.next_value::<Object<OptionsFields>>()?.0,
        }
        Ok(())
    }
}

impl Fields for OrgFields {
    const KEYS: &'static [&'static str] = &["id", "name", "metadata", "enabled_connections"];
    fn read<'de, A: MapAccess<'de>>(&mut self, key: usize, map: &mut A) -> Result<(), A::Error> {
        match key {
            0 => self.id = map.next_value::<Str>()?.0,
            1 => self.name = map.next_value::<Str>()?.0,
            2 => self.workspace_id = map.next_value::<Object<Metadata>>()?.0.and_then(|m| m.workspace_id),
            _ => self.enabled_connections = map.next_value::<EnabledConnections>()?,
        }
        Ok(())
    }
}

#[derive(Default)]
struct Metadata {
    workspace_id: Option<String>,
}

impl Fields for Metadata {
    const KEYS: &'static [&'static str] = &["workspace_id"];
    fn read<'de, A: MapAccess<'de>>(&mut self, _: usize, map: &mut A) -> Result<(), A::Error> {
        self.workspace_id = map.next_value::<Str>()?.0;
        Ok(())
    }
}

#[derive(Default)]
struct EnabledConnection {
    connection_id: Option<String>,
}

impl Fields for EnabledConnection {
    const KEYS: &'static [&'static str] = &["connection_id"];
    fn read<'de, A: MapAccess<'de>>(&mut self, _: usize, map: &mut A) -> Result<(), A::Error> {
        self.connection_id = map.next_value::<Str>()?.0;
        Ok(())
    }
}

impl Fields for Subject {
    const KEYS: &'static [&'static str] = &[
        "commonName",
        "organizationName",
        "organizationalUnitName",
        "emailAddress",
    ];
    fn read<'de, A: MapAccess<'de>>(&mut self, key: usize, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            0 => &mut self.common_name,
            1 => &mut self.organization_name,
            2 => &mut self.organizational_unit_name,
            _ => &mut self.email_address,
        };
        *slot = map.next_value::<Str>()?.0;
        Ok(())
    }
}

/// `options` is read by hand: its keys come from [`URL_FIELDS`], where `a.b`
/// names field `b` of the object `options.a`.
impl<'de> Deserialize<'de> for Object<OptionsFields> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OptionsVisitor;
        impl<'de> Visitor<'de> for OptionsVisitor {
            type Value = Object<OptionsFields>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_scalars!(Object(None));
            skip_seq!(Object(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut options = OptionsFields::default();
                while let Some(key) = map.next_key_seed(OptionsKeySeed)? {
                    match key {
                        OptionsKey::Url(i) => options.urls[i] = map.next_value::<Str>()?.0,
                        OptionsKey::Parent(parent) => map.next_value_seed(ParentSeed {
                            parent,
                            urls: &mut options.urls,
                        })?,
                        OptionsKey::Subject => {
                            options.subject = map.next_value::<Object<Subject>>()?.0.unwrap_or_default();
                        }
                        OptionsKey::Other => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(Object(Some(options)))
            }
        }
        d.deserialize_any(OptionsVisitor)
    }
}

enum OptionsKey {
    /// `URL_FIELDS[i]`, a field of `options` itself.
    Url(usize),
    /// An object holding some `URL_FIELDS` (`oidc_metadata`).
    Parent(&'static str),
    Subject,
    Other,
}

struct OptionsKeySeed;

impl<'de> DeserializeSeed<'de> for OptionsKeySeed {
    type Value = OptionsKey;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OptionsKey, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for OptionsKeySeed {
    type Value = OptionsKey;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<OptionsKey, E> {
        // A dotted entry of URL_FIELDS names a nested field, never a key with a dot in it.
        if key == "subject" {
            return Ok(OptionsKey::Subject);
        } else if key.contains('.') {
            return Ok(OptionsKey::Other);
        } else if let Some(i) = URL_FIELDS.iter().position(|f| *f == key) {
            return Ok(OptionsKey::Url(i));
        }
        let parent = URL_FIELDS
            .iter()
            .find(|f| child_of(f, key).is_some())
            .map(|f| &f[..key.len()]);
        Ok(parent.map_or(OptionsKey::Other, OptionsKey::Parent))
    }
}

/// The value of `options.<parent>`: it replaces every `<parent>.x` URL field
/// read so far, as a repeated key does in a `Value`.
struct ParentSeed<'a> {
    parent: &'static str,
    urls: &'a mut [Option<String>; URL_FIELDS.len()],
}

impl ParentSeed<'_> {
    /// The index in `URL_FIELDS` of `<parent>.<key>`.
    fn index(&self, key: &str) -> Option<usize> {
        URL_FIELDS.iter().position(|f| child_of(f, self.parent) == Some(key))
    }
}

/// `b` when `field` is `parent.b`.
fn child_of<'f>(field: &'f str, parent: &str) -> Option<&'f str> {
    field.strip_prefix(parent)?.strip_prefix('.')
}

impl<'de> DeserializeSeed<'de> for ParentSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        for (field, url) in URL_FIELDS.iter().zip(self.urls.iter_mut()) {
            if child_of(field, self.parent).is_some() {
                *url = None;
            }
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParentSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    skip_scalars!(());
    skip_seq!(());
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        struct ChildKey<'s, 'a>(&'s ParentSeed<'a>);
        impl<'de> DeserializeSeed<'de> for ChildKey<'_, '_> {
            type Value = Option<usize>;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
                d.deserialize_identifier(self)
            }
        }
        impl Visitor<'_> for ChildKey<'_, '_> {
            type Value = Option<usize>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
                Ok(self.0.index(key))
            }
        }
        while let Some(key) = map.next_key_seed(ChildKey(&self))? {
            match key {
                Some(i) => self.urls[i] = map.next_value::<Str>()?.0,
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for EnabledConnections {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = EnabledConnections;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_scalars!(EnabledConnections::NotAnArray);
            skip_map!(EnabledConnections::NotAnArray);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut ids = Vec::new();
                while let Some(ec) = seq.next_element::<Object<EnabledConnection>>()? {
                    ids.push(ec.0.and_then(|ec| ec.connection_id));
                }
                Ok(EnabledConnections::Listed(ids))
            }
        }
        d.deserialize_any(ListVisitor)
    }
}

/// Any JSON value, read and dropped. Unlike `serde::de::IgnoredAny`, which
/// serde_json skips without looking inside, it goes through the parser as a
/// `Value` would: numbers out of range, bad surrogate escapes and nesting past
/// serde_json's limit are errors here too, so the streamed load rejects what
/// `read_dump` rejects. It allocates nothing.
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    skip_scalars!(Skip);
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// Any JSON value; its text when it is a string (`Value::as_str`).
pub(crate) struct Str(pub Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Str, E> {
                Ok(Str(Some(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Str, E> {
                Ok(Str(Some(s)))
            }
            skip_seq!(Str(None));
            skip_map!(Str(None));
        }
        d.deserialize_any(StrVisitor)
    }
}

/// Any JSON value; `T`'s fields when it is an object (`Value::get` finds
/// nothing in anything else).
pub(crate) struct Object<T>(pub Option<T>);

impl<'de, T: Fields> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Fields> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_scalars!(Object(None));
            skip_seq!(Object(None));
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                read_fields(map).map(|t| Object(Some(t)))
            }
        }
        d.deserialize_any(ObjectVisitor(std::marker::PhantomData))
    }
}

/// The index of a key in a list of names, or `None`; never allocates.
struct KeyIn(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIn {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeyIn {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| *k == key))
    }
}

/// A dump element that must be an object (as `Auth0Dump::from_value` wants it): its
/// fields, or an error for anything but an object.
pub(crate) fn deserialize_object<'de, T: Fields, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(FieldsVisitor::<T>(std::marker::PhantomData))
}

struct FieldsVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        read_fields(map)
    }
}

/// `null` (absent) or an array of `T`.
pub(crate) struct ListOf<T>(pub Option<Vec<T>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = ListOf<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of objects")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ListOf(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(ListOf(Some(items)))
            }
        }
        d.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

// -------------------------------------------------------------------- logs ---

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The fields of one log object that login counting reads, each as `str_field`
/// gives it (a string, trimmed, not empty).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogFields<'a> {
    pub log_id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub date: Option<&'a str>,
    pub connection: Option<&'a str>,
    pub connection_id: Option<&'a str>,
}

impl<'a> LogFields<'a> {
    pub(crate) fn of_value(log: &'a Value) -> Self {
        LogFields {
            log_id: str_field(log, "log_id"),
            kind: str_field(log, "type"),
            date: str_field(log, "date"),
            connection: str_field(log, "connection"),
            connection_id: str_field(log, "connection_id"),
        }
    }

    /// Whether counting reads the log at all: type `s` (a successful login) only.
    pub(crate) fn is_login(&self) -> bool {
        self.kind == Some("s")
    }

    /// The UTC day of the log's date, when that is an RFC 3339 time.
    pub(crate) fn day(&self) -> Option<NaiveDate> {
        self.date
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.naive_utc().date())
    }
}

/// The fields of a log object that counting reads, each kept only when it is a string.
#[derive(Default)]
pub(crate) struct Log {
    log_id: Option<String>,
    kind: Option<String>,
    date: Option<String>,
    connection: Option<String>,
    connection_id: Option<String>,
}

impl Log {
    pub(crate) fn fields(&self) -> LogFields<'_> {
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

/// A key of a log object; only five are read.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum LogKey {
    LogId,
    Type,
    Date,
    Connection,
    ConnectionId,
    #[serde(other)]
    Other,
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// A field as the `Value`-based reader reads it: `get` along the path, then `as_str`.
    fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
        path.iter().try_fold(v, |v, key| v.get(key))?.as_str()
    }

    fn options_of(v: &Value) -> Option<&Value> {
        v.get("options").filter(|o| o.is_object())
    }

    fn assert_reads_as_value_does(conn: &Value) {
        let fields = ConnectionFields::of_value(conn);
        assert_eq!(fields.id.as_deref(), at(conn, &["id"]), "{conn}");
        assert_eq!(fields.name.as_deref(), at(conn, &["name"]), "{conn}");
        assert_eq!(fields.strategy.as_deref(), at(conn, &["strategy"]), "{conn}");
        assert_eq!(
            fields.workspace_id.as_deref(),
            at(conn, &["metadata", "workspace_id"]),
            "{conn}"
        );
        assert_eq!(fields.options.is_some(), options_of(conn).is_some(), "{conn}");
        let Some(options) = options_of(conn) else { return };
        let got = fields.options.unwrap();
        for (field, url) in URL_FIELDS.iter().zip(&got.urls) {
            let path: Vec<&str> = match field.split_once('.') {
                Some((a, b)) => vec![a, b],
                None => vec![field],
            };
            assert_eq!(url.as_deref(), at(options, &path), "{field} of {conn}");
        }
        let subject = &got.subject;
        for (got, key) in [
            (&subject.common_name, "commonName"),
            (&subject.organization_name, "organizationName"),
            (&subject.organizational_unit_name, "organizationalUnitName"),
            (&subject.email_address, "emailAddress"),
        ] {
            assert_eq!(got.as_deref(), at(options, &["subject", key]), "{key} of {conn}");
        }
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(vec![
                "",
                " ",
                " con_1 ",
                "samlp",
                "oidc",
                "waad",
                "https://acme.okta.com/app",
                "https://fs.acme.com/adfs/ls",
                "Okta",
            ])
            .prop_map(Value::from),
        ];
        let keys = prop::sample::select(vec![
            "id",
            "name",
            "strategy",
            "metadata",
            "workspace_id",
            "options",
            "signInEndpoint",
            "issuer",
            "oidc_metadata",
            "oidc_metadata.issuer",
            "authorization_endpoint",
            "subject",
            "commonName",
            "organizationName",
            "organizationalUnitName",
            "emailAddress",
            "other",
        ]);
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::vec((keys.clone(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..Default::default() })]

        #[test]
        fn connection_fields_are_what_value_get_gives(conn in value()) {
            assert_reads_as_value_does(&conn);
        }
    }

    #[test]
    fn connection_fields_of_odd_values() {
        for conn in [
            json!(null),
            json!([1, 2]),
            json!({"id": 7, "name": ["x"], "strategy": {"a": 1}, "metadata": "ws-1", "options": "x"}),
            json!({"metadata": {"workspace_id": {"x": 1}}, "options": null}),
            json!({"options": {"oidc_metadata": "x", "subject": [1], "issuer": 3}}),
            json!({"options": {"oidc_metadata.issuer": "https://acme.okta.com", "oidc_metadata": {"issuer": null}}}),
            json!({"options": {"oidc_metadata": {"issuer": "https://a.okta.com", "authorization_endpoint": "https://b"}}}),
            json!({"id": " con_1 ", "options": {"subject": {"commonName": "Google", "organizationName": "Google Inc."}}}),
        ] {
            assert_reads_as_value_does(&conn);
        }
    }

    #[test]
    fn a_repeated_key_replaces_the_earlier_value() {
        let text = r#"{"id": "con_1", "id": 5,
            "options": {"oidc_metadata": {"issuer": "https://a.okta.com"}, "oidc_metadata": {"authorization_endpoint": "https://b"},
                        "subject": {"commonName": "Google"}, "subject": 1},
            "metadata": {"workspace_id": "ws-1"}, "metadata": {}}"#;
        let fields = serde_json::from_str::<Object<ConnectionFields>>(text)
            .unwrap()
            .0
            .unwrap();
        assert_reads_as_value_does(&serde_json::from_str(text).unwrap());
        assert_eq!(fields.id, None);
        assert_eq!(fields.workspace_id, None);
        let options = fields.options.unwrap();
        let index = |f: &str| URL_FIELDS.iter().position(|u| *u == f).unwrap();
        assert_eq!(options.urls[index("oidc_metadata.issuer")], None);
        assert_eq!(
            options.urls[index("oidc_metadata.authorization_endpoint")].as_deref(),
            Some("https://b")
        );
        assert_eq!(options.subject.common_name, None);
    }

    #[test]
    fn skip_rejects_what_a_value_parse_rejects() {
        for text in [
            r#"{"a": 1e400}"#,
            r#"{"a": "\ud800"}"#,
            r#"{"a": [1, 2,]}"#,
            r#"{"a": 01}"#,
            &format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ] {
            let skip = serde_json::from_str::<Skip>(text).err().map(|e| e.to_string());
            let value = serde_json::from_str::<Value>(text).err().map(|e| e.to_string());
            assert!(value.is_some(), "{text}");
            assert_eq!(skip, value, "{text}");
            let ignored = serde_json::from_str::<serde::de::IgnoredAny>(text)
                .err()
                .map(|e| e.to_string());
            if text.contains("1e400") {
                assert_eq!(ignored, None, "IgnoredAny does not look inside: why Skip exists");
            }
        }
    }
}
