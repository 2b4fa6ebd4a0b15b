//! How an event's JSON is read: the visitors that apply a flag's parser to
//! each shape a value may take, and [`EventError`], whose one line names the
//! key (or the key's flag) a refusal came from.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, Deserializer, Expected, IntoDeserializer, Unexpected, Visitor};
use serde_json::Value;

use super::NOT_IN_EVENTS;
use crate::cli::Cli;
use crate::cli::values::{self, Rejected};
use crate::printable::printable;

/// A flag's parser.
pub(super) type Parser<T> = fn(&str) -> Result<T, Rejected>;

/// A parser's refusal as serde's `invalid_value`, which [`EventError`]
/// turns into the flag's line.
fn refused<E: de::Error>(r: &Rejected) -> E {
    E::invalid_value(Unexpected::Other(&r.shown), &r.why.as_str())
}

/// One value: the text of a string or a number, parsed by the flag's
/// parser (inside the visit, so that the error names the key).
pub(super) struct One<T>(pub(super) Parser<T>);

impl<T> Visitor<'_> for One<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(|r| refused(&r))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
}

/// A list: a comma-separated string (as the flag's variable takes it), a
/// number, or an array of strings and numbers, each of which may hold
/// commas too; every item parsed by the flag's parser.
pub(super) struct List<T>(pub(super) Parser<T>);

impl<T> List<T> {
    fn items<E: de::Error>(&self, text: &str) -> Result<Vec<T>, E> {
        text.split(',')
            .map(|item| (self.0)(item).map_err(|r| refused(&r)))
            .collect()
    }
}

impl<'de, T> Visitor<'de> for List<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a list of them")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        self.items(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        struct Item(String);
        impl<'de> Deserialize<'de> for Item {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(One(values::text)).map(Item)
            }
        }
        let mut out = Vec::new();
        while let Some(Item(text)) = seq.next_element()? {
            out.extend(self.items::<A::Error>(&text)?);
        }
        Ok(out)
    }
}

/// Why an event was refused, as the one line the invocation error carries.
#[derive(Debug)]
pub(super) enum EventError {
    /// The whole line.
    Line(String),
    /// A value of the wrong JSON type: the key is named once known.
    Shape(String),
    /// A value the flag's parser refused: the flag is named once known.
    Refused { shown: String, why: String },
}

impl EventError {
    /// The line for an error in the value of `key`.
    fn at(self, key: &str) -> Self {
        match self {
            Self::Shape(what) => {
                Self::Line(format!("invalid event key '{}': {what}", printable(key)))
            }
            Self::Refused { shown, why } => {
                Self::Line(format!("invalid {} '{shown}': {why}", flag_of(key)))
            }
            line @ Self::Line(_) => line,
        }
    }
}

/// `--vpc-cidr` for `vpc_cidrs`: the long name of the flag whose id is
/// the key.
fn flag_of(key: &str) -> String {
    use clap::CommandFactory;
    let command = Cli::command();
    let long = command
        .find_subcommand("check")
        .and_then(|check| check.get_arguments().find(|a| a.get_id() == key))
        .and_then(|a| a.get_long())
        .unwrap_or(key);
    format!("--{long}")
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) | Self::Shape(line) => f.write_str(line),
            Self::Refused { shown, why } => write!(f, "invalid value '{shown}': {why}"),
        }
    }
}

impl std::error::Error for EventError {}

impl de::Error for EventError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Line(printable(&msg.to_string()))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        let unexpected = printable(&unexpected.to_string());
        Self::Shape(format!("expected {expected}, not {unexpected}"))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::Refused {
            shown: unexpected.to_string(),
            why: expected.to_string(),
        }
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        if NOT_IN_EVENTS.contains(&field) {
            return Self::Line(format!(
                "event key '{field}' is not accepted: the answer is always the JSON report, and logs go to the function's log group"
            ));
        }
        Self::Line(format!(
            "unknown event key '{}': the keys are check's flags in snake_case",
            printable(field)
        ))
    }
}

/// A JSON value read with [`EventError`]s, naming the event key it sits
/// under (`None` for the event itself and for the items of a list).
pub(super) struct Json {
    pub(super) key: Option<String>,
    pub(super) value: Value,
}

impl IntoDeserializer<'_, EventError> for Json {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Json {
    type Error = EventError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, EventError> {
        let item = |value| Json { key: None, value };
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(x)) => visitor.visit_f64(x),
                (None, None, None) => visitor.visit_string(n.to_string()),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(item));
                visitor
                    .visit_seq(&mut seq)
                    .and_then(|v| seq.end().map(|()| v))
            }
            Value::Object(keys) => {
                let mut map = MapDeserializer::new(keys.into_iter().map(|(key, value)| {
                    let keyed = Json {
                        key: Some(key.clone()),
                        value,
                    };
                    (key, keyed)
                }));
                visitor
                    .visit_map(&mut map)
                    .and_then(|v| map.end().map(|()| v))
            }
        };
        match self.key {
            Some(key) => result.map_err(|e| e.at(&key)),
            None => result,
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
