/*!
Framing: from bytes to one raw JSON object per event.

Sources deliver events four ways: JSON lines (Okta, GitHub and Teleport exports, SIEM pipelines),
a JSON array (Okta API pages, GitHub's JSON export), CloudTrail's `{"Records": [...]}` document
(one line as delivered, or pretty-printed), and any of those gzipped. Rather than ask the caller,
the reader looks: gzip by its magic bytes, and JSON lines by whether the first line is a complete
JSON value on its own. Anything else is read as one document.

JSON lines are read lazily, one line at a time, so a bad line costs one error and a large export
costs no more memory than its longest line. A whole document has to be read before it can be
split; its records are then normalised one at a time.
*/

use crate::error::{ErrorKind, ParseError, Position};
use crate::event::{Event, Source};
use crate::json::shorten;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Events read from one input; see [`parse_reader`].
pub struct Records<R> {
    source: Source,
    input: Option<Input<R>>,
    started: bool,
    /// The number of the last line read.
    line: u64,
    /// Records split off but not yet normalised (or errors to report), in input order. A record
    /// may not have been parsed yet: normalising it parses it.
    pending: VecDeque<Result<(Position, String), ParseError>>,
}

/// Reads the events of `source` from `reader`, one `Result` per record, in input order.
///
/// Accepts JSON lines, a JSON array, a single JSON object, CloudTrail's `{"Records": [...]}` (as
/// one document or one per line), and gzip-compressed forms of each. A record that cannot be read
/// or normalised is an `Err` naming its line or position, and the records after it still come;
/// only a failing reader (or a broken whole document, which cannot be split) ends the sequence.
pub fn parse_reader<R: BufRead>(source: Source, reader: R) -> Records<R> {
    Records { source, input: Some(Input::Plain(reader)), started: false, line: 0, pending: VecDeque::new() }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<Event, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Some(next.and_then(|(position, text)| {
                    crate::normalize_text(self.source, text).map_err(|e| e.at(position))
                }));
            }
            if !self.started {
                self.started = true;
                self.start();
            } else {
                self.read_line()?;
            }
        }
    }
}

impl<R: BufRead> Records<R> {
    /// Looks at the start of the input: unwraps gzip, then decides between JSON lines and a
    /// whole document.
    fn start(&mut self) {
        let Some(Input::Plain(mut reader)) = self.input.take() else { return };
        let gzip = match reader.fill_buf() {
            Ok(head) => head.starts_with(&[0x1f, 0x8b]),
            Err(e) => return self.fail(e),
        };
        let mut input = if gzip {
            Input::Gzip(BufReader::new(flate2::bufread::MultiGzDecoder::new(reader)))
        } else {
            Input::Plain(reader)
        };

        let mut first = Vec::new();
        let mut lines_read = 0;
        // Blank lines before the first record don't decide anything.
        loop {
            first.clear();
            match input.read_until(b'\n', &mut first) {
                Ok(0) => return,
                Ok(_) => lines_read += 1,
                Err(e) => return self.fail(e),
            }
            if !first.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        let text = match std::str::from_utf8(&first) {
            Ok(text) => text.trim_start_matches('\u{feff}'),
            Err(e) => {
                // Not UTF-8: treat as JSON lines so the rest can still be read.
                self.line = lines_read;
                self.pending.push_back(Err(json_error(format!("not UTF-8: {e}")).at(Position::Line(self.line))));
                self.input = Some(input);
                return;
            }
        };
        match serde_json::from_str::<&RawValue>(text) {
            Err(e) if e.is_eof() => {
                let mut rest = text.as_bytes().to_vec();
                let prefix_lines = lines_read - 1;
                if let Err(e) = input.read_to_end(&mut rest) {
                    return self.fail(e);
                }
                self.document(rest, prefix_lines);
            }
            _ => {
                self.input = Some(input);
                self.line = lines_read;
                self.split_line(&first);
            }
        }
    }

    /// Reads the next line of a JSON-lines input; `None` at the end.
    fn read_line(&mut self) -> Option<()> {
        let input = self.input.as_mut()?;
        let mut buf = Vec::new();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => {
                self.input = None;
                None
            }
            Ok(_) => {
                self.line += 1;
                self.split_line(&buf);
                Some(())
            }
            Err(e) => {
                self.fail(e);
                Some(())
            }
        }
    }

