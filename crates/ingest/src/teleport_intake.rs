/*!
The Teleport audit event intake: `POST /intake/teleport`.

Teleport's Event Handler plugin sends each audit event as one JSON object to Fluentd (over mutual
TLS); Fluentd's `out_http` output then forwards batches here, as JSON lines
(`application/x-ndjson`, its default) or as a JSON array (`json_array true`,
`application/json`), optionally gzip-compressed. Any other forwarder posting one event, an
array or JSON lines works the same way. A Fluentd match section looks like:

```text
<match teleport.**>
  @type http
  endpoint https://sightline.example.com/intake/teleport
  headers {"Authorization": "Bearer <intake token>"}
  retryable_response_codes [429, 500, 502, 503, 504]
  <format>
    @type json
  </format>
</match>
```

Why it answers as it does:

- The request is authenticated with `Authorization: Bearer <token>`, compared in constant time
  (both sides hashed first, so not even the length leaks), before the body is read: an anonymous
  client cannot make the server buffer anything.
- A request's events are stored in one transaction and the answer (`200` with `received`,
  `stored`, `duplicates`, `rejected`) is sent only after it commits. Failures answer `503`, which
  forwarders retry; a retry of a request that did commit finds every event already stored (the
  event's `uid`, or a hash of an event without one, is its identity), so nothing is lost or
  doubled.
- A line that is not a Teleport event is kept in `rejected_events` with the reason and its text
  (that table is a record of what arrived, so a forwarder re-sending such a line adds it again);
  the other lines are still stored. Only the framing can refuse a request: a body over
  [`MAX_BODY_BYTES`] (or over [`MAX_DECOMPRESSED_BYTES`] once unzipped) gets `413`, a content type
  that is not JSON `415`.
*/

use crate::people::People;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::sync::Arc;
use store::{EventBatch, RejectedEvent, Store};

/// The intake's path.
pub const PATH: &str = "/intake/teleport";

/// The largest request body accepted, as sent (compressed or not).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The largest body accepted once gzip is undone.
pub const MAX_DECOMPRESSED_BYTES: usize = 100 * 1024 * 1024;

/// The `stream` of rejected records that came through the intake.
const STREAM: &str = "intake:teleport";

/// The Teleport intake's routes (`POST /intake/teleport`), ready to merge into a server.
///
/// An empty `token` refuses every request rather than accept an empty bearer.
pub fn router(store: Store, people: People, token: SecretString) -> Router {
    let secret = token.expose_secret();
    let token_digest = if secret.is_empty() {
        tracing::error!("the Teleport intake token is empty; the intake refuses every request");
        None
    } else {
        Some(Sha256::digest(secret.as_bytes()).into())
    };
    let intake = Arc::new(Intake { store, people, token_digest });
    Router::new().route(PATH, post(receive)).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(intake)
}

struct Intake {
    store: Store,
    people: People,
    /// SHA-256 of the token; `None` refuses everyone.
    token_digest: Option<[u8; 32]>,
}

impl Intake {
    fn authorised(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token_digest else { return false };
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
        else {
            return false;
        };
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        // Every byte is compared whatever the first difference, so timing says nothing.
        let difference = given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

/// What a request brought, as answered to the forwarder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    received: u64,
    stored: u64,
    duplicates: u64,
    rejected: u64,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

async fn receive(State(intake): State<Arc<Intake>>, request: Request) -> Response {
    let headers = request.headers().clone();
    if !intake.authorised(&headers) {
        tracing::warn!("Teleport intake: refused a request without the intake's bearer token");
        let mut response =
            error(StatusCode::UNAUTHORIZED, "a valid `Authorization: Bearer <token>` header is required");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"sightline\""));
        return response;
    }
    if let Some(kind) = unsupported_content_type(&headers) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("content type `{kind}` is not accepted: send application/json or application/x-ndjson"),
        );
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => {
            return too_large(MAX_BODY_BYTES);
        }
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}")),
    };
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"))
        || body.starts_with(&[0x1f, 0x8b]);

    let people = intake.people.clone();
    let parsed = tokio::task::spawn_blocking(move || -> Result<(EventBatch, u64), Box<Response>> {
        let text = if gzip { gunzip(&body)? } else { body.to_vec() };
        Ok(parse(&text, &people))
    })
    .await;
    let (batch, received) = match parsed {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(response)) => return *response,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    match intake.store.append_events(batch).await {
        Ok(outcome) => {
            crate::telemetry::stored(activity::Source::Teleport.as_str(), &outcome);
            let counts = Counts {
                received,
                stored: outcome.inserted,
                duplicates: outcome.duplicates,
                rejected: outcome.rejected,
            };
            tracing::debug!(?counts, "Teleport intake: stored a request");
            (
                StatusCode::OK,
                axum::Json(json!({
                    "received": counts.received,
                    "stored": counts.stored,
                    "duplicates": counts.duplicates,
                    "rejected": counts.rejected,
                })),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "Teleport intake: cannot store events");
            error(StatusCode::SERVICE_UNAVAILABLE, "the events could not be stored; retry later")
        }
    }
}

