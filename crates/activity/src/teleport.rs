/*!
Teleport audit events, one JSON object per line as the auth service and `tctl` export them.

Teleport says whether an event succeeded in two ways: a `success` flag on authentication events,
and a severity letter at the end of every event `code` (`T1000I` information, `T1000W` warning,
`…E` error). A warning or error code is a failed attempt (`T1000W` is a failed local login,
`T3007W` a rejected SSH certificate); the flag wins when both are present.
*/

use crate::category::*;
use crate::error::ParseError;
use crate::event::{Actor, Event, PersonHintKind, RawJson, Source, Target, push_hint};
use crate::json::{at, ip_of_addr, looks_like_email, required_time, str_at, text_at};
use crate::mapping::{Rule, lookup};
use crate::ocsf::{self, *};
use crate::{actor_kind, outcome};
use serde_json::{Map, Value, json};

/// Teleport `event` → category and OCSF activity.
pub(crate) const RULES: &[Rule] = &[
    // Signing in.
    ("user.login", AUTHENTICATION, AUTHN_LOGON),
    ("auth", AUTHENTICATION, AUTHN_LOGON),
    ("cert.create", AUTHENTICATION, AUTHN_TICKET),
    ("mfa_auth_challenge.*", MFA, AUTHN_OTHER),
    ("mfa.add", MFA, ACCOUNT_MFA_ENABLE),
    ("mfa.delete", MFA, ACCOUNT_MFA_DISABLE),
    // Users, bots and locks.
    ("user.*", ACCOUNT, ACCOUNT_OTHER),
    ("user.create", ACCOUNT, ACCOUNT_CREATE),
    ("user.delete", ACCOUNT, ACCOUNT_DELETE),
    ("user.password_change", ACCOUNT, ACCOUNT_PASSWORD_CHANGE),
    ("bot.*", ACCOUNT, ACCOUNT_OTHER),
    ("bot.create", ACCOUNT, ACCOUNT_CREATE),
    ("bot.delete", ACCOUNT, ACCOUNT_DELETE),
    ("lock.created", ACCOUNT, ACCOUNT_LOCK),
    ("lock.deleted", ACCOUNT, ACCOUNT_UNLOCK),
    // Roles and access requests.
    ("role.created", PRIVILEGE, ENTITY_CREATE),
    ("role.updated", PRIVILEGE, ENTITY_UPDATE),
    ("role.deleted", PRIVILEGE, ENTITY_DELETE),
    ("access_request.*", PRIVILEGE, ACCESS_OTHER),
    ("join_token.*", API_TOKEN, ENTITY_OTHER),
    ("join_token.create", API_TOKEN, ENTITY_CREATE),
    // Sessions on nodes, databases, apps, desktops and Kubernetes.
    ("session.*", SESSION, BASE_OTHER),
    ("session.start", SESSION, SSH_OPEN),
    ("session.join", SESSION, SSH_OPEN),
    ("session.end", SESSION, SSH_CLOSE),
    ("session.leave", SESSION, SSH_CLOSE),
    ("session.rejected", SESSION, SSH_REFUSE),
    ("session.data", SESSION, SSH_TRAFFIC),
    ("session.command", SESSION, PROCESS_LAUNCH),
    ("exec", SESSION, PROCESS_LAUNCH),
    ("session.network", SESSION, NETWORK_OPEN),
    ("port", SESSION, NETWORK_OPEN),
    ("scp", DATA_ACCESS, BASE_OTHER),
    ("sftp", DATA_ACCESS, BASE_OTHER),
    ("db.session.*", SESSION, BASE_OTHER),
    ("db.session.start", SESSION, AUTHN_LOGON),
    ("db.session.end", SESSION, AUTHN_LOGOFF),
    ("db.session.query", DATA_ACCESS, API_OTHER),
    ("app.session.*", SESSION, BASE_OTHER),
    ("app.session.start", SESSION, AUTHN_LOGON),
    ("windows.desktop.session.start", SESSION, AUTHN_LOGON),
    ("windows.desktop.session.end", SESSION, AUTHN_LOGOFF),
    ("kube.request", RESOURCE, API_OTHER),
    // Cluster configuration: connectors, trusted clusters, auth preferences.
    ("saml.*", CONFIGURATION, ENTITY_OTHER),
    ("saml.created", CONFIGURATION, ENTITY_CREATE),
    ("saml.deleted", CONFIGURATION, ENTITY_DELETE),
    ("oidc.*", CONFIGURATION, ENTITY_OTHER),
    ("oidc.created", CONFIGURATION, ENTITY_CREATE),
    ("oidc.deleted", CONFIGURATION, ENTITY_DELETE),
    ("github.*", CONFIGURATION, ENTITY_OTHER),
    ("github.created", CONFIGURATION, ENTITY_CREATE),
    ("github.deleted", CONFIGURATION, ENTITY_DELETE),
    ("trusted_cluster.*", CONFIGURATION, ENTITY_OTHER),
    ("auth_preference.update", POLICY, ENTITY_UPDATE),
];

