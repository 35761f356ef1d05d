"""The "VoIP app": CallKit provider delegate <-> SIP engine <-> PushKit, as the seeds'
CallManager and ProviderDelegate do it; plus what the UI and the control API drive."""
