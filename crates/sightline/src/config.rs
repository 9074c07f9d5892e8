//! `sightline.toml`: where it is found, what it holds, and checks that name the key and the file.

use anyhow::{Context, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Read scopes the collector requests with OAuth, by feature.
const RESOURCE_SCOPES: [&str; 5] =
    ["okta.users.read", "okta.groups.read", "okta.apps.read", "okta.roles.read", "okta.apiTokens.read"];
const LOG_SCOPE: &str = "okta.logs.read";

/// The whole configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory of the embedded SQLite store.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL instead of the embedded store.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    /// The `[server]` table: where `sightline serve` listens.
    #[serde(default)]
    pub server: ServerConfig,
    /// Limits on user SQL (`sightline query`, the HTTP API).
    #[serde(default)]
    pub query: QueryConfig,
    /// How actors of other platforms map to people.
    #[serde(default)]
    pub people: PeopleConfig,
    /// One entry per Okta org.
    #[serde(default)]
    pub okta: Vec<OktaConfig>,
    /// One entry per GitHub organisation whose audit log is polled.
    #[serde(default)]
    pub github: Vec<GithubConfig>,
    /// The Teleport intake of `sightline serve`.
    #[serde(default)]
    pub teleport: Option<TeleportConfig>,
    /// The `[detections]` table: rules switched off, thresholds, a directory of Sigma rules.
    #[serde(default)]
    pub detections: detect::DetectionSettings,
    /// Where alerts are sent.
    #[serde(default)]
    pub webhooks: Vec<detect::WebhookConfig>,
    /// The `[auth]` table: sign-in to the web UI with Okta (`[auth.oidc]`).
    #[serde(default)]
    pub auth: AuthConfig,
    /// Where the configuration came from, for messages and relative paths.
    #[serde(skip)]
    pub source: String,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./sightline-data")
}

/// The `[server]` table, read by `sightline serve`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The web UI, its API, health endpoints and intakes.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Prometheus metrics (`GET /metrics`) on a listener of their own, plain HTTP and without
    /// authentication: keep it on loopback or a private network. Off when absent.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain: with `tls_key`, `listen` serves HTTPS only.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert` (PKCS#8, PKCS#1 or SEC1).
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
}

impl ServerConfig {
    /// The certificate and key files when TLS is on; both or neither must be set.
    pub fn tls_files(&self, source: &str) -> Result<Option<(&Path, &Path)>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            (Some(_), None) => {
                bail!("{source}: server.tls_cert is set without server.tls_key: set both (HTTPS) or neither (HTTP)")
            }
            (None, Some(_)) => {
                bail!("{source}: server.tls_key is set without server.tls_cert: set both (HTTPS) or neither (HTTP)")
            }
        }
    }
}

/// The `[auth]` table: how people sign in to the web UI besides Sightline's own passwords.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// `[auth.oidc]`: sign-in with Okta (OpenID Connect); off when absent.
    #[serde(default)]
    pub oidc: Option<OidcConfig>,
}

/// The `[auth.oidc]` table: sign-in with Okta (authorization code flow with PKCE) through an Okta
/// OIDC web app, with roles from the ID token's `groups` claim.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The authorization server, e.g. `https://acme.okta.com/oauth2/default`.
    pub issuer: String,
    /// The Okta web app's client id.
    pub client_id: String,
    /// The environment variable holding the app's client secret (keeps it out of the file).
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The client secret itself; prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// Sightline's callback as browsers reach it: `https://<host>/api/auth/oidc/callback`,
    /// registered as a sign-in redirect URI of the Okta app.
    pub redirect_url: String,
    /// Okta groups whose members sign in as admins.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Okta groups whose members sign in as analysts.
    #[serde(default)]
    pub analyst_groups: Vec<String>,
    /// Okta groups whose members sign in as viewers.
    #[serde(default)]
    pub viewer_groups: Vec<String>,
}

