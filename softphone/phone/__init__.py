"""The "VoIP app": wires the CallKit provider, the SIP engine and PushKit together."""
