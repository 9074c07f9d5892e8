/*!
PostgreSQL `jsonb` semantics over JSON text, for the SQL functions the embedded store registers.

SQLite keeps JSON as text; PostgreSQL's `jsonb` has rules of its own that users see: numbers are
`numeric` (`1.50` prints as `1.50`, `1e2` as `100`, and `1.0` equals `1`), object keys are unique
(the last one wins) and print sorted by length then bytes, and output text has a space after `:`
and `,`. [`Jsonb`] is a parsed value with those rules: [`Jsonb::parse`] reads JSON text as
PostgreSQL's `jsonb` input does, `Display` prints it as PostgreSQL prints `jsonb`, and the
operators (`@>`, `?`, `->`, `#>`, equality) follow PostgreSQL's `jsonb` functions, checked
against PostgreSQL 15.
*/

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

/// Numbers in `jsonb` are `numeric`; exponents beyond this are refused (PostgreSQL's own limit is
/// about 131072 digits, far beyond anything in an identity graph).
const MAX_EXPONENT: i64 = 4096;

/// A `jsonb` value.
#[derive(Debug, Clone)]
pub(crate) enum Jsonb {
    Null,
    Bool(bool),
    Number(Numeric),
    String(String),
    Array(Vec<Jsonb>),
    /// Keys unique, sorted as PostgreSQL sorts them (length, then bytes).
    Object(Vec<(String, Jsonb)>),
}

/// A `numeric` as `jsonb` holds it: its output text and a normalised form for equality.
#[derive(Debug, Clone)]
pub(crate) struct Numeric {
    /// As PostgreSQL prints it (`1.50`, `100`, `0.001`).
    text: String,
    /// Negative (and not zero).
    negative: bool,
    /// Significant digits, no leading or trailing zeros; empty for zero.
    digits: String,
    /// The value is `0.digits × 10^exponent`.
    exponent: i64,
}

impl Numeric {
    /// The `numeric` for a JSON number literal (already checked against the JSON grammar).
    fn from_literal(literal: &str) -> Result<Numeric, String> {
        let (negative, rest) = match literal.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, literal),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => {
                let exp: i64 = rest[i + 1..].parse().map_err(|_| format!("number out of range: {literal}"))?;
                (&rest[..i], exp)
            }
            None => (rest, 0),
        };
        if exp.abs() > MAX_EXPONENT {
            return Err(format!("number out of range: {literal}"));
        }
        let (int, frac) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all: String = format!("{int}{frac}");
        // Decimal point sits before index `point` of `all`.
        let point = int.len() as i64 + exp;
        let scale = (frac.len() as i64 - exp).max(0);
        let zero = all.bytes().all(|b| b == b'0');

        let mut text = String::new();
        if negative && !zero {
            text.push('-');
        }
        let int_part: String = if point <= 0 {
            "0".into()
        } else if point as usize >= all.len() {
            format!("{all}{}", "0".repeat(point as usize - all.len()))
        } else {
            all[..point as usize].to_string()
        };
        let int_part = int_part.trim_start_matches('0');
        text.push_str(if int_part.is_empty() { "0" } else { int_part });
        if scale > 0 {
            text.push('.');
            if point < 0 {
                text.push_str(&"0".repeat((-point) as usize));
                text.push_str(&all);
            } else {
                text.push_str(&all[point as usize..]);
            }
        }

        let leading = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_start_matches('0').trim_end_matches('0').to_string();
        let exponent = if digits.is_empty() { 0 } else { point - leading as i64 };
        Ok(Numeric { text, negative: negative && !zero, digits, exponent })
    }

    /// The `numeric` for an SQLite integer.
    pub(crate) fn from_i64(value: i64) -> Numeric {
        Numeric::from_literal(&value.to_string()).expect("an integer is a valid number")
    }

    /// The `numeric` for an SQLite real, if it is finite (shortest text that reads back the same).
    pub(crate) fn from_f64(value: f64) -> Option<Numeric> {
        if !value.is_finite() {
            return None;
        }
        // `{:?}` prints the shortest text that reads back the same (`0.1`, `1e-7`, `1e20`), which
        // the JSON number grammar accepts.
        Numeric::from_literal(&format!("{value:?}")).ok()
    }

    /// As PostgreSQL prints it.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The value as a float (for arithmetic outside `jsonb`).
    pub(crate) fn to_f64(&self) -> f64 {
        self.text.parse().unwrap_or(f64::NAN)
    }

    /// The value as an integer, if it is one that fits.
    pub(crate) fn to_i64(&self) -> Option<i64> {
        if self.text.contains('.') {
            return None;
        }
        self.text.parse().ok()
    }

    fn numeric_eq(&self, other: &Numeric) -> bool {
        self.negative == other.negative && self.digits == other.digits && self.exponent == other.exponent
    }
}