const FALLBACK: (&str, Activity) = (OTHER, BASE_OTHER);

/// The kind of thing an event's `name` field names, by event family.
const NAMED: &[(&str, &str)] = &[
    ("role.", "role"),
    ("lock.", "lock"),
    ("bot.", "bot"),
    ("saml.", "connector"),
    ("oidc.", "connector"),
    ("github.", "connector"),
];

pub(crate) fn normalize(v: &Value, raw: RawJson) -> Result<Event, ParseError> {
    let time = required_time(v, &["time"], "time")?;
    let event_type = str_at(v, &["event"]).ok_or_else(|| ParseError::missing("event"))?;
    let (category, activity) = lookup(RULES, event_type).unwrap_or(FALLBACK);
    let code = str_at(v, &["code"]);
    let outcome = match (at(v, &["success"]).and_then(Value::as_bool), code.and_then(|c| c.chars().last())) {
        (Some(true), _) => outcome::SUCCESS,
        (Some(false), _) => outcome::FAILURE,
        (None, Some('W' | 'w' | 'E' | 'e')) => outcome::FAILURE,
        (None, Some('I' | 'i')) => outcome::SUCCESS,
        _ => outcome::UNKNOWN,
    };

    // `cert.create` has no `user`: the certificate's requester (an impersonating bot) or subject acts.
    let user = str_at(v, &["user"])
        .or_else(|| str_at(v, &["identity", "impersonator"]))
        .or_else(|| str_at(v, &["identity", "user"]));
    let bot = match at(v, &["user_kind"]).and_then(Value::as_u64) {
        Some(kind) => kind == 2,
        None => user.is_some_and(|u| u.starts_with("bot-")),
    };
    let actor = Actor {
        id: None,
        kind: user.map(|_| if bot { actor_kind::SERVICE } else { actor_kind::USER }.to_string()),
        login: user.map(str::to_string),
        display_name: None,
    };
    let mut hints = Vec::new();
    if let Some(user) = user.filter(|_| !bot) {
        push_hint(&mut hints, PersonHintKind::TeleportUser, user);
        if looks_like_email(user) {
            push_hint(&mut hints, PersonHintKind::Email, user);
        }
    }

    let reason = str_at(v, &["error"]).or_else(|| str_at(v, &["message"])).map(str::to_string);
    let message = message(v, event_type, user, outcome, reason.as_deref());
    let remote =
        str_at(v, &["addr.remote"]).or_else(|| str_at(v, &["addr_remote"])).or_else(|| str_at(v, &["remote_addr"]));

    let mut event = Event {
        uuid: str_at(v, &["uid"]).map_or_else(|| crate::stable_id(v), str::to_string),
        source: Source::Teleport,
        time,
        event_type: event_type.to_string(),
        category,
        outcome,
        outcome_reason: reason.filter(|_| outcome == outcome::FAILURE),
        severity: None,
        actor,
        person_hints: hints,
        targets: targets(v, event_type),
        ip: remote.and_then(ip_of_addr),
        location: None,
        asn: None,
        user_agent: str_at(v, &["user_agent"]).map(str::to_string),
        session: str_at(v, &["sid"]).map(str::to_string),
        message: Some(message),
        tenant: str_at(v, &["cluster_name"]).map(str::to_string),
        ocsf: Event::no_ocsf(),
        raw,
    };
    let original_time = text_at(v, &["time"]);
    event.ocsf = ocsf::build(&event, activity, original_time, extra(v, activity));
    Ok(event)
}

fn command_line(v: &Value) -> Option<String> {
    let program = str_at(v, &["path"]).or_else(|| str_at(v, &["program"])).or_else(|| str_at(v, &["command"]))?;
    let args = at(v, &["argv"]).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    Some(std::iter::once(program).chain(args).collect::<Vec<_>>().join(" "))
}

