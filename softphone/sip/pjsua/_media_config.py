"""Media set-up of pjsua2 accounts: the codec list (only the configured codecs, in
order) and SDES-SRTP per account (pjsua2 ``AccountMediaConfig.srtpUse``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pjsua2 as pj

from softphone.sip.config import SrtpMode, codec_matches
from softphone.sip.errors import ConfigError

SRTP_USE = {
    SrtpMode.OFF: pj.PJMEDIA_SRTP_DISABLED,
    SrtpMode.OPTIONAL: pj.PJMEDIA_SRTP_OPTIONAL,
    SrtpMode.MANDATORY: pj.PJMEDIA_SRTP_MANDATORY,
}
#: Shown when a call of an account with mandatory SRTP could not be secured.
SRTP_REFUSED = (
    "the other side does not support encrypted media (SRTP is mandatory for this account)"
)
#: Statuses meaning "your offer was not acceptable", or PJSIP's own when the answer
#: could not be used.
_NOT_ACCEPTABLE = (488, 606)


def set_codec_priorities(ep: Any, wanted: Iterable[str]) -> None:
    """Enable only ``wanted`` codecs, first = highest priority; every other codec
    (speex, iLBC, GSM, L16 ...) gets priority 0, i.e. neither offered nor accepted.
    RFC 4733 ``telephone-event`` is not a codec here and stays. ConfigError when a
    wanted codec is not in this build."""
    names = list(wanted)
    ids = [str(ci.codecId) for ci in ep.codecEnum2()]
    missing = [n for n in names if not any(codec_matches(n, cid) for cid in ids)]
    if missing:
        raise ConfigError(f"codec {', '.join(missing)} is not available (have: {', '.join(ids)})")
    for cid in ids:
        rank = next((i for i, n in enumerate(names) if codec_matches(n, cid)), None)
        ep.codecSetPriority(cid, 0 if rank is None else 250 - rank)


def configure_media(acfg: Any, srtp: SrtpMode, bind_address: str) -> None:
    """An account's media: SDES-SRTP ``srtp`` (offered as RTP/SAVP with ``a=crypto``
    when mandatory; sips: not required), no ICE/STUN, RTP on ``bind_address``."""
    mc = acfg.mediaConfig
    mc.srtpUse = SRTP_USE[srtp]
    mc.srtpSecureSignaling = 0
    mc.lockCodecEnabled = False  # no extra re-INVITE when the answer lists several codecs
    if bind_address not in ("", "0.0.0.0"):
        mc.transportConfig.boundAddress = bind_address
        mc.transportConfig.publicAddress = bind_address
    acfg.natConfig.iceEnabled = False
    acfg.natConfig.sdpNatRewriteUse = 0
    acfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.callConfig.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL


def media_up(info: Any) -> bool:
    """Whether a call (its pjsua2 ``CallInfo``) has negotiated audio; with mandatory
    SRTP a confirmed call without it is being hung up (the answer was plain RTP)."""
    return any(
        m.type == pj.PJMEDIA_TYPE_AUDIO
        and m.status not in (pj.PJSUA_CALL_MEDIA_NONE, pj.PJSUA_CALL_MEDIA_ERROR)
        for m in info.media
    )


def srtp_refusal(srtp: SrtpMode, code: int, reason: str) -> str | None:
    """The end reason for a mandatory-SRTP call that never got secured media, else None:
    the peer refused the RTP/SAVP offer (488/606), or answered it with plain RTP and
    PJSIP hung up ("488 Unable to create media session")."""
    if srtp != SrtpMode.MANDATORY:
        return None
    text = reason.lower()
    if code in _NOT_ACCEPTABLE or "sdp" in text or "srtp" in text or "crypto" in text:
        # the SIP status too: a 488 for another cause (no common codec) stays visible
        return f"{SRTP_REFUSED}: {code} {reason}".rstrip()
    return None
