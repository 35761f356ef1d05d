"""What the front-door suite must cover, found from the code and the README themselves.

- settings keys: every field of every dataclass in ``softphone.settings._model`` that
  ``settings.toml`` holds (``"sip.codecs"``; account fields as ``"accounts.srtp"``);
- Settings-page fields: what ``resources/qml/SettingsPage.qml`` edits in its draft
  (``d.push.enabled = ...`` -> ``"page:push.enabled"``) or sets on the phone
  (``page.phone.setLocked(...)`` -> ``"page:locked"``), and what the ``settings-set``
  command accepts (the keys ``PhoneRuntime.apply_ui_settings`` reads from ``changes``);
- README configuration examples: each fenced ``toml`` block and each ``python`` block
  that uses ``softphone.settings``, named ``"readme:<section-slug>/<lang>"``;
- what tests cover: the strings in ``@pytest.mark.covers(...)`` of tests/front/*.py,
  read with ``ast`` (nothing is imported or collected).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import _model

REPO = Path(__file__).resolve().parents[2]
FRONT = Path(__file__).resolve().parent
README = REPO / "README.md"
SETTINGS_QML = REPO / "resources" / "qml" / "SettingsPage.qml"
_IDENTIFIERS = {"id", "name"}  # keys that pick a row on the page rather than edit it


# -- settings keys -----------------------------------------------------------------------


def settings_keys() -> set[str]:
    """``section.key`` for every leaf of the ``Settings`` dataclass tree."""
    hints = typing.get_type_hints(_model.Settings, vars(_model))
    keys: set[str] = set()
    for f in dataclasses.fields(_model.Settings):
        section = _dataclass_in(hints[f.name])
        if section is None:  # a plain value at the top level (none today)
            keys.add(f.name)
            continue
        keys.update(f"{f.name}.{leaf.name}" for leaf in dataclasses.fields(section))
    return keys


def _dataclass_in(hint: object) -> type | None:
    """The dataclass a field holds: ``SipSettings`` or ``tuple[AccountSettings, ...]``."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint
    for arg in typing.get_args(hint):
        found = _dataclass_in(arg)
        if found is not None:
            return found
    return None


# -- Settings-page fields ----------------------------------------------------------------

_QML_EDIT = re.compile(r"\bd\.([A-Za-z_][\w.\[\]]*)\s*=(?!=)")
_QML_SETTER = re.compile(r"\bpage\.phone\.set([A-Z]\w*)\s*\(")


def page_fields_qml(qml: str | None = None) -> set[str]:
    """Fields the Settings page edits: its draft (``d.x.y = ...``) and phone setters."""
    text = SETTINGS_QML.read_text() if qml is None else qml
    fields = {re.sub(r"\[\w*\]", "", m) for m in _QML_EDIT.findall(text)}
    fields |= {m[0].lower() + m[1:] for m in _QML_SETTER.findall(text)}
    return fields