impl AuthConfig {
    /// The web UI's OIDC settings with the secret read, checked; `None` without `[auth.oidc]`.
    pub fn oidc_settings(&self, source: &str) -> Result<Option<web::OidcSettings>> {
        let Some(oidc) = &self.oidc else { return Ok(None) };
        let client_secret = match (&oidc.client_secret, &oidc.client_secret_env) {
            (Some(_), Some(_)) => bail!("{source}: auth.oidc: set client_secret_env or client_secret, not both"),
            (Some(secret), None) => secret.clone(),
            (None, Some(var)) => SecretString::from(std::env::var(var).with_context(|| {
                format!("{source}: auth.oidc.client_secret_env: the environment variable {var} is not set")
            })?),
            (None, None) => {
                bail!(
                    "{source}: auth.oidc: set client_secret_env (the environment variable holding the Okta app's client secret)"
                )
            }
        };
        let settings = web::OidcSettings {
            issuer: oidc.issuer.trim_end_matches('/').to_string(),
            client_id: oidc.client_id.clone(),
            client_secret,
            redirect_url: oidc.redirect_url.clone(),
            admin_groups: oidc.admin_groups.clone(),
            analyst_groups: oidc.analyst_groups.clone(),
            viewer_groups: oidc.viewer_groups.clone(),
        };
        settings.validate().map_err(|why| anyhow::anyhow!("{source}: auth.oidc.{why}"))?;
        Ok(Some(settings))
    }
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("a valid address")
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { listen: default_listen(), metrics_listen: None, tls_cert: None, tls_key: None }
    }
}

/// One `[[github]]` organisation audit log.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    pub name: String,
    /// The organisation's login.
    pub org: String,
    #[serde(default)]
    pub token: Option<SecretString>,
    /// The environment variable holding the token (keeps it out of the file).
    #[serde(default)]
    pub token_env: Option<String>,
    /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    #[serde(default = "default_github_api")]
    pub api_url: String,
    #[serde(default = "default_github_poll_interval")]
    pub poll_interval: String,
    /// How far back the first poll starts.
    #[serde(default = "default_log_start")]
    pub log_start: String,
}

fn default_github_api() -> String {
    ingest::github::DEFAULT_API_URL.into()
}

fn default_github_poll_interval() -> String {
    "5m".into()
}

impl GithubConfig {
    /// The poller's configuration, with the token read.
    pub fn poller_config(&self, source: &str) -> Result<ingest::github::GithubConfig> {
        let at = format!("{source}: github ({})", self.name);
        let token = match (&self.token, &self.token_env) {
            (Some(token), _) => token.clone(),
            (None, Some(var)) => SecretString::from(
                std::env::var(var)
                    .with_context(|| format!("{at}.token_env: the environment variable {var} is not set"))?,
            ),
            (None, None) => bail!("{at}: set token_env (or token)"),
        };
        let lookback = humantime::parse_duration(&self.log_start)
            .map_err(|e| anyhow::anyhow!("{at}.log_start: '{}' is not a duration ({e})", self.log_start))?;
        let mut config = ingest::github::GithubConfig::new(&self.name, &self.org, token);
        config.api_url = self.api_url.trim_end_matches('/').to_string();
        config.lookback = chrono::Duration::from_std(lookback).unwrap_or(chrono::Duration::days(180));
        Ok(config)
    }

    pub fn poll_every(&self) -> Duration {
        humantime::parse_duration(&self.poll_interval).unwrap_or(Duration::from_secs(300))
    }
}

/// The `[teleport]` table: the HTTP intake Teleport's event handler forwards to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeleportConfig {
    /// The bearer token forwarders must send.
    #[serde(default)]
    pub intake_token: Option<SecretString>,
    /// The environment variable holding it.
    #[serde(default)]
    pub intake_token_env: Option<String>,
}

impl TeleportConfig {
    pub fn token(&self, source: &str) -> Result<SecretString> {
        match (&self.intake_token, &self.intake_token_env) {
            (Some(token), _) if !token.expose_secret().is_empty() => Ok(token.clone()),
            (_, Some(var)) => Ok(SecretString::from(std::env::var(var).with_context(|| {
                format!("{source}: teleport.intake_token_env: the environment variable {var} is not set")
            })?)),
            _ => bail!("{source}: teleport: set intake_token_env (or intake_token) to accept Teleport events"),
        }
    }
}

/// The `[people]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleConfig {
    /// GitHub login → person (an Okta login or email), for GitHub actors without a SAML identity.
    #[serde(default)]
    pub github: std::collections::HashMap<String, String>,
}

/// The `[query]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryConfig {
    /// How long one query may run, e.g. "10s" (humantime).
    #[serde(default = "default_query_timeout")]
    pub timeout: String,
    /// At most this many rows are returned; the answer says when it was cut.
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
}

fn default_query_timeout() -> String {
    "10s".into()
}

