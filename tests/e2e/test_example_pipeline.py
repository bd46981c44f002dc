"""The example's pipeline on a first start: the setup command creates the application's git
repository and starts production's local hosts (one a release behind, so drift shows at once);
staging, which needs no QA, has a deployable revision; a rollout pressed on its page runs in
waves on the local hosts until each answers with the new revision; production needs QA first.
The hosts end with the server, and a second start brings them back."""
import shutil
import socket
import subprocess

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, EXAMPLE, Server
from test_bad_monitoring_input import wait_until
from test_pages_chromium import browser, click_and_wait, refresh_until, sign_in  # noqa: F401  (the fixture)


PORTS = [18401, 18402, 18411, 18412, 18413, 18414]


def port_answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def test_the_example_pipeline_rolls_out_on_local_hosts(browser, workdir):  # noqa: F811
    # Hosts of an earlier test's copy leave within a second of its folder's removal.
    wait_until(lambda: not any(port_answers(port) for port in PORTS), 5)
    busy = [port for port in PORTS if port_answers(port)]
    assert not busy, f"ports {busy} already answer: another copy of the example runs its hosts (stop it and remove its .example-hosts)"
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*"))
    server = Server(config, workdir / "data", args=["--drift-interval", "1"]).start()
    try:
        head = subprocess.run(["git", "-C", str(config / ".example-app"), "rev-parse", "main"], capture_output=True, text=True, check=True).stdout.strip()
        assert requests.get("http://127.0.0.1:18411/health", timeout=5).headers["X-Revision"] != head
        drifting = '<tr class="drifting"><td>production</td><td>127.0.0.1:18414</td>'
        assert wait_until(lambda: drifting in requests.get(server.url + "/drift", headers=ADMIN).text), "the host a release behind drifts"

        sign_in(browser, server.url)
        browser.get(server.url + "/pipeline/production")
        assert browser.find_element(By.ID, "deployable").text == "Nothing new is deployable.", "production needs QA"
        browser.get(server.url + "/pipeline/staging")
        assert head[:10] in browser.find_element(By.ID, "deployable").text
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#roll-out button"))
        assert browser.current_url.startswith(server.url + "/rollouts/staging-")
        assert refresh_until(browser, "phase", "succeeded") == "succeeded", browser.find_element(By.ID, "steps").text
        for port in (18401, 18402):
            assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).headers["X-Revision"] == head
        browser.get(server.url + "/pipeline/staging")
        assert browser.find_element(By.ID, "running").text == head[:10]

        # The hosts end with the server that started them: nothing of the example is left.
        server.stop()
        assert wait_until(lambda: not any(port_answers(port) for port in PORTS), 5), "the example's hosts outlived the server"
        left = subprocess.run(["pgrep", "-f", f"app.py .* {config / '.example-hosts'}"], capture_output=True, text=True).stdout
        assert not left, f"processes of the example still run: {left}"

        # A second start brings them back at the revisions they last ran, and production's
        # page says what each host runs.
        server = Server(config, workdir / "data", args=["--drift-interval", "1"]).start()
        assert requests.get("http://127.0.0.1:18401/health", timeout=5).headers["X-Revision"] == head
        hosts = lambda: requests.get(server.url + "/pipeline/production", headers=ADMIN).text  # noqa: E731
        assert wait_until(lambda: "not answering" not in hosts() and '<table id="hosts">' in hosts()), hosts()
        second = subprocess.run(["git", "-C", str(config / ".example-app"), "rev-list", "--reverse", "main"],
                                capture_output=True, text=True, check=True).stdout.split()[1]
        assert f"<td>127.0.0.1:18411</td><td><code>{second[:10]}</code>" in hosts()
    finally:
        server.stop()
        # The hosts leave once the example's state folder is gone.
        shutil.rmtree(config / ".example-hosts", ignore_errors=True)
