//! Webhook notifications: every alert state the store queued (opened, severity raised, status
//! changed) is posted once to each webhook that wants it, as generic JSON or in Slack's
//! incoming-webhook format, retried with backoff.
//!
//! A delivery is marked sent only after the receiver accepted it; if Sightline stops between the
//! two, the state is posted again on restart with the same `Idempotency-Key` header
//! (`<alert id>:<state>`), so receivers that honour it never see it twice.

use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;
use store::{Alert, DeliveryResult, Notification, Store, WebhookRoute};

/// Attempts before a delivery is given up.
const MAX_ATTEMPTS: i64 = 8;

/// The wire format of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// `{"event": ..., "alert": {...}}`.
    #[default]
    Json,
    /// Slack's incoming-webhook message (`text` and `blocks`).
    Slack,
}

/// One `[[webhooks]]` entry of the config.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Its name (shown in logs and the `notifications` table instead of the URL, which is a secret).
    pub name: String,
    /// The URL (prefer `url_env`: Slack webhook URLs are credentials).
    pub url: Option<String>,
    /// An environment variable holding the URL.
    pub url_env: Option<String>,
    /// `json` (default) or `slack`.
    #[serde(default)]
    pub format: WebhookFormat,
    /// Alerts below this severity are not sent (default `low`).
    #[serde(default = "default_min_severity")]
    pub min_severity: String,
}

fn default_min_severity() -> String {
    "low".into()
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("url_env", &self.url_env)
            .field("format", &self.format)
            .field("min_severity", &self.min_severity)
            .finish()
    }
}

impl WebhookConfig {
    /// The route the store queues states for.
    pub fn route(&self) -> WebhookRoute {
        WebhookRoute { name: self.name.clone(), min_severity: self.min_severity.clone() }
    }

    /// Checks the entry and finds its URL. Errors name the webhook, never the URL.
    pub fn resolve(&self) -> Result<ResolvedWebhook, String> {
        if store::SEVERITIES.iter().all(|s| *s != self.min_severity) {
            return Err(format!(
                "webhook {}: min_severity `{}` is not one of {}",
                self.name,
                self.min_severity,
                store::SEVERITIES.join(", ")
            ));
        }
        let url = match (&self.url, &self.url_env) {
            (Some(url), None) => url.clone(),
            (None, Some(var)) => std::env::var(var)
                .map_err(|_| format!("webhook {}: environment variable {var} is not set", self.name))?,
            _ => return Err(format!("webhook {}: give exactly one of `url` and `url_env`", self.name)),
        };
        let parsed =
            reqwest::Url::parse(&url).map_err(|e| format!("webhook {}: the URL is not valid ({e})", self.name))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("webhook {}: the URL must be http or https", self.name));
        }
        Ok(ResolvedWebhook { name: self.name.clone(), url: parsed, format: self.format })
    }
}

/// A webhook with its URL.
#[derive(Clone)]
pub struct ResolvedWebhook {
    name: String,
    url: reqwest::Url,
    format: WebhookFormat,
}

/// The message a webhook receives for one alert state.
pub fn payload(format: WebhookFormat, alert: &Alert, state: &str) -> serde_json::Value {
    let headline = match state.split(':').next() {
        Some("opened") => "New alert",
        Some("severity") => "Alert severity raised",
        Some("status") => "Alert status changed",
        _ => "Alert",
    };
    match format {
        WebhookFormat::Json => serde_json::json!({
            "source": "sightline",
            "event": headline,
            "state": state,
            "alert": alert,
        }),
        WebhookFormat::Slack => {
            let text = format!(
                "{headline}: [{}] {} ({} {}) — {}",
                alert.severity.to_uppercase(),
                alert.title,
                alert.entity_kind,
                alert.entity,
                alert.summary
            );
            serde_json::json!({
                "text": slack_escape(&text),
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": format!(
                        "*{}*: {}\n*Severity:* {}   *Status:* {}   *Events:* {}\n*{}:* {}\n{}",
                        slack_escape(headline), slack_escape(&alert.title), slack_escape(&alert.severity),
                        slack_escape(&alert.status), alert.count, slack_escape(&alert.entity_kind),
                        slack_escape(&alert.entity), slack_escape(&alert.summary))}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": format!(
                        "alert {} · rule `{}` · first seen {} · last seen {}", alert.id, slack_escape(&alert.rule_id),
                        alert.first_seen.to_rfc3339(), alert.last_seen.to_rfc3339())}]}
                ]
            })
        }
    }
}

