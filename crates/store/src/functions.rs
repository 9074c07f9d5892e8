/*!
SQL functions registered on query connections so translated PostgreSQL SQL behaves as it does in
PostgreSQL: the `jsonb` operators, case-sensitive `LIKE`, casts that parse like PostgreSQL's input
functions, division that fails on zero, `substr` with PostgreSQL's bounds.

Every function returns NULL for a NULL argument (PostgreSQL's functions are strict), and reports
bad input with PostgreSQL's message.
*/

use crate::jsonb::{Jsonb, Numeric};
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};

/// Names of the functions [`register`] adds.
pub(crate) const NAMES: &[&str] = &[
    "pg_jsonb",
    "pg_jsonb_get",
    "pg_jsonb_get_text",
    "pg_jsonb_path",
    "pg_jsonb_path_text",
    "pg_jsonb_contains",
    "pg_jsonb_exists",
    "pg_jsonb_exists_any",
    "pg_jsonb_exists_all",
    "pg_jsonb_eq",
    "pg_jsonb_typeof",
    "pg_jsonb_array_length",
    "pg_jsonb_num",
    "pg_jsonb_bool",
    "pg_like",
    "pg_ilike",
    "pg_lower",
    "pg_upper",
    "pg_substr",
    "pg_int",
    "pg_numeric",
    "pg_float",
    "pg_bool",
    "pg_text",
    "pg_div",
    "pg_mod",
    "pg_round",
    "pg_ceil",
    "pg_floor",
];

fn fail(message: impl Into<String>) -> Error {
    Error::UserFunctionError(message.into().into())
}

