"""A catalogue laid out as a Backstage repository, end to end: `almanac catalog check` and the
server find its entities through a root Location, nested locations with globs and `$text`
definitions (OpenAPI, AsyncAPI, GraphQL); a plugin's kind and an API served by a remote have
their pages; a location cycle is reported while the last good catalogue keeps serving."""
import json
import subprocess

import requests

from conftest import ADMIN, BINARY, Server
from test_bad_monitoring_input import wait_until

ENTITY = "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {spec}\n"

FILES = {
    "flags/none.yaml": "flags: {}\n",
    "catalog/catalog-info.yaml": ENTITY.format(
        kind="Location", name="root", ns="default",
        spec="{targets: [./org.yaml, ../services/*/catalog-info.yaml, ../apis/**/*.catalog-info.yaml]}"),
    "catalog/org.yaml": ENTITY.format(kind="Group", name="search-team", ns="default", spec="{type: team, children: [], members: [ana]}")
    + "---\n" + ENTITY.format(kind="User", name="ana", ns="default", spec="{memberOf: [search-team]}"),
    "services/search/catalog-info.yaml": ENTITY.format(
        kind="Component", name="search", ns="off",
        spec="{type: service, lifecycle: production, owner: group:default/search-team, providesApis: [search-api, events, schema],"
             " consumesApis: [assistant], dependsOn: [mcp:tools/indexer]}")
    + "---\n" + ENTITY.format(kind="Location", name="extras", ns="off", spec="{targets: [./extras/*.yaml]}"),
    "services/search/extras/indexer.yaml": "apiVersion: example.org/v1alpha1\nkind: MCP\n"
    "metadata: {name: indexer, namespace: tools, annotations: {example.org/transport: stdio}}\n"
    "spec: {owner: group:default/search-team, transport: stdio}\n",
    "services/search/openapi.yaml": "openapi: 3.1.0\ninfo: {title: Search, version: '2'}\npaths:\n  /cgi/search.pl: {get: {responses: {'200': {description: results}}}}\n",
    "apis/search/search.catalog-info.yaml": "\n---\n".join([
        ENTITY.format(kind="API", name="search-api", ns="off", spec="{type: openapi, lifecycle: production, owner: group:default/search-team,"
                      " definition: {$text: ../../services/search/openapi.yaml}}"),
        ENTITY.format(kind="API", name="events", ns="off", spec="{type: asyncapi, lifecycle: beta, owner: group:default/search-team,"
                      " definition: {$text: ./events.yaml}}"),
        ENTITY.format(kind="API", name="schema", ns="off", spec="{type: graphql, lifecycle: beta, owner: group:default/search-team,"
                      " definition: {$text: ./schema.graphql}}"),
        ENTITY.format(kind="API", name="assistant", ns="off", spec="{type: mcp-server, lifecycle: experimental, owner: group:default/search-team,"
                      " remotes: [{url: 'https://mcp.example.org/mcp', type: streamable-http}]}"),
    ]),
    "apis/search/events.yaml": "asyncapi: 3.0.0\ninfo: {title: Product events, version: '1'}\nchannels: {}\n",
    "apis/search/schema.graphql": "type Query {\n  product(code: String!): Product\n}\n",
}


def write(root, files):
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def test_a_backstage_repository_loads_and_shows_every_kind(workdir):
    config = workdir / "config"
    write(config, FILES)
    check = subprocess.run([str(BINARY), "catalog", "check", "--config", str(config), "--format", "json"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    counts = {k["kind"]: k["count"] for k in report["kinds"]}
    assert counts == {"API": 4, "Component": 1, "Group": 1, "Location": 2, "MCP": 1, "User": 1}
    assert len(report["warnings"]) == 1 and "'MCP' is not one of Backstage's core kinds" in report["warnings"][0]

    server = Server(config, workdir / "data", args=["--reload-interval", "0.5"]).start()
    try:
        listing = requests.get(server.url + "/catalog", headers=ADMIN).text
        assert 'href="/catalog/mcp/tools/indexer"' in listing and 'href="/catalog/api/off/assistant"' in listing
        indexer = requests.get(server.url + "/catalog/mcp/tools/indexer", headers=ADMIN)
        assert indexer.status_code == 200
        assert 'id="plugin-kind"' in indexer.text and "example.org/transport" in indexer.text
        assert 'href="/catalog/component/off/search"' in indexer.text, "the component that depends on it is listed"
        api = requests.get(server.url + "/catalog/api/off/search-api", headers=ADMIN).text
        assert "/cgi/search.pl" in api, "the $text definition is on the API's page"
        assert "https://mcp.example.org/mcp" in requests.get(server.url + "/catalog/api/off/assistant", headers=ADMIN).text

        write(config, {"services/search/extras/loop.yaml": ENTITY.format(kind="Location", name="loop", ns="off", spec="{target: ../catalog-info.yaml}")})
        assert wait_until(lambda: 'id="reload-error"' in requests.get(server.url + "/catalog", headers=ADMIN).text)
        page = requests.get(server.url + "/catalog", headers=ADMIN).text
        assert "location cycle: services/search/catalog-info.yaml → services/search/extras/loop.yaml → services/search/catalog-info.yaml" in page
        assert requests.get(server.url + "/catalog/mcp/tools/indexer", headers=ADMIN).status_code == 200, "the last good catalogue keeps serving"
    finally:
        server.stop()
