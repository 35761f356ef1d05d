"""The emulated PushKit service (PKPushRegistry and delivery rules). Pure Python."""
