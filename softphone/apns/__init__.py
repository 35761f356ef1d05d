"""APNs: an APNs-compatible HTTP/2 emulator and an aioapns-based sender."""