    /// One line of JSON lines: an object, an array of objects, or CloudTrail's envelope.
    fn split_line(&mut self, bytes: &[u8]) {
        let line = self.line;
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim_start_matches('\u{feff}').trim(),
            Err(e) => {
                self.pending.push_back(Err(json_error(format!("not UTF-8: {e}")).at(Position::Line(line))));
                return;
            }
        };
        if text.is_empty() {
            return;
        }
        // One object per line is the usual form. It is parsed once, when it is normalised (which
        // reads all of it), rather than once here to find where it ends and again there. Only a
        // CloudTrail object may be an envelope of records that has to be split first.
        if text.starts_with('{') && self.source != Source::AwsCloudtrail {
            self.pending.push_back(Ok((Position::Line(line), text.to_string())));
            return;
        }
        match serde_json::from_str::<&RawValue>(text) {
            Ok(raw) => self.split(raw, |record| match record {
                None => Position::Line(line),
                Some(record) => Position::LineRecord { line, record },
            }),
            Err(e) => self.pending.push_back(Err(json_error(e.to_string()).at(Position::Line(line)))),
        }
    }

    /// A whole document, read to the end: one JSON value, or several one after the other (as
    /// `jq .` prints a stream of events). When it does not even start with a valid value but its
    /// lines do, it was JSON lines whose first line is broken, and is read as such.
    fn document(&mut self, bytes: Vec<u8>, prefix_lines: u64) {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => return self.pending.push_back(Err(json_error(format!("not UTF-8: {}", e.utf8_error())))),
        };
        let mut values = 0;
        for value in serde_json::Deserializer::from_str(&text).into_iter::<&RawValue>() {
            match value {
                Ok(raw) => {
                    values += 1;
                    // Records are counted across the whole input.
                    let before = self.pending.len() as u64;
                    self.split(raw, |record| Position::Record(before + record.unwrap_or(1)));
                }
                Err(e) => {
                    let is_json_lines = values == 0
                        && text.lines().skip(1).any(|l| {
                            serde_json::from_str::<&RawValue>(l.trim()).is_ok_and(|r| r.get().starts_with('{'))
                        });
                    if is_json_lines {
                        for (i, line) in text.lines().enumerate() {
                            self.line = prefix_lines + i as u64 + 1;
                            self.split_line(line.as_bytes());
                        }
                    } else {
                        // A broken value cannot be skipped: where the next one starts is unknown.
                        let position = Position::Line(prefix_lines + e.line() as u64);
                        self.pending.push_back(Err(json_error(e.to_string()).at(position)));
                    }
                    return;
                }
            }
        }
    }

    /// Queues the records of one JSON value: the elements of an array, the `Records` of a
    /// CloudTrail file, or the value itself. `position(None)` places the value itself,
    /// `position(Some(n))` its n-th record.
    fn split(&mut self, raw: &RawValue, position: impl Fn(Option<u64>) -> Position) {
        let text = raw.get();
        let records: Option<Vec<&RawValue>> = if text.starts_with('[') {
            serde_json::from_str(text).ok()
        } else if self.source == Source::AwsCloudtrail && text.starts_with('{') {
            serde_json::from_str::<Envelope>(text).ok().and_then(|e| e.records)
        } else {
            None
        };
        match records {
            Some(records) => {
                for (i, record) in records.into_iter().enumerate() {
                    self.pending.push_back(Ok((position(Some(i as u64 + 1)), record.get().to_string())));
                }
            }
            None => self.pending.push_back(Ok((position(None), text.to_string()))),
        }
    }

    fn fail(&mut self, e: io::Error) {
        self.input = None;
        let error = ParseError::new(ErrorKind::Io(e.to_string()));
        let error = if self.line > 0 { error.at(Position::Line(self.line + 1)) } else { error };
        self.pending.push_back(Err(error));
    }
}