fn message(v: &Value, event_type: &str, user: Option<&str>, outcome: &str, reason: Option<&str>) -> String {
    let mut m = format!("{event_type} by {}", user.unwrap_or("teleport"));
    if let Some(method) = str_at(v, &["method"]) {
        m.push_str(&format!(" ({method})"));
    }
    match (str_at(v, &["login"]), str_at(v, &["server_hostname"])) {
        (Some(login), Some(host)) => m.push_str(&format!(" as {login} on {host}")),
        (Some(login), None) => m.push_str(&format!(" as {login}")),
        (None, Some(host)) => m.push_str(&format!(" on {host}")),
        (None, None) => {}
    }
    if let Some(cmd) = command_line(v).filter(|_| event_type == "session.command" || event_type == "exec") {
        m.push_str(&format!(": {cmd}"));
    }
    if let Some(dst) = str_at(v, &["dst_addr"]) {
        m.push_str(&format!(" to {dst}"));
        if let Some(port) = text_at(v, &["dst_port"]) {
            m.push_str(&format!(":{port}"));
        }
    }
    if outcome == outcome::FAILURE {
        m.push_str(" failed");
        if let Some(reason) = reason {
            m.push_str(&format!(": {reason}"));
        }
    }
    m
}

fn targets(v: &Value, event_type: &str) -> Vec<Target> {
    let mut out = Vec::new();
    let server_id = str_at(v, &["server_id"]);
    let hostname = str_at(v, &["server_hostname"]);
    if server_id.is_some() || hostname.is_some() {
        out.push(Target {
            id: server_id.map(str::to_string),
            kind: Some("node".into()),
            name: hostname.map(str::to_string),
        });
    }
    if let Some(login) = str_at(v, &["login"]) {
        out.push(Target { id: None, kind: Some("login".into()), name: Some(login.into()) });
    }
    if let Some(Value::Object(target)) = at(v, &["target"]) {
        for (kind, name) in target {
            if let Some(name) = name.as_str().filter(|n| !n.is_empty()) {
                out.push(Target { id: None, kind: Some(kind.clone()), name: Some(name.into()) });
            }
        }
    }
    if let Some((_, kind)) = NAMED.iter().find(|(prefix, _)| event_type.starts_with(prefix))
        && let Some(name) = str_at(v, &["name"])
    {
        out.push(Target { id: None, kind: Some((*kind).into()), name: Some(name.into()) });
    }
    if event_type == "cert.create"
        && let Some(subject) = str_at(v, &["identity", "user"])
    {
        out.push(Target { id: None, kind: Some("user".into()), name: Some(subject.into()) });
    }
    out
}

