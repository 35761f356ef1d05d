"""The command table is the single source: each command is an API path in the OpenAPI
document and a `softphone` sub-command whose options come from its parameters."""

from __future__ import annotations

import os
from typing import Any

import pytest

from softphone.cli import build_parser
from softphone.control import COMMANDS, openapi_document
from softphone.control.cli import params_from_args


def _params(*argv: str) -> dict[str, Any]:
    return params_from_args(build_parser().parse_args(list(argv)))


def test_every_command_is_a_path_and_a_subcommand() -> None:
    doc = openapi_document("http://127.0.0.1:1")
    parser = build_parser()
    for command in COMMANDS:
        assert f"/v1/{command.name}" in doc["paths"]
        args = parser.parse_args([command.name, *_required_args(command.name)])
        assert args._control == command.name


def _required_args(name: str) -> list[str]:
    examples = {
        "call": ["echo"],
        "dtmf": ["1"],
        "wait-for": ["call.ended"],
        "export": ["s.json"],
        "inject": ["lock"],
        "block": ["+15550100"],
        "settings-set": ["--changes", "{\"transport\": \"tcp\"}"],
        "unmerge": ["00000000-0000-0000-0000-000000000000"],
        "contact-add": ["Ann"],
        "contact-remove": ["1"],
        "audio-select": ["speaker", "default"],
    }
    return examples.get(name, [])


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        # the command lines that existed before the CLI was generated: unchanged
        (["call", "sip:bob@h", "--account", "main"], {"to": "sip:bob@h", "account": "main"}),
        (["answer"], {}),
        (["hangup", "--call", "c"], {"call": "c"}),
        (["hold"], {"on": True}),
        (["hold", "--off", "--call", "c"], {"call": "c", "on": False}),
        (["mute", "--off"], {"on": False}),
        (["lock"], {"on": True}),
        (["dnd", "--off"], {"on": False}),
        (["dtmf", "12#"], {"digits": "12#"}),
        (["wait-for", "call.ended"], {"event": "call.ended", "timeout": 10.0}),
        (["wait-for", "x", "--timeout", "2.5"], {"event": "x", "timeout": 2.5}),
        (["push"], {"preset": "generic", "caller": "Softphone test"}),
        (
            ["push", "--preset", "sinch", "--caller", "Ann"],
            {"preset": "sinch", "caller": "Ann"},
        ),
        (["push", "--payload", '{"a": 1}'], {"payload": {"a": 1}, "caller": "Softphone test"}),
        (["push", "--no-call"], {"preset": "generic", "caller": "Softphone test", "call": False}),
        (["inject", "lock"], {"fault": "lock"}),
        (
            ["inject", "invite-timeout", "--option", "seconds=2", "--option", "why=slow"],
            {"fault": "invite-timeout", "options": {"seconds": 2, "why": "slow"}},
        ),
        (["export", "/tmp/s.html"], {"path": "/tmp/s.html"}),
        (["export", "s.html"], {"path": os.path.join(os.getcwd(), "s.html")}),  # the user's cwd
        # the new commands
        (["swap"], {}),
        (["merge"], {}),
        (["unmerge", "c"], {"call": "c"}),
        (["hold-and-accept"], {}),
        (["hold-and-accept", "--call", "c"], {"call": "c"}),
        (["end-and-accept", "--held"], {"held": True}),
        (["recents"], {}),
        (["recents", "--missed", "--limit", "5"], {"missed": True, "limit": 5}),
        (["contacts", "--search", "ann"], {"search": "ann"}),
        (
            ["contact-add", "Ann", "--number", "555", "--uri", "sip:a@h"],
            {"name": "Ann", "number": "555", "uri": "sip:a@h"},
        ),
        (["contact-remove", "7"], {"id": 7}),
        (["audio-devices"], {}),
        (["block", "+15550100"], {"number": "+15550100", "on": True}),
        (["block", "+15550100", "--off"], {"number": "+15550100", "on": False}),
        (["audio-select", "ringer", "spk"], {"role": "ringer", "device": "spk"}),
    ],
)
def test_command_lines_become_api_parameters(argv: list[str], params: dict[str, Any]) -> None:
    assert _params(*argv) == params


def test_the_cli_checks_choices_and_types() -> None:
    """Enums and integers from the table are checked before anything is sent."""
    parser = build_parser()
    for argv in (["audio-select", "headphones", "x"], ["contact-remove", "one"]):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args(argv)
        assert exc.value.code == 2


def test_integer_parameters_in_the_schema() -> None:
    doc = openapi_document("http://127.0.0.1:1")
    body = doc["paths"]["/v1/recents"]["post"]["requestBody"]["content"]["application/json"]
    limit = body["schema"]["properties"]["limit"]
    assert (limit["type"], limit["minimum"], limit["maximum"]) == ("integer", 1, 1000)
    select = doc["paths"]["/v1/audio-select"]["post"]["requestBody"]["content"]
    schema = select["application/json"]["schema"]
    assert schema["required"] == ["role", "device"]
    assert schema["properties"]["role"]["enum"] == ["microphone", "speaker", "ringer"]


def test_the_readme_documents_every_command() -> None:
    """The control API section of README.md has a row for each command of the table."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Automation (control API)", 1)[1].split("\n## ", 1)[0]
    missing = [c.name for c in COMMANDS if f"`{c.name}`" not in section]
    assert missing == []


def test_the_python_client_has_a_method_per_command() -> None:
    from softphone.control import ControlClient

    missing = [c.name for c in COMMANDS if not hasattr(ControlClient, c.name.replace("-", "_"))]
    assert missing == []