fn json_error(message: String) -> ParseError {
    ParseError::new(ErrorKind::Json(shorten(&message, 200)))
}

/// CloudTrail's file envelope; other keys are ignored.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Records", borrow)]
    records: Option<Vec<&'a RawValue>>,
}

/// The input, gunzipped when it is gzip.
enum Input<R> {
    Plain(R),
    Gzip(BufReader<flate2::bufread::MultiGzDecoder<R>>),
}

impl<R: BufRead> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Plain(r) => r.read(buf),
            Input::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Input::Plain(r) => r.fill_buf(),
            Input::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            Input::Plain(r) => r.consume(amount),
            Input::Gzip(r) => r.consume(amount),
        }
    }
}

/// Events read from a file or a directory tree; see [`parse_path`].
pub struct PathRecords {
    source: Source,
    files: std::vec::IntoIter<PathBuf>,
    current: Option<(PathBuf, Records<BufReader<File>>)>,
}

/// Reads the events of `source` from a file, or from every file under a directory (recursively,
/// in path order; symbolic links to files are read, links to directories are not followed).
///
/// Each file is read as [`parse_reader`] reads it (so `*.json.gz` CloudTrail deliveries work
/// as they are), and its errors carry its path. Fails only when `path` itself cannot be read;
/// a file that cannot be opened is one `Err` and the others are still read.
pub fn parse_path(source: Source, path: &Path) -> io::Result<PathRecords> {
    let files = if std::fs::metadata(path)?.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    Ok(PathRecords { source, files: files.into_iter(), current: None })
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if kind.is_file() || (kind.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file())) {
            files.push(path);
        }
    }
    Ok(())
}

impl Iterator for PathRecords {
    type Item = Result<Event, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((path, records)) = &mut self.current {
                match records.next() {
                    Some(item) => return Some(item.map_err(|e| e.in_file(path))),
                    None => self.current = None,
                }
            }
            let path = self.files.next()?;
            match File::open(&path) {
                Ok(file) => self.current = Some((path, parse_reader(self.source, BufReader::new(file)))),
                Err(e) => return Some(Err(ParseError::new(ErrorKind::Io(e.to_string())).in_file(&path))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    const OKTA_A: &str = r#"{"uuid":"a","published":"2024-01-01T00:00:00Z","eventType":"user.session.start"}"#;
    const OKTA_B: &str = r#"{"uuid":"b","published":"2024-01-01T00:00:01Z","eventType":"user.session.end"}"#;

    fn read(source: Source, text: &[u8]) -> Vec<Result<String, String>> {
        parse_reader(source, Cursor::new(text.to_vec())).map(|r| r.map(|e| e.uuid).map_err(|e| e.to_string())).collect()
    }

    fn ok(ids: &[&str]) -> Vec<Result<String, String>> {
        ids.iter().map(|s| Ok(s.to_string())).collect()
    }

    #[test]
    fn json_lines_with_a_bad_line_in_the_middle() {
        let text = format!("{OKTA_A}\n\n{{\"uuid\": \"x\", \n[1]\n\"s\"\n{OKTA_B}\r\n");
        let got = read(Source::Okta, text.as_bytes());
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], Ok("a".into()));
        assert!(got[1].as_ref().unwrap_err().starts_with("line 3: invalid JSON: EOF while parsing"), "{got:?}");
        assert_eq!(got[2], Err("line 4, record 1: not a JSON object: found a number".into()));
        assert_eq!(got[3], Err("line 5: not a JSON object: found a string".into()));
        assert_eq!(got[4], Ok("b".into()));
    }

    #[test]
    fn a_json_array_pretty_or_not() {
        assert_eq!(read(Source::Okta, format!("[{OKTA_A},{OKTA_B}]").as_bytes()), ok(&["a", "b"]));
        let pretty = serde_json::to_string_pretty(&serde_json::json!([
            serde_json::from_str::<serde_json::Value>(OKTA_A).unwrap(),
            {"uuid": "c"},
            serde_json::from_str::<serde_json::Value>(OKTA_B).unwrap(),
        ]))
        .unwrap();
        let got = read(Source::Okta, pretty.as_bytes());
        assert_eq!(got[0], Ok("a".into()));
        assert_eq!(got[1], Err("record 2: missing field `published`".into()));
        assert_eq!(got[2], Ok("b".into()));
        assert_eq!(read(Source::Okta, b"[]"), ok(&[]));
    }