impl Jsonb {
    /// Parses JSON text as PostgreSQL's `jsonb` input does.
    pub(crate) fn parse(text: &str) -> Result<Jsonb, String> {
        let mut parser = Parser { bytes: text.as_bytes(), text, pos: 0, depth: 0 };
        parser.skip_ws();
        let value = parser.value()?;
        parser.skip_ws();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("Expected end of input"));
        }
        Ok(value)
    }

    /// Whether this is an array, object, or a scalar.
    fn is_scalar(&self) -> bool {
        !matches!(self, Jsonb::Array(_) | Jsonb::Object(_))
    }

    /// `jsonb_typeof`.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Number(_) => "number",
            Jsonb::String(_) => "string",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    /// The value of `key` in an object.
    fn get(&self, key: &str) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(pairs) => pairs.binary_search_by(|(k, _)| key_order(k, key)).ok().map(|i| &pairs[i].1),
            _ => None,
        }
    }

    /// `->` with a text key (`jsonb_object_field`).
    pub(crate) fn field(&self, key: &str) -> Option<&Jsonb> {
        self.get(key)
    }

    /// `->` with an integer (`jsonb_array_element`): negative counts from the end; a scalar acts as
    /// an array of itself, as in PostgreSQL.
    pub(crate) fn element(&self, index: i64) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(_) => None,
            Jsonb::Array(items) => pick(items.len(), index).map(|i| &items[i]),
            scalar => pick(1, index).map(|_| scalar),
        }
    }

    /// `#>` (`jsonb_get_element`): a path of keys and array indexes given as text.
    pub(crate) fn path<'a>(&'a self, path: &[Option<String>]) -> Option<&'a Jsonb> {
        if path.is_empty() {
            return Some(self);
        }
        let mut current = self;
        for step in path {
            let step = step.as_deref()?;
            current = match current {
                Jsonb::Object(_) => current.get(step)?,
                Jsonb::Array(items) => {
                    let index = strtol(step)?;
                    &items[pick(items.len(), index)?]
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// `->>`-style text: strings bare, `null` as SQL NULL, everything else as `jsonb` prints it.
    pub(crate) fn to_text(&self) -> Option<String> {
        match self {
            Jsonb::Null => None,
            Jsonb::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// `?`: a key of an object, a string element of an array, or the string itself.
    pub(crate) fn exists(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(_) => self.get(key).is_some(),
            Jsonb::Array(items) => items.iter().any(|i| matches!(i, Jsonb::String(s) if s == key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }

    /// `@>`: whether `self` contains `other` (`jsonb_contains`).
    pub(crate) fn contains(&self, other: &Jsonb) -> bool {
        let self_object = matches!(self, Jsonb::Object(_));
        let other_object = matches!(other, Jsonb::Object(_));
        if self_object != other_object {
            return false;
        }
        match (self, other) {
            (Jsonb::Object(_), Jsonb::Object(_)) => deep_contains(self, other),
            // A scalar root is an array of one ("raw scalar"): it may contain a raw scalar, and an
            // array may contain a raw scalar, but a raw scalar may not contain an array.
            (Jsonb::Array(items), b) if b.is_scalar() => array_contains(items, std::slice::from_ref(b)),
            (a, Jsonb::Array(_)) if a.is_scalar() => false,
            (a, b) if a.is_scalar() && b.is_scalar() => scalar_eq(a, b),
            _ => deep_contains(self, other),
        }
    }

    /// `=` between two `jsonb` values.
    pub(crate) fn equals(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Array(a), Jsonb::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y)),
            (Jsonb::Object(a), Jsonb::Object(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && va.equals(vb))
            }
            (a, b) if a.is_scalar() && b.is_scalar() => scalar_eq(a, b),
            _ => false,
        }
    }

    /// `jsonb_array_length`.
    pub(crate) fn array_length(&self) -> Result<i64, String> {
        match self {
            Jsonb::Array(items) => Ok(items.len() as i64),
            Jsonb::Object(_) => Err("cannot get array length of a non-array".into()),
            _ => Err("cannot get array length of a scalar".into()),
        }
    }
}

/// PostgreSQL's index rule: negative counts from the end; out of range is nothing.
fn pick(len: usize, index: i64) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { len + index } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// C's `strtol` as PostgreSQL uses it for path steps: leading blanks and a sign allowed, the rest
/// must be digits, within `int`.
fn strtol(text: &str) -> Option<i64> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    let value = if negative { -value } else { value };
    (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&value).then_some(value)
}

fn scalar_eq(a: &Jsonb, b: &Jsonb) -> bool {
    match (a, b) {
        (Jsonb::Null, Jsonb::Null) => true,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x == y,
        (Jsonb::Number(x), Jsonb::Number(y)) => x.numeric_eq(y),
        (Jsonb::String(x), Jsonb::String(y)) => x == y,
        _ => false,
    }
}

/// `JsonbDeepContains` for two containers of the same kind (else false).
fn deep_contains(a: &Jsonb, b: &Jsonb) -> bool {
    match (a, b) {
        (Jsonb::Object(_), Jsonb::Object(pairs)) => pairs.iter().all(|(key, wanted)| match a.get(key) {
            None => false,
            Some(have) if wanted.is_scalar() => have.is_scalar() && scalar_eq(have, wanted),
            Some(have) => !have.is_scalar() && deep_contains(have, wanted),
        }),
        (Jsonb::Array(have), Jsonb::Array(wanted)) => array_contains(have, wanted),
        _ => false,
    }
}

fn array_contains(have: &[Jsonb], wanted: &[Jsonb]) -> bool {
    wanted.iter().all(|w| {
        if w.is_scalar() {
            have.iter().any(|h| h.is_scalar() && scalar_eq(h, w))
        } else {
            have.iter().any(|h| !h.is_scalar() && deep_contains(h, w))
        }
    })
}

/// PostgreSQL's order of object keys: shorter first, then bytewise.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

impl fmt::Display for Jsonb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Jsonb::Null => f.write_str("null"),
            Jsonb::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Jsonb::Number(n) => f.write_str(&n.text),
            Jsonb::String(s) => write_string(f, s),
            Jsonb::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    item.fmt(f)?;
                }
                f.write_char(']')
            }
            Jsonb::Object(pairs) => {
                f.write_char('{')?;
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, key)?;
                    f.write_str(": ")?;
                    value.fmt(f)?;
                }
                f.write_char('}')
            }
        }
    }
}

