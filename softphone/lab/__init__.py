"""The interop lab: a push gateway for SIP proxies and the Kamailio push wake-up setup."""
