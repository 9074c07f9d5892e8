/*!
The one error type of the crate: a record that could not be read or normalised.

Errors are values, never panics, and each names its record (file, line, position in an array)
so that a bad record among thousands can be found and the rest still ingested.
*/

use std::fmt;
use std::path::{Path, PathBuf};

/// A record that could not be read or normalised, and where it was.
///
/// Displays as `path: line 12: missing field `published``, with the parts that are known.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    path: Option<PathBuf>,
    position: Option<Position>,
    kind: ErrorKind,
}

/// Where a record sits in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Position {
    /// A line of a JSON-lines input, from 1.
    Line(u64),
    /// A record of a whole-document input (an element of a JSON array or of CloudTrail's
    /// `Records`, or one of several JSON values one after the other), counted from 1 across the
    /// input.
    Record(u64),
    /// An element of an array (or CloudTrail `Records`) found on one line of a JSON-lines input.
    LineRecord {
        /// The line, from 1.
        line: u64,
        /// The element within that line, from 1.
        record: u64,
    },
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input could not be read (or decompressed); reading stops here.
    #[error("read error: {0}")]
    Io(String),
    /// The text is not valid JSON (or not UTF-8).
    #[error("invalid JSON: {0}")]
    Json(String),
    /// The record is valid JSON but not an object.
    #[error("not a JSON object: found {0}")]
    NotObject(&'static str),
    /// A field the normalised row cannot do without is absent, null or empty.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// The source's events are made by Sightline itself ([`Source::Sightline`](crate::Source::Sightline)), not
    /// read from a log or a file.
    #[error("events of source `{0}` are made by Sightline itself, not read from files")]
    NotReadable(&'static str),
    /// A required field is present but unusable.
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        /// The field, as the source spells it.
        field: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
}

impl ParseError {
    /// An error without a place yet; readers add the place.
    pub fn new(kind: ErrorKind) -> ParseError {
        ParseError { path: None, position: None, kind }
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file the record came from, when it came from a file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the record sits in its input, when it came from a reader.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The line of the record, when the input was JSON lines (or the JSON parser knew it).
    pub fn line(&self) -> Option<u64> {
        match self.position? {
            Position::Line(line) | Position::LineRecord { line, .. } => Some(line),
            Position::Record(_) => None,
        }
    }

    pub(crate) fn at(mut self, position: Position) -> ParseError {
        self.position.get_or_insert(position);
        self
    }

    pub(crate) fn in_file(mut self, path: &Path) -> ParseError {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    pub(crate) fn missing(field: &'static str) -> ParseError {
        ParseError::new(ErrorKind::MissingField(field))
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> ParseError {
        ParseError::new(ErrorKind::InvalidField { field, reason: reason.into() })
    }
}

impl From<ErrorKind> for ParseError {
    fn from(kind: ErrorKind) -> ParseError {
        ParseError::new(kind)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, "line {line}"),
            Position::Record(record) => write!(f, "record {record}"),
            Position::LineRecord { line, record } => write!(f, "line {line}, record {record}"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        if let Some(position) = &self.position {
            write!(f, "{position}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_place_and_cause() {
        let e = ParseError::missing("published").at(Position::Line(12)).in_file(Path::new("a/b.ndjson"));
        assert_eq!(e.to_string(), "a/b.ndjson: line 12: missing field `published`");
        let e = ParseError::new(ErrorKind::NotObject("array")).at(Position::LineRecord { line: 3, record: 2 });
        assert_eq!(e.to_string(), "line 3, record 2: not a JSON object: found array");
        assert_eq!(e.line(), Some(3));
        let e = ParseError::invalid("time", "not a timestamp").at(Position::Record(7));
        assert_eq!(e.to_string(), "record 7: invalid field `time`: not a timestamp");
        assert_eq!(e.line(), None);
    }

    #[test]
    fn the_first_place_given_wins() {
        let e = ParseError::missing("x").at(Position::Line(1)).at(Position::Line(9));
        assert_eq!(e.position(), Some(Position::Line(1)));
    }
}
