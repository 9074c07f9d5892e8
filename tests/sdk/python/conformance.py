#!/usr/bin/env python3
"""Conformance run of Okta's official Python SDK (`okta` 3.x) against an Okta org or simulator.

Reads the org from the environment:
    OKTA_ORG_URL            e.g. http://127.0.0.1:PORT (plain http turns on the SDK's testing switch)
    OKTA_API_TOKEN          SSWS API token
    OKTA_CLIENT_ID          service app client_id for the OAuth part
    OKTA_PRIVATE_KEY_FILE   its private key (PEM; PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1)
    OKTA_KEY_ID             the registered key's kid
Optional:
    OKTA_SCOPES             space separated, default: the read scopes below
    SDK_PAGE_LIMIT          page size used wherever the SDK has a `limit` (default 3: many pages)
    SDK_LOG_SINCE           ISO-8601 start for /api/v1/logs (default: 7 days ago)
    SDK_LOG_PAGES           how many System Log pages to read (default 2)
    SDK_USER_SEARCH         `search` expression for the search listing (default: status eq "ACTIVE")
    SDK_SKIP                comma-separated endpoint keys not to call (reported under "skipped")
    SDK_NO_OAUTH=1          skip the OAuth part

With an SSWS client it pages through every list endpoint of the SDK that a read-only collector
uses, each object parsed into the SDK's typed (pydantic) models by the SDK itself, then with an
OAuth client (private_key_jwt + DPoP) lists users and groups again.

Prints ONE JSON object on stdout: {"sdk": ..., "counts": {endpoint: objects}, "pages": {...},
"oauth_users": N, ...}.  Exits non-zero with a message on stderr on any failure: an HTTP error,
a model that does not validate, or a paging anomaly.  Nothing is swallowed.
"""

import asyncio
import datetime as dt
import importlib.metadata
import json
import os
import sys
import traceback
from urllib.parse import parse_qs, urlparse

DEFAULT_SCOPES = ("okta.users.read okta.groups.read okta.apps.read okta.roles.read "
                  "okta.logs.read okta.apiTokens.read")

ORG_URL = os.environ.get("OKTA_ORG_URL", "").rstrip("/")
if ORG_URL.startswith("http://"):
    # The SDK refuses plain http unless its testing switch is on; it is read from the environment
    # only (a `testing` key in the dict given to Client() is not applied).
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"

from okta.client import Client  # noqa: E402  (after the env switch above)
from okta.pagination import PaginationHelper  # noqa: E402


class ConformanceError(Exception):
    pass


def env(name):
    value = os.environ.get(name)
    if not value:
        raise ConformanceError(f"environment variable {name} is not set")
    return value


PAGE_LIMIT = int(os.environ.get("SDK_PAGE_LIMIT", "3"))
APP_GROUPS_MIN_LIMIT = 20
SKIP = {s.strip() for s in os.environ.get("SDK_SKIP", "").split(",") if s.strip()}

counts = {}
pages = {}
skipped = []
workarounds = {}  # SDK defects worked around, reported in the output


def add(key, n, p=0):
    counts[key] = counts.get(key, 0) + n
    pages[key] = pages.get(key, 0) + p


def describe_error(err):
    parts = [type(err).__name__]
    for attr in ("status", "error_code", "error_summary", "message"):
        v = getattr(err, attr, None)
        if v:
            parts.append(f"{attr}={v}")
    parts.append(repr(err)[:500])
    return " ".join(str(p) for p in parts)


def after_of(url):
    if not url:
        return None
    q = parse_qs(urlparse(url).query)
    return q.get("after", [None])[0]


def next_cursor(resp, data):
    """The `after` cursor of the next page, the SDK's documented way:
    PaginationHelper.extract_next_cursor(response.headers), or for the IAM wrapper objects the
    body's `_links.next.href`.

    Note: the SDK's ApiResponse.headers is a plain dict built from aiohttp's multi-dict, so of
    several `Link` header lines only the LAST survives.  Okta sends `rel="self"` first and
    `rel="next"` last; a server that put `next` first (or only in a non-final line) would look like
    a single page to every Python SDK user."""
    headers = getattr(resp, "headers", None) or {}
    cursor = PaginationHelper.extract_next_cursor(headers)
    links = getattr(data, "links", None)
    nxt = getattr(getattr(links, "next", None), "href", None) if links is not None else None
    body_cursor = after_of(nxt)
    if cursor and body_cursor and cursor != body_cursor:
        raise ConformanceError(f"Link header cursor {cursor!r} != body _links.next cursor {body_cursor!r}")
    return cursor or body_cursor


