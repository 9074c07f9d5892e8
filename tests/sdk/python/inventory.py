#!/usr/bin/env python3
"""Benchmark: a full Okta inventory through Okta's official Python SDK (`okta` 3.x), written the
way the SDK's README shows (`async with Client(config) as client:`, one `await` after another,
pages followed with `okta.pagination.PaginationHelper`), to be timed next to Sightline's scan.

It reads what Sightline's collector reads, with the largest page sizes Okta documents:
  users (limit 200) and DEPROVISIONED users; groups (expand=stats, limit 10000) with members
  (1000), owners (1000; skipped for all groups if the org answers E0000015) and, for admin
  groups, their roles; apps (200) with assigned users (500) and groups (200); the users holding
  roles (/iam/assignees/users, 100) and their roles; the roles of OIDC service apps' clients;
  custom roles; resource sets and their resources (100); API tokens.
Every object is parsed by the SDK into its models.

Environment: OKTA_ORG_URL, OKTA_API_TOKEN (SSWS).  Run:
    OKTA_ORG_URL=http://127.0.0.1:PORT OKTA_API_TOKEN=... \\
        target/sdk-venv/bin/python tests/sdk/python/inventory.py
Prints ONE JSON line: {"sdk", "version", "counts", "objects", "requests" (HTTP requests = pages),
"wall_seconds" (client creation to the end), "sdk_workarounds", "skipped"}.
`user_roles` counts direct (assignmentType USER) assignments; a user's listing also repeats the
roles of its groups, which are counted once, under `group_roles`.  Any error: the reason on
stderr, exit status 1.
"""

import asyncio
import importlib.metadata
import json
import os
import sys
import time
from urllib.parse import parse_qs, urlparse

if os.environ.get("OKTA_ORG_URL", "").startswith("http://"):
    # The SDK refuses plain http unless this switch is on; it is read from the environment only.
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"

from okta.client import Client  # noqa: E402  (after the switch above)
from okta.models import ApiToken, ListGroupAssignedRoles200ResponseInner  # noqa: E402
from okta.pagination import PaginationHelper  # noqa: E402


class Failure(Exception):
    def __init__(self, what, err=None):
        self.err = err
        detail = getattr(err, "message", None) or repr(err) if err is not None else ""
        super().__init__(f"{what}: {detail}".strip(": "))


counts = dict.fromkeys(
    ["users", "deprovisioned_users", "groups", "group_members", "group_owners", "group_roles", "apps",
     "app_users", "app_groups", "role_holders", "user_roles", "client_roles", "custom_roles",
     "resource_sets", "resource_set_resources", "api_tokens"], 0)
requests = 0
workarounds = {}
skipped = {}


def value(v):
    return getattr(v, "value", v)  # enum -> str


def next_cursor(resp, data):
    """`after` of the next page: the Link header (documented), else an IAM body's _links.next."""
    cursor = PaginationHelper.extract_next_cursor(resp.headers or {})
    href = getattr(getattr(getattr(data, "links", None), "next", None), "href", None)
    return cursor or (parse_qs(urlparse(href).query).get("after", [None])[0] if href else None)


async def fetch_all(method, *args, items=None, single_page=False, on_page=None, **kwargs):
    """Every object of a list call, page after page."""
    global requests
    out = []
    while True:
        data, resp, err = await method(*args, **kwargs)
        requests += 1
        if err is not None:
            raise Failure(f"{method.__name__}{args} {kwargs}", err)
        out.extend((getattr(data, items, None) if items else data) or [])
        if on_page:
            on_page(resp)
        cursor = next_cursor(resp, data)
        if not cursor:
            return out
        if single_page:
            raise Failure(f"{method.__name__}{args}: a next page, but the SDK method takes no `after`")
        kwargs["after"] = cursor


async def client_roles(client, client_id):
    """okta 3.4.6's list_roles_for_client cannot parse any role ("Multiple matches found": its
    ListRolesForClient200ResponseInner has no discriminator and every role is both a StandardRole
    and a CustomRole).  Fetch through the SDK's request executor (same auth and retries) and
    parse with the discriminated model the SDK uses for user and group roles."""
    global requests
    if "client_roles" not in workarounds:
        try:
            return await fetch_all(client.list_roles_for_client, client_id, single_page=True)
        except ValueError as e:
            if "Multiple matches found" not in str(e):
                raise
            requests += 1  # the request was made; parsing its answer failed
            workarounds["client_roles"] = ("list_roles_for_client cannot parse roles (Multiple matches "
                                           "found); parsed with ListGroupAssignedRoles200ResponseInner")
    return await executor_pages(client, f"/oauth2/v1/clients/{client_id}/roles",
                                ListGroupAssignedRoles200ResponseInner, "client roles")


async def executor_pages(client, path, model, what):
    """Every object of a listing the SDK's typed method cannot page, fetched through the SDK's
    request executor (same auth and retries) following `rel="next"`, each parsed into `model`."""
    global requests
    executor = client._request_executor
    out = []
    while path:
        req, err = await executor.create_request("GET", path, headers={"Accept": "application/json"})
        if err is None:
            resp, body, err = await executor.execute(req)
            requests += 1
        if err is not None:
            raise Failure(f"{what} {path}", err)
        out.extend(model.from_dict(item) for item in json.loads(body))
        path = None
        for link in resp.headers.getall("Link", []):
            if 'rel="next"' in link:
                url = urlparse(link[link.index("<") + 1:link.index(">")])
                path = f"{url.path}?{url.query}"
    return out


