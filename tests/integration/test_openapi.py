"""api/openapi.yaml stays in step with the route tables: every route is documented and
every documented path is served."""
import os
import re

import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
ROUTE = re.compile(r'\{\s*"(GET|HEAD|POST|PUT|DELETE)",\s*"([^"]+)"')


SHARED = re.compile(r"#define (ROUTES_\w+) \\\n((?:.*\\\n)*.*)")


def shared_routes():
    """routes.h's ROUTES_* macros (the routes both tables share), by name."""
    with open(os.path.join(ROOT, "server", "routes", "routes.h")) as f:
        return dict(SHARED.findall(f.read()))


def served():
    routes, shared = set(), shared_routes()
    assert shared, "no ROUTES_* macros found in routes.h"
    for table, prefix in (("compat.c", ""), ("libpod.c", "/libpod")):
        with open(os.path.join(ROOT, "server", "routes", table)) as f:
            text = f.read()
        for name, body in shared.items():
            text = text.replace(name, body)
        for method, pattern in ROUTE.findall(text):
            routes.add((method.lower(), prefix + pattern.replace("*}", "}")))
    return routes


def documented():
    with open(os.path.join(ROOT, "api", "openapi.yaml")) as f:
        spec = yaml.safe_load(f)
    return {(method, path) for path, ops in spec["paths"].items() for method in ops
            if method in ("get", "head", "post", "put", "delete")}


def test_every_route_is_documented():
    missing = served() - documented()
    assert not missing, f"routes missing from api/openapi.yaml: {sorted(missing)}"


def test_every_documented_route_is_served():
    extra = documented() - served()
    assert not extra, f"api/openapi.yaml documents routes berthd does not serve: {sorted(extra)}"