/// Adds the functions to a connection.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let add = |name: &str, n: i32, f: fn(&Context<'_>) -> Result<Value>| {
        conn.create_scalar_function(name, n, flags, move |ctx| f(ctx))
    };

    add("pg_jsonb", 1, |ctx| Ok(opt_text(json_arg(ctx, 0)?.map(|j| j.to_string()))))?;
    add("pg_jsonb_get", 2, |ctx| Ok(opt_text(get(ctx)?.map(|j| j.to_string()))))?;
    add("pg_jsonb_get_text", 2, |ctx| Ok(opt_text(get(ctx)?.and_then(|j| j.to_text()))))?;
    add("pg_jsonb_path", 2, |ctx| Ok(opt_text(path(ctx)?.map(|j| j.to_string()))))?;
    add("pg_jsonb_path_text", 2, |ctx| Ok(opt_text(path(ctx)?.and_then(|j| j.to_text()))))?;
    add("pg_jsonb_contains", 2, |ctx| {
        let (Some(a), Some(b)) = (json_arg(ctx, 0)?, cached_json_arg(ctx, 1)?) else { return Ok(Value::Null) };
        Ok(boolean(a.contains(&b)))
    })?;
    add("pg_jsonb_exists", 2, |ctx| {
        let (Some(j), Some(key)) = (json_arg(ctx, 0)?, text_arg(ctx, 1)?) else { return Ok(Value::Null) };
        Ok(boolean(j.exists(&key)))
    })?;
    add("pg_jsonb_exists_any", 2, |ctx| {
        let (Some(j), Some(keys)) = (json_arg(ctx, 0)?, text_array_arg(ctx, 1)?) else { return Ok(Value::Null) };
        Ok(boolean(keys.iter().flatten().any(|k| j.exists(k))))
    })?;
    add("pg_jsonb_exists_all", 2, |ctx| {
        let (Some(j), Some(keys)) = (json_arg(ctx, 0)?, text_array_arg(ctx, 1)?) else { return Ok(Value::Null) };
        Ok(boolean(keys.iter().flatten().all(|k| j.exists(k))))
    })?;
    add("pg_jsonb_eq", 2, |ctx| {
        let (Some(a), Some(b)) = (json_arg(ctx, 0)?, json_arg(ctx, 1)?) else { return Ok(Value::Null) };
        Ok(boolean(a.equals(&b)))
    })?;
    add("pg_jsonb_typeof", 1, |ctx| Ok(opt_text(json_arg(ctx, 0)?.map(|j| j.type_name().to_string()))))?;
    add("pg_jsonb_array_length", 1, |ctx| match json_arg(ctx, 0)? {
        Some(j) => j.array_length().map(Value::Integer).map_err(fail),
        None => Ok(Value::Null),
    })?;
    add("pg_jsonb_num", 2, |ctx| {
        let Some(j) = json_arg(ctx, 0)? else { return Ok(Value::Null) };
        let target = text_arg(ctx, 1)?.unwrap_or_default();
        match &j {
            Jsonb::Number(n) => Ok(number(n)),
            other => Err(fail(format!("cannot cast jsonb {} to type {target}", jsonb_type_word(other)))),
        }
    })?;
    add("pg_jsonb_bool", 1, |ctx| match json_arg(ctx, 0)? {
        None => Ok(Value::Null),
        Some(Jsonb::Bool(b)) => Ok(boolean(b)),
        Some(other) => Err(fail(format!("cannot cast jsonb {} to type boolean", jsonb_type_word(&other)))),
    })?;

    for (name, fold) in [("pg_like", false), ("pg_ilike", true)] {
        for n in [2, 3] {
            conn.create_scalar_function(name, n, flags, move |ctx| like(ctx, fold))?;
        }
    }
    add("pg_lower", 1, |ctx| Ok(opt_text(text_arg(ctx, 0)?.map(|s| lower(&s)))))?;
    add("pg_upper", 1, |ctx| Ok(opt_text(text_arg(ctx, 0)?.map(|s| upper(&s)))))?;
    add("pg_substr", 2, substr)?;
    add("pg_substr", 3, substr)?;

    add("pg_int", 2, |ctx| {
        let bits = ctx.get::<i64>(1)?;
        let name = match bits {
            16 => "smallint",
            32 => "integer",
            _ => "bigint",
        };
        let value = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(Value::Null),
            ValueRef::Integer(i) => i,
            ValueRef::Real(f) => {
                let r = f.round();
                if !r.is_finite() || r < i64::MIN as f64 || r >= i64::MAX as f64 {
                    return Err(fail(format!("{name} out of range")));
                }
                r as i64
            }
            ValueRef::Text(t) => {
                let text = utf8(t)?;
                parse_int(text).ok_or_else(|| fail(format!("invalid input syntax for type {name}: \"{text}\"")))?
            }
            ValueRef::Blob(_) => return Err(fail(format!("cannot cast bytea to {name}"))),
        };
        let in_range = match bits {
            16 => i16::try_from(value).is_ok(),
            32 => i32::try_from(value).is_ok(),
            _ => true,
        };
        if in_range { Ok(Value::Integer(value)) } else { Err(fail(format!("{name} out of range"))) }
    })?;
    add("pg_numeric", 1, |ctx| {
        Ok(match numeric_arg(ctx, 0, "numeric")? {
            Some(n) => n,
            None => Value::Null,
        })
    })?;
    add("pg_float", 1, |ctx| {
        Ok(match numeric_arg(ctx, 0, "double precision")? {
            Some(Value::Integer(i)) => Value::Real(i as f64),
            Some(n) => n,
            None => Value::Null,
        })
    })?;
    add("pg_bool", 1, |ctx| match ctx.get_raw(0) {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(i) => Ok(boolean(i != 0)),
        ValueRef::Text(t) => {
            let text = utf8(t)?;
            crate::rewrite::translate::parse_bool(text)
                .map(boolean)
                .ok_or_else(|| fail(format!("invalid input syntax for type boolean: \"{text}\"")))
        }
        _ => Err(fail("cannot cast this value to boolean")),
    })?;
    add("pg_text", 1, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Text(i.to_string()),
            ValueRef::Real(f) => Value::Text(float_text(f)),
            ValueRef::Text(t) => Value::Text(utf8(t)?.to_string()),
            ValueRef::Blob(b) => {
                Value::Text(format!("\\x{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>()))
            }
        })
    })?;
    add("pg_div", 2, |ctx| arithmetic(ctx, true))?;
    add("pg_div", 3, |ctx| arithmetic(ctx, true))?;
    add("pg_mod", 2, |ctx| arithmetic(ctx, false))?;
    add("pg_round", 1, round)?;
    add("pg_round", 2, round)?;
    add("pg_ceil", 1, |ctx| {
        Ok(match numeric_arg(ctx, 0, "numeric")? {
            Some(Value::Real(f)) => Value::Real(f.ceil()),
            Some(other) => other,
            None => Value::Null,
        })
    })?;
    add("pg_floor", 1, |ctx| {
        Ok(match numeric_arg(ctx, 0, "numeric")? {
            Some(Value::Real(f)) => Value::Real(f.floor()),
            Some(other) => other,
            None => Value::Null,
        })
    })?;
    Ok(())
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| Error::UserFunctionError(Box::new(e)))
}

