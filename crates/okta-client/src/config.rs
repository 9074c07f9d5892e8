/*! How a client is configured: the org URL, the credentials and the limits it keeps to. */

use crate::error::Error;
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// The read scopes requested when [`Credentials::PrivateKey`] lists none: everything a resource
/// scan and a System Log export read.
pub const DEFAULT_READ_SCOPES: [&str; 6] = [
    "okta.users.read",
    "okta.groups.read",
    "okta.apps.read",
    "okta.roles.read",
    "okta.logs.read",
    "okta.apiTokens.read",
];

/// Default share of every rate-limit bucket the client may use.
pub const DEFAULT_RATE_LIMIT_SHARE: f64 = 0.5;
/// Default number of requests in flight at once (Okta's org-wide limit is 75, 35 on free orgs).
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;
/// Default time one attempt (sending the request and reading the whole response) may take.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt (429, 5xx, timeouts, resets, bad bodies).
pub const DEFAULT_MAX_RETRIES: u32 = 5;

/// Everything an [`OktaClient`](crate::OktaClient) needs. Build it with [`ClientConfig::new`],
/// which fills in the defaults, then change the fields you need.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The org's base URL, e.g. `https://acme.okta.com` (not the `-admin` console URL). Plain
    /// `http` is allowed only for loopback hosts (tests, the simulator).
    pub org_url: String,
    /// How the client authenticates.
    pub credentials: Credentials,
    /// Use at most this share of every rate-limit bucket (0 < share ≤ 1; default 0.5), so that
    /// the org's other integrations keep the rest.
    pub rate_limit_share: f64,
    /// Requests in flight at once (default 8).
    pub max_concurrency: usize,
    /// Time one attempt may take, sending and reading the whole response (default 30 s).
    pub request_timeout: Duration,
    /// Retries after the first attempt for 429, 5xx, timeouts, resets and bad bodies (default 5).
    pub max_retries: u32,
    /// The integration's name, as the `integration` label of the client's metrics (default none).
    /// It is shown on a metrics endpoint, so never put a secret here.
    pub integration: Option<String>,
}

impl ClientConfig {
    /// A configuration with the default limits.
    pub fn new(org_url: impl Into<String>, credentials: Credentials) -> Self {
        ClientConfig {
            org_url: org_url.into(),
            credentials,
            rate_limit_share: DEFAULT_RATE_LIMIT_SHARE,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            integration: None,
        }
    }
}

/// How the client proves who it is. `Debug` never shows the secrets.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An SSWS API token (`Authorization: SSWS <token>`); it has the rights of the admin who made it.
    ApiToken(SecretString),
    /// OAuth 2.0 client credentials of an API service app, authenticated with `private_key_jwt`;
    /// DPoP is used whenever the token endpoint binds the token to it (Okta's default).
    PrivateKey {
        /// The service app's client id (`0oa...`).
        client_id: String,
        /// The private key registered on the app, PEM (PKCS#8 RSA or EC, or PKCS#1 RSA).
        private_key_pem: SecretString,
        /// The `kid` of the registered public key, if the app has several.
        key_id: Option<String>,
        /// Scopes to request; empty means [`DEFAULT_READ_SCOPES`].
        scopes: Vec<String>,
    },
}

