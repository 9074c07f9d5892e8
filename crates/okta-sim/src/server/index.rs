//! Lookups derived from the org, rebuilt whenever the org changes, so that requests never scan.

use crate::org::*;
use crate::server::render::AppUserRow;
use std::collections::{BTreeMap, HashMap};

/// Id maps and reverse relations of one org snapshot.
#[derive(Debug, Default)]
pub struct OrgIndex {
    pub user_by_id: HashMap<String, usize>,
    /// Lower-cased login.
    pub user_by_login: HashMap<String, usize>,
    pub group_by_id: HashMap<String, usize>,
    pub app_by_id: HashMap<String, usize>,
    pub app_by_client_id: HashMap<String, usize>,
    pub token_by_secret: HashMap<String, usize>,
    pub token_by_id: HashMap<String, usize>,
    /// Custom roles by id and by label.
    pub custom_role: HashMap<String, usize>,
    /// Resource sets by id and by label.
    pub resource_set: HashMap<String, usize>,
    /// Groups of each user, sorted.
    pub user_groups: Vec<Vec<usize>>,
    /// Apps assigned to each group, sorted.
    pub group_apps: Vec<Vec<usize>>,
    /// Everyone assigned to each app (directly or through groups), sorted by user index.
    pub app_users: Vec<Vec<AppUserRow>>,
    /// Role assignments held directly by each principal.
    pub roles_by_principal: HashMap<Principal, Vec<usize>>,
    /// Users holding any role, directly or through a group, sorted.
    pub admin_users: Vec<usize>,
    /// Whether a group holds a role (`hasAdminPrivilege`).
    pub group_is_admin: Vec<bool>,
    /// Custom-role assignments by (resource set, role): the bindings of a resource set.
    pub bindings: BTreeMap<(usize, usize), Vec<usize>>,
}

impl OrgIndex {
    pub fn build(org: &Org) -> OrgIndex {
        let mut index = OrgIndex::default();
        for (i, u) in org.users.iter().enumerate().filter(|(_, u)| !u.deleted) {
            index.user_by_id.insert(u.id.clone(), i);
            index.user_by_login.insert(u.profile.login.to_lowercase(), i);
        }
        for (i, g) in org.groups.iter().enumerate().filter(|(_, g)| !g.deleted) {
            index.group_by_id.insert(g.id.clone(), i);
        }
        for (i, a) in org.apps.iter().enumerate().filter(|(_, a)| !a.deleted) {
            index.app_by_id.insert(a.id.clone(), i);
            if let Some(client_id) = org.client_id(i) {
                index.app_by_client_id.insert(client_id.to_string(), i);
            }
        }
        for (i, t) in org.api_tokens.iter().enumerate() {
            index.token_by_secret.insert(t.secret.clone(), i);
            index.token_by_id.insert(t.id.clone(), i);
        }
        for (i, r) in org.custom_roles.iter().enumerate() {
            index.custom_role.insert(r.id.clone(), i);
            index.custom_role.insert(r.label.clone(), i);
        }
        for (i, rs) in org.resource_sets.iter().enumerate() {
            index.resource_set.insert(rs.id.clone(), i);
            index.resource_set.insert(rs.label.clone(), i);
        }

        index.user_groups = vec![Vec::new(); org.users.len()];
        for (g, members) in org.group_members.iter().enumerate() {
            if org.groups[g].deleted {
                continue;
            }
            for &u in members {
                index.user_groups[u].push(g);
            }
        }

        index.group_apps = vec![Vec::new(); org.groups.len()];
        index.app_users = Vec::with_capacity(org.apps.len());
        for (a, app) in org.apps.iter().enumerate() {
            let mut rows: Vec<AppUserRow> = Vec::new();
            if !app.deleted {
                for (i, assignment) in org.app_user_assignments[a].iter().enumerate() {
                    if !org.users[assignment.user].deleted {
                        rows.push(AppUserRow { user: assignment.user, direct: Some(i) });
                    }
                }
                for assignment in &org.app_group_assignments[a] {
                    if org.groups[assignment.group].deleted {
                        continue;
                    }
                    index.group_apps[assignment.group].push(a);
                    for &u in &org.group_members[assignment.group] {
                        if !org.users[u].deleted {
                            rows.push(AppUserRow { user: u, direct: None });
                        }
                    }
                }
            }
            // A user assigned both directly and through a group is listed once, as USER scope.
            rows.sort_by_key(|r| (r.user, r.direct.is_none()));
            rows.dedup_by_key(|r| r.user);
            index.app_users.push(rows);
        }
        for apps in &mut index.group_apps {
            apps.sort_unstable();
            apps.dedup();
        }

        index.group_is_admin = vec![false; org.groups.len()];
        let mut admins = Vec::new();
        for (i, ra) in org.role_assignments.iter().enumerate() {
            index.roles_by_principal.entry(ra.principal).or_default().push(i);
            match ra.principal {
                Principal::User(u) => admins.push(u),
                Principal::Group(g) => {
                    index.group_is_admin[g] = true;
                    admins.extend(org.group_members[g].iter().copied());
                }
                Principal::Client(_) => {}
            }
            if let RoleKind::Custom { role, resource_set } = ra.role {
                index.bindings.entry((resource_set, role)).or_default().push(i);
            }
        }
        admins.retain(|&u| !org.users[u].deleted);
        admins.sort_unstable();
        admins.dedup();
        index.admin_users = admins;
        index
    }

    /// Role assignments that apply to a user: direct ones, then those of the user's groups.
    pub fn user_role_assignments(&self, user: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.roles_by_principal.get(&Principal::User(user)).cloned().unwrap_or_default();
        for &g in &self.user_groups[user] {
            if let Some(ras) = self.roles_by_principal.get(&Principal::Group(g)) {
                out.extend(ras);
            }
        }
        out
    }
}
