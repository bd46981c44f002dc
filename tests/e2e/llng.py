"""LemonLDAP::NG (Debian's package) as the OpenID provider of the end-to-end sign-in tests:
its portal runs under Starman (a preforking PSGI server: a single-process one stalls behind
the idle connections a browser opens ahead of time) with a configuration made here, the Demo user backend (dwho,
rtyler, msmith, each with the password of the same name) and one relying party, Almanac."""
import json
import os
import subprocess
import time
from pathlib import Path

import requests

SHIPPED = Path("/var/lib/lemonldap-ng/conf/lmConf-1.json")
PSGI = "/usr/share/lemonldap-ng/portal/htdocs/index.psgi"


class LemonLDAP:
    def __init__(self, workdir, port, redirect_uri, post_logout_uri, client_secret, groups):
        self.dir = Path(workdir) / "llng"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.redirect_uri, self.post_logout_uri = redirect_uri, post_logout_uri
        self.client_secret, self.groups = client_secret, groups
        self.process = None

    def configure(self):
        for sub in ["conf", "sessions/lock", "psessions/lock", "cache", "oidc/lock"]:
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        key = self.dir / "oidc.key"
        subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
        public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout"], check=True, capture_output=True, text=True).stdout
        conf = json.loads(SHIPPED.read_text())
        storage = lambda name: {"Directory": str(self.dir / name), "LockDirectory": str(self.dir / name / "lock")}
        conf.update({
            "cfgNum": 1, "portal": self.url + "/", "domain": "127.0.0.1", "securedCookie": 0,
            "globalStorageOptions": {**storage("sessions"), "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256"},
            "persistentStorageOptions": storage("psessions"),
            "localSessionStorageOptions": {"cache_root": str(self.dir / "cache"), "namespace": "llng-sessions", "default_expires_in": 600},
            "oidcStorage": "Apache::Session::File", "oidcStorageOptions": storage("oidc"),
            "groups": self.groups,
            "issuerDBOpenIDConnectActivation": 1,
            "oidcServiceMetaDataIssuer": self.url,
            "oidcServicePrivateKeySig": key.read_text(), "oidcServicePublicKeySig": public, "oidcServiceKeyIdSig": "llng-1",
            "oidcRPMetaDataOptions": {"almanac": {
                "oidcRPMetaDataOptionsClientID": "almanac", "oidcRPMetaDataOptionsClientSecret": self.client_secret,
                "oidcRPMetaDataOptionsRedirectUris": self.redirect_uri,
                "oidcRPMetaDataOptionsPostLogoutRedirectUris": self.post_logout_uri,
                "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256", "oidcRPMetaDataOptionsIDTokenForceClaims": 1,
                "oidcRPMetaDataOptionsBypassConsent": 1, "oidcRPMetaDataOptionsRequirePKCE": 1,
            }},
            "oidcRPMetaDataExportedVars": {"almanac": {
                "name": "cn", "email": "mail", "preferred_username": "uid", "groups": "groups;string;always",
            }},
            "oidcRPMetaDataOptionsExtraClaims": {"almanac": {"profile": "name preferred_username groups"}},
        })
        (self.dir / "conf" / "lmConf-1.json").write_text(json.dumps(conf, indent=1))
        (self.dir / "lemonldap-ng.ini").write_text(
            "[all]\nlogLevel = warn\n[configuration]\ntype = File\n"
            f"dirName = {self.dir / 'conf'}\n"
            "[portal]\nstaticPrefix = /static\ntemplateDir = /usr/share/lemonldap-ng/portal/templates\nlanguages = en\n")

    def start(self):
        self.configure()
        env = dict(os.environ, LLNG_DEFAULTCONFFILE=str(self.dir / "lemonldap-ng.ini"))
        self.log = open(self.dir / "portal.log", "ab")
        self.process = subprocess.Popen(
            ["starman", "--workers", "2", "--listen", f"127.0.0.1:{self.port}", PSGI],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/.well-known/openid-configuration", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("LemonLDAP::NG did not start:\n" + (self.dir / "portal.log").read_text())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
