//! Audit files into the store (`sightline ingest`): parsed on one thread, written on another, in
//! batches of four thousand events. Re-reading a file stores nothing twice (`(source, uuid)`).

use crate::people::People;
use activity::Source;
use std::path::PathBuf;
use store::{EventBatch, RejectedEvent, Store};

/// Events per store transaction. Each commit rewrites the index pages its events touched, so
/// fewer, larger commits write less: 4,000 (about 20 MB of rows), with the store's checkpoint
/// every 64 MiB, took a fifth off the CPU time of a large ingest against 1,000; 10,000 with the
/// old checkpoint took a tenth off and doubled the memory held.
const BATCH: usize = 4000;

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// Records read.
    pub read: u64,
    /// Events newly stored.
    pub inserted: u64,
    /// Events already stored.
    pub duplicates: u64,
    /// Records that could not be normalised (kept in `rejected_events`, with file and line).
    pub rejected: u64,
    /// The first few rejection reasons, for the user.
    pub examples: Vec<String>,
}

/// Why an ingest stopped.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// A path could not be read at all.
    #[error("cannot read {path}")]
    Read {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The store failed.
    #[error("cannot store events")]
    Store(#[from] store::Error),
}

/// Reads every path (a file, or every file under a directory) as `source` and stores its events.
/// `progress` is called with the number of records read so far after each batch.
pub async fn ingest_paths(
    store: &Store,
    people: &People,
    source: Source,
    paths: &[PathBuf],
    mut progress: impl FnMut(u64),
) -> Result<FileReport, FileError> {
    for path in paths {
        std::fs::metadata(path).map_err(|source| FileError::Read { path: path.clone(), source })?;
    }
    let (sender, mut batches) = tokio::sync::mpsc::channel::<EventBatch>(4);
    let paths = paths.to_vec();
    let people_for_parser = people.clone();
    let parser = tokio::task::spawn_blocking(move || -> Result<(), FileError> {
        let mut batch = EventBatch::default();
        for path in paths {
            let records =
                activity::parse_path(source, &path).map_err(|source| FileError::Read { path: path.clone(), source })?;
            for record in records {
                match record {
                    Ok(event) => batch.events.push(people_for_parser.new_event(event, None)),
                    Err(error) => batch.rejected.push(RejectedEvent {
                        source: source.as_str().into(),
                        stream: Some(path.display().to_string()),
                        reason: error.to_string(),
                        raw: String::new(),
                    }),
                }
                if batch.events.len() + batch.rejected.len() >= BATCH
                    && sender.blocking_send(std::mem::take(&mut batch)).is_err()
                {
                    return Ok(()); // the writer stopped on an error, which it reports
                }
            }
        }
        if !batch.events.is_empty() || !batch.rejected.is_empty() {
            let _ = sender.blocking_send(batch);
        }
        Ok(())
    });
    let mut report = FileReport::default();
    while let Some(batch) = batches.recv().await {
        report.read += (batch.events.len() + batch.rejected.len()) as u64;
        for rejected in batch.rejected.iter().take(5usize.saturating_sub(report.examples.len())) {
            report.examples.push(rejected.reason.clone());
        }
        let stored = store.append_events(batch).await?;
        crate::telemetry::stored(source.as_str(), &stored);
        report.inserted += stored.inserted;
        report.duplicates += stored.duplicates;
        report.rejected += stored.rejected;
        progress(report.read);
    }
    match parser.await {
        Ok(result) => result?,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
    Ok(report)
}