fn default_max_rows() -> usize {
    store::QueryLimits::default().max_rows
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig { timeout: default_query_timeout(), max_rows: default_max_rows() }
    }
}

/// One `[[okta]]` integration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OktaConfig {
    pub name: String,
    pub org_url: String,
    #[serde(default)]
    pub api_token: Option<SecretString>,
    #[serde(default)]
    pub api_token_env: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub private_key_file: Option<PathBuf>,
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default = "yes")]
    pub resources: bool,
    #[serde(default = "yes")]
    pub system_log: bool,
    #[serde(default = "default_scan_interval")]
    pub scan_interval: String,
    #[serde(default = "default_log_poll_interval")]
    pub log_poll_interval: String,
    /// How far back the first System Log poll starts, e.g. "24h" (at most Okta's 90 days).
    #[serde(default = "default_log_start")]
    pub log_start: String,
    /// Share of each Okta rate-limit bucket Sightline may use (0 < share ≤ 1).
    #[serde(default = "default_share")]
    pub rate_limit_share: f64,
    /// Requests in flight at once.
    #[serde(default = "default_concurrency")]
    pub max_concurrency: usize,
    /// Apps, groups and admin roles marked critical, by name (an app's label or catalog name, a
    /// group's name, a role's type or label; case-insensitive) or id (an Okta id, or a node id
    /// `okta:<org host>:<id>`). Escalation paths lead to them, and a change to who can reach or
    /// control one between two scans is stored as a `graph.crown_jewel_access_changed` event.
    #[serde(default)]
    pub crown_jewels: Vec<String>,
    /// A private key held in memory instead of `private_key_file` (integrations added in the web UI,
    /// whose keys are stored sealed).
    #[serde(skip)]
    pub private_key_pem: Option<SecretString>,
}

fn yes() -> bool {
    true
}
fn default_log_start() -> String {
    "24h".into()
}

fn default_scan_interval() -> String {
    "30m".into()
}
fn default_log_poll_interval() -> String {
    "60s".into()
}
fn default_share() -> f64 {
    0.5
}
fn default_concurrency() -> usize {
    8
}

