"""Front-door tests: each drives the phone the way the README tells a user to.

A test here writes ``settings.toml`` and/or uses the CLI, the control API or the window,
and checks the effect where a user or a peer sees it (on the wire, in ``state``, in
events, in Recents). Each test names what it covers with ``@pytest.mark.covers(...)``:
settings keys as ``"section.key"`` (``"accounts.srtp"`` for an account key), Settings-page
fields as ``"page:<field>"`` and README promises as ``"readme:<short name>"``;
``test_meta.py`` fails when a settings key or a Settings-page field has none.
"""
