"""Hostile APNs input for fuzz batteries against a running phone's embedded emulator:
request generators (headers, provider tokens, bodies) and raw HTTP/2 frames."""

from __future__ import annotations

import base64
import json
import random
import ssl
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from softphone.testing import RunningPhone

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
TEAM, KID = "SOFTPHONE1", "EMULATOR01"  # the phone's own provider key (softphone.phone.push)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def wait_no_calls(phone: RunningPhone, timeout: float = 20.0) -> list[Any]:
    """Poll ``state`` until no call is left (or the deadline); the calls left."""
    deadline = time.monotonic() + timeout
    calls = phone.state()["calls"]
    while calls and time.monotonic() < deadline:
        time.sleep(0.2)
        calls = phone.state()["calls"]
    return list(calls)


def apns_info(phone: RunningPhone) -> dict[str, Any]:
    from softphone.settings import profile_paths

    data = profile_paths(phone.profile, root=phone.log_path.parent).data_dir
    return dict(json.loads((data / "apns" / "info.json").read_text()))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class TokenMaker:
    """Provider tokens: good ones (the phone's key) and every kind of broken one."""

    def __init__(self, key_file: Path, rng: random.Random) -> None:
        self.es256 = ECAlgorithm(ECAlgorithm.SHA256)
        self.key = self.es256.prepare_key(key_file.read_text())
        self.other = ec.generate_private_key(ec.SECP256R1())
        self.rng = rng

    def sign(self, claims: dict[str, Any], head: dict[str, Any], key: Any) -> str:
        """An ES256 JWT of any claims (PyJWT refuses odd ones: signed by hand)."""
        h = b64(json.dumps({"alg": "ES256", **head}).encode())
        c = b64(json.dumps(claims).encode())
        return f"{h}.{c}.{b64(self.es256.sign(f'{h}.{c}'.encode(), key))}"

    def __call__(self) -> str:
        r, now = self.rng, int(time.time())
        kind = r.randrange(12)
        claims: dict[str, Any] = {"iss": TEAM, "iat": now}
        head: dict[str, Any] = {"kid": KID}
        if kind == 0:
            return "bearer " + self.sign(claims, head, self.key)
        if kind == 1:
            claims["iat"] = r.choice([now - 4000, now + 600, -1, 2**63, "x", None, 1.5, True])
            return "bearer " + self.sign(claims, head, self.key)
        if kind == 2:
            claims["iss"] = r.choice(["OTHERTEAM1", "", 5, None, "x" * 300])
            return "bearer " + self.sign(claims, head, self.key)
        if kind == 3:
            return "bearer " + self.sign(claims, head, self.other)
        if kind == 4:  # odd key ids (PyJWT will not encode a non-string one: by hand)
            kid = r.choice(["", "NOPE", 7, None, "K" * 500, ["x"]])
            h = b64(json.dumps({"alg": "ES256", "kid": kid}).encode())
            return f"bearer {h}.{b64(json.dumps(claims).encode())}.{b64(r.randbytes(64))}"
        if kind == 5:  # alg none / HS256 with the public key as secret
            alg = r.choice(["none", "HS256"])
            h = b64(json.dumps({"alg": alg, "kid": KID}).encode())
            return f"bearer {h}.{b64(json.dumps(claims).encode())}.{b64(b'sig')}"
        if kind == 6:  # a good token with one character changed
            tok = list(self.sign(claims, head, self.key))
            tok[r.randrange(len(tok))] = r.choice("A_-.=+/\x00é")
            return "bearer " + "".join(tok)
        if kind == 7:
            return r.choice(["", "bearer", "bearer ", "Basic abc", "bearer a.b", "bearer ...."])
        if kind == 8:  # random base64 segments
            return "bearer " + ".".join(
                b64(r.randbytes(r.randrange(0, 120))) for _ in range(r.choice([1, 2, 3, 4]))
            )
        if kind == 9:  # a huge header
            return "bearer " + b64(r.randbytes(r.choice([2000, 8000])))
        if kind == 10:  # JSON that is not an object in the segments
            seg = b64(r.choice([b"[]", b"null", b"1", b'"x"', b"{", b'{"alg":"ES256"}']))
            return f"bearer {seg}.{seg}.{seg}"
        return "bearer " + "".join(chr(r.randrange(32, 0x2FF)) for _ in range(r.randrange(60)))