fn too_large(limit: usize) -> Response {
    error(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is larger than {} MiB: send smaller batches", limit >> 20))
}

/// The media type when it is one the intake does not read (no type at all is accepted).
fn unsupported_content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let kind = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let accepted = ["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl"];
    (!accepted.contains(&kind.as_str())).then_some(kind)
}

fn gunzip(body: &[u8]) -> Result<Vec<u8>, Box<Response>> {
    let mut text = Vec::new();
    let read = flate2::read::MultiGzDecoder::new(body)
        .take(MAX_DECOMPRESSED_BYTES as u64 + 1)
        .read_to_end(&mut text)
        .map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, format!("the body is not valid gzip: {e}"))))?;
    if read > MAX_DECOMPRESSED_BYTES {
        return Err(Box::new(too_large(MAX_DECOMPRESSED_BYTES)));
    }
    Ok(text)
}

/// Splits a body into records (one object, an array, or JSON lines) and normalises each one.
/// Returns the batch and the number of records found.
fn parse(body: &[u8], people: &People) -> (EventBatch, u64) {
    let mut batch = EventBatch::default();
    let add = |raw: &RawValue, batch: &mut EventBatch| match activity::normalize(activity::Source::Teleport, raw) {
        Ok(event) => batch.events.push(people.new_event(event, None)),
        Err(e) => batch.rejected.push(rejected(raw.get().to_string(), e.to_string())),
    };
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}');
    // One JSON value for the whole body: an event, or an array of them (the usual JSON lines
    // body fails here at its second line, cheaply).
    if let Ok(whole) = serde_json::from_str::<&RawValue>(text) {
        match serde_json::from_str::<Vec<&RawValue>>(whole.get()) {
            Ok(items) => items.into_iter().for_each(|item| add(item, &mut batch)),
            Err(_) => add(whole, &mut batch),
        }
    } else {
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<&RawValue>(line) {
                Ok(raw) => add(raw, &mut batch),
                Err(e) => {
                    batch.rejected.push(rejected(line.to_string(), format!("line {}: not JSON: {e}", number + 1)))
                }
            }
        }
    }
    let received = (batch.events.len() + batch.rejected.len()) as u64;
    (batch, received)
}

fn rejected(raw: String, reason: String) -> RejectedEvent {
    tracing::warn!(%reason, "Teleport intake: a record could not be normalised; kept in rejected_events");
    RejectedEvent { source: activity::Source::Teleport.as_str().into(), stream: Some(STREAM.into()), reason, raw }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_split_every_way() {
        let people = People::default();
        let event = |uid: &str| {
            format!(
                r#"{{"event":"user.login","uid":"{uid}","time":"2024-03-01T12:00:00Z","user":"ada","success":true}}"#
            )
        };
        let (batch, n) = parse(event("a").as_bytes(), &people);
        assert_eq!((n, batch.events.len(), batch.rejected.len()), (1, 1, 0));
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&event("a")).unwrap());
        let (batch, n) = parse(pretty.unwrap().as_bytes(), &people);
        assert_eq!((n, batch.events.len()), (1, 1));
        let (batch, n) = parse(format!("[{}, {}]", event("a"), event("b")).as_bytes(), &people);
        assert_eq!((n, batch.events.len()), (2, 2));
        let lines = format!("{}\n\n{{broken\n{}\n[1]\n", event("a"), event("b"));
        let (batch, n) = parse(lines.as_bytes(), &people);
        assert_eq!((n, batch.events.len(), batch.rejected.len()), (4, 2, 2));
        assert_eq!(batch.rejected[0].raw, "{broken");
        assert!(batch.rejected[0].reason.starts_with("line 3: not JSON"), "{}", batch.rejected[0].reason);
        assert_eq!(batch.rejected[1].reason, "not a JSON object: found an array");
        let (batch, n) = parse(b"  \n", &people);
        assert_eq!((n, batch.events.len(), batch.rejected.len()), (0, 0, 0));
    }
}
