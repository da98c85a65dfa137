//! Query results read into typed rows: a serde `Deserializer` over DuckDB rows, so that
//! each row becomes a named struct whose fields are found by column name.
//!
//! A field without a column is an error naming the column (never a silent default);
//! a NULL in a field that is not an `Option` is an error naming the column and row;
//! DECIMAL money is read exactly as cents (`Money`), never through a double.

use std::fmt;

use anyhow::{bail, Result};
use chrono::NaiveDate;
use duckdb::types::{TimeUnit, ValueRef};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::money::CENTS_NEWTYPE;

/// Reads every row of `rows` (whose columns are `columns`) into a `T`, a struct that
/// derives `Deserialize`.
pub(super) fn read_rows<T: DeserializeOwned>(rows: &mut duckdb::Rows, columns: &[String]) -> Result<Vec<T>> {
    let fields = struct_fields::<T>()?;
    let mut positions = Vec::with_capacity(fields.len());
    for field in fields {
        match columns.iter().position(|c| c == field) {
            Some(at) => positions.push(at),
            None => bail!(
                "it returns no column `{field}`, which the report reads; return it under that name \
                 (its columns: {})",
                columns.join(", ")
            ),
        }
    }
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let record = RowDeserializer {
            row,
            positions: &positions,
            fields,
        };
        match T::deserialize(record) {
            Ok(value) => out.push(value),
            Err(err) => bail!("row {}: {err}", out.len() + 1),
        }
    }
    Ok(out)
}

/// The field names of struct `T`, in declaration order, as its derived `Deserialize`
/// asks for them.
pub(crate) fn struct_fields<T: DeserializeOwned>() -> Result<&'static [&'static str]> {
    let mut fields = None;
    let _ = T::deserialize(FieldProbe { fields: &mut fields });
    match fields {
        Some(fields) => Ok(fields),
        None => bail!("{} is not a struct with named fields", std::any::type_name::<T>()),
    }
}

