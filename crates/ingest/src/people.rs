//! People: the resolver every pipeline shares, rebuilt from the store when snapshots change.

use activity::{Event, PersonResolver};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// A shared, refreshable [`PersonResolver`].
#[derive(Clone, Default)]
pub struct People {
    resolver: Arc<RwLock<Arc<PersonResolver>>>,
    github: Arc<HashMap<String, String>>,
}

impl People {
    /// A resolver with the configured GitHub login → person mapping and no Okta users yet.
    pub fn new(github: HashMap<String, String>) -> People {
        let resolver = PersonResolver::new(std::iter::empty::<(&str, &str, &str)>(), github.clone());
        People { resolver: Arc::new(RwLock::new(Arc::new(resolver))), github: Arc::new(github) }
    }

    /// Rebuilds the resolver from the Okta users of every stored snapshot. Call it after a scan.
    pub async fn refresh(&self, store: &store::Store) -> Result<usize, store::Error> {
        let users = store.okta_people().await?;
        let count = users.len();
        let resolver = PersonResolver::new(
            users.into_iter().map(|u| (u.okta_id, u.login, u.email.unwrap_or_default())),
            (*self.github).clone(),
        );
        *self.resolver.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(resolver);
        Ok(count)
    }

    /// The person an event's actor is.
    pub fn resolve(&self, event: &Event) -> Option<String> {
        let resolver = self.resolver.read().unwrap_or_else(|p| p.into_inner()).clone();
        resolver.resolve(&event.person_hints)
    }

    /// The event ready to store.
    pub fn new_event(&self, event: Event, integration: Option<&str>) -> store::NewEvent {
        let person = self.resolve(&event);
        store::NewEvent { event, person, integration: integration.map(str::to_string) }
    }
}
