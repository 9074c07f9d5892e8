//! One module per subcommand.

pub mod alerts;
pub mod audit;
pub mod bench;
pub mod demo;
pub mod ingest;
pub mod okta_sim;
pub mod query;
pub mod rules;
pub mod serve;
pub mod sync;

/// The directory given with `--data-dir`, or else a new temporary one (removed when the returned
/// guard is dropped) named with `prefix`.
pub fn data_dir_or_temporary(
    given: Option<&std::path::Path>,
    prefix: &str,
) -> anyhow::Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    use anyhow::Context;
    match given {
        Some(dir) => Ok((dir.to_path_buf(), None)),
        None => {
            let temporary =
                tempfile::Builder::new().prefix(prefix).tempdir().context("cannot create a temporary directory")?;
            Ok((temporary.path().to_path_buf(), Some(temporary)))
        }
    }
}