    #[test]
    fn one_page_per_line() {
        let text = format!("[{OKTA_A}]\n[{OKTA_B}, 7]\n");
        let got = read(Source::Okta, text.as_bytes());
        assert_eq!(got[..2], ok(&["a", "b"]));
        assert_eq!(got[2], Err("line 2, record 2: not a JSON object: found a number".into()));
    }

    const TRAIL_A: &str = r#"{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventName":"ConsoleLogin"}"#;
    const TRAIL_B: &str = r#"{"eventID":"e2","eventTime":"2024-01-01T00:00:01Z","eventName":"GetObject"}"#;

    #[test]
    fn cloudtrail_files_as_delivered_and_pretty() {
        let delivered = format!(r#"{{"Records":[{TRAIL_A},{TRAIL_B}]}}"#);
        assert_eq!(read(Source::AwsCloudtrail, delivered.as_bytes()), ok(&["e1", "e2"]));
        let pretty = format!("{{\n  \"Records\": [\n    {TRAIL_A},\n    {TRAIL_B}\n  ]\n}}\n");
        assert_eq!(read(Source::AwsCloudtrail, pretty.as_bytes()), ok(&["e1", "e2"]));
        let lines = format!("{TRAIL_A}\n{TRAIL_B}\n");
        assert_eq!(read(Source::AwsCloudtrail, lines.as_bytes()), ok(&["e1", "e2"]));
        let got = read(Source::AwsCloudtrail, br#"{"Records":[{"eventID":"x"}]}"#);
        assert_eq!(got, vec![Err("line 1, record 1: missing field `eventTime`".to_string())]);
    }

    #[test]
    fn gzip_is_unwrapped() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        write!(gz, r#"{{"Records":[{TRAIL_A},{TRAIL_B}]}}"#).unwrap();
        let bytes = gz.finish().unwrap();
        assert_eq!(read(Source::AwsCloudtrail, &bytes), ok(&["e1", "e2"]));
        // A truncated archive gives what it can, then one read error.
        let got = read(Source::AwsCloudtrail, &bytes[..bytes.len() / 2]);
        assert!(got.last().unwrap().as_ref().unwrap_err().contains("read error"), "{got:?}");
    }

    #[test]
    fn a_stream_of_pretty_printed_events() {
        let pretty = |line: &str| {
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(line).unwrap()).unwrap()
        };
        let text = format!("{}\n{}\n", pretty(OKTA_A), pretty(OKTA_B));
        assert_eq!(read(Source::Okta, text.as_bytes()), ok(&["a", "b"]));
        let text = format!("{}\n{{\"uuid\": \"x\"}}\n{{\n  \"bad\": ,\n}}\n{}", pretty(OKTA_A), pretty(OKTA_B));
        let got = read(Source::Okta, text.as_bytes());
        assert_eq!(got[0], Ok("a".into()));
        assert_eq!(got[1], Err("record 2: missing field `published`".into()));
        assert!(got[2].as_ref().unwrap_err().starts_with("line 8: invalid JSON"), "{got:?}");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn a_broken_document_is_one_error_with_its_line() {
        let got = read(Source::AwsCloudtrail, b"{\n  \"Records\": [\n    {\"eventID\": }\n  ]\n}\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].as_ref().unwrap_err().starts_with("line 3: invalid JSON"), "{got:?}");
    }

    #[test]
    fn json_lines_whose_first_line_is_cut() {
        let text = format!("{{\"uuid\": \"a\",\n{OKTA_B}\n");
        let got = read(Source::Okta, text.as_bytes());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].as_ref().unwrap_err().starts_with("line 1: invalid JSON"), "{got:?}");
        assert_eq!(got[1], Ok("b".into()));
    }

    #[test]
    fn empty_and_odd_inputs_never_panic() {
        for input in [
            &b""[..],
            b"\n\n",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"{",
            b"[",
            b"]",
            b"nul",
            b"\x1f\x8b",
            b"{\"Records\": 5}",
        ] {
            for source in Source::ALL {
                let _ = read(source, input);
            }
        }
        assert_eq!(
            read(Source::Okta, b"\xff\n"),
            vec![Err("line 1: invalid JSON: not UTF-8: invalid utf-8 sequence of 1 bytes from index 0".into())]
        );
        assert_eq!(read(Source::Okta, format!("\u{feff}{OKTA_A}").as_bytes()), ok(&["a"]));
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;
        use serde_json::Value;

        /// Keys and values the mappings look at, so generated events reach deep into them.
        const KEYS: &[&str] = &[
            "uuid",
            "published",
            "eventType",
            "actor",
            "id",
            "type",
            "alternateId",
            "displayName",
            "client",
            "ipAddress",
            "geographicalContext",
            "geolocation",
            "lat",
            "lon",
            "outcome",
            "result",
            "reason",
            "target",
            "request",
            "ipChain",
            "ip",
            "securityContext",
            "asNumber",
            "debugContext",
            "debugData",
            "threatDetections",
            "privilegeGranted",
            "eventTime",
            "eventName",
            "eventID",
            "userIdentity",
            "arn",
            "principalId",
            "userName",
            "sessionContext",
            "sessionIssuer",
            "requestParameters",
            "responseElements",
            "ConsoleLogin",
            "errorCode",
            "resources",
            "ARN",
            "Records",
            "action",
            "created_at",
            "@timestamp",
            "user",
            "repo",
            "actor_location",
            "event",
            "time",
            "code",
            "success",
            "addr.remote",
            "argv",
            "identity",
            "name",
        ];
        const WORDS: &[&str] = &[
            "",
            "unknown",
            "User",
            "AssumedRole",
            "IAMUser",
            "SAMLUser",
            "FAILURE",
            "DENY",
            "Failure",
            "2024-01-01T00:00:00Z",
            "2024-01-01 00:00:00",
            "1.2.3.4",
            "[::1]:22",
            "a@b.co",
            "user.session.start",
            "security.threat.detected",
            "ConsoleLogin",
            "AssumeRoleWithSAML",
            "org.add_member",
            "session.command",
            "cert.create",
            "arn:aws:sts::1:assumed-role/AWSReservedSSO_x/a@b.co",
            "AROA:x@y.z",
            "T1000W",
            "{\"a\":1}",
            "é",
            "bot-x",
        ];

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                proptest::sample::select(WORDS).prop_map(Value::from),
                ".{0,12}".prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..8)
                        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
                ]
            })
        }

        /// One real-shaped event per source, for mutation.
        const BASES: [(Source, &str); 4] = [
            (
                Source::Okta,
                r#"{"uuid": "u", "published": "2024-01-01T00:00:00Z", "eventType": "user.session.start",
                    "actor": {"id": "00u1", "type": "User", "alternateId": "a@b.co"},
                    "client": {"ipAddress": "1.2.3.4",
                               "geographicalContext": {"city": "X", "geolocation": {"lat": 1, "lon": 2}}},
                    "outcome": {"result": "FAILURE"}, "target": [{"id": "t", "type": "User"}]}"#,
            ),
            (
                Source::AwsCloudtrail,
                r#"{"eventID": "e", "eventTime": "2024-01-01T00:00:00Z", "eventName": "ConsoleLogin",
                    "sourceIPAddress": "1.2.3.4",
                    "userIdentity": {"type": "AssumedRole", "principalId": "AROA:a@b.co",
                                     "arn": "arn:aws:sts::1:assumed-role/AWSReservedSSO_A/a@b.co"},
                    "requestParameters": {"userName": "x", "instanceIds": ["i-1"]},
                    "resources": [{"ARN": "arn:aws:iam::1:role/R"}]}"#,
            ),
            (
                Source::Github,
                r#"{"_document_id": "d", "@timestamp": 1709288100000, "action": "org.add_member", "actor": "octocat",
                    "user": "u", "repo": "o/r", "actor_location": {"country_code": "GB"}}"#,
            ),
            (
                Source::Teleport,
                r#"{"uid": "u", "time": "2024-01-01T00:00:00Z", "event": "session.command", "user": "a@b.co",
                    "code": "T4000I", "argv": ["-l"], "path": "/bin/nc", "target": {"user": "x"},
                    "identity": {"user": "y"}}"#,
            ),
        ];

        /// Up to five (path, value) replacements.
        fn edits() -> impl Strategy<Value = Vec<(Vec<&'static str>, Value)>> {
            let path = proptest::collection::vec(proptest::sample::select(KEYS), 1..4);
            proptest::collection::vec((path, json()), 1..6)
        }

        proptest! {
            #[test]
            fn any_json_is_an_event_or_an_error(v in json()) {
                let text = v.to_string();
                for source in Source::ALL {
                    for e in parse_reader(source, text.as_bytes()).flatten() {
                        prop_assert!(crate::category::ALL.contains(&e.category));
                        prop_assert!(crate::outcome::ALL.contains(&e.outcome));
                        let ocsf = &e.ocsf_value();
                        prop_assert_eq!(
                            ocsf["type_uid"].as_u64(),
                            Some(ocsf["class_uid"].as_u64().unwrap() * 100 + ocsf["activity_id"].as_u64().unwrap())
                        );
                    }
                }
            }

            /// Real-shaped events with odd values put anywhere in them.
            #[test]
            fn mutated_events_are_events_or_errors(which in 0..BASES.len(), edits in edits()) {
                let (source, base) = BASES[which];
                let mut v: Value = serde_json::from_str(base).unwrap();
                for (path, value) in edits {
                    let mut cur = &mut v;
                    for key in &path[..path.len() - 1] {
                        if !cur.is_object() {
                            *cur = Value::Object(Default::default());
                        }
                        cur = cur.as_object_mut().unwrap().entry(key.to_string()).or_insert(Value::Null);
                    }
                    if !cur.is_object() {
                        *cur = Value::Object(Default::default());
                    }
                    cur.as_object_mut().unwrap().insert(path[path.len() - 1].to_string(), value);
                }
                if let Ok(e) = crate::normalize_value(source, &v) {
                    prop_assert!(crate::category::ALL.contains(&e.category));
                    prop_assert!(crate::outcome::ALL.contains(&e.outcome));
                    prop_assert!(e.ocsf_value()["class_uid"].is_u64());
                }
            }

            #[test]
            fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
                for source in Source::ALL {
                    let _ = parse_reader(source, bytes.as_slice()).count();
                }
            }
        }
    }

    struct Failing;

    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn a_failing_reader_ends_with_one_error() {
        let got: Vec<_> = parse_reader(Source::Okta, BufReader::new(Failing)).map(|r| r.map(|e| e.uuid)).collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref().unwrap_err().to_string(), "read error: disk on fire");
    }

    #[test]
    fn paths_files_and_trees() {
        let dir = std::env::temp_dir().join(format!("activity-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("2024/01")).unwrap();
        std::fs::write(dir.join("2024/01/b.json"), format!(r#"{{"Records":[{TRAIL_B}]}}"#)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        write!(gz, r#"{{"Records":[{TRAIL_A}]}}"#).unwrap();
        std::fs::write(dir.join("2024/01/a.json.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(dir.join("2024/bad.json"), "{\"eventID\": \"z\"}\n").unwrap();

        let got: Vec<_> = parse_path(Source::AwsCloudtrail, &dir)
            .unwrap()
            .map(|r| r.map(|e| e.uuid).map_err(|e| e.to_string()))
            .collect();
        let bad = dir.join("2024/bad.json");
        assert_eq!(
            got,
            vec![
                Ok("e1".into()),
                Ok("e2".into()),
                Err(format!("{}: line 1: missing field `eventTime`", bad.display()))
            ]
        );
        let one: Vec<_> = parse_path(Source::AwsCloudtrail, &dir.join("2024/01/b.json")).unwrap().collect();
        assert_eq!(one.len(), 1);
        assert!(parse_path(Source::AwsCloudtrail, &dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