async def page_all(key, method, *args, items_attr=None, pageable=True, max_pages=None, **kwargs):
    """Every object of a list endpoint, following `after` cursors.  The SDK deserializes each page
    into its models; a validation error propagates from the SDK call."""
    out = []
    after = None
    seen_cursors = set()
    n_pages = 0
    while True:
        call_kwargs = dict(kwargs)
        if after is not None:
            call_kwargs["after"] = after
        try:
            data, resp, err = await method(*args, **call_kwargs)
        except Exception as e:  # a pydantic ValidationError etc. raised inside the SDK
            raise ConformanceError(f"{key}: {method.__name__}{args} raised while parsing: "
                                   f"{type(e).__name__}: {e}") from e
        if err is not None:
            raise ConformanceError(f"{key}: {method.__name__}{args} {call_kwargs} failed: {describe_error(err)}")
        n_pages += 1
        if items_attr is None:
            page_items = data or []
        else:
            page_items = getattr(data, items_attr, None) or [] if data is not None else []
        if not isinstance(page_items, list):
            raise ConformanceError(f"{key}: expected a list, got {type(page_items).__name__}")
        out.extend(page_items)
        cursor = next_cursor(resp, data)
        if not cursor:
            break
        if not pageable:
            raise ConformanceError(
                f"{key}: the server sent a next page, but the SDK's {method.__name__} has no `after` "
                f"parameter, so SDK users cannot read past page 1")
        if max_pages is not None and n_pages >= max_pages:
            break
        if cursor in seen_cursors:
            raise ConformanceError(f"{key}: next cursor {cursor!r} repeats: endless paging")
        seen_cursors.add(cursor)
        after = cursor
        if n_pages > 100000:
            raise ConformanceError(f"{key}: more than 100000 pages")
    add(key, len(out), n_pages)
    return out


def want(key):
    if key in SKIP:
        if key not in skipped:
            skipped.append(key)
        return False
    return True


def inner(role):
    """A role assignment list item is a oneOf wrapper (StandardRole | CustomRole)."""
    return getattr(role, "actual_instance", None) or role


def enum_value(v):
    return getattr(v, "value", v)


async def client_roles_sdk_workaround(c, client_id):
    """okta 3.4.6 cannot parse any non-empty `GET /oauth2/v1/clients/{clientId}/roles`:
    ListRolesForClient200ResponseInner has no discriminator and tries StandardRole and CustomRole,
    which accept the same JSON (every field optional but `type`, both with the full RoleType), so
    every role is "Multiple matches found" (models/list_roles_for_client200_response_inner.py).
    Fetch the page through the SDK's own request executor (same auth, DPoP, retries) and parse each
    role with the discriminated ListGroupAssignedRoles200ResponseInner (same oneOf, keyed by
    `type`), the model the SDK uses for user and group role listings."""
    from okta.models import ListGroupAssignedRoles200ResponseInner
    path = f"/oauth2/v1/clients/{client_id}/roles"
    req, err = await c._request_executor.create_request("GET", path, headers={"Accept": "application/json"})
    if err is not None:
        raise ConformanceError(f"client_roles {client_id}: {describe_error(err)}")
    resp, body, err = await c._request_executor.execute(req)
    if err is not None:
        raise ConformanceError(f"client_roles {client_id}: {describe_error(err)}")
    if 'rel="next"' in ", ".join(resp.headers.getall("Link", [])):
        raise ConformanceError(f"client_roles {client_id}: a next page, but the SDK method takes no `after`")
    try:
        roles = [ListGroupAssignedRoles200ResponseInner.from_dict(r) for r in json.loads(body)]
    except Exception as e:
        raise ConformanceError(f"client_roles {client_id}: a role does not parse: {type(e).__name__}: {e}") from e
    add("client_roles", len(roles), 1)
    workarounds["client_roles"] = ("okta 3.4.6 list_roles_for_client: every role matches both StandardRole "
                                   "and CustomRole ('Multiple matches found'); parsed with the discriminated "
                                   "ListGroupAssignedRoles200ResponseInner instead")
    return roles


GROUP_TARGET_ROLES = {"USER_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN"}
APP_TARGET_ROLES = {"APP_ADMIN"}


async def role_targets(c, prefix, owner_id, roles, group_method, app_method):
    for r in roles:
        r = inner(r)
        rtype = enum_value(getattr(r, "type", None))
        if rtype in GROUP_TARGET_ROLES and want(f"{prefix}_role_target_groups"):
            await page_all(f"{prefix}_role_target_groups", group_method, owner_id, r.id, limit=PAGE_LIMIT)
        if rtype in APP_TARGET_ROLES and want(f"{prefix}_role_target_apps"):
            await page_all(f"{prefix}_role_target_apps", app_method, owner_id, r.id, limit=PAGE_LIMIT)