/// Where to look for the configuration: `--config`, `$SIGHTLINE_CONFIG`, `./sightline.toml`.
pub fn locate(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("SIGHTLINE_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let local = PathBuf::from("sightline.toml");
    local.exists().then_some(local)
}

impl Config {
    /// Loads and checks the configuration. Without a file, Okta's own `OKTA_CLIENT_ORGURL` and
    /// `OKTA_CLIENT_TOKEN` variables make a one-org configuration.
    pub fn load(flag: Option<&Path>) -> Result<Config> {
        let mut config = match locate(flag) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
                let mut config: Config = toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
                config.source = path.display().to_string();
                let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
                config.resolve_paths(&base);
                config
            }
            None => Config {
                data_dir: default_data_dir(),
                database_url: None,
                server: ServerConfig::default(),
                query: QueryConfig::default(),
                people: PeopleConfig::default(),
                github: Vec::new(),
                teleport: None,
                detections: detect::DetectionSettings::default(),
                webhooks: Vec::new(),
                auth: AuthConfig::default(),
                okta: Vec::new(),
                source: "the environment".into(),
            },
        };
        if config.okta.is_empty()
            && let (Ok(org_url), Ok(_)) = (std::env::var("OKTA_CLIENT_ORGURL"), std::env::var("OKTA_CLIENT_TOKEN"))
        {
            config.okta.push(OktaConfig {
                name: "okta".into(),
                org_url,
                api_token: None,
                api_token_env: Some("OKTA_CLIENT_TOKEN".into()),
                client_id: None,
                private_key_file: None,
                key_id: None,
                resources: true,
                system_log: true,
                scan_interval: default_scan_interval(),
                log_poll_interval: default_log_poll_interval(),
                log_start: default_log_start(),
                rate_limit_share: default_share(),
                max_concurrency: default_concurrency(),
                crown_jewels: Vec::new(),
                private_key_pem: None,
            });
        }
        config.check()?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        if self.data_dir.is_relative() {
            self.data_dir = base.join(&self.data_dir);
        }
        for file in [&mut self.server.tls_cert, &mut self.server.tls_key].into_iter().flatten() {
            if file.is_relative() {
                *file = base.join(&*file);
            }
        }
        for okta in &mut self.okta {
            if let Some(key) = &okta.private_key_file
                && key.is_relative()
            {
                okta.private_key_file = Some(base.join(key));
            }
        }
        if let Some(dir) = &self.detections.sigma_dir
            && dir.is_relative()
        {
            self.detections.sigma_dir = Some(base.join(dir));
        }
    }

    fn check(&self) -> Result<()> {
        let source = &self.source;
        self.server.tls_files(source)?;
        if self.server.metrics_listen.is_some_and(|metrics| metrics == self.server.listen && metrics.port() != 0) {
            bail!("{source}: server.metrics_listen: must differ from server.listen ({})", self.server.listen);
        }
        detect::Engine::new(&self.detections).map_err(|why| anyhow::anyhow!("{source}: {why}"))?;
        let mut hooks = std::collections::HashSet::new();
        for (i, hook) in self.webhooks.iter().enumerate() {
            if hook.name.trim().is_empty() || !hooks.insert(hook.name.as_str()) {
                bail!("{source}: webhooks[{i}].name: must be set and differ from the other webhooks' names");
            }
        }
        for (i, github) in self.github.iter().enumerate() {
            let at = format!("{source}: github[{i}] ({})", github.name);
            if github.token.is_none() && github.token_env.is_none() {
                bail!("{at}: set token_env (or token): a token of an organisation owner with read:audit_log");
            }
            for (key, value) in [("poll_interval", &github.poll_interval), ("log_start", &github.log_start)] {
                humantime::parse_duration(value)
                    .map_err(|e| anyhow::anyhow!("{at}.{key}: '{value}' is not a duration like \"5m\" ({e})"))?;
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, okta) in self.okta.iter().enumerate() {
            let at = format!("{source}: okta[{i}] ({})", okta.name);
            if okta.name.trim().is_empty() {
                bail!("{source}: okta[{i}].name: must not be empty");
            }
            if !names.insert(okta.name.as_str()) {
                bail!("{at}.name: another [[okta]] entry has the same name");
            }
            check_org_url(&okta.org_url).map_err(|why| anyhow::anyhow!("{at}.org_url: {why}"))?;
            let token = okta.api_token.is_some() || okta.api_token_env.is_some();
            let oauth = okta.client_id.is_some() || okta.private_key_file.is_some();
            match (token, oauth) {
                (true, true) => {
                    bail!("{at}: give either api_token/api_token_env or client_id + private_key_file, not both")
                }
                (false, false) => {
                    bail!("{at}: no credentials: set api_token, api_token_env, or client_id + private_key_file")
                }
                (false, true) if okta.client_id.is_none() || okta.private_key_file.is_none() => {
                    bail!("{at}: OAuth needs both client_id and private_key_file")
                }
                _ => {}
            }
            for (key, value) in [
                ("scan_interval", &okta.scan_interval),
                ("log_poll_interval", &okta.log_poll_interval),
                ("log_start", &okta.log_start),
            ] {
                let parsed = humantime::parse_duration(value).map_err(|e| {
                    anyhow::anyhow!("{at}.{key}: '{value}' is not a duration like \"30m\" or \"60s\" ({e})")
                })?;
                if parsed < Duration::from_secs(1) {
                    bail!("{at}.{key}: must be at least 1s");
                }
            }
            if !(okta.rate_limit_share > 0.0 && okta.rate_limit_share <= 1.0) {
                bail!("{at}.rate_limit_share: must be more than 0 and at most 1 (got {})", okta.rate_limit_share);
            }
            if okta.max_concurrency == 0 || okta.max_concurrency > 75 {
                bail!("{at}.max_concurrency: must be between 1 and 75 (Okta's concurrency limit)");
            }
            if let Some(i) = okta.crown_jewels.iter().position(|j| j.trim().is_empty()) {
                bail!("{at}.crown_jewels[{i}]: must name an app, group or role (by name or id), not be empty");
            }
        }
        Ok(())
    }

    /// The SQLite file of the embedded store.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("sightline.db")
    }

    /// The limits user queries run with.
    pub fn query_limits(&self) -> Result<store::QueryLimits> {
        let timeout = humantime::parse_duration(&self.query.timeout).map_err(|e| {
            anyhow::anyhow!(
                "{}: query.timeout: '{}' is not a duration ({e}); e.g. \"10s\"",
                self.source,
                self.query.timeout
            )
        })?;
        if timeout.is_zero() {
            bail!("{}: query.timeout: must be more than 0", self.source);
        }
        if self.query.max_rows == 0 {
            bail!("{}: query.max_rows: must be at least 1", self.source);
        }
        Ok(store::QueryLimits { timeout, max_rows: self.query.max_rows })
    }

    /// The PostgreSQL URL, if the store is PostgreSQL: `$SIGHTLINE_DATABASE_URL`, else
    /// `database_url` (the variable keeps the password out of the file).
    fn database_url(&self) -> Option<SecretString> {
        std::env::var("SIGHTLINE_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(SecretString::from)
            .or_else(|| self.database_url.clone().filter(|u| !u.expose_secret().is_empty()))
    }

    /// Opens the configured store: PostgreSQL when a database URL is set, else the embedded
    /// SQLite file (creating the data directory if needed).
    pub async fn open_store(&self) -> Result<store::Store> {
        if let Some(url) = self.database_url() {
            let url = url.expose_secret();
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                bail!(
                    "{}: database_url: must start with postgres:// (e.g. postgres://sightline@db.internal/sightline)",
                    self.source
                );
            }
            // The store's messages name the server without the password.
            return store::Store::open_postgres(url)
                .await
                .map_err(|e| anyhow::anyhow!("{}: database_url: {e}", self.source));
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("{}: data_dir: cannot create {}", self.source, self.data_dir.display()))?;
        let path = self.sqlite_path();
        store::Store::open_sqlite(&path).with_context(|| format!("cannot open the store at {}", path.display()))
    }
}