fn opt_text(text: Option<String>) -> Value {
    text.map_or(Value::Null, Value::Text)
}

fn boolean(b: bool) -> Value {
    Value::Integer(i64::from(b))
}

fn number(n: &Numeric) -> Value {
    n.to_i64().map_or_else(|| Value::Real(n.to_f64()), Value::Integer)
}

fn jsonb_type_word(j: &Jsonb) -> &'static str {
    j.type_name()
}

fn parse_json_value(value: ValueRef<'_>) -> Result<Option<Jsonb>> {
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Jsonb::parse(utf8(t)?).map(Some).map_err(fail),
        ValueRef::Integer(i) => Ok(Some(Jsonb::Number(Numeric::from_i64(i)))),
        ValueRef::Real(f) => {
            Numeric::from_f64(f).map(|n| Some(Jsonb::Number(n))).ok_or_else(|| fail("cannot convert infinity to jsonb"))
        }
        ValueRef::Blob(_) => Err(fail("a binary value is not jsonb")),
    }
}

fn json_arg(ctx: &Context<'_>, i: usize) -> Result<Option<Jsonb>> {
    parse_json_value(ctx.get_raw(i))
}

/// A JSON argument that is usually constant (a pattern): parsed once per statement.
fn cached_json_arg(ctx: &Context<'_>, i: usize) -> Result<Option<Jsonb>> {
    let cached = ctx.get_or_create_aux(i as i32, parse_json_value)?;
    Ok(cached.as_ref().clone())
}

fn text_arg(ctx: &Context<'_>, i: usize) -> Result<Option<String>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(utf8(t)?.to_string()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(float_text(f)),
        ValueRef::Blob(_) => return Err(fail("a binary value is not text")),
    })
}

/// A `text[]` passed as a JSON array of strings and nulls.
fn text_array_arg(ctx: &Context<'_>, i: usize) -> Result<Option<Vec<Option<String>>>> {
    let Some(text) = text_arg(ctx, i)? else { return Ok(None) };
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    Ok(Some(
        items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                other => Some(other.to_string()),
            })
            .collect(),
    ))
}

/// `->` and `->>`: an integer picks an array element, text an object field.
fn get(ctx: &Context<'_>) -> Result<Option<Jsonb>> {
    let Some(j) = json_arg(ctx, 0)? else { return Ok(None) };
    Ok(match ctx.get_raw(1) {
        ValueRef::Null => None,
        ValueRef::Integer(i) => j.element(i).cloned(),
        ValueRef::Text(t) => j.field(utf8(t)?).cloned(),
        _ => return Err(fail("operator does not exist: jsonb -> numeric")),
    })
}

fn path(ctx: &Context<'_>) -> Result<Option<Jsonb>> {
    let (Some(j), Some(steps)) = (json_arg(ctx, 0)?, text_array_arg(ctx, 1)?) else { return Ok(None) };
    Ok(j.path(&steps).cloned())
}

enum Token {
    Char(char),
    One,
    Any,
}

/// PostgreSQL's LIKE: `%` any run, `_` one character, `\` (or the ESCAPE character) quotes the
/// next one; case-sensitive unless `fold` (ILIKE).
fn like(ctx: &Context<'_>, fold: bool) -> Result<Value> {
    let (Some(text), Some(pattern)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else { return Ok(Value::Null) };
    let escape = if ctx.len() == 3 {
        let Some(e) = text_arg(ctx, 2)? else { return Ok(Value::Null) };
        let mut chars = e.chars();
        match (chars.next(), chars.next()) {
            (None, _) => None,
            (Some(c), None) => Some(c),
            _ => return Err(fail("invalid escape string: escape string must be empty or one character")),
        }
    } else {
        Some('\\')
    };
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(next) => tokens.push(Token::Char(next)),
                None => return Err(fail("LIKE pattern must not end with escape character")),
            }
        } else if c == '%' {
            tokens.push(Token::Any);
        } else if c == '_' {
            tokens.push(Token::One);
        } else {
            tokens.push(Token::Char(c));
        }
    }
    let text: Vec<char> = if fold { lower(&text).chars().collect() } else { text.chars().collect() };
    if fold {
        for t in &mut tokens {
            if let Token::Char(c) = t {
                *c = lower_char(*c);
            }
        }
    }
    Ok(boolean(like_match(&text, &tokens)))
}