/// Why a row could not be read: which column and what it held.
#[derive(Debug)]
pub(super) struct RowError(String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl de::Error for RowError {
    fn custom<M: fmt::Display>(msg: M) -> RowError {
        RowError(msg.to_string())
    }
}

/// Records the field list a struct's `Deserialize` passes to `deserialize_struct`.
struct FieldProbe<'a> {
    fields: &'a mut Option<&'static [&'static str]>,
}

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = RowError;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, RowError> {
        *self.fields = Some(fields);
        Err(RowError("probed".into()))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, RowError> {
        Err(RowError("not a struct".into()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// One row, handed to a struct's visitor as a sequence of its fields in order.
struct RowDeserializer<'r, 'stmt> {
    row: &'r duckdb::Row<'stmt>,
    /// The column of each field.
    positions: &'r [usize],
    fields: &'static [&'static str],
}

impl<'de> Deserializer<'de> for RowDeserializer<'_, '_> {
    type Error = RowError;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RowError> {
        visitor.visit_seq(FieldCells { record: self, next: 0 })
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, RowError> {
        Err(RowError("a row is read into a struct with named fields".into()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

struct FieldCells<'r, 'stmt> {
    record: RowDeserializer<'r, 'stmt>,
    next: usize,
}

impl<'de> SeqAccess<'de> for FieldCells<'_, '_> {
    type Error = RowError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, RowError> {
        let Some(&at) = self.record.positions.get(self.next) else {
            return Ok(None);
        };
        let column = self.record.fields[self.next];
        self.next += 1;
        let value = self
            .record
            .row
            .get_ref(at)
            .map_err(|err| RowError(format!("column `{column}` cannot be read: {err}")))?;
        seed.deserialize(Cell { value })
            .map(Some)
            .map_err(|err| RowError(format!("column `{column}`: {err}")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.record.positions.len() - self.next)
    }
}

/// One cell of a row. Its errors read as the rest of a sentence that starts with the
/// column's name.
struct Cell<'a> {
    value: ValueRef<'a>,
}

impl Cell<'_> {
    fn error(&self, wanted: &str) -> RowError {
        let held = match self.value {
            ValueRef::Null => "NULL".to_string(),
            ValueRef::Decimal(d) => format!("DECIMAL(_,{})", d.scale()),
            other => format!("{:?}", other.data_type()),
        };
        RowError(format!("holds {held}; the report reads {wanted}"))
    }

    /// The exact cents of a DECIMAL or integer amount.
    fn cents(&self) -> Result<i128, RowError> {
        let whole = |n: i128| n.checked_mul(100).ok_or_else(|| self.error("an amount of money"));
        match self.value {
            ValueRef::Decimal(d) => {
                let (value, scale) = (d.value(), u32::from(d.scale()));
                if scale <= 2 {
                    return value
                        .checked_mul(10i128.pow(2 - scale))
                        .ok_or_else(|| self.error("an amount of money"));
                }
                let unit = 10i128.pow(scale - 2);
                match value % unit {
                    0 => Ok(value / unit),
                    _ => Err(self.error("an amount of money in whole cents (DECIMAL(_,2))")),
                }
            }
            ValueRef::TinyInt(n) => whole(n.into()),
            ValueRef::SmallInt(n) => whole(n.into()),
            ValueRef::Int(n) => whole(n.into()),
            ValueRef::BigInt(n) => whole(n.into()),
            ValueRef::HugeInt(n) => whole(n),
            ValueRef::UTinyInt(n) => whole(n.into()),
            ValueRef::USmallInt(n) => whole(n.into()),
            ValueRef::UInt(n) => whole(n.into()),
            ValueRef::UBigInt(n) => whole(n.into()),
            _ => Err(self.error("an amount of money (DECIMAL, so that it stays exact)")),
        }
    }
}

impl<'de> Deserializer<'de> for Cell<'_> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            ValueRef::Boolean(b) => visitor.visit_bool(b),
            ValueRef::TinyInt(n) => visitor.visit_i64(n.into()),
            ValueRef::SmallInt(n) => visitor.visit_i64(n.into()),
            ValueRef::Int(n) => visitor.visit_i64(n.into()),
            ValueRef::BigInt(n) => visitor.visit_i64(n),
            ValueRef::HugeInt(n) => visitor.visit_i128(n),
            ValueRef::UTinyInt(n) => visitor.visit_u64(n.into()),
            ValueRef::USmallInt(n) => visitor.visit_u64(n.into()),
            ValueRef::UInt(n) => visitor.visit_u64(n.into()),
            ValueRef::UBigInt(n) => visitor.visit_u64(n),
            ValueRef::Float(f) => visitor.visit_f64(f.into()),
            ValueRef::Double(f) => visitor.visit_f64(f),
            ValueRef::Decimal(d) if d.scale() == 0 => visitor.visit_i128(d.value()),
            ValueRef::Text(t) => visitor.visit_string(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Date32(days) => visitor.visit_string(date(days).to_string()),
            ValueRef::Timestamp(unit, v) => {
                let micros = match unit {
                    TimeUnit::Second => v * 1_000_000,
                    TimeUnit::Millisecond => v * 1_000,
                    TimeUnit::Microsecond => v,
                    TimeUnit::Nanosecond => v / 1_000,
                };
                match chrono::DateTime::from_timestamp_micros(micros) {
                    Some(ts) => visitor.visit_string(ts.naive_utc().to_string()),
                    None => Err(self.error("a timestamp")),
                }
            }
            _ => Err(self.error("a number, text, boolean or date; cast it in the SQL")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, RowError> {
        if matches!(self.value, ValueRef::Null) {
            return Err(self.error("a value (declare the field optional if NULL is expected)"));
        }
        if name == CENTS_NEWTYPE {
            return visitor.visit_i128(self.cents()?);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Float(f) => visitor.visit_f64(f.into()),
            ValueRef::Double(f) => visitor.visit_f64(f),
            _ => Err(self.error("a fraction (DOUBLE)")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Text(_) | ValueRef::Date32(_) | ValueRef::Timestamp(..) => self.deserialize_any(visitor),
            _ => Err(self.error("text")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Boolean(b) => visitor.visit_bool(b),
            _ => Err(self.error("a boolean")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        visitor.visit_unit()
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.integer(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.integer(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.integer(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.integer(visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.integer(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 u8 u16 u128 char bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum identifier
    }
}

impl Cell<'_> {
    /// An integer column into an integer field; the visitor checks its range.
    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::TinyInt(_)
            | ValueRef::SmallInt(_)
            | ValueRef::Int(_)
            | ValueRef::BigInt(_)
            | ValueRef::HugeInt(_)
            | ValueRef::UTinyInt(_)
            | ValueRef::USmallInt(_)
            | ValueRef::UInt(_)
            | ValueRef::UBigInt(_) => self.deserialize_any(visitor),
            ValueRef::Decimal(d) if d.scale() == 0 => self.deserialize_any(visitor),
            _ => Err(self.error("an integer")),
        }
    }
}

fn date(days_since_epoch: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date") + chrono::Duration::days(days_since_epoch.into())
}