async def ssws_run():
    config = {"orgUrl": ORG_URL, "token": env("OKTA_API_TOKEN"), "authorizationMode": "SSWS",
              "rateLimit": {"maxRetries": 5}}
    async with Client(config) as c:
        # ---- users -----------------------------------------------------------------------------
        users = await page_all("users", c.list_users, limit=PAGE_LIMIT)
        deprov = []
        if want("users_deprovisioned"):
            deprov = await page_all("users_deprovisioned", c.list_users,
                                    filter='status eq "DEPROVISIONED"', limit=PAGE_LIMIT)
            bad = [u.id for u in deprov if enum_value(u.status) != "DEPROVISIONED"]
            if bad:
                raise ConformanceError(f"users_deprovisioned: filter returned non-DEPROVISIONED users {bad[:5]}")
        if any(enum_value(u.status) == "DEPROVISIONED" for u in users):
            raise ConformanceError("users: the plain listing returned DEPROVISIONED users (Okta omits them)")
        if want("users_search"):
            await page_all("users_search", c.list_users,
                           search=os.environ.get("SDK_USER_SEARCH", 'status eq "ACTIVE"'), limit=PAGE_LIMIT)
        all_users = {u.id: u for u in users + deprov}
        if len(all_users) != len(users) + len(deprov):
            raise ConformanceError("users: duplicate ids across pages")
        counts["users_total"] = len(all_users)

        for uid in all_users:
            if want("user_get"):
                u, _, err = await c.get_user(uid)
                if err is not None:
                    raise ConformanceError(f"user_get {uid}: {describe_error(err)}")
                if u is None or u.id != uid:
                    raise ConformanceError(f"user_get {uid}: returned {u!r}")
                add("user_get", 1, 1)
            if want("user_groups"):
                await page_all("user_groups", c.list_user_groups, uid, pageable=False)
            if want("user_factors"):
                await page_all("user_factors", c.list_factors, uid, pageable=False)
            if want("user_roles"):
                roles = await page_all("user_roles", c.list_assigned_roles_for_user, uid, pageable=False)
                # The listing includes roles inherited through groups (assignmentType GROUP).
                add("user_roles_direct", sum(enum_value(getattr(inner(r), "assignment_type", None)) == "USER"
                                             for r in roles))
                await role_targets(c, "user", uid, roles, c.list_group_targets_for_role,
                                   c.list_application_targets_for_application_administrator_role_for_user)

        # ---- groups ----------------------------------------------------------------------------
        groups = await page_all("groups", c.list_groups, expand="stats", limit=PAGE_LIMIT)
        # The SDK models the spec's spelling `hasAdminPrivlege` (sic): a `hasAdminPrivilege` sent by
        # the server is dropped by the model, so this counts what SDK users can see.
        counts["groups_with_admin_privilege"] = sum(
            bool(getattr(getattr(g.embedded, "stats", None), "has_admin_privlege", None)) for g in groups)
        for g in groups:
            if want("group_members"):
                await page_all("group_members", c.list_group_users, g.id, limit=PAGE_LIMIT)
            if want("group_owners"):
                await page_all("group_owners", c.list_group_owners, g.id, limit=PAGE_LIMIT)
            if want("group_apps"):
                await page_all("group_apps", c.list_assigned_applications_for_group, g.id, limit=PAGE_LIMIT)
            if want("group_roles"):
                roles = await page_all("group_roles", c.list_group_assigned_roles, g.id, pageable=False)
                await role_targets(c, "group", g.id, roles, c.list_group_targets_for_group_role,
                                   c.list_application_targets_for_application_administrator_role_for_group)

        # ---- apps ------------------------------------------------------------------------------
        apps = await page_all("apps", c.list_applications, limit=PAGE_LIMIT)
        service_clients = []
        for a in apps:
            mode = enum_value(getattr(a, "sign_on_mode", None))
            counts[f"apps_{str(mode).lower()}"] = counts.get(f"apps_{str(mode).lower()}", 0) + 1
            if mode == "OPENID_CONNECT":
                oc = getattr(getattr(a.settings, "oauth_client", None), "application_type", None)
                if enum_value(oc) == "service":
                    service_clients.append(a.credentials.oauth_client.client_id)
            if want("app_users"):
                await page_all("app_users", c.list_application_users, a.id, limit=PAGE_LIMIT)
            if want("app_groups"):
                # The SDK validates limit >= 20 here (the spec's minimum for this endpoint).
                await page_all("app_groups", c.list_application_group_assignments, a.id,
                               limit=max(PAGE_LIMIT, APP_GROUPS_MIN_LIMIT))
        counts["service_apps"] = len(service_clients)
        for cid in service_clients:
            if want("client_roles"):
                try:
                    roles = await page_all("client_roles", c.list_roles_for_client, cid, pageable=False)
                except ConformanceError as e:
                    if "Multiple matches found" not in str(e):
                        raise
                    roles = await client_roles_sdk_workaround(c, cid)
                await role_targets(c, "client", cid, roles, c.list_group_target_role_for_client,
                                   c.list_app_target_role_to_client)

        # ---- IAM -------------------------------------------------------------------------------
        if want("iam_assignees_users"):
            await page_all("iam_assignees_users", c.list_users_with_role_assignments,
                           items_attr="value", limit=PAGE_LIMIT)
        if want("custom_roles"):
            roles = await page_all("custom_roles", c.list_roles, items_attr="roles")
            for r in roles:
                if want("custom_role_permissions"):
                    await page_all("custom_role_permissions", c.list_role_permissions, r.id,
                                   items_attr="permissions", pageable=False)
        if want("resource_sets"):
            rsets = await page_all("resource_sets", c.list_resource_sets, items_attr="resource_sets")
            for rs in rsets:
                if want("resource_set_resources"):
                    await page_all("resource_set_resources", c.list_resource_set_resources, rs.id,
                                   items_attr="resources", limit=PAGE_LIMIT)
                if want("resource_set_bindings"):
                    bindings = await page_all("resource_set_bindings", c.list_bindings, rs.id,
                                              items_attr="roles")
                    for b in bindings:
                        if want("binding_members"):
                            await page_all("binding_members", c.list_members_of_binding, rs.id, b.id,
                                           items_attr="members")

        # ---- API tokens, System Log ------------------------------------------------------------
        if want("api_tokens"):
            await page_all("api_tokens", c.list_api_tokens, pageable=False)
        if want("logs"):
            since = os.environ.get("SDK_LOG_SINCE") or (
                dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            await page_all("logs", c.list_log_events, since=since, limit=max(PAGE_LIMIT, 50),
                           max_pages=int(os.environ.get("SDK_LOG_PAGES", "2")))
        return len(users)


async def oauth_run():
    key_file = env("OKTA_PRIVATE_KEY_FILE")
    with open(key_file) as f:
        private_key = f.read()
    config = {
        "orgUrl": ORG_URL,
        "authorizationMode": "PrivateKey",
        "clientId": env("OKTA_CLIENT_ID"),
        "scopes": os.environ.get("OKTA_SCOPES", DEFAULT_SCOPES).split(),
        "privateKey": private_key,
        "kid": env("OKTA_KEY_ID"),
        "dpopEnabled": True,
        "rateLimit": {"maxRetries": 5},
    }
    async with Client(config) as c:
        users = await page_all("oauth_users", c.list_users, limit=PAGE_LIMIT)
        await page_all("oauth_groups", c.list_groups, limit=PAGE_LIMIT)
        token, token_type = c._request_executor._oauth.get_current_token()
        if not token:
            raise ConformanceError("oauth: no access token after listing")
        return len(users), token_type


async def main():
    result = {"sdk": "okta-sdk-python", "version": importlib.metadata.version("okta"),
              "org_url": env("OKTA_ORG_URL"), "page_limit": PAGE_LIMIT}
    ssws_users = await ssws_run()
    if os.environ.get("SDK_NO_OAUTH") != "1":
        n, token_type = await oauth_run()
        result["oauth_token_type"] = token_type
        if n != ssws_users:
            raise ConformanceError(f"oauth: listed {n} users with OAuth but {ssws_users} with SSWS")
    result["counts"] = counts
    result["pages"] = pages
    result["oauth_users"] = counts.get("oauth_users")
    result["oauth_groups"] = counts.get("oauth_groups")
    result["skipped"] = skipped
    result["sdk_workarounds"] = workarounds
    return result


if __name__ == "__main__":
    try:
        res = asyncio.run(main())
    except ConformanceError as e:
        traceback.print_exc(file=sys.stderr)
        print(f"FAIL (okta-sdk-python): {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - anything else is a failure too, with its traceback
        traceback.print_exc(file=sys.stderr)
        print(f"FAIL (okta-sdk-python): unexpected {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(res, sort_keys=True))
