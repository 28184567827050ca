"""Blocking network adapters: IMAP, SMTP, TLS, OpenID Connect, HTTP. One connection per object."""
