"""Wire a whole phone together and run it on Qt's event loop (qasync).

The one place that picks the real implementations: the pjsua2 engine, the settings and
secret stores of the profile, the window, and (``--demo``) the scripted tour.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from typing import Any

from softphone import APP_NAME, __version__

log = logging.getLogger(__name__)


def _secrets(paths: Any, problems: list[str]) -> Any:
    import os

    from softphone.settings import MemorySecretStore, SecretStoreError, open_secret_store

    try:
        store, message = open_secret_store(
            paths.secrets_file, os.environ.get("SOFTPHONE_SECRETS_PASSPHRASE")
        )
    except SecretStoreError as exc:
        problems.append(f"secrets: {exc}")
        return MemorySecretStore()
    if message:
        problems.append(message)
    return store


class _SecretsOnDemand:
    """The profile's secret store, opened when a password is first read or written (an
    account with a user name, at start): a phone that needs no password never loads the
    keyring and its D-Bus client (~5 MB). What the store says about itself (e.g. "no
    keyring: memory only") becomes a problem for the screens when it opens."""

    def __init__(self, paths: Any, problems: list[str]) -> None:
        self._paths = paths
        self._problems = problems
        self._store: Any = None

    def _open(self) -> Any:
        if self._store is None:
            notes: list[str] = []
            self._store = _secrets(self._paths, notes)
            self._problems.extend(notes)
        return self._store

    @property
    def description(self) -> str:
        return str(self._open().description)

    def get(self, key: str) -> str | None:
        value = self._open().get(key)
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        self._open().set(key, value)

    def delete(self, key: str) -> None:
        self._open().delete(key)


def _audio(runtime: Any, changed: Any) -> None:
    """Real devices through PortAudio, opened with the first call (or when Settings list
    them); on any failure the phone runs without audio and says why (calls still connect)."""
    from softphone.phone.audio_control import LazyAudioSystem

    settings = runtime.settings

    def make() -> Any:
        from softphone.audio import AudioSystem, DeviceChoice, prefer_audio_threads

        choice = DeviceChoice(
            settings.audio.microphone or None,
            settings.audio.speaker or None,
            settings.audio.ringer or None,
        )
        prefer_audio_threads()  # GIL hand-over 1 ms: no audio dropouts while the GUI is busy
        system = AudioSystem.default(choice)
        system.bridge.set_speaker_volume(settings.audio.speaker_volume)  # [audio] levels
        system.bridge.set_mic_gain(settings.audio.mic_gain)
        return system

    def opened(system: Any, error: str) -> None:
        status = system.status()
        reason = error or status.reason
        runtime.audio_status = (not error and status.available, reason)
        if error or not status.available:
            runtime.problems.append(f"Audio unavailable: {reason}")
        changed()  # the screens show the status (and any problem) at once

    runtime.attach_audio(LazyAudioSystem(make, opened))


def run(args: argparse.Namespace) -> int:
    """Start the phone (window unless headless), run until quit; ``--demo`` runs the tour."""
    import importlib

    from PySide6.QtGui import QGuiApplication

    try:  # PySide6 6.12 + Python 3.11 refcount workaround, when the UI ships it
        importlib.import_module("softphone.ui._immortal").make_singletons_immortal()
    except ImportError:
        pass
    import qasync

    from softphone.logsetup import configure_logging
    from softphone.profile_lock import ProfileInUseError, ProfileLock
    from softphone.recents import RecentsStore, default_db_path
    from softphone.settings import SettingsStore, profile_paths
    from softphone.ui.window import select_graphics_backend

    paths = profile_paths(args.profile).ensure()
    try:  # one phone per profile: a second would take over its control.json and ports
        lock = ProfileLock(paths.data_dir, args.profile).acquire()
    except (ProfileInUseError, OSError) as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return 1
    select_graphics_backend()  # before the QGuiApplication, as the screens-only app does
    store = SettingsStore(paths)
    loaded = store.load()
    existing = QGuiApplication.instance()
    app = existing if isinstance(existing, QGuiApplication) else QGuiApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # we quit after shutting the phone down
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    log_file = configure_logging(paths.log_dir, stderr=False)
    recents = RecentsStore(default_db_path(paths.data_dir))
    try:
        with loop:
            return int(
                loop.run_until_complete(_main(args, app, paths, store, loaded, recents, log_file))
            )
    finally:
        recents.close()
        lock.release()


def _runtime(args: argparse.Namespace, paths: Any, store: Any, loaded: Any, recents: Any) -> Any:
    """The phone behind the window: SIP engine, CallKit, push, test line, control API
    (imported only now: the window is already on screen)."""
    from softphone.control.client import endpoint_file
    from softphone.phone.runtime import PhoneRuntime
    from softphone.sip.pjsua import create_engine

    runtime = PhoneRuntime(
        create_engine(),
        loaded.settings,
        profile=args.profile,
        control_file=endpoint_file(args.profile),
        save_settings=store.save,
        recents=recents,
        push_dir=paths.data_dir / "apns",
    )
    runtime.first_run_marker = paths.data_dir / "welcome-shown"
    for problem in loaded.problems:  # each bad setting by key; the rest of the file applies
        log.warning("%s", problem)
        runtime.problems.append(problem)
    return runtime


async def _main(
    args: argparse.Namespace,
    app: Any,
    paths: Any,
    store: Any,
    loaded: Any,
    recents: Any,
    log_file: Any,
) -> int:
    from softphone.ui.contacts_model import ContactsListModel
    from softphone.ui.lab_viewmodel import LabViewModel
    from softphone.ui.recents_model import RecentsListModel
    from softphone.ui.starting_service import StartingPhoneService
    from softphone.ui.window import PhoneWindow

    demo = bool(getattr(args, "demo", False))
    recents_model = RecentsListModel(recents)
    contacts_model = ContactsListModel(recents)
    marker = paths.data_dir / "welcome-shown"
    first_run = not marker.exists() and not loaded.settings.accounts and not demo
    # The window first (as iOS draws the Phone app at once); the phone itself (SIP, CallKit,
    # the test line, push, the control API) is imported and started behind it, and the
    # screens follow it once it is attached.
    service = StartingPhoneService(loaded.settings)
    window = PhoneWindow(
        service,
        recents_model,
        contacts_model,
        profile=args.profile,
        first_run=first_run,
        lab=LabViewModel(service),
    )
    if not getattr(args, "headless", False):
        window.window.show()
    await _first_frame(window)
    from softphone.ui.phone_service import RuntimePhoneService

    try:
        runtime = _runtime(args, paths, store, loaded, recents)
    except BaseException:
        window.close()
        raise
    runtime.log_file = log_file
    runtime.recorder.on_added = lambda _id: recents_model.refresh()
    probe = None
    if demo:
        from softphone.phone.probe import ToneProbeBridge

        probe = ToneProbeBridge()
    real_service = RuntimePhoneService(runtime)
    service.attach(real_service)
    runtime.secrets = _SecretsOnDemand(paths, runtime.problems)
    if not demo:  # the demo uses a probe tone, not the sound card
        _audio(runtime, real_service.refresh)
    try:
        await runtime.start()
    except Exception:
        window.close()
        await runtime.stop()
        raise
    real_service.refresh()
    if probe is not None:
        runtime.engine.set_audio_bridge(probe)
        runtime.audio_status = (True, "demo: a 1 kHz probe tone instead of a microphone")
    from softphone.ui.inspector import export_session
    from softphone.ui.inspector_bridge import InspectorBridge

    bridge = InspectorBridge(runtime)

    async def export(params: Any) -> dict[str, Any]:
        from pathlib import Path

        from softphone.control import InvalidParamsError

        target = Path(str(params["path"]))
        if not target.name.lower().endswith((".json", ".html", ".htm")):
            raise InvalidParamsError("the export file must end in .json or .html")
        if not target.is_absolute():  # the phone's cwd is not the client's
            raise InvalidParamsError(
                f"the export path must be absolute, got {str(target)!r} (the CLI resolves "
                "relative paths against its own directory)"
            )
        if not target.parent.is_dir():
            raise InvalidParamsError(f"the export directory {target.parent} does not exist")
        try:
            path = export_session(bridge.feed, target, params.get("format"))
        except OSError as exc:
            raise InvalidParamsError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return {"path": str(path), "events": len(bridge.feed.timeline())}

    runtime.control.extra["export"] = export
    inspector = None
    if getattr(args, "inspector", False):
        from softphone.ui.inspector import open_inspector

        inspector = open_inspector(bridge.feed)
        if not getattr(args, "headless", False):
            inspector.show()
    code = 0
    try:
        if getattr(args, "demo", False):
            code = await _demo(runtime, probe)
        else:
            await _until_quit(app, getattr(args, "quit_after", None))
    finally:
        if first_run and marker is not None and not window.first_run_shown:
            with contextlib.suppress(OSError):
                marker.write_text("welcome shown\n")
        if inspector is not None:
            inspector.close()
        bridge.close()
        window.close()
        await runtime.stop()
    return code


async def _first_frame(window: Any, timeout: float = 1.0) -> None:
    """Let Qt draw the first frame before the phone's slower start-up work runs."""
    drawn = asyncio.get_running_loop().create_future()

    def swapped() -> None:
        if not drawn.done():
            drawn.set_result(None)

    window.window.frameSwapped.connect(swapped)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(drawn, timeout)
    with contextlib.suppress(RuntimeError, TypeError):
        window.window.frameSwapped.disconnect(swapped)


async def _until_quit(app: Any, quit_after: float | None) -> None:
    done = asyncio.get_running_loop().create_future()

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    app.aboutToQuit.connect(finish)
    app.lastWindowClosed.connect(finish)
    import signal

    for signum in (signal.SIGTERM, signal.SIGINT):  # quit cleanly: hang up, unregister
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, lambda *_: asyncio.get_event_loop().call_soon_threadsafe(finish))
    if quit_after is not None:
        asyncio.get_running_loop().call_later(quit_after, finish)
    await done


async def _demo(runtime: Any, probe: Any) -> int:
    from softphone.phone.demo import build_tour, format_result

    tour = build_tour(runtime, probe)
    tour.on_step = lambda r: print(format_result(r), flush=True)
    ok = await tour.run()
    print(json.dumps(tour.report()), flush=True)
    print("demo " + ("passed" if ok else "FAILED"), flush=True)
    return 0 if ok else 1
