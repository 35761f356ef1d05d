"""Audio devices, the call-audio bridge and tones."""
