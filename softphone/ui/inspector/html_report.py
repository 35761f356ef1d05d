"""A self-contained HTML report of an Inspector session (inline CSS, SIP ladders as inline SVG)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from html import escape

from softphone import __version__
from softphone.ui.inspector.calls import CallInfo, entries_for, group_calls, messages_for, parties
from softphone.ui.inspector.feed import InspectorFeed, PushRecord, SipMessage, TimelineEntry
from softphone.ui.inspector.redaction import redact_headers, redact_sip

_CSS = """
body{font:14px/1.45 Inter,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1d1f;margin:24px;
 background:#f5f5f7}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
h3{font-size:15px;margin:18px 0 6px;color:#444}
.meta{color:#6e6e73}section{background:#fff;border:1px solid #ddd;border-radius:8px;
 padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;
 border-bottom:1px solid #eee;vertical-align:top}th{background:#fafafa;font-weight:600}
td.t,td.n{font-family:"DejaVu Sans Mono",Menlo,monospace;white-space:nowrap}
tr.warning td{background:#fff6e0}tr.violation td{background:#fde2e1;color:#a1120b;
 font-weight:600}
.chip{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;color:#fff}
.callkit{background:#0a84ff}.pushkit{background:#bf5af2}.sip{background:#30a46c}
.audio{background:#ff9f0a}.app{background:#8e8e93}
pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:8px;overflow:auto;font-size:12px}
details summary{cursor:pointer;font-family:"DejaVu Sans Mono",Menlo,monospace;font-size:12px}
svg text{font-family:"DejaVu Sans Mono",Menlo,monospace;font-size:12px}
.ok{color:#1a7f37}.bad{color:#a1120b;font-weight:600}
"""

_COL_W = 300
_ROW_H = 34
_TIME_W = 90
_INK = {"sent": "#2c5aa0", "received": "#1f7a45"}


def _rel(at: float, origin: float) -> str:
    return f"+{at - origin:.3f} s"


def render_html(feed: InspectorFeed) -> str:
    """The whole session as one HTML document with no external resources."""
    timeline, sip, push = feed.timeline(), feed.sip(), feed.push()
    origin = feed.origin
    t0 = origin[0] if origin else 0.0
    calls = group_calls(timeline, sip)
    started = origin[1].isoformat(timespec="milliseconds") if origin else "-"
    dropped = feed.dropped
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Softphone Inspector session</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Softphone Inspector session</h1>",
        f"<p class='meta'>Softphone {escape(__version__)} · session start {escape(started)} · "
        f"exported {escape(datetime.now(timezone.utc).isoformat(timespec='seconds'))} · "
        f"{len(timeline)} timeline entries, {len(sip)} SIP messages, {len(push)} pushes"
        f"{_dropped_note(dropped)}</p>",
    ]
    if calls:
        out.append(
            "<ul>"
            + "".join(
                f"<li><a href='#call-{i}'>{escape(c.label)}</a> "
                f"<span class='meta'>{escape(c.key)}</span></li>"
                for i, c in enumerate(calls)
            )
            + "</ul>"
        )
    for i, call in enumerate(calls):
        out.append(_call_section(i, call, timeline, sip, t0))
    linked = {id(e) for c in calls for e in entries_for(c, timeline)}
    other = [e for e in timeline if id(e) not in linked]
    if other:
        out.append(
            "<section><h2>Other timeline entries</h2>" + _timeline_table(other, t0) + "</section>"
        )
    out.append("<section><h2>Push log</h2>" + _push_table(push, t0) + "</section>")
    out.append("</body></html>")
    return "\n".join(out)


def _dropped_note(dropped: Mapping[str, int]) -> str:
    if not any(dropped.values()):
        return ""
    parts = ", ".join(f"{n} {k}" for k, n in dropped.items() if n)
    return f" · <span class='bad'>dropped (capacity): {escape(parts)}</span>"


def _call_section(
    i: int, call: CallInfo, timeline: Sequence[TimelineEntry], sip: Sequence[SipMessage], t0: float
) -> str:
    msgs = messages_for(call, sip)
    entries = entries_for(call, timeline)
    ids = ", ".join(call.sip_call_ids) or "-"
    parts = [
        f"<section id='call-{i}'><h2>{escape(call.label)}</h2>",
        f"<p class='meta'>CallKit UUID {escape(call.call_uuid or '-')} · SIP Call-ID "
        f"{escape(ids)}</p>",
    ]
    if entries:
        parts.append("<h3>CallKit timeline</h3>" + _timeline_table(entries, t0))
    if msgs:
        parts.append("<h3>SIP ladder</h3>" + _ladder_svg(msgs, t0))
        parts.append(
            "<h3>SIP messages</h3>"
            + "".join(
                f"<details id='msg-{i}-{j}'><summary>{escape(_rel(m.at, t0))} "
                f"{'→' if m.direction == 'sent' else '←'} {escape(m.first_line)}</summary>"
                f"<pre>{escape(redact_sip(m.text))}</pre></details>"
                for j, m in enumerate(msgs)
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _timeline_table(entries: Sequence[TimelineEntry], t0: float) -> str:
    rows = "".join(
        f"<tr class='{e.severity}'><td class='t'>{escape(_rel(e.at, t0))}</td>"
        f"<td><span class='chip {e.source}'>{escape(e.source)}</span></td>"
        f"<td>{escape(e.kind)}</td><td>{escape(e.summary)}</td>"
        f"<td class='n'>{'' if e.duration_ms is None else f'{e.duration_ms:.1f} ms'}</td>"
        f"<td>{escape(e.severity)}</td></tr>"
        for e in entries
    )
    return (
        "<table><tr><th>time</th><th>source</th><th>event</th><th>summary</th>"
        f"<th>duration</th><th>severity</th></tr>{rows}</table>"
    )


def _ladder_svg(msgs: Sequence[SipMessage], t0: float) -> str:
    cols = parties(msgs)
    width = _TIME_W + _COL_W * max(len(cols) - 1, 1) + 120
    height = 40 + _ROW_H * len(msgs) + 10
    x = {p: _TIME_W + 60 + k * _COL_W for k, p in enumerate(cols)}
    markers = "".join(
        f"<marker id='{k}' markerWidth='10' markerHeight='8' refX='9' refY='4' "
        f"orient='auto'><path d='M0,0 L10,4 L0,8 z' fill='{c}'/></marker>"
        for k, c in _INK.items()
    )
    svg = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='SIP ladder'><defs>{markers}</defs>",
    ]
    for p, px in x.items():
        svg.append(
            f"<text x='{px}' y='16' text-anchor='middle' font-weight='bold'>"
            f"{escape(p)}</text><line x1='{px}' y1='24' x2='{px}' y2='{height}' "
            "stroke='#bbb' stroke-dasharray='4 3'/>"
        )
    for j, m in enumerate(msgs):
        y = 40 + _ROW_H * j + 20
        x1, x2 = x[m.sender], x[m.receiver]
        dash = " stroke-dasharray='6 3'" if m.first_line.startswith("SIP/") else ""
        mid = (x1 + x2) / 2
        svg.append(
            f"<text x='4' y='{y}' fill='#6e6e73'>{escape(_rel(m.at, t0))}</text>"
            f"<line x1='{x1}' y1='{y}' x2='{x2}' y2='{y}' stroke='{_INK[m.direction]}' "
            f"stroke-width='1.6'{dash} marker-end='url(#{m.direction})'/>"
            f"<text x='{mid}' y='{y - 5}' text-anchor='middle'>{escape(m.first_line)}</text>"
        )
    svg.append("</svg>")
    return "".join(svg)


def _push_table(push: Sequence[PushRecord], t0: float) -> str:
    if not push:
        return "<p class='meta'>No pushes.</p>"
    rows = []
    for p in push:
        payload = p.payload if isinstance(p.payload, str) else json.dumps(p.payload, indent=1)
        status_cls = "ok" if p.status == 200 else "bad"
        headers = json.dumps(redact_headers(p.headers), indent=1)
        rows.append(
            f"<tr><td class='t'>{escape(_rel(p.at, t0))}</td><td>{escape(p.topic)}<br>"
            f"<span class='meta'>{escape(p.push_type)} · {escape(p.token[:12])}…</span></td>"
            f"<td class='{status_cls}'>{p.status} {escape(p.reason or '')}</td>"
            f"<td>{'delivered' if p.delivered else 'not delivered'}</td>"
            f"<td>{escape(p.app_reaction)}</td><td><details><summary>payload</summary>"
            f"<pre>{escape(payload)}</pre><pre>{escape(headers)}</pre></details></td></tr>"
        )
    return (
        "<table><tr><th>time</th><th>request</th><th>APNs status</th><th>delivery</th>"
        f"<th>app reaction</th><th>details</th></tr>{''.join(rows)}</table>"
    )
