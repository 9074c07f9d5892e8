/*!
Sightline's activity pipeline: sources → normalise → store.

- [`okta_log`]: the Okta System Log poller. It follows the polling query's `next` link for ever and
  stores each page's events together with the `next` link in one transaction, so a crash at any
  instant loses and duplicates nothing.
- [`github`]: the GitHub organisation audit log poller, the same way: each page with the URL of the
  next one, and a search by time once caught up (GitHub gives no cursor past the last page).
- [`teleport_intake`]: `POST /intake/teleport`, where Fluentd forwards what Teleport's Event
  Handler exports; each request is stored in one transaction before it is acknowledged.
- [`files`]: audit files (`sightline ingest`): Okta, CloudTrail (plain or `.gz`, files or
  directories), GitHub exports and Teleport JSON lines.
- [`people`]: resolves each event's actor to one person across platforms, from the Okta users of
  the stored snapshots.

Normalisation itself (each source's mapping, OCSF) is the `activity` crate; storage is `store`.
Records that cannot be normalised are kept in `rejected_events` with the reason. [`telemetry`]
counts what each source stored and how far behind each log stream is.
*/

pub mod files;
pub mod github;
pub mod okta_log;
pub mod people;
pub mod telemetry;
pub mod teleport_intake;
