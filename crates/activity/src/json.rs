/*!
Reading fields out of loosely-shaped JSON.

Every source's events come from other people's exporters, test suites and SIEM pipelines, which
lower-case keys, drop fields, write `null` or `""` for absent values, and format timestamps three
ways. These helpers make "absent" mean one thing and make the field names case-insensitive as a
fallback, so the mapping code reads as the mapping, not as defensive checks.
*/

use crate::error::ParseError;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

/// The value at `path`, or `None` when any step is missing or the value is `null`.
///
/// Keys match exactly first, then ignoring ASCII case (some pipelines lower-case them).
pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        let map = cur.as_object()?;
        cur = match map.get(*key) {
            Some(found) => found,
            None => map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)?,
        };
    }
    (!cur.is_null()).then_some(cur)
}

/// A non-empty string at `path` (trimmed).
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path)?.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A string, number or boolean at `path`, as text.
pub(crate) fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    match at(v, path)? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number at `path` (numbers written as strings count too).
pub(crate) fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    match at(v, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// JSON's name for the type of `v`, for messages.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The required timestamp at `key` (the first of `keys` present wins); `field` names it in errors.
pub(crate) fn required_time(v: &Value, keys: &[&str], field: &'static str) -> Result<DateTime<Utc>, ParseError> {
    let found = keys.iter().find_map(|k| at(v, &[k])).ok_or_else(|| ParseError::missing(field))?;
    parse_time(found).map_err(|reason| ParseError::invalid(field, reason))
}

/// A timestamp in any of the forms the sources and their exporters write.
///
/// RFC 3339 (any number of fraction digits), the same without a zone or with a space for `T`
/// (taken as UTC, as CloudTrail-to-SIEM pipelines write it), and Unix epoch numbers: in
/// milliseconds when their magnitude is at least 10^11 (GitHub's `@timestamp`), else in seconds.
/// 10^11 seconds is the year 5138 and 10^11 milliseconds is 1973, so the two cannot be confused
/// for real events.
pub(crate) fn parse_time(v: &Value) -> Result<DateTime<Utc>, String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => from_epoch_int(i),
            None => n.as_f64().map_or(Err("not a timestamp".to_string()), from_epoch_float),
        },
        Value::String(s) => parse_time_text(s.trim()),
        other => Err(format!("expected a timestamp, found {}", kind_name(other))),
    }
}

const MILLIS_FROM: i64 = 100_000_000_000;

fn from_epoch_int(i: i64) -> Result<DateTime<Utc>, String> {
    let ms = if i.unsigned_abs() >= MILLIS_FROM as u64 { Some(i) } else { i.checked_mul(1000) };
    ms.and_then(DateTime::from_timestamp_millis).ok_or_else(|| format!("epoch value {i} is out of range"))
}

fn from_epoch_float(x: f64) -> Result<DateTime<Utc>, String> {
    if !x.is_finite() {
        return Err("not a timestamp".into());
    }
    let ms = if x.abs() >= MILLIS_FROM as f64 { x } else { x * 1000.0 };
    if ms.abs() > 8.0e15 {
        return Err(format!("epoch value {x} is out of range"));
    }
    DateTime::from_timestamp_millis(ms.round() as i64).ok_or_else(|| format!("epoch value {x} is out of range"))
}

fn parse_time_text(s: &str) -> Result<DateTime<Utc>, String> {
    if s.is_empty() {
        return Err("empty timestamp".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.') && s.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return from_epoch_int(i);
        }
        if let Ok(x) = s.parse::<f64>() {
            return from_epoch_float(x);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(t.and_utc());
        }
    }
    Err(format!("not a timestamp: `{}`", shorten(s, 40)))
}

/// `s` cut to at most `max` characters, for messages.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `s` if it is an IP address (written in its canonical form), else `None`.
pub(crate) fn ip(s: &str) -> Option<String> {
    s.trim().parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// The IP address of `host:port`, `[v6]:port` or a bare address.
pub(crate) fn ip_of_addr(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(ip) = ip(s) {
        return Some(ip);
    }
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Some(addr.ip().to_string());
    }
    ip(s.trim_start_matches('[').trim_end_matches(']'))
}