fn extra(v: &Value, activity: Activity) -> Map<String, Value> {
    let mut extra = Map::new();
    let mut device = Map::new();
    if let Some(id) = str_at(v, &["server_id"]) {
        device.insert("uid".into(), id.into());
    }
    if let Some(host) = str_at(v, &["server_hostname"]) {
        device.insert("hostname".into(), host.into());
    }
    if activity.class == class::PROCESS_ACTIVITY {
        let mut process = Map::new();
        if let Some(name) = str_at(v, &["program"]) {
            process.insert("name".into(), name.into());
        }
        if let Some(path) = str_at(v, &["path"]) {
            process.insert("file".into(), json!({ "path": path, "name": path.rsplit('/').next() }));
        }
        if let Some(cmd) = command_line(v) {
            process.insert("cmd_line".into(), cmd.into());
        }
        if let Some(pid) = at(v, &["pid"]).and_then(Value::as_u64) {
            process.insert("pid".into(), pid.into());
        }
        extra.insert("process".into(), process.into());
        if !device.is_empty() {
            extra.insert("device".into(), device.into());
        }
    } else if activity.class == class::NETWORK_ACTIVITY || activity.class == class::SSH_ACTIVITY {
        let mut dst = device;
        if let Some(addr) = str_at(v, &["dst_addr"]) {
            dst.insert("ip".into(), addr.into());
        }
        if let Some(port) = at(v, &["dst_port"]).and_then(Value::as_u64) {
            dst.insert("port".into(), port.into());
        }
        if !dst.is_empty() {
            extra.insert("dst_endpoint".into(), dst.into());
        }
        if let Some(src) = str_at(v, &["src_addr"]) {
            extra.insert("src_endpoint".into(), json!({ "ip": src }));
        }
    } else if activity.class == class::AUTHENTICATION {
        extra.insert("is_mfa".into(), at(v, &["mfa_device"]).is_some().into());
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::PersonHint;
    use crate::mapping::check_table;
    use crate::normalize_value;

    #[test]
    fn table_is_well_formed() {
        check_table("teleport", RULES);
    }

    #[test]
    fn failed_login() {
        let v = json!({
            "addr.remote": "198.51.100.23:51234", "cluster_name": "teleport.acme.com", "code": "T1000W", "ei": 0,
            "error": "invalid username, password or second factor", "event": "user.login", "method": "local",
            "success": false, "time": "2024-03-01T12:00:00.5Z", "uid": "5c1a9f1e-0000-4000-8000-000000000001",
            "user": "alice@acme.com", "user_agent": "tsh/15.1.0"
        });
        let e = normalize_value(Source::Teleport, &v).unwrap();
        assert_eq!(e.uuid, "5c1a9f1e-0000-4000-8000-000000000001");
        assert_eq!((e.category, e.outcome), (AUTHENTICATION, outcome::FAILURE));
        assert_eq!(e.outcome_reason.as_deref(), Some("invalid username, password or second factor"));
        assert_eq!(e.ip.as_deref(), Some("198.51.100.23"));
        assert_eq!(e.tenant.as_deref(), Some("teleport.acme.com"));
        assert_eq!(e.user_agent.as_deref(), Some("tsh/15.1.0"));
        assert_eq!(
            e.person_hints,
            vec![
                PersonHint::new(PersonHintKind::TeleportUser, "alice@acme.com"),
                PersonHint::new(PersonHintKind::Email, "alice@acme.com")
            ]
        );
        assert_eq!(
            e.message.as_deref(),
            Some("user.login by alice@acme.com (local) failed: invalid username, password or second factor")
        );
        assert_eq!(e.ocsf_value()["type_uid"], 300201);
        assert_eq!(e.ocsf_value()["status_id"], 2);
    }

    #[test]
    fn outcome_from_code_when_there_is_no_flag() {
        for (code, expected) in [
            ("T1000I", "success"),
            ("T3007W", "failure"),
            ("T2005E", "failure"),
            ("t2000i", "success"),
            ("X", "unknown"),
        ] {
            let v = json!({"event": "session.start", "code": code, "time": "2024-03-01T12:00:00Z", "user": "bob"});
            assert_eq!(normalize_value(Source::Teleport, &v).unwrap().outcome, expected, "{code}");
        }
        let v = json!({"event": "user.login", "code": "T1000W", "success": true, "time": "2024-03-01T12:00:00Z"});
        assert_eq!(normalize_value(Source::Teleport, &v).unwrap().outcome, "success");
    }

    #[test]
    fn commands_become_process_launches() {
        let v = json!({"argv": ["-l", "-p", "11434"], "code": "T4000I", "event": "session.command", "login": "root",
                       "path": "/bin/nc", "pid": 7143, "program": "nc", "server_id": "e759", "sid": "8a3f",
                       "time": "2020-08-17T17:40:37.491Z", "uid": "8eaf", "user": "panther"});
        let e = normalize_value(Source::Teleport, &v).unwrap();
        assert_eq!(e.session.as_deref(), Some("8a3f"));
        assert_eq!(e.message.as_deref(), Some("session.command by panther as root: /bin/nc -l -p 11434"));
        assert_eq!(e.ocsf_value()["class_uid"], 1007);
        assert_eq!(e.ocsf_value()["process"]["cmd_line"], "/bin/nc -l -p 11434");
        assert_eq!(e.ocsf_value()["process"]["pid"], 7143);
        assert_eq!(e.ocsf_value()["device"]["uid"], "e759");
    }

    #[test]
    fn bots_and_certificates() {
        let v = json!({"cert_type": "user", "code": "TC000I", "event": "cert.create",
                       "time": "2023-09-17 21:00:00.000000",
                       "identity": {"impersonator": "bot-application", "user": "bot-application"}, "uid": "u1"});
        let e = normalize_value(Source::Teleport, &v).unwrap();
        assert_eq!(e.actor.login.as_deref(), Some("bot-application"));
        assert_eq!(e.actor.kind.as_deref(), Some("service"));
        assert!(e.person_hints.is_empty());
        assert_eq!(
            e.targets,
            vec![Target { id: None, kind: Some("user".into()), name: Some("bot-application".into()) }]
        );
    }

    #[test]
    fn needs_time_and_event() {
        let v = json!({"event": "role.created", "time": "2023-09-20T23:00:000.000000Z"});
        assert_eq!(
            normalize_value(Source::Teleport, &v).unwrap_err().to_string(),
            "invalid field `time`: not a timestamp: `2023-09-20T23:00:000.000000Z`"
        );
        let v = json!({"time": "2023-09-20T23:00:00Z"});
        assert_eq!(normalize_value(Source::Teleport, &v).unwrap_err().to_string(), "missing field `event`");
    }
}
