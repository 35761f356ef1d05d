"""Kamailio with digest auth (users alice/bob/carol), for registration tests."""

from __future__ import annotations

from pathlib import Path

from tests.lab.peers import Kamailio

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
