"""The demonstration mailbox: local IMAP and SMTP servers with fictional French content.

Only `DemoService` is imported here; the servers (pymap, aiosmtpd) and the content renderer are
imported when the demo starts, so the other commands do not pay for them.
"""

from app.services.demo.service import DemoService

__all__ = ["DemoService"]