/// `https://` always; plain `http://` only for loopback hosts (tests, the simulator).
fn check_org_url(raw: &str) -> std::result::Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("'{raw}' is not a URL ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(format!("'{raw}' has no host")),
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!("'{raw}' must use https (plain http is allowed only for loopback hosts)")),
        other => Err(format!("'{raw}': scheme '{other}' is not https")),
    }
}

impl OktaConfig {
    /// An integration added in the web UI, with the defaults of the configuration file.
    pub fn from_web(new: &web::NewIntegration) -> OktaConfig {
        let (api_token, client_id, key_id, private_key_pem) = match &new.credentials {
            web::OktaCredentials::ApiToken(token) => (Some(token.clone()), None, None, None),
            web::OktaCredentials::PrivateKey { client_id, key_id, private_key_pem } => {
                (None, Some(client_id.clone()), Some(key_id.clone()), Some(private_key_pem.clone()))
            }
        };
        OktaConfig {
            name: new.name.clone(),
            org_url: new.org_url.clone(),
            api_token,
            api_token_env: None,
            client_id,
            private_key_file: None,
            key_id,
            resources: new.resources,
            system_log: new.system_log,
            scan_interval: humantime::format_duration(new.scan_interval).to_string(),
            log_poll_interval: humantime::format_duration(new.log_poll_interval).to_string(),
            log_start: default_log_start(),
            rate_limit_share: default_share(),
            max_concurrency: default_concurrency(),
            crown_jewels: Vec::new(),
            private_key_pem,
        }
    }

    /// How often the System Log is polled once caught up.
    pub fn log_poll_every(&self) -> Duration {
        humantime::parse_duration(&self.log_poll_interval).expect("checked at load")
    }

    /// How often the resources are scanned.
    pub fn scan_every(&self) -> Duration {
        humantime::parse_duration(&self.scan_interval).expect("checked at load")
    }

    /// How far back the first System Log poll starts.
    pub fn log_lookback(&self) -> chrono::Duration {
        let parsed = humantime::parse_duration(&self.log_start).expect("checked at load");
        chrono::Duration::from_std(parsed).unwrap_or(chrono::Duration::days(90))
    }

