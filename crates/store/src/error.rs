//! The store's one error type.

/// An error from the store: what kind it is, a lowercase message, and the underlying cause.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// User SQL that the store refuses (not read-only, an unsupported construct, a parse error) or
    /// that the engine rejects while running it (a bad cast, invalid JSON input, ...).
    Sql {
        /// What is wrong, without the position.
        message: String,
        /// `(line, column)`, both from 1, of the construct the message is about, when known.
        position: Option<(u64, u64)>,
    },
    /// A user query ran longer than its time limit and was interrupted.
    Timeout,
    /// The caller passed something the store cannot accept (an unknown run, a node labelled with
    /// another org, ...).
    InvalidInput,
    /// The database file or its directory could not be used.
    Io,
    /// Any other database failure (constraint violation, corrupt file, schema newer than this
    /// build, ...).
    Database,
}

impl Error {
    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The message, without the underlying cause.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For SQL errors with a known place: `(line, column)`, both from 1.
    pub fn position(&self) -> Option<(u64, u64)> {
        match &self.kind {
            ErrorKind::Sql { position, .. } => *position,
            _ => None,
        }
    }

    /// Whether the query was stopped by its time limit.
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    pub(crate) fn sql(message: impl Into<String>, position: Option<(u64, u64)>) -> Error {
        let message = message.into();
        Error { kind: ErrorKind::Sql { message: message.clone(), position }, message, source: None }
    }

    pub(crate) fn timeout(limit: std::time::Duration) -> Error {
        Error {
            kind: ErrorKind::Timeout,
            message: format!("the query was stopped after its time limit of {:.1?}", limit),
            source: None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::InvalidInput, message: message.into(), source: None }
    }

    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Error {
        Error { kind: ErrorKind::Io, message: message.into(), source: Some(Box::new(source)) }
    }

    pub(crate) fn database(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Database, message: message.into(), source: None }
    }

    /// An error of this kind with its underlying cause.
    pub(crate) fn with_source(
        kind: ErrorKind,
        message: String,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error { kind, message, source: Some(Box::new(source)) }
    }

    /// A database error with context: `"{context}: {sqlite message}"`.
    pub(crate) fn sqlite(context: &str, source: rusqlite::Error) -> Error {
        Error {
            kind: ErrorKind::Database,
            message: format!("{context}: {}", sqlite_message(&source)),
            source: Some(Box::new(source)),
        }
    }
}

/// SQLite's own message for an error, without rusqlite's wrapping.
pub(crate) fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::UserFunctionError(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Whether a failure came from an interrupt (the query time limit).
pub(crate) fn is_interrupt(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::OperationInterrupted)
}