/// PostgreSQL's `escape_json`.
fn write_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let shown: String = self.text.chars().take(60).collect();
        format!("invalid input syntax for type json: {what} at offset {} in {shown:?}", self.pos)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Jsonb, String> {
        match self.bytes.get(self.pos) {
            None => Err(self.error("The input string ended unexpectedly")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Jsonb::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, value) in [("true", Jsonb::Bool(true)), ("false", Jsonb::Bool(false)), ("null", Jsonb::Null)]
                {
                    if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                        let end = self.pos + word.len();
                        if !matches!(self.bytes.get(end), Some(b) if b.is_ascii_alphanumeric() || *b == b'_') {
                            self.pos = end;
                            return Ok(value);
                        }
                    }
                }
                Err(self.error("Token is invalid"))
            }
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn object(&mut self) -> Result<Jsonb, String> {
        self.enter()?;
        let mut pairs: Vec<(String, Jsonb)> = Vec::new();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Jsonb::Object(pairs));
        }
        loop {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("Expected string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("Expected \":\""));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            pairs.push((key, value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("Expected \",\" or \"}\"")),
            }
        }
        self.depth -= 1;
        // Sort stably so that, among equal keys, the last one written comes last and wins.
        pairs.sort_by(|(a, _), (b, _)| key_order(a, b));
        let mut unique: Vec<(String, Jsonb)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match unique.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => unique.push(pair),
            }
        }
        Ok(Jsonb::Object(unique))
    }

    fn array(&mut self) -> Result<Jsonb, String> {
        self.enter()?;
        let mut items = Vec::new();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Jsonb::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("Expected \",\" or \"]\"")),
            }
        }
        self.depth -= 1;
        Ok(Jsonb::Array(items))
    }

    fn number(&mut self) -> Result<Jsonb, String> {
        let start = self.pos;
        let b = self.bytes;
        let mut p = self.pos;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        match b.get(p) {
            Some(b'0') => p += 1,
            Some(b'1'..=b'9') => {
                while matches!(b.get(p), Some(b'0'..=b'9')) {
                    p += 1;
                }
            }
            _ => {
                self.pos = p;
                return Err(self.error("Token is invalid"));
            }
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            if !matches!(b.get(p), Some(b'0'..=b'9')) {
                self.pos = p;
                return Err(self.error("Token is invalid"));
            }
            while matches!(b.get(p), Some(b'0'..=b'9')) {
                p += 1;
            }
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if !matches!(b.get(p), Some(b'0'..=b'9')) {
                self.pos = p;
                return Err(self.error("Token is invalid"));
            }
            while matches!(b.get(p), Some(b'0'..=b'9')) {
                p += 1;
            }
        }
        if matches!(b.get(p), Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.') {
            self.pos = p;
            return Err(self.error("Token is invalid"));
        }
        self.pos = p;
        Ok(Jsonb::Number(Numeric::from_literal(&self.text[start..p])?))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("\"\\u\" must be followed by four hexadecimal digits"))?;
        let value = u32::from_str_radix(digits, 16)
            .map_err(|_| self.error("\"\\u\" must be followed by four hexadecimal digits"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("\"\\u\" must be followed by four hexadecimal digits"));
        }
        self.pos += 4;
        Ok(value)
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&c) = self.bytes.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("The input string ended unexpectedly")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape =
                        *self.bytes.get(self.pos).ok_or_else(|| self.error("The input string ended unexpectedly"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if !self.bytes[self.pos..].starts_with(b"\\u") {
                                    return Err(self.error("Unicode high surrogate must not follow a high surrogate"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("Unicode low surrogate must follow a high surrogate"));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&first) {
                                return Err(self.error("Unicode low surrogate must follow a high surrogate"));
                            } else {
                                first
                            };
                            if code == 0 {
                                return Err(
                                    "unsupported Unicode escape sequence: \\u0000 cannot be converted to text".into()
                                );
                            }
                            out.push(char::from_u32(code).ok_or_else(|| self.error("invalid Unicode escape"))?);
                        }
                        _ => return Err(self.error("Escape sequence is invalid")),
                    }
                }
                Some(_) => return Err(self.error("Character with value 0x00-0x1f must be escaped")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(text: &str) -> Jsonb {
        Jsonb::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn prints_like_postgres() {
        // Expected strings from PostgreSQL 15 (`SELECT '<input>'::jsonb`).
        let cases = [
            (r#"{"b":1,"aa":[1,{"x":true}],"a":null}"#, r#"{"a": null, "b": 1, "aa": [1, {"x": true}]}"#),
            (r#"{"a":1,"a":2}"#, r#"{"a": 2}"#),
            (r#"{"a":"\u00e9\n/"}"#, "{\"a\": \"é\\n/\"}"),
            (r#""a\u0001""#, r#""a\u0001""#),
            ("-0.0", "0.0"),
            ("-0", "0"),
            ("1E+2", "100"),
            ("0.1e1", "1"),
            ("1.50", "1.50"),
            ("1e-3", "0.001"),
            ("1.5e-3", "0.0015"),
            ("12.345e1", "123.45"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("[]", "[]"),
            ("{}", "{}"),
            (" [ 1 , \"x\" ] ", r#"[1, "x"]"#),
        ];
        for (input, expected) in cases {
            assert_eq!(j(input).to_string(), expected, "{input}");
        }
    }

    #[test]
    fn refuses_what_postgres_refuses() {
        for bad in ["", "01", "1.", ".5", "+1", "[1,]", "{\"a\"}", "nul", "truex", "\"\\u0000\"", "'a'", "NaN", "[1] 2"]
        {
            assert!(Jsonb::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn containment_matches_postgres() {
        // Each verified on PostgreSQL 15: `SELECT '<a>'::jsonb @> '<b>'::jsonb`.
        let cases = [
            (r#"{"a":1}"#, r#"{"a":1.00}"#, true),
            (r#"["a",[1,2]]"#, "[[2]]", true),
            (r#""a""#, r#"["a"]"#, false),
            (r#"["a"]"#, r#""a""#, true),
            (r#"{"a":{"b":1}}"#, r#"{"a":[]}"#, false),
            (r#"[{"a":1}]"#, "[{}]", true),
            (r#"["a","b"]"#, r#""a""#, true),
            (r#"{"a":[1,2,3]}"#, r#"{"a":[3,1]}"#, true),
            (r#"{"a":{"b":{"c":1,"d":2}}}"#, r#"{"a":{"b":{"c":1}}}"#, true),
            ("[[1,2]]", "[1]", false),
            ("1", "1.0", true),
            ("[1,2,3]", "[1,1]", true),
            (r#"{"a":["x"]}"#, r#"{"a":"x"}"#, false),
            (r#"{"a":1}"#, "{}", true),
            ("[]", "[]", true),
            (r#"{"a":1}"#, "[]", false),
            ("[1]", "{}", false),
            ("null", "null", true),
            (r#"{"a":null}"#, r#"{"a":null}"#, true),
            (r#"{"a":"1"}"#, r#"{"a":1}"#, false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(j(a).contains(&j(b)), expected, "{a} @> {b}");
        }
    }

    #[test]
    fn access_matches_postgres() {
        let scalar = j(r#""x""#);
        assert_eq!(scalar.element(0).map(ToString::to_string), Some(r#""x""#.into()));
        assert!(scalar.element(1).is_none());
        assert_eq!(j("5").element(-1).map(ToString::to_string), Some("5".into()));
        assert_eq!(j("[1,2,3]").element(-1).map(ToString::to_string), Some("3".into()));
        assert!(j("[1,2,3]").element(5).is_none());
        assert!(j("[1,2]").field("0").is_none());
        let path = |p: &[&str]| p.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
        let doc = j(r#"{"a":[1,{"b":2}]}"#);
        assert_eq!(doc.path(&path(&["a", "1", "b"])).map(ToString::to_string), Some("2".into()));
        assert!(doc.path(&path(&["a", "x"])).is_none());
        let arr = j("[1,2]");
        for (step, expected) in
            [("-1", Some("2")), (" 1", Some("2")), ("+1", Some("2")), ("01", Some("2")), ("1a", None), ("", None)]
        {
            assert_eq!(arr.path(&path(&[step])).map(ToString::to_string).as_deref(), expected, "{step:?}");
        }
        assert!(scalar.path(&path(&["0"])).is_none());
        assert_eq!(scalar.path(&[]).and_then(Jsonb::to_text), Some("x".into()));
        assert_eq!(j("[[1]]").element(0).and_then(Jsonb::to_text), Some("[1]".into()));
        assert_eq!(j(r#"{"a":null}"#).field("a").and_then(Jsonb::to_text), None);
        assert!(scalar.exists("x"));
        assert!(!j("5").exists("5"));
        assert!(j(r#"["a",1]"#).exists("a"));
        assert!(j("1.0").equals(&j("1")));
        assert!(!j("[1]").equals(&j("1")));
        assert_eq!(j("1").array_length().unwrap_err(), "cannot get array length of a scalar");
        assert_eq!(j("{}").array_length().unwrap_err(), "cannot get array length of a non-array");
    }
}
