"""Escalation end to end with a real SMTP server (Python's aiosmtpd) and a webhook receiver: a
critical alert reaches the primary, then the secondary, then the whole team, each at its time;
`kill -9` of the server between steps resumes at the right step without repeating a message;
a resolved alert ends its escalation; an acknowledgement by the e-mail's link stops it, and
once it runs out the primary is called again."""
import email
import html
import email.policy
import re
import signal
import subprocess
import time

import requests
from aiosmtpd.controller import Controller

from conftest import ADMIN, ADMIN_TOKEN, BINARY, Server, WebhookReceiver, free_port, monitoring_config, wait_until
from test_alerting import Exporter

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: infra}
spec: {type: team, children: []}
""" + "".join(f"""---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {{name: {name}}}
spec: {{memberOf: [infra], profile: {{email: {name}@example.org}}}}
""" for name in ["ana", "bob", "cy"])

WAIT = 8


class Mailbox:
    """A real SMTP server: every message with the moment it arrived."""

    def __init__(self):
        self.messages = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append((time.time(), envelope.rcpt_tos[0], envelope.content.decode()))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, person):
        return [m for m in self.messages if m[1] == f"{person}@example.org"]


def test_escalation_steps_survive_kill_9_and_stop_when_acknowledged(workdir):
    mailbox = Mailbox()
    hook = WebhookReceiver()
    exporter = Exporter(series='demo_queue_depth{queue="orders"}', value=1)
    config = monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{exporter.port}']\n    interval: 1s\n    timeout: 900ms\n",
        rules="rules:\n  - alert: QueueDeep\n    service: orders\n    series: demo_queue_depth\n    above: {critical: 10}\n",
        notifications=f"receivers:\n  - name: ops\n    webhook: {hook.url}\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "people.yaml").write_text(CATALOG)
    (config / "oncall").mkdir()
    (config / "oncall" / "infra.yaml").write_text(f"""
email: {{relay: "smtp://127.0.0.1:{mailbox.port}", from: almanac@example.org}}
rotations:
  - name: infra
    team: infra
    layers: [{{name: primary, people: [ana]}}, {{name: secondary, people: [bob]}}]
escalations:
  - name: pages
    match: '{{severity="critical"}}'
    rotation: infra
    steps: [{{notify: primary, wait: {WAIT}s}}, {{notify: secondary, wait: {WAIT}s}}, {{notify: team, wait: {WAIT}s}}]
    acknowledgement_lasts: 12s
    receivers: [ops]
