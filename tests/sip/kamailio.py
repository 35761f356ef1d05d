"""Kamailio with digest auth (users alice/bob/carol), for registration tests."""

from __future__ import annotations

from pathlib import Path

from tests.lab.peers import Kamailio, free_udp_port
from tests.sip.tls_certs import TlsFiles

AUTH_CFG = Path(__file__).with_name("kamailio-auth.cfg")
USERS = {"alice": "alicepw", "bob": "bobpw", "carol": "carolpw"}


class AuthKamailio(Kamailio):
    """tests.lab.peers.Kamailio (UDP, free port) running the auth config."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(AUTH_CFG, workdir)

    @property
    def uri(self) -> str:
        return f"sip:127.0.0.1:{self.port}"

    def registrations(self) -> list[str]:
        return [ln for ln in self.log().splitlines() if "REGISTER from=" in ln]


class TlsAuthKamailio(AuthKamailio):
    """The same registrar, also listening on TLS (1.2+) with ``files``' server certificate."""

    def __init__(self, workdir: Path, files: TlsFiles) -> None:
        self.tls_port = free_udp_port()  # a free number; TCP on loopback is as free
        tls_cfg = workdir / "kamailio-tls.cfg"
        tls_cfg.write_text(
            "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
            f"require_certificate = no\nprivate_key = {files.key}\ncertificate = {files.cert}\n"
            "[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
            "require_certificate = no\n"
        )
        Kamailio.__init__(
            self,
            AUTH_CFG,
            workdir,
            defines={"WITH_TLS": "", "TLS_CFG": f'"{tls_cfg}"'},
            listen=(f"tls:127.0.0.1:{self.tls_port}",),
        )

    @property
    def tls_uri(self) -> str:
        return f"sip:127.0.0.1:{self.tls_port};transport=tls"