/// The validated org URL: its origin, without a trailing slash.
pub(crate) fn org_base(org_url: &str) -> Result<Url, Error> {
    let trimmed = org_url.trim();
    let url = Url::parse(trimmed).map_err(|e| {
        Error::config(format!("the org URL '{trimmed}' is not a valid URL ({e}); use e.g. https://acme.okta.com"))
    })?;
    if url.username() != "" || url.password().is_some() {
        return Err(Error::config("the org URL must not contain a user name or password"));
    }
    let Some(host) = url.host_str() else {
        return Err(Error::config(format!("the org URL '{trimmed}' has no host; use e.g. https://acme.okta.com")));
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "the org URL must use https (plain http is allowed only for loopback hosts): use https://{host}"
            )));
        }
        other => {
            return Err(Error::config(format!("the org URL must use https, not '{other}'")));
        }
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "the org URL must be the org's base URL without a path or query, e.g. {}",
            url.origin().ascii_serialization()
        )));
    }
    if let Some(org) = host.split('.').next()
        && org.ends_with("-admin")
        && (host.ends_with(".okta.com") || host.ends_with(".oktapreview.com") || host.ends_with(".okta-emea.com"))
    {
        let fixed = host.replacen("-admin.", ".", 1);
        return Err(Error::config(format!(
            "the org URL is the admin console's ({host}); use the org URL https://{fixed} instead"
        )));
    }
    let mut base = url;
    base.set_path("");
    Ok(base)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

pub(crate) fn validate(config: &ClientConfig) -> Result<(), Error> {
    let share = config.rate_limit_share;
    if !(share > 0.0 && share <= 1.0) {
        return Err(Error::config(format!(
            "rate_limit_share must be above 0 and at most 1 (it is {share}); 0.5 leaves half of every bucket to other integrations"
        )));
    }
    if config.max_concurrency == 0 {
        return Err(Error::config("max_concurrency must be at least 1"));
    }
    if config.request_timeout.is_zero() {
        return Err(Error::config("request_timeout must be longer than zero"));
    }
    match &config.credentials {
        Credentials::ApiToken(token) => {
            use secrecy::ExposeSecret;
            let token = token.expose_secret();
            if token.trim().is_empty() {
                return Err(Error::config("the API token is empty; paste the token Okta showed when it was created"));
            }
            if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::config(
                    "the API token contains spaces or line breaks; paste the token alone, without 'SSWS '",
                ));
            }
        }
        Credentials::PrivateKey { client_id, .. } => {
            if client_id.trim().is_empty() {
                return Err(Error::config("the OAuth client id is empty; copy it from the service app's General tab"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn kind(url: &str) -> Option<String> {
        match org_base(url) {
            Ok(_) => None,
            Err(e) => match e.kind() {
                ErrorKind::Config(m) => Some(m.clone()),
                other => panic!("unexpected kind {other:?}"),
            },
        }
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        assert_eq!(org_base("https://acme.okta.com").unwrap().as_str(), "https://acme.okta.com/");
        assert_eq!(org_base("https://acme.okta.com/").unwrap().as_str(), "https://acme.okta.com/");
        assert!(org_base("http://127.0.0.1:8070").is_ok());
        assert!(org_base("http://127.8.0.1:8070").is_ok());
        assert!(org_base("http://localhost:8070").is_ok());
        assert!(org_base("http://[::1]:8070").is_ok());
    }

    #[test]
    fn plain_http_elsewhere_and_odd_urls_are_config_errors() {
        assert!(kind("http://acme.okta.com").unwrap().contains("https://acme.okta.com"));
        assert!(kind("http://10.0.0.1").is_some());
        assert!(kind("ftp://acme.okta.com").is_some());
        assert!(kind("acme.okta.com").is_some());
        assert!(kind("https://acme.okta.com/api/v1").is_some());
        assert!(kind("https://acme.okta.com?token=x").is_some());
        assert!(kind("https://acme-admin.okta.com").unwrap().contains("https://acme.okta.com"));
    }

    #[test]
    fn limits_are_checked() {
        let creds = Credentials::ApiToken("00abc".into());
        let mut config = ClientConfig::new("https://acme.okta.com", creds);
        assert!(validate(&config).is_ok());
        for share in [0.0, -1.0, 1.5, f64::NAN] {
            config.rate_limit_share = share;
            assert!(validate(&config).is_err(), "share {share}");
        }
        config.rate_limit_share = 1.0;
        config.max_concurrency = 0;
        assert!(validate(&config).is_err());
        config.max_concurrency = 1;
        config.credentials = Credentials::ApiToken("SSWS 00abc".into());
        assert!(validate(&config).is_err());
    }
}
