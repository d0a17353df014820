//! Support for the generated `Deserialize` implementations of structs.
//!
//! They read JSON objects (and forms) as maps only, which compiles to less code than serde's derive: the
//! derive also emits a sequence visitor and a field enum per struct.

// A document may use only some of the helpers below.
#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor};

/// A struct read from an object; the generated code implements it for each struct and calls
/// [`object`] from the struct's `Deserialize` implementation.
pub trait Object: Sized {
    /// The schema name, for error messages.
    const NAME: &'static str;
    /// The wire names of the properties, in field order.
    const FIELDS: &'static [&'static str];

    /// Reads the struct from the entries of an object.
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserializes `T` from an object; any other value is an error.
pub fn object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "an object `{}`", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// Reads the next key of an object and looks it up in `fields`.
pub fn key<'de, A: MapAccess<'de>>(map: &mut A, fields: &'static [&'static str]) -> Result<Option<Key<'de>>, A::Error> {
    map.next_key_seed(KeySeed(fields))
}

/// Reads and drops the value of a property the struct does not keep.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// A key of an object, as an index into the struct's property names or as the unknown name itself.
pub enum Key<'de> {
    Known(usize),
    Unknown(Cow<'de, str>),
}

/// Reads one key and looks it up in `names`, the wire names of the struct's properties in field order.
#[derive(Clone, Copy)]
pub struct KeySeed(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Key<'de>, E> {
        Ok(match self.0.iter().position(|name| *name == value) {
            Some(index) => Key::Known(index),
            None => Key::Unknown(Cow::Owned(value.to_owned())),
        })
    }

    fn visit_borrowed_str<E: Error>(self, value: &'de str) -> Result<Key<'de>, E> {
        Ok(match self.0.iter().position(|name| *name == value) {
            Some(index) => Key::Known(index),
            None => Key::Unknown(Cow::Borrowed(value)),
        })
    }

    fn visit_string<E: Error>(self, value: String) -> Result<Key<'de>, E> {
        Ok(match self.0.iter().position(|name| *name == value) {
            Some(index) => Key::Known(index),
            None => Key::Unknown(Cow::Owned(value)),
        })
    }

    fn visit_bytes<E: Error>(self, value: &[u8]) -> Result<Key<'de>, E> {
        match std::str::from_utf8(value) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(value), &self)),
        }
    }
}

/// Stores the value of a property, failing when the object names the property twice.
pub fn set_once<T, E: Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Returns the value of a required property, failing when the object lacks it.
pub fn required<T, E: Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Returns the value of an optional property; absent and `null` both become `None`.
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// Returns the value of a property with a default, calling `default` when the object lacks it.
pub fn or_default<T>(slot: Option<T>, default: fn() -> T) -> T {
    slot.unwrap_or_else(default)
}

/// Fails on a property the schema forbids (`additionalProperties: false`).
pub fn unknown<T, E: Error>(name: &str, expected: &'static [&'static str]) -> Result<T, E> {
    Err(E::unknown_field(name, expected))
}