/// Whether `s` has the shape of an email address (`local@domain.tld`, no spaces).
pub(crate) fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// A stable id for an event that carries none of its own: 32 hex digits of the SHA-256 of the
/// event's canonical JSON (object keys sorted, no whitespace).
///
/// Canonical rather than as-received text, so that the same event re-exported with its keys in
/// another order or pretty-printed gets the same id and is stored once.
pub fn stable_id(event: &Value) -> String {
    let mut text = String::new();
    canonical(event, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    let mut id = String::with_capacity(32);
    for b in digest.iter().take(16) {
        id.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    id
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(v: Value) -> String {
        parse_time(&v).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)).unwrap_or_else(|e| e)
    }

    #[test]
    fn timestamps_in_every_form_the_sources_write() {
        assert_eq!(t(json!("2024-05-02T18:46:21.121000000Z")), "2024-05-02T18:46:21.121Z");
        assert_eq!(t(json!("2021-06-25T21:27:03.49Z")), "2021-06-25T21:27:03.490Z");
        assert_eq!(t(json!("2019-01-01T00:00:00+02:00")), "2018-12-31T22:00:00.000Z");
        assert_eq!(t(json!("2022-09-27 17:09:18")), "2022-09-27T17:09:18.000Z");
        assert_eq!(t(json!("2024-11-25 17:51:21.000000000")), "2024-11-25T17:51:21.000Z");
        assert_eq!(t(json!("2023-09-17T21:00:00.000000")), "2023-09-17T21:00:00.000Z");
        assert_eq!(t(json!(1621305118553i64)), "2021-05-18T02:31:58.553Z");
        assert_eq!(t(json!(1621305118)), "2021-05-18T02:31:58.000Z");
        assert_eq!(t(json!(1621305118.5)), "2021-05-18T02:31:58.500Z");
        assert_eq!(t(json!("1621305118553")), "2021-05-18T02:31:58.553Z");
    }

    #[test]
    fn bad_timestamps_say_why() {
        assert_eq!(t(json!("redacted")), "not a timestamp: `redacted`");
        assert_eq!(t(json!("2023-09-20T23:00:000.000000Z")), "not a timestamp: `2023-09-20T23:00:000.000000Z`");
        assert_eq!(t(json!(true)), "expected a timestamp, found a boolean");
        assert_eq!(t(json!("")), "empty timestamp");
        assert!(t(json!(i64::MAX)).contains("out of range"));
        assert!(t(json!(-1e300)).contains("out of range"));
        assert!(t(json!("-")).starts_with("not a timestamp"));
    }

    #[test]
    fn fields_are_found_ignoring_case_and_null_is_absent() {
        let v = json!({"userIdentity": {"principalid": "A:b", "arn": null, "name": " "}});
        assert_eq!(str_at(&v, &["userIdentity", "principalId"]), Some("A:b"));
        assert_eq!(at(&v, &["userIdentity", "arn"]), None);
        assert_eq!(str_at(&v, &["userIdentity", "name"]), None);
        assert_eq!(str_at(&v, &["userIdentity", "principalId", "deeper"]), None);
        assert_eq!(text_at(&json!({"n": 7922}), &["n"]), Some("7922".into()));
    }

    #[test]
    fn addresses_and_emails() {
        assert_eq!(ip("1.2.3.4"), Some("1.2.3.4".into()));
        assert_eq!(ip("cloudformation.amazonaws.com"), None);
        assert_eq!(ip("AWS Internal"), None);
        assert_eq!(ip_of_addr("192.0.2.1:35194"), Some("192.0.2.1".into()));
        assert_eq!(ip_of_addr("[2001:db8::1]:65123"), Some("2001:db8::1".into()));
        assert_eq!(ip_of_addr("[2001:db8:feed:face:c0ff:eeb0:baf00:00d]:65123"), None);
        assert!(looks_like_email("alice@acme.com"));
        assert!(!looks_like_email("alice"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("@acme.com"));
        assert!(!looks_like_email("a b@acme.com"));
    }

    #[test]
    fn stable_ids_ignore_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(stable_id(&a), stable_id(&b));
        assert_eq!(stable_id(&a).len(), 32);
        assert_ne!(stable_id(&a), stable_id(&json!({"b": 2})));
    }
}
