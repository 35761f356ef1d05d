"""A small synchronous client for the control API (stdlib only), for scripts and tests.

client = ControlClient.for_profile("a")
call = client.call("sip:echo@127.0.0.1")
client.wait_for("call.connected")
client.dtmf("1234#")
client.hangup()
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from softphone.settings import profile_paths

ENDPOINT_FILE = "control.json"


class ControlClientError(RuntimeError):
    """The API answered with an error (``status``, ``code``) or could not be reached."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def endpoint_file(profile: str, root: Path | None = None) -> Path:
    """Where a running Softphone with this profile writes its API address and token."""
    return profile_paths(profile, root=root).data_dir / ENDPOINT_FILE


def write_endpoint(path: Path, url: str, token: str) -> None:
    """Write the address and token readable by this user only: a new 0600 file (never a
    planted symlink) renamed over any old one, so an old file's mode is not kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"url": url, "token": token, "pid": os.getpid()}, f)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def remove_endpoint(path: Path) -> None:
    """Remove the endpoint file at exit, only when this process wrote it."""
    try:
        owner = json.loads(path.read_text()).get("pid")
    except (OSError, ValueError, AttributeError):
        return
    if owner == os.getpid():
        with contextlib.suppress(OSError):
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: it exists
        return True
    return True


@dataclass
class ControlClient:
    """Talks to one running phone."""

    url: str
    token: str
    timeout: float = 30.0

    @classmethod
    def for_profile(cls, profile: str = "default", root: Path | None = None) -> ControlClient:
        """The client of the phone running with ``--profile profile``."""
        path = endpoint_file(profile, root)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ControlClientError(
                0, "not_running", f"no Softphone with profile '{profile}' is running ({path})"
            ) from None
        except (OSError, ValueError) as exc:
            raise ControlClientError(0, "not_running", f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict) or "url" not in data or "token" not in data:
            raise ControlClientError(0, "not_running", f"{path} is not an endpoint file")
        pid = data.get("pid")
        if isinstance(pid, int) and pid > 0 and not _alive(pid):
            raise ControlClientError(
                0,
                "not_running",
                f"no Softphone with profile '{profile}' is running "
                f"(pid {pid} of {path} has exited)",
            )
        return cls(str(data["url"]), str(data["token"]))

    def request(self, command: str, **params: Any) -> Any:
        """POST one command; return its ``result`` or raise :class:`ControlClientError`."""
        body = json.dumps({k: v for k, v in params.items() if v is not None}).encode()
        req = urllib.request.Request(
            f"{self.url}/v1/{command}",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        wait = params.get("timeout")  # the phone checks it; here only a sane socket timeout
        if not (isinstance(wait, (int, float)) and math.isfinite(wait) and 0 < wait <= 3600):
            wait = 0
        try:
            with urllib.request.urlopen(req, timeout=self.timeout + wait) as resp:
                return json.loads(resp.read())["result"]
        except urllib.error.HTTPError as exc:
            try:
                err = json.loads(exc.read())["error"]
            except (ValueError, KeyError, TypeError):
                err = {"code": "http_error", "message": str(exc)}
            raise ControlClientError(exc.code, err["code"], err["message"]) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise ControlClientError(0, "unreachable", f"{self.url}: {exc}") from None

    def state(self) -> Any:
        return self.request("state")

    def call(self, to: str, account: str | None = None) -> Any:
        return self.request("call", to=to, account=account)

    def answer(self, call: str | None = None) -> Any:
        return self.request("answer", call=call)

    def decline(self, call: str | None = None) -> Any:
        return self.request("decline", call=call)

    def hangup(self, call: str | None = None) -> Any:
        return self.request("hangup", call=call)

    def hold(self, on: bool = True, call: str | None = None) -> Any:
        return self.request("hold", on=on, call=call)

    def mute(self, on: bool = True, call: str | None = None) -> Any:
        return self.request("mute", on=on, call=call)

    def dtmf(self, digits: str, call: str | None = None, method: str | None = None) -> Any:
        return self.request("dtmf", digits=digits, call=call, method=method)

    def wait_for(self, event: str, timeout: float = 10.0) -> Any:
        return self.request("wait-for", event=event, timeout=timeout)

    def push(
        self,
        preset: str | None = None,
        caller: str | None = None,
        payload: dict[str, Any] | None = None,
        call: bool = True,
    ) -> Any:
        """A VoIP push; ``call=False``: without the simulated caller's INVITE after it."""
        return self.request("push", preset=preset, caller=caller, payload=payload, call=call)

    def transfer(
        self, to: str | None = None, replaces: str | None = None, call: str | None = None
    ) -> Any:
        """Blind (``to``) or attended (``replaces``: our other call) transfer."""
        return self.request("transfer", to=to, replaces=replaces, call=call)

    def lock(self, on: bool = True) -> Any:
        return self.request("lock", on=on)

    def dnd(self, on: bool = True) -> Any:
        return self.request("dnd", on=on)

    def inject(self, fault: str, **options: Any) -> Any:
        return self.request("inject", fault=fault, options=options or None)

    def export(self, path: str | os.PathLike[str], format: str | None = None) -> Any:
        """Write the session report; a relative ``path`` is relative to this process."""
        return self.request("export", path=os.path.abspath(path), format=format)

    def hold_and_accept(self, call: str | None = None) -> Any:
        """Call waiting: hold the active call(s) and answer the ringing (or given) one."""
        return self.request("hold-and-accept", call=call)

    def end_and_accept(self, call: str | None = None, held: bool = False) -> Any:
        """Call waiting: end the active (``held``: the held) call(s) and answer."""
        return self.request("end-and-accept", call=call, held=held or None)

    def swap(self) -> Any:
        return self.request("swap")

    def merge(self) -> Any:
        return self.request("merge")

    def unmerge(self, call: str) -> Any:
        return self.request("unmerge", call=call)

    def recents(
        self, missed: bool = False, search: str | None = None, limit: int | None = None
    ) -> Any:
        return self.request("recents", missed=missed or None, search=search, limit=limit)

    def contacts(self, search: str | None = None) -> Any:
        return self.request("contacts", search=search)

    def contact_add(self, name: str, number: str | None = None, uri: str | None = None) -> Any:
        return self.request("contact-add", name=name, number=number, uri=uri)

    def contact_remove(self, contact_id: int) -> Any:
        return self.request("contact-remove", id=contact_id)

    def settings(self) -> Any:
        return self.request("settings")

    def settings_set(self, changes: dict[str, Any]) -> Any:
        """Change settings as the Settings page does (see the README)."""
        return self.request("settings-set", changes=changes)

    def block(self, number: str, on: bool = True) -> Any:
        """Block (``on=False``: unblock) a phone number, like "Block this Caller"."""
        return self.request("block", number=number, on=on)

    def audio_devices(self) -> Any:
        return self.request("audio-devices")

    def audio_select(self, role: str, device: str) -> Any:
        """``role``: microphone, speaker or ringer; ``device``: an id or "default"."""
        return self.request("audio-select", role=role, device=device)