    pub fn client_config(&self, source: &str) -> Result<okta_client::ClientConfig> {
        let at = format!("{source}: okta ({})", self.name);
        let credentials = if let Some(token) = &self.api_token {
            okta_client::Credentials::ApiToken(token.clone())
        } else if let Some(var) = &self.api_token_env {
            let value = std::env::var(var)
                .with_context(|| format!("{at}.api_token_env: the environment variable {var} is not set"))?;
            okta_client::Credentials::ApiToken(SecretString::from(value))
        } else {
            let pem = match &self.private_key_pem {
                Some(pem) => pem.expose_secret().to_string(),
                None => {
                    let key_file = self.private_key_file.as_ref().expect("checked at load");
                    std::fs::read_to_string(key_file)
                        .with_context(|| format!("{at}.private_key_file: cannot read {}", key_file.display()))?
                }
            };
            let mut scopes: Vec<String> = RESOURCE_SCOPES.iter().map(|s| s.to_string()).collect();
            if self.system_log {
                scopes.push(LOG_SCOPE.into());
            }
            okta_client::Credentials::PrivateKey {
                client_id: self.client_id.clone().expect("checked at load"),
                private_key_pem: SecretString::from(pem),
                key_id: self.key_id.clone(),
                scopes,
            }
        };
        let mut config = okta_client::ClientConfig::new(self.org_url.trim_end_matches('/'), credentials);
        config.integration = Some(self.name.clone());
        config.rate_limit_share = self.rate_limit_share;
        config.max_concurrency = self.max_concurrency;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| anyhow::anyhow!("test.toml: {e}"))?;
        config.source = "test.toml".into();
        config.check()?;
        Ok(config)
    }

    /// The README's `[detections]` and `[[webhooks]]` example, as written.
    #[test]
    fn the_readme_detections_example_parses() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```toml\n[detections]").expect("README has the detections example") + 8;
        let block = &readme[start..start + readme[start..].find("```").unwrap()];
        let config = parse(block).unwrap();
        assert_eq!(config.detections.disabled, ["okta.rate_limit_violation"]);
        assert_eq!(config.webhooks.len(), 2);
        assert!(detect::Engine::new(&config.detections).unwrap().rules().all(|r| r.id != "okta.rate_limit_violation"));
    }

    #[test]
    fn detection_settings_errors_name_the_rule_and_parameter() {
        let error = parse("[detections]\ndisabled = [\"okta.nope\"]\n").unwrap_err().to_string();
        assert!(error.contains("okta.nope") && error.contains("okta.brute_force.user"), "{error}");
        let error = parse("[detections.rules.\"okta.brute_force.user\"]\nfailurez = 3\n").unwrap_err().to_string();
        assert!(error.contains("failurez") && error.contains("failures, window"), "{error}");
        let error = parse("[detections.rules.\"okta.brute_force.user\"]\nwindow = 3\n").unwrap_err().to_string();
        assert!(error.contains("window") && error.contains("duration"), "{error}");
        let error =
            parse("[[webhooks]]\nname = \"a\"\nurl = \"http://x\"\n[[webhooks]]\nname = \"a\"\nurl = \"http://y\"\n")
                .unwrap_err()
                .to_string();
        assert!(error.contains("webhooks[1].name"), "{error}");
    }

    #[test]
    fn the_brief_example_parses() {
        let config = parse(
            r#"
            data_dir = "./sightline-data"
            [server]
            listen = "127.0.0.1:8080"
            [[okta]]
            name = "acme"
            org_url = "https://acme.okta.com"
            api_token = "00abc"
            resources = true
            system_log = true
            scan_interval = "30m"
            log_poll_interval = "60s"
            "#,
        )
        .unwrap();
        assert_eq!(config.okta[0].name, "acme");
        assert!(!format!("{:?}", config.okta[0]).contains("00abc"), "secrets never print");
    }

    #[test]
    fn errors_name_the_key_and_the_file() {
        let cases = [
            ("[[okta]]\nname='a'\norg_url='http://acme.okta.com'\napi_token='x'", "okta[0] (a).org_url"),
            ("[[okta]]\nname='a'\norg_url='https://acme.okta.com'", "no credentials"),
            ("[[okta]]\nname='a'\norg_url='https://a.okta.com'\napi_token='x'\nscan_interval='soon'", "scan_interval"),
            (
                "[[okta]]\nname='a'\norg_url='https://a.okta.com'\napi_token='x'\nrate_limit_share=1.5",
                "rate_limit_share",
            ),
            ("[[okta]]\nname='a'\norg_url='https://a.okta.com'\napi_token='x'\ncolour='blue'", "colour"),
            ("[[okta]]\nname='a'\norg_url='https://a.okta.com'\nclient_id='0oa'", "private_key_file"),
            (
                "[[okta]]\nname='a'\norg_url='https://a.okta.com'\napi_token='x'\ncrown_jewels=['AWS', ' ']",
                "okta[0] (a).crown_jewels[1]",
            ),
            ("[[okta]]\nname='a'\norg_url='https://a.okta.com'\napi_token='x'\ncrown_jewels='AWS'", "crown_jewels"),
        ];
        for (text, expected) in cases {
            let error = format!("{:#}", parse(text).unwrap_err());
            assert!(error.contains("test.toml") && error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn server_options_parse_and_tls_needs_both_files() {
        let config = parse(
            "[server]\nlisten = \"0.0.0.0:8443\"\nmetrics_listen = \"127.0.0.1:9464\"\n\
             tls_cert = \"/etc/sightline/cert.pem\"\ntls_key = \"/etc/sightline/key.pem\"\n",
        )
        .unwrap();
        assert_eq!(config.server.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        let (cert, key) = config.server.tls_files("test.toml").unwrap().unwrap();
        assert_eq!((cert, key), (Path::new("/etc/sightline/cert.pem"), Path::new("/etc/sightline/key.pem")));
        let plain = parse("[server]\nlisten = \"127.0.0.1:8080\"\n").unwrap();
        assert!(plain.server.metrics_listen.is_none() && plain.server.tls_files("test.toml").unwrap().is_none());

        let error = format!("{:#}", parse("[server]\ntls_cert = \"cert.pem\"\n").unwrap_err());
        assert!(
            error.contains("test.toml") && error.contains("server.tls_cert is set without server.tls_key"),
            "{error}"
        );
        let error = format!("{:#}", parse("[server]\ntls_key = \"key.pem\"\n").unwrap_err());
        assert!(error.contains("server.tls_key is set without server.tls_cert"), "{error}");
        let error = format!("{:#}", parse("[server]\nmetrics_listen = \"127.0.0.1:8080\"\n").unwrap_err());
        assert!(error.contains("server.metrics_listen: must differ"), "{error}");
        let error = format!("{:#}", parse("[server]\nmetrics_listen = \"localhost\"\n").unwrap_err());
        assert!(error.contains("metrics_listen"), "{error}");
    }

    #[test]
    fn tls_files_are_relative_to_the_configuration_file() {
        let mut config: Config = toml::from_str("[server]\ntls_cert = \"c.pem\"\ntls_key = \"/abs/k.pem\"\n").unwrap();
        config.resolve_paths(Path::new("/etc/sightline"));
        assert_eq!(config.server.tls_cert.as_deref(), Some(Path::new("/etc/sightline/c.pem")));
        assert_eq!(config.server.tls_key.as_deref(), Some(Path::new("/abs/k.pem")));
    }

    #[test]
    fn loopback_http_is_allowed_for_the_simulator() {
        assert!(check_org_url("http://127.0.0.1:8070").is_ok());
        assert!(check_org_url("http://localhost:8070").is_ok());
        assert!(check_org_url("http://10.0.0.1").is_err());
        assert!(check_org_url("ftp://acme.okta.com").is_err());
    }

    #[test]
    fn auth_oidc_reads_its_secret_from_the_environment_and_names_bad_keys() {
        let table = "[auth.oidc]\nissuer = \"https://acme.okta.com/oauth2/default\"\nclient_id = \"0oa1\"\n\
                     redirect_url = \"https://sightline.example.com/api/auth/oidc/callback\"\n\
                     admin_groups = [\"Sightline Admins\"]\n";
        let config = parse(&format!("{table}client_secret_env = \"SIGHTLINE_TEST_OIDC_SECRET_UNSET\"\n")).unwrap();
        let error = format!("{:#}", config.auth.oidc_settings("test.toml").unwrap_err());
        assert!(error.contains("auth.oidc.client_secret_env") && error.contains("not set"), "{error}");
        let config = parse(&format!("{table}client_secret = \"s3cret\"\n")).unwrap();
        let settings = config.auth.oidc_settings("test.toml").unwrap().unwrap();
        assert_eq!(settings.admin_groups, ["Sightline Admins"]);
        assert!(!format!("{config:?}").contains("s3cret"));
        let error = format!("{:#}", parse(&format!("{table}client_secret = \"x\"\ngroups = []\n")).unwrap_err());
        assert!(error.contains("unknown field"), "unknown keys are refused: {error}");
        let bad = table.replace("/api/auth/oidc/callback", "/callback");
        let config = parse(&format!("{bad}client_secret = \"x\"\n")).unwrap();
        let error = format!("{:#}", config.auth.oidc_settings("test.toml").unwrap_err());
        assert!(error.contains("auth.oidc.redirect_url"), "{error}");
        assert!(parse("").unwrap().auth.oidc_settings("test.toml").unwrap().is_none());
    }
}
