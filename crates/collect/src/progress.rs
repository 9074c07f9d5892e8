//! How a scan reports what it is doing; the binary draws progress bars or writes log lines.

/// Receives progress of a scan. Implementations must be cheap: they are called per page.
pub trait Progress: Send + Sync {
    /// A resource kind started; `total` is known for per-parent listings (e.g. groups to visit).
    fn started(&self, kind: &str, total: Option<u64>);
    /// `n` more units of `kind` are done (objects or parents visited).
    fn advanced(&self, kind: &str, n: u64);
    /// A resource kind is complete with `count` objects.
    fn finished(&self, kind: &str, count: u64);
    /// Something was skipped; the scan goes on.
    fn warned(&self, message: &str);
}

/// Reports nothing (tests, library use).
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _: &str, _: Option<u64>) {}
    fn advanced(&self, _: &str, _: u64) {}
    fn finished(&self, _: &str, _: u64) {}
    fn warned(&self, _: &str) {}
}
