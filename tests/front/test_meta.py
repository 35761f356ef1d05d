"""The front-door suite covers every settings key, Settings-page field and README example.

What must be covered is found from the code and the README (tests/front/inventory.py),
so a new settings key, a new switch on the Settings page or a new README example fails
this test until a front-door test names it in ``@pytest.mark.covers(...)``.
"""

from __future__ import annotations

from pathlib import Path

from tests.front import inventory


def test_every_setting_page_field_and_readme_example_has_a_front_door_test() -> None:
    covered = inventory.covered()
    missing = sorted(inventory.required() - set(covered))
    assert not missing, (
        f"{len(missing)} settings key(s), Settings-page field(s) or README example(s) have no "
        "front-door test in tests/front (mark one with @pytest.mark.covers(...)):\n  "
        + "\n  ".join(missing)
    )


def test_covers_marks_name_things_that_exist() -> None:
    """A covers(...) name that matches nothing is a typo (or a key that was removed)."""
    known = inventory.required()
    unknown = {
        name: sorted(tests)
        for name, tests in inventory.covered().items()
        if name not in known and not name.startswith("readme:")  # other README promises
    }
    assert not unknown, f"covers(...) names that are no setting or page field: {unknown}"


def test_the_inventory_finds_keys_fields_and_examples() -> None:
    """The discovery itself: keys from the dataclasses, fields from QML and settings-set."""
    keys = inventory.settings_keys()
    assert {"sip.codecs", "accounts.srtp", "calls.app_name", "push.bundle_id"} <= keys
    assert "accounts" not in keys and "sip" not in keys
    assert {"transport", "codecs.enabled", "push.enabled", "audio.input", "locked"} <= (
        inventory.page_fields_qml()
    )
    assert {"transport", "push.environment", "audio.ringer", "accounts.enabled"} <= (
        inventory.page_fields_settings_set()
    )
    names = {e.name for e in inventory.readme_config_examples()}
    assert {"readme:adding-a-sip-account/toml", "readme:adding-a-sip-account/python"} <= names


def test_a_new_key_page_switch_or_example_without_a_test_is_reported(tmp_path: Path) -> None:
    """The checks see what is added: a QML switch, a settings-set key, a README block."""
    qml = "IosSwitch { onToggled: (on) => page.edit(function (d) { d.push.sandboxOnly = on }) }"
    assert "push.sandboxOnly" in inventory.page_fields_qml(qml)
    source = (
        "def apply_ui_settings(self, data):\n"
        "    calls = data.get('calls')\n"
        "    if 'ring_seconds' in calls:\n"
        "        pass\n"
    )
    assert inventory.page_fields_settings_set(source) == {"calls.ring_seconds"}
    readme = "## Extra\n\n```toml\n[calls]\napp_name = 'X'\n```\n"
    assert [e.name for e in inventory.readme_config_examples(readme)] == ["readme:extra/toml"]
    test_file = tmp_path / "test_x.py"
    test_file.write_text(
        "import pytest\n\nEXAMPLE = 'readme:extra/toml'\n\n"
        "@pytest.mark.covers('sip.user_agent', 'page:transport', EXAMPLE)\n"
        "def test_x():\n    pass\n"
    )
    assert inventory.covered([test_file]) == {
        "sip.user_agent": {"test_x.py::test_x"},
        "page:transport": {"test_x.py::test_x"},
        "readme:extra/toml": {"test_x.py::test_x"},
    }