fn like_match(text: &[char], tokens: &[Token]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Any) => {
                backtrack = Some((p, t));
                p += 1;
                continue;
            }
            Some(Token::One) => {
                t += 1;
                p += 1;
                continue;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((bp, bt)) => {
                p = bp + 1;
                t = bt + 1;
                backtrack = Some((bp, bt + 1));
            }
            None => return false,
        }
    }
    tokens[p..].iter().all(|t| matches!(t, Token::Any))
}

/// Case mapping character by character (a character whose mapping is several characters, such
/// as `ß` upper-cased, stays as it is, like PostgreSQL's).
fn lower_char(c: char) -> char {
    let mut m = c.to_lowercase();
    match (m.next(), m.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn upper_char(c: char) -> char {
    let mut m = c.to_uppercase();
    match (m.next(), m.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

pub(crate) fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

fn upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

/// PostgreSQL's substr: positions from 1; a start before 1 shortens the result.
fn substr(ctx: &Context<'_>) -> Result<Value> {
    let Some(text) = text_arg(ctx, 0)? else { return Ok(Value::Null) };
    let start: Option<i64> = ctx.get(1)?;
    let Some(start) = start else { return Ok(Value::Null) };
    let chars: Vec<char> = text.chars().collect();
    let end = if ctx.len() == 3 {
        let length: Option<i64> = ctx.get(2)?;
        let Some(length) = length else { return Ok(Value::Null) };
        if length < 0 {
            return Err(fail("negative substring length not allowed"));
        }
        start.saturating_add(length)
    } else {
        i64::MAX
    };
    let from = start.max(1);
    if end <= from {
        return Ok(Value::Text(String::new()));
    }
    let from = (from - 1) as usize;
    let to = (end - 1).min(chars.len() as i64) as usize;
    Ok(Value::Text(if from >= to { String::new() } else { chars[from..to].iter().collect() }))
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// A number argument: integers and reals as they are, text parsed as PostgreSQL numeric input.
fn numeric_arg(ctx: &Context<'_>, i: usize, type_name: &str) -> Result<Option<Value>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(Value::Integer(n)),
        ValueRef::Real(f) => Some(Value::Real(f)),
        ValueRef::Text(t) => {
            let text = utf8(t)?;
            let bad = || fail(format!("invalid input syntax for type {type_name}: \"{text}\""));
            if let Some(n) = parse_int(text) {
                Some(Value::Integer(n))
            } else {
                let trimmed = text.trim();
                let valid = !trimmed.is_empty()
                    && trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                    && trimmed.chars().any(|c| c.is_ascii_digit());
                if !valid {
                    return Err(bad());
                }
                Some(Value::Real(trimmed.parse::<f64>().map_err(|_| bad())?))
            }
        }
        ValueRef::Blob(_) => return Err(fail(format!("cannot cast bytea to {type_name}"))),
    })
}

/// `/` and `%` with PostgreSQL's errors: division by zero fails; integers stay integers.
fn arithmetic(ctx: &Context<'_>, divide: bool) -> Result<Value> {
    let (Some(a), Some(b)) = (numeric_arg(ctx, 0, "numeric")?, numeric_arg(ctx, 1, "numeric")?) else {
        return Ok(Value::Null);
    };
    // pg_div(a, b, 1): numeric division, exact even for whole numbers (PostgreSQL's numeric).
    let numeric = ctx.len() == 3;
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) if !numeric || !divide => {
            if y == 0 {
                return Err(fail("division by zero"));
            }
            let r = if divide { x.checked_div(y) } else { x.checked_rem(y) };
            r.map(Value::Integer).ok_or_else(|| fail("bigint out of range"))
        }
        (a, b) => {
            let x = as_f64(&a);
            let y = as_f64(&b);
            if y == 0.0 {
                return Err(fail("division by zero"));
            }
            Ok(Value::Real(if divide { x / y } else { x % y }))
        }
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Real(f) => *f,
        _ => f64::NAN,
    }
}

/// `round(x [, places])` as PostgreSQL rounds `numeric`: half away from zero, on the decimal digits.
fn round(ctx: &Context<'_>) -> Result<Value> {
    let Some(x) = numeric_arg(ctx, 0, "numeric")? else { return Ok(Value::Null) };
    let places: i64 = if ctx.len() == 2 {
        match ctx.get::<Option<i64>>(1)? {
            Some(p) => p,
            None => return Ok(Value::Null),
        }
    } else {
        0
    };
    match x {
        Value::Integer(i) if places >= 0 => Ok(Value::Integer(i)),
        Value::Integer(i) => {
            let text = round_decimal(&i.to_string(), places);
            text.parse().map(Value::Integer).map_err(|_| fail("bigint out of range"))
        }
        Value::Real(f) if f.is_finite() => {
            let text = round_decimal(&format!("{f:?}"), places);
            Ok(Value::Real(text.parse().unwrap_or(f)))
        }
        other => Ok(other),
    }
}

/// Rounds decimal text (`-12.345`, `1e-7` forms are expanded first) to `places` after the point.
fn round_decimal(text: &str, places: i64) -> String {
    let expanded = match Numeric::from_f64(text.parse().unwrap_or(0.0)) {
        Some(n) if text.contains(['e', 'E']) => n.text().to_string(),
        _ => text.to_string(),
    };
    let (negative, body) = match expanded.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, expanded.clone()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    let mut digits: Vec<u8> = format!("{int}{frac}").bytes().map(|b| b - b'0').collect();
    let point = int.len() as i64;
    let keep = point + places; // digits kept
    if keep >= digits.len() as i64 {
        return expanded;
    }
    if keep < 0 {
        return "0".into();
    }
    let round_up = digits[keep as usize] >= 5;
    digits.truncate(keep as usize);
    let mut carry = round_up;
    for d in digits.iter_mut().rev() {
        if !carry {
            break;
        }
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            carry = false;
        }
    }
    let mut int_len = point;
    if carry {
        digits.insert(0, 1);
        int_len += 1;
    }
    // Pad with zeros up to the decimal point (negative places).
    while (digits.len() as i64) < int_len {
        digits.push(0);
    }
    let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let (i, f) = s.split_at(int_len.max(0) as usize);
    let i = if i.is_empty() { "0" } else { i };
    let mut out = String::new();
    if negative && s.bytes().any(|b| b != b'0') {
        out.push('-');
    }
    out.push_str(i);
    if !f.is_empty() {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A float as PostgreSQL prints it (shortest text that reads back the same).
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(sql: &str) -> rusqlite::Result<Value> {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.query_row(sql, [], |r| r.get(0))
    }

    fn text(sql: &str) -> String {
        match eval(sql).unwrap() {
            Value::Text(t) => t,
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => format!("{f:?}"),
            Value::Null => "NULL".into(),
            Value::Blob(_) => "blob".into(),
        }
    }

    fn error(sql: &str) -> String {
        crate::error::sqlite_message(&eval(sql).unwrap_err())
    }

    #[test]
    fn like_is_postgres_like() {
        // Verified on PostgreSQL 15.
        assert_eq!(text("SELECT pg_like('Admin', 'admin')"), "0");
        assert_eq!(text("SELECT pg_ilike('Admin', 'admin')"), "1");
        assert_eq!(text("SELECT pg_ilike('ÄB', 'äb')"), "1");
        assert_eq!(text(r"SELECT pg_like('a_b', 'a\_b')"), "1");
        assert_eq!(text(r"SELECT pg_like('axb', 'a\_b')"), "0");
        assert_eq!(text("SELECT pg_like('a%b', 'a!%b', '!')"), "1");
        assert_eq!(text("SELECT pg_like('abc', 'a%c%')"), "1");
        assert_eq!(text("SELECT pg_like('abc', '_b_')"), "1");
        assert_eq!(text("SELECT pg_like('abc', '%x%')"), "0");
        assert_eq!(text("SELECT pg_like('', '%')"), "1");
        assert_eq!(text("SELECT pg_like(NULL, '%')"), "NULL");
        assert_eq!(error(r"SELECT pg_like('a', 'a\')"), "LIKE pattern must not end with escape character");
    }

    #[test]
    fn text_functions() {
        assert_eq!(text("SELECT pg_lower('ÄÉß')"), "äéß");
        assert_eq!(text("SELECT pg_upper('äéß')"), "ÄÉß");
        assert_eq!(text("SELECT pg_substr('hello', -1, 3)"), "h");
        assert_eq!(text("SELECT pg_substr('hello', 0, 2)"), "h");
        assert_eq!(text("SELECT pg_substr('hello', 2)"), "ello");
        assert_eq!(text("SELECT pg_substr('hello', 4, 10)"), "lo");
        assert_eq!(error("SELECT pg_substr('hello', 1, -1)"), "negative substring length not allowed");
    }

    #[test]
    fn casts_and_arithmetic() {
        assert_eq!(text("SELECT pg_int(2.5, 32)"), "3");
        assert_eq!(text("SELECT pg_int(' 12 ', 32)"), "12");
        assert_eq!(error("SELECT pg_int('12.5', 32)"), "invalid input syntax for type integer: \"12.5\"");
        assert_eq!(error("SELECT pg_int(3000000000, 32)"), "integer out of range");
        assert_eq!(text("SELECT pg_bool('yes')"), "1");
        assert_eq!(text("SELECT pg_bool('of')"), "0");
        assert_eq!(error("SELECT pg_bool('o')"), "invalid input syntax for type boolean: \"o\"");
        assert_eq!(text("SELECT pg_div(7, 2)"), "3");
        assert_eq!(text("SELECT pg_div(-7, 2)"), "-3");
        assert_eq!(text("SELECT pg_mod(-7, 3)"), "-1");
        assert_eq!(error("SELECT pg_div(1, 0)"), "division by zero");
        assert_eq!(text("SELECT pg_round(2.5)"), "3.0");
        assert_eq!(text("SELECT pg_round(-2.5)"), "-3.0");
        assert_eq!(text("SELECT pg_round(2.675, 2)"), "2.68");
        assert_eq!(text("SELECT pg_round(1234, -2)"), "1200");
        assert_eq!(text("SELECT pg_round(9.99, 1)"), "10.0");
        assert_eq!(text("SELECT pg_text(1.5)"), "1.5");
        assert_eq!(text("SELECT pg_text(100.0)"), "100");
    }

    #[test]
    fn jsonb_functions() {
        assert_eq!(text(r#"SELECT pg_jsonb_get_text('{"n":1}', 'n')"#), "1");
        assert_eq!(text(r#"SELECT pg_jsonb_get_text('{"b":true}', 'b')"#), "true");
        assert_eq!(text(r#"SELECT pg_jsonb_get_text('{"o":{"b":1,"a":[1]}}', 'o')"#), r#"{"a": [1], "b": 1}"#);
        assert_eq!(text(r#"SELECT pg_jsonb_get('{"a.b":1}', 'a.b')"#), "1");
        assert_eq!(text(r#"SELECT pg_jsonb_get('[1,2]', -1)"#), "2");
        assert_eq!(text(r#"SELECT pg_jsonb_get('{"a":null}', 'a')"#), "null");
        assert_eq!(text(r#"SELECT pg_jsonb_get_text('{"a":null}', 'a')"#), "NULL");
        assert_eq!(text(r#"SELECT pg_jsonb_path_text('{"a":[1,{"b":"x"}]}', '["a","1","b"]')"#), "x");
        assert_eq!(text(r#"SELECT pg_jsonb_exists_any('{"a":1}', '["x","a"]')"#), "1");
        assert_eq!(text(r#"SELECT pg_jsonb_exists_all('{"a":1}', '["a",null]')"#), "1");
        assert_eq!(text(r#"SELECT pg_jsonb_contains('{"a":1,"b":[1,2]}', '{"b":[2]}')"#), "1");
        assert_eq!(text(r#"SELECT pg_jsonb_eq('{"a":1.0}', '{"a":1}')"#), "1");
        assert_eq!(text(r#"SELECT pg_int(pg_jsonb_num('1.5', 'integer'), 32)"#), "2");
        assert_eq!(error(r#"SELECT pg_jsonb_num('"1"', 'integer')"#), "cannot cast jsonb string to type integer");
        assert_eq!(error(r#"SELECT pg_jsonb_array_length('{}')"#), "cannot get array length of a non-array");
        assert!(error("SELECT pg_jsonb('{')").starts_with("invalid input syntax for type json"));
    }
}
