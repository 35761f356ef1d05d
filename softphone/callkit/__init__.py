"""The emulated iOS call service (CallKit). Pure Python + asyncio: no Qt, no pjsua2."""