async def api_tokens(client):
    """okta 3.4.6's list_api_tokens takes no `after` (nor `limit`): past its first page an SDK user
    must page by hand.  The first page comes through the typed method; the rest, if any, through
    the request executor, parsed with the SDK's ApiToken model."""
    try:
        return await fetch_all(client.list_api_tokens, single_page=True)
    except Failure as e:
        if "takes no `after`" not in str(e):
            raise
    workarounds["api_tokens"] = ("list_api_tokens cannot read past its first page (no `after`); "
                                 "paged through the request executor and parsed with ApiToken")
    return await executor_pages(client, "/api/v1/api-tokens?limit=200", ApiToken, "API tokens")


async def inventory():
    config = {"orgUrl": os.environ["OKTA_ORG_URL"].rstrip("/"), "token": os.environ["OKTA_API_TOKEN"]}
    start = time.perf_counter()
    async with Client(config) as client:
        counts["users"] = len(await fetch_all(client.list_users, limit=200))
        counts["deprovisioned_users"] = len(
            await fetch_all(client.list_users, filter='status eq "DEPROVISIONED"', limit=200))

        # The SDK models the spec's typo `hasAdminPrivlege`; the `hasAdminPrivilege` Okta sends is
        # dropped by the model, so it is read from the raw page bodies the SDK keeps.
        admin_ids = set()

        def admin_groups(resp):
            for g in json.loads(resp.raw_data):
                if g.get("_embedded", {}).get("stats", {}).get("hasAdminPrivilege"):
                    admin_ids.add(g["id"])

        groups = await fetch_all(client.list_groups, expand="stats", limit=10000, on_page=admin_groups)
        counts["groups"] = len(groups)
        owners_enabled = True
        for g in groups:
            counts["group_members"] += len(await fetch_all(client.list_group_users, g.id, limit=1000))
            if owners_enabled:
                try:
                    counts["group_owners"] += len(await fetch_all(client.list_group_owners, g.id, limit=1000))
                except Failure as e:
                    if g is not groups[0] or getattr(e.err, "error_code", None) != "E0000015":
                        raise
                    owners_enabled = False
                    skipped["group_owners"] = str(e)
                    print(f"group owners skipped: {e}", file=sys.stderr)
            stats = getattr(g.embedded, "stats", None) if g.embedded else None
            if getattr(stats, "has_admin_privlege", None) or g.id in admin_ids:
                counts["group_roles"] += len(
                    await fetch_all(client.list_group_assigned_roles, g.id, single_page=True))
        if admin_ids:
            workarounds["group_stats"] = ("GroupEmbeddedStats models `hasAdminPrivlege` (sic) and drops "
                                          "`hasAdminPrivilege`; read from ApiResponse.raw_data")

        apps = await fetch_all(client.list_applications, limit=200)
        counts["apps"] = len(apps)
        service_clients = []
        for a in apps:
            counts["app_users"] += len(await fetch_all(client.list_application_users, a.id, limit=500))
            counts["app_groups"] += len(
                await fetch_all(client.list_application_group_assignments, a.id, limit=200))
            oauth = getattr(getattr(a, "settings", None), "oauth_client", None)
            if value(getattr(oauth, "application_type", None)) == "service":
                service_clients.append(a.credentials.oauth_client.client_id)

        holders = await fetch_all(client.list_users_with_role_assignments, items="value", limit=100)
        counts["role_holders"] = len(holders)
        for u in holders:
            roles = await fetch_all(client.list_assigned_roles_for_user, u.id, single_page=True)
            counts["user_roles"] += sum(value(getattr(r.actual_instance, "assignment_type", None)) == "USER"
                                        for r in roles)
        for client_id in service_clients:
            counts["client_roles"] += len(await client_roles(client, client_id))

        counts["custom_roles"] = len(await fetch_all(client.list_roles, items="roles"))
        resource_sets = await fetch_all(client.list_resource_sets, items="resource_sets")
        counts["resource_sets"] = len(resource_sets)
        for rs in resource_sets:
            counts["resource_set_resources"] += len(
                await fetch_all(client.list_resource_set_resources, rs.id, items="resources", limit=100))

        counts["api_tokens"] = len(await api_tokens(client))
    return time.perf_counter() - start


def main():
    try:
        wall = asyncio.run(inventory())
    except Exception as e:  # an HTTP error, a model that does not validate, a paging anomaly
        print(f"FAIL (okta-sdk-python inventory): {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"sdk": "okta-sdk-python", "version": importlib.metadata.version("okta"),
                      "counts": counts, "objects": sum(counts.values()), "requests": requests,
                      "wall_seconds": round(wall, 3), "sdk_workarounds": workarounds,
                      "skipped": skipped}))


if __name__ == "__main__":
    main()