NAMES = [
    "apns-topic", "apns-push-type", "apns-priority", "apns-expiration", "apns-id",
    "apns-collapse-id", "x-junk",
]  # fmt: skip
#: HTTP/2 violations (the server closes the connection): rare, or nothing else is tested
BAD_NAMES = ["Apns-Topic", "te", "connection", ":path", "", "content-length"]


def hostile_request(
    rng: random.Random, token: str, bundle: str, tokens: TokenMaker
) -> tuple[list[tuple[str, str]], bytes]:
    """One request (headers, body); never a complete valid push unless by chance."""
    r = rng
    path = r.choice(
        [f"/3/device/{token}"] * 6
        + ["/3/device/", f"/3/device/{token}/x", "/", f"/3/device/{token[:-1]}Z", "/3/devices"]
        + ["/3/device/" + "".join(chr(r.randrange(33, 0x500)) for _ in range(r.randrange(80)))]
    )
    headers = [
        (":method", r.choice(["POST"] * 8 + ["GET", "PUT", "post"])),
        (":scheme", "https"),
        (":path", path),
        (":authority", "localhost"),
    ]
    if r.random() < 0.85:
        headers.append(("authorization", tokens()))
    values = [
        "voip", "alert", "background", f"{bundle}.voip", bundle, "10", "5", "1", "0", "-3",
        "", "a" * 70, "c2f3e8e0-1111-4222-8333-944444444444", "9" * 30, "\u202e",
    ]  # fmt: skip
    if r.random() < 0.4:  # a sane VoIP pair, so the checks after the headers are reached
        headers += [("apns-topic", f"{bundle}.voip"), ("apns-push-type", "voip")]
    for _ in range(r.randrange(7 if r.random() < 0.5 else 2)):
        value = r.choice(values) if r.random() < 0.8 else r.randbytes(20).hex()
        headers.append((r.choice(BAD_NAMES if r.random() < 0.02 else NAMES), value))
    body = r.choice(
        [
            b"{}",
            json.dumps({"from-uri": "sip:fuzz@example.org", "display-name": "Fuzz"}).encode(),
            r.randbytes(r.randrange(300)),
            b"x" * r.choice([4097, 5121, 9000, 16000]),
            b"[" * 3000,
            b"",
        ]
    )
    return headers, body


def random_frames(rng: random.Random) -> list[bytes]:
    """A few HTTP/2 frames with random type, flags, stream id and payload (some sane)."""
    out = []
    for _ in range(rng.randrange(1, 6)):
        kind = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, rng.randrange(256)])
        flags = rng.choice([0, 1, 4, 5, 8, 0x20, rng.randrange(256)])
        stream = rng.choice([0, 1, 3, 5, 2, 2**31 - 1, rng.randrange(2**31)])
        size = rng.choice([0, 1, 4, 5, 6, 8, 9, 12, rng.randrange(200), rng.randrange(20000)])
        payload = rng.randbytes(size)
        if kind == 4 and rng.random() < 0.5:  # SETTINGS with extreme values
            payload = b"".join(
                struct.pack("!HI", rng.randrange(1, 8), rng.choice([0, 1, 2**31, 2**32 - 1]))
                for _ in range(rng.randrange(1, 4))
            )
        length = len(payload) if rng.random() < 0.9 else rng.randrange(2**24)
        out.append(struct.pack("!I", length)[1:] + bytes([kind, flags]) + struct.pack(
            "!I", stream) + payload)  # fmt: skip
    return out


def tls_socket(info: dict[str, Any]) -> ssl.SSLSocket:
    import socket

    ctx = ssl.create_default_context(cafile=info["ca_path"])
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection((info["host"], info["sandbox_port"]), timeout=5)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def send_frames(info: dict[str, Any], frames_per_conn: Callable[[], list[bytes]], n: int) -> int:
    """Send ``n`` random frames over as many connections as the server closes; returns
    how many connections were used."""
    sent, conns = 0, 0
    while sent < n:
        conns += 1
        sock = tls_socket(info)
        sock.settimeout(0.02)
        try:
            sock.sendall(H2_PREFACE + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            while sent < n:
                frames = frames_per_conn()
                sock.sendall(b"".join(frames))
                sent += len(frames)
                try:
                    if not sock.recv(65536):
                        break  # GOAWAY and closed: a new connection
                except TimeoutError:
                    pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            sock.close()
    return conns
