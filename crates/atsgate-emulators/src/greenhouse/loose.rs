//! A JSON value read without committing to a type, and without copying.
//!
//! Request bodies are validated field by field (a wrong type is a 422 that
//! names the field), so fields are first read as [`Loose`]. Strings borrow
//! from the request buffer whenever they contain no escape sequence, which
//! is always the case for base64: a 100 MB `content` is never copied before
//! it is decoded. Arrays and objects are skipped, not buffered.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value, typed only as far as validation needs.
#[derive(Debug, Default)]
pub enum Loose<'a> {
    /// The key was not present.
    #[default]
    Missing,
    Null,
    Str(Cow<'a, str>),
    Int(i128),
    /// A float, boolean, array or object: never valid where validation
    /// looks, so only its presence matters (contents are skipped).
    Other,
}

impl Loose<'_> {
    /// Missing or `null`: both mean "not provided".
    pub fn is_absent(&self) -> bool {
        matches!(self, Loose::Missing | Loose::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Loose::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A positive integer id, from a JSON integer or a numeric string
    /// (clients built around string ids send `"20000001"`).
    pub fn as_id(&self) -> Option<u64> {
        match self {
            Loose::Int(n) => u64::try_from(*n).ok(),
            Loose::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|id| *id > 0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor(std::marker::PhantomData))
    }
}

struct LooseVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LooseVisitor<'a> {
    type Value = Loose<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Int(v.into()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body<'a> {
        #[serde(default, borrow)]
        a: Loose<'a>,
        #[serde(default, borrow)]
        b: Loose<'a>,
        #[serde(default, borrow)]
        c: Loose<'a>,
    }

    #[test]
    fn borrows_plain_strings_and_types_the_rest() {
        let body: Body<'_> = serde_json::from_str(r#"{"a":"QUJD","b":[1,{"x":2}]}"#).unwrap();
        assert!(matches!(body.a, Loose::Str(Cow::Borrowed("QUJD"))));
        assert!(matches!(body.b, Loose::Other));
        assert!(body.c.is_absent());
        let ids: Body<'_> = serde_json::from_str(r#"{"a":12,"b":"34","c":-1}"#).unwrap();
        assert_eq!(ids.a.as_id(), Some(12));
        assert_eq!(ids.b.as_id(), Some(34));
        assert_eq!(ids.c.as_id(), None);
    }
}