""")
    server = Server(config, workdir / "data", args=["--rule-interval", "1", "--notification-backoff", "1", "--lease", "1"]).start()
    try:
        time.sleep(2)
        exporter.value = 50
        assert wait_until(lambda: mailbox.to("ana"), 15), "the primary is e-mailed"
        first = mailbox.to("ana")[0][0]
        assert not mailbox.to("bob")
        time.sleep(2)
        server.stop(signal.SIGKILL)  # between the first and the second step
        server.start()
        assert wait_until(lambda: mailbox.to("bob"), WAIT + 10), server.log.read_text()[-3000:]
        second = mailbox.to("bob")[0][0]
        assert wait_until(lambda: mailbox.to("cy"), WAIT + 10), "then the whole team"
        third = mailbox.to("cy")[0][0]
        time.sleep(3)
        assert WAIT - 2 <= second - first <= WAIT + 4 and WAIT - 2 <= third - second <= WAIT + 3, (first, second, third)
        assert (len(mailbox.to("ana")), len(mailbox.to("bob")), len(mailbox.to("cy"))) == (2, 2, 1), \
            "each step once, across the restart: " + str([(m[1], m[0] - first) for m in mailbox.messages])
        steps = [b for b in hook.bodies if "escalation" in b]
        assert [(b["step"], b["target"], b["people"]) for b in steps] == [
            (0, "primary", ["ana"]), (1, "secondary", ["bob"]), (2, "team", ["ana", "bob", "cy"])], steps

        # A resolved alert ends its escalation.
        exporter.value = 1
        assert wait_until(lambda: all(not e["active"] for e in escalations(server)), 10), escalations(server)

        # Again: acknowledged by the link in the e-mail, nobody else is called until it runs out.
        before = len(mailbox.messages)
        exporter.value = 50
        assert wait_until(lambda: len(mailbox.messages) > before, 15)
        # The e-mail is multipart: text, and HTML whose button is the acknowledgement link.
        mail = email.message_from_string(mailbox.messages[-1][2], policy=email.policy.default)
        assert mail.get_content_type() == "multipart/alternative", mail.get_content_type()
        parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}, set(parts)
        link = re.search(r'<a href="(http://[^"]+/ack/[^"]+)"[^>]*>Acknowledge</a>', parts["text/html"]).group(1)
        assert link in parts["text/plain"], "the text part carries the same link"
        # The person on call sees the paging on /oncall with a button.
        running = escalations(server)[0]
        oncall = requests.get(server.url + "/oncall", headers=ADMIN, timeout=10).text
        assert f'action="/oncall/escalations/{running["id"]}/ack"' in oncall, oncall
        path = link.split("/ack/", 1)[1]
        page = requests.get(f"{server.url}/ack/{path}", timeout=10)
        assert page.status_code == 200 and 'id="acknowledge"' in page.text, page.text
        assert escalations(server)[0].get("acknowledged_by") is None, "opening the link does not acknowledge"
        done = requests.post(f"{server.url}/ack/{path}", timeout=10)
        acknowledged = time.time()
        assert done.status_code == 200 and 'id="done"' in done.text, done.text
        assert escalations(server)[0]["acknowledged_by"] == "someone with the notification's link"
        time.sleep(WAIT + 2)
        assert len(mailbox.messages) == before + 1, "nobody else while acknowledged"
        assert wait_until(lambda: len(mailbox.messages) > before + 1, 12 + 5), "an acknowledgement that ran out calls again"
        again = mailbox.messages[before + 1]
        assert again[1] == "ana@example.org" and again[0] - acknowledged >= 11.5, (again[0] - acknowledged, again[1])
        # The Acknowledge button on the alerts page stops the paging as well.
        alerts_page = requests.get(server.url + "/alerts", headers=ADMIN, timeout=10).text
        form = re.search(r'name="rule" value="([^"]+)"><input type="hidden" name="labels" value="([^"]+)"', alerts_page)
        pressed_alert = requests.post(server.url + "/alerts/ack", headers=ADMIN, allow_redirects=False, timeout=10,
                                      data={"rule": html.unescape(form.group(1)), "labels": html.unescape(form.group(2)), "comment": "on it"})
        assert pressed_alert.status_code in (200, 303), pressed_alert.text
        assert wait_until(lambda: escalations(server)[0].get("acknowledged_by") not in (None, "someone with the notification's link"), 5), \
            escalations(server)[0]
        # An operator acknowledges from the command line.
        running = escalations(server)[0]
        cli = subprocess.run([str(BINARY), "oncall", "ack", running["id"], "--server", server.url, "--token", ADMIN_TOKEN],
                             capture_output=True, text=True)
        assert cli.returncode == 0, cli.stderr
        assert escalations(server)[0]["acknowledged_by"] not in (None, "someone with the notification's link"), escalations(server)[0]
        # The button on /oncall acknowledges as the signed-in operator, and goes back to the page.
        pressed = requests.post(f"{server.url}/oncall/escalations/{running['id']}/ack", headers=ADMIN, allow_redirects=False, timeout=10)
        assert pressed.status_code == 303 and pressed.headers["Location"] == "/oncall", (pressed.status_code, pressed.text)
        viewer = requests.post(f"{server.url}/oncall/escalations/{running['id']}/ack", allow_redirects=False, timeout=10)
        assert viewer.status_code in (302, 303, 401, 403) and viewer.headers.get("Location") != "/oncall", "anonymous callers cannot"

        # The load on people: cy was paged once (the team step), ana for every primary step and the team.
        page = requests.get(server.url + "/oncall", headers=ADMIN, timeout=10).text
        assert "<tr><td>cy</td><td>1</td><td>" in page, page
        ana_pages = len(mailbox.to("ana"))
        assert f"<tr><td>ana</td><td>{ana_pages}</td><td>" in page, (ana_pages, page)
        print(f"\nsteps {second - first:.1f} s and {third - second:.1f} s apart across a kill -9; re-called "
              f"{again[0] - acknowledged:.1f} s after an acknowledgement of 12 s")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
        mailbox.controller.stop()


def escalations(server):
    return requests.get(server.url + "/api/v1/escalations", headers=ADMIN, timeout=10).json()["escalations"]