/// Slack reads `&`, `<` and `>` as markup: Okta strings (display names, user agents) must not
/// become links or mentions.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The first retry waits this long times three; each later one three times longer.
const RETRY_BASE: Duration = Duration::from_secs(5);

/// How long to wait before attempt `attempts + 1`: `base` × 3^attempts, at most an hour.
fn backoff(base: Duration, attempts: i64) -> Duration {
    base.saturating_mul(3u32.saturating_pow(attempts.clamp(0, 10) as u32)).min(Duration::from_secs(3600))
}

/// Sends queued alert states to the configured webhooks.
pub struct Notifier {
    store: Store,
    client: reqwest::Client,
    hooks: HashMap<String, ResolvedWebhook>,
    retry_base: Duration,
}

impl Notifier {
    /// A notifier for these webhooks.
    pub fn new(store: Store, hooks: Vec<ResolvedWebhook>) -> Notifier {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Notifier {
            store,
            client,
            hooks: hooks.into_iter().map(|h| (h.name.clone(), h)).collect(),
            retry_base: RETRY_BASE,
        }
    }

    /// Retries start after `base` × 3 instead of 15 s (tests use zero).
    pub fn with_retry_base(mut self, base: Duration) -> Notifier {
        self.retry_base = base;
        self
    }

    /// Attempts every delivery that is due; returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, store::Error> {
        let due = self.store.due_notifications(100).await?;
        let mut sent = 0;
        for notification in due {
            let result = self.attempt(&notification).await;
            if result == DeliveryResult::Sent {
                sent += 1;
            } else if let DeliveryResult::Failed { error, retry_at } = &result {
                tracing::warn!(webhook = %notification.webhook, alert = notification.alert.id, %error,
                    retrying = retry_at.is_some(), "webhook delivery failed");
            }
            self.store.record_delivery(notification.id, result).await?;
        }
        Ok(sent)
    }

    async fn attempt(&self, notification: &Notification) -> DeliveryResult {
        let Some(hook) = self.hooks.get(&notification.webhook) else {
            return DeliveryResult::Failed { error: "the webhook is no longer configured".into(), retry_at: None };
        };
        let body = payload(hook.format, &notification.alert, &notification.state);
        let response = self
            .client
            .post(hook.url.clone())
            .header("Idempotency-Key", format!("{}:{}", notification.alert.id, notification.state))
            .json(&body)
            .send()
            .await;
        let retry = |error: String| {
            let attempts = notification.attempts + 1;
            let retry_at = (attempts < MAX_ATTEMPTS).then(|| {
                chrono::Utc::now() + chrono::Duration::from_std(backoff(self.retry_base, attempts)).unwrap_or_default()
            });
            DeliveryResult::Failed { error, retry_at }
        };
        match response {
            Ok(r) if r.status().is_success() => DeliveryResult::Sent,
            Ok(r) => {
                let status = r.status();
                let error = format!("the receiver answered HTTP {status}");
                // A 4xx other than 408 and 429 will not change by asking again (a deleted Slack hook).
                if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
                    DeliveryResult::Failed { error: format!("{error}; not retrying"), retry_at: None }
                } else {
                    retry(error)
                }
            }
            // reqwest's messages include the URL, which is a secret: drop it.
            Err(e) => retry(format!("cannot reach the receiver: {}", e.without_url())),
        }
    }

    /// Delivers until `stop` resolves, checking every `interval`.
    pub async fn run(self, interval: Duration, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "cannot read pending webhook deliveries");
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(RETRY_BASE, 1), Duration::from_secs(15));
        assert!(backoff(RETRY_BASE, 2) > backoff(RETRY_BASE, 1));
        assert_eq!(backoff(RETRY_BASE, 9), Duration::from_secs(3600));
    }

    #[test]
    fn slack_text_cannot_smuggle_markup() {
        assert_eq!(
            slack_escape("<!channel> & <https://evil|click>"),
            "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"
        );
    }

    #[test]
    fn config_errors_never_show_the_url() {
        let hook = WebhookConfig {
            name: "slack".into(),
            url: Some("https://hooks.slack.com/services/T000/B000/SECRETSECRET".into()),
            url_env: None,
            format: WebhookFormat::Slack,
            min_severity: "urgent".into(),
        };
        let error = hook.resolve().err().unwrap();
        assert!(error.contains("min_severity") && !error.contains("SECRET"), "{error}");
        assert!(!format!("{hook:?}").contains("SECRET"));
    }
}
