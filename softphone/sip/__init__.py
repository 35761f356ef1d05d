"""The SIP engine interface and its events; ``softphone.sip.pjsua`` implements it."""
