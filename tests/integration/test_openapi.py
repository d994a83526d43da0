"""api/openapi.yaml stays in step with the route tables: every route is documented and
every documented path is served."""
import os
import re

import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
ROUTE = re.compile(r'\{\s*"(GET|HEAD|POST|PUT|DELETE)",\s*"([^"]+)"')


def served():
    routes = set()
    for table, prefix in (("compat.c", ""), ("libpod.c", "/libpod")):
        with open(os.path.join(ROOT, "server", "routes", table)) as f:
            for method, pattern in ROUTE.findall(f.read()):
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