def page_fields_settings_set(source: str | None = None) -> set[str]:
    """The ``changes`` keys ``settings-set`` accepts, read from ``apply_ui_settings``.

    Follows names bound to parts of ``data`` (``push = data.get("push")``, ``for a in
    data.get("accounts")``) and collects ``x.get("k")``, ``x["k"]`` and ``"k" in x``,
    including keys tested through a loop variable over a literal table
    (``for key, ... in (("input", ...), ...): if key in audio``).
    """
    src = textwrap.dedent(source or inspect.getsource(PhoneRuntime.apply_ui_settings))
    tree = ast.parse(src)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    data = func.args.args[1].arg  # (self, data)
    prefix: dict[str, str] = {data: ""}
    literal: dict[str, list[str]] = {}

    def key_of(node: ast.AST) -> tuple[str, str] | None:
        """(owner name, key) for ``owner.get("k", ...)`` or ``owner["k"]``."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.func.value.id, node.args[0].value
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            return node.value.id, node.slice.value
        return None

    def source_prefix(node: ast.AST) -> str | None:
        """The dotted path ``node`` reads from ``data`` (``data.get("a") or []`` too)."""
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                found = source_prefix(value)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.Name) and node.id in prefix:
            return prefix[node.id]
        owner_key = key_of(node)
        if owner_key is not None and owner_key[0] in prefix:
            return _join(prefix[owner_key[0]], owner_key[1])
        return None

    for _ in range(3):  # bindings can build on one another: a few passes settle them
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                found = source_prefix(node.value)
                if isinstance(target, ast.Name) and found is not None:
                    prefix[target.id] = found
            if isinstance(node, (ast.For, ast.comprehension)):
                found = source_prefix(node.iter)
                if isinstance(node.target, ast.Name) and found is not None:
                    prefix[node.target.id] = found
                elif isinstance(node.target, ast.Tuple) and isinstance(node.iter, ast.Tuple):
                    for i, name in enumerate(node.target.elts):
                        if isinstance(name, ast.Name):
                            cells = [r.elts[i] for r in node.iter.elts if isinstance(r, ast.Tuple)]
                            literal[name.id] = [
                                c.value
                                for c in cells
                                if isinstance(c, ast.Constant) and isinstance(c.value, str)
                            ]

    found_keys: set[str] = set()
    for node in ast.walk(func):
        owner_key = key_of(node)
        if owner_key is not None and owner_key[0] in prefix:
            found_keys.add(_join(prefix[owner_key[0]], owner_key[1]))
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In)
            and isinstance(node.comparators[0], ast.Name)
            and node.comparators[0].id in prefix
        ):
            owner = prefix[node.comparators[0].id]
            left = node.left
            if isinstance(left, ast.Constant) and isinstance(left.value, str):
                found_keys.add(_join(owner, left.value))
            elif isinstance(left, ast.Name) and left.id in literal:
                found_keys.update(_join(owner, k) for k in literal[left.id])
    sections = {k.rsplit(".", 1)[0] for k in found_keys if "." in k}  # "push" of "push.x"
    return {k for k in found_keys if k not in sections and k.rsplit(".", 1)[-1] not in _IDENTIFIERS}


def _join(owner: str, key: str) -> str:
    return f"{owner}.{key}" if owner else key


def page_fields() -> set[str]:
    """``page:<field>`` for everything the Settings page or ``settings-set`` can change."""
    return {f"page:{f}" for f in page_fields_qml() | page_fields_settings_set()}


# -- README configuration examples -------------------------------------------------------


@dataclass(frozen=True)
class ReadmeExample:
    """One fenced block of the README: its section, language and exact text."""

    section: str
    lang: str
    text: str

    @property
    def name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"readme:{slug}/{self.lang}"


def readme_blocks(readme: str | None = None) -> Iterator[ReadmeExample]:
    """Every fenced code block of the README with the ``##`` section it sits in."""
    text = README.read_text() if readme is None else readme
    section = ""
    lang = None
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        if lang is None:
            if line.startswith("## "):
                section = line[3:].strip()
            elif line.startswith("```"):
                lang, lines = line[3:].strip(), []
        elif line.startswith("```"):
            yield ReadmeExample(section, lang, "".join(lines))
            lang = None
        else:
            lines.append(line)


def readme_config_examples(readme: str | None = None) -> list[ReadmeExample]:
    """The configuration examples: ``toml`` blocks and ``python`` using softphone.settings."""
    return [
        b
        for b in readme_blocks(readme)
        if b.lang == "toml" or (b.lang == "python" and "softphone.settings" in b.text)
    ]


def readme_example(name: str) -> ReadmeExample:
    """The README example called ``name`` (see :attr:`ReadmeExample.name`)."""
    for example in readme_config_examples():
        if example.name == name:
            return example
    raise LookupError(f"the README has no configuration example {name!r}")


# -- what the tests cover ----------------------------------------------------------------


def covered(files: Iterable[Path] | None = None) -> dict[str, set[str]]:
    """Each covered name -> the tests (``file::name``) whose covers(...) mark names it."""
    out: dict[str, set[str]] = {}
    for path in sorted(files if files is not None else FRONT.glob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {  # NAME = "readme:..." at module level, used in covers(NAME)
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for name in _covers_of(node, constants):
                    out.setdefault(name, set()).add(f"{path.name}::{node.name}")
    return out


def _covers_of(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, constants: dict[str, str]
) -> Iterator[str]:
    for dec in node.decorator_list:
        if (
            isinstance(dec, ast.Call)
            and isinstance(dec.func, ast.Attribute)
            and dec.func.attr == "covers"
            and isinstance(dec.func.value, ast.Attribute)
            and dec.func.value.attr == "mark"
        ):
            for arg in dec.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    yield constants[arg.id]


def required() -> set[str]:
    """Everything the front-door suite must cover."""
    return settings_keys() | page_fields() | {example.name for example in readme_config_examples()}
