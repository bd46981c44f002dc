"""The OpenAPI document: the server serves the repository's copy, it validates as OpenAPI 3.1
(openapi-spec-validator), and schemathesis, run against a live server on the bundled example,
anonymous (with made-up credentials, which end in 429) and signed in, finds no answer that breaks the document and no 5xx on any route."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests
from openapi_spec_validator import validate

from conftest import ADMIN, ADMIN_TOKEN, CLIENT_KEY, EXAMPLE, Server

DOCUMENT = Path(__file__).resolve().parents[2] / "Sources/AlmanacServer/Resources/openapi.json"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def schemathesis(server, *headers):
    arguments = [str(Path(sys.executable).parent / "schemathesis"), "run", str(DOCUMENT), "--url", server.url, "--checks", CHECKS,
                 "--max-examples", "12", "--generation-deterministic", "--request-timeout", "20"]
    for header in headers:
        arguments += ["--header", header]
    return subprocess.run(arguments, capture_output=True, text=True, timeout=900)


def test_the_document_is_served_validates_and_holds_against_the_server(workdir):
    document = json.loads(DOCUMENT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")

    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*"))
    server = Server(config, workdir / "data").start()
    try:
        served = requests.get(server.url + "/api/openapi.json", timeout=10, headers=ADMIN)
        assert served.status_code == 200 and served.headers["content-type"] == "application/json"
        assert served.json() == document, "the server serves the repository's document"

        anonymous = schemathesis(server)
        assert anonymous.returncode == 0, anonymous.stdout[-6000:]
        # The anonymous pass sends made-up credentials, which throttle this address: a restart forgets them.
        server.stop()
        server.start()
        signed_in = schemathesis(server, f"Authorization: Bearer {ADMIN_TOKEN}", f"X-API-Key: {CLIENT_KEY}")
        assert signed_in.returncode == 0, signed_in.stdout[-6000:]
        operations = sum(len(methods) for methods in document["paths"].values())
        assert operations >= 35
        assert re.search(rf"Tested:\s+{operations}\b", signed_in.stdout), "every operation of the document was tried"
    finally:
        server.stop()
        shutil.rmtree(config / ".example-hosts", ignore_errors=True)
