//! The UI's files, embedded at build time from `crates/web/ui/` (read from disk in debug builds,
//! so UI work needs no rebuild).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "ui/"]
struct Ui;

/// Serves a UI file; unknown paths without an extension get `index.html` (the UI routes itself).
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "not_found", "message": "no such API route"})),
        )
            .into_response();
    }
    let file = if path.is_empty() { "index.html" } else { path };
    if let Some(content) = Ui::get(file) {
        return file_response(file, content);
    }
    if !file.contains('.')
        && let Some(index) = Ui::get("index.html")
    {
        return file_response("index.html", index);
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn file_response(name: &str, content: rust_embed::EmbeddedFile) -> Response {
    let mime = content.metadata.mimetype().to_string();
    // Vendored libraries never change under a name; the app's own files are revalidated.
    let cache = if name.starts_with("vendor/") { "public, max-age=86400" } else { "no-cache" };
    ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_string())], content.data).into_response()
}

/// Whether the UI's entry page is embedded (a build without it is broken).
pub fn has_index() -> bool {
    Ui::get("index.html").is_some()
}
