//! Strings from JS for natives. A JS string may hold a lone surrogate (`'🎉'.slice(0, 1)`),
//! which no Rust `String` can: rquickjs's own conversion then fails with "Conversion from
//! string failed". [`Text`] replaces each lone surrogate with U+FFFD instead, as a WebIDL
//! `USVString` conversion does in browsers, so `console.log('a\ud800b')` prints and a token
//! or storage key holding one is stored.

use rquickjs::function::This;
use rquickjs::{Ctx, FromJs, Function, Value};

use super::host::hooks;

/// A JS string as Rust text, lone surrogates replaced with U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'js> FromJs<'js> for Text {
    fn from_js(ctx: &Ctx<'js>, v: Value<'js>) -> rquickjs::Result<Self> {
        let s = rquickjs::String::from_value(v)?;
        match s.to_string() {
            Ok(text) => Ok(Text(text)),
            Err(rquickjs::Error::Utf8(_)) => {
                // The engine's own `String.prototype.toWellFormed`, kept before app code ran.
                let well_formed: Function<'js> = hooks(ctx)
                    .and_then(|h| h.to_well_formed.borrow().clone())
                    .ok_or(rquickjs::Error::Unknown)?;
                let fixed: rquickjs::String<'js> = well_formed.call((This(s),))?;
                fixed.to_string().map(Text)
            }
            Err(e) => Err(e),
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0
    }
}
