"""`pli contacts …`: favourites and recent correspondents.

They are kept in the encrypted archive (who writes to whom is health data) and rank first in
`pli directory search`.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.cli.output import add_json_flag, iso_time, table
from app.domain.contacts import RECENT_DAYS, Contact


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli contacts`."""
    contacts = subparsers.add_parser(
        "contacts",
        help="favourites and recent correspondents (they come first in directory searches)",
    )
    commands = contacts.add_subparsers(dest="contacts_command", metavar="ACTION")
    commands.required = True

    listing = commands.add_parser(
        "list",
        help="favourites, then the addresses mail was sent to (most recent first)",
        description=f"Recent correspondents are the recipients of the archived Sent folders "
        f"and of mail sent with Pli, over the last {RECENT_DAYS} days.",
    )
    listing.add_argument("--favourites", action="store_true", help="favourites only")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)

    favourite = commands.add_parser("favourite", help="mark an address as a favourite")
    favourite.add_argument("address", help="a professional's or a structure's address")
    favourite.add_argument("--name", default="", help="the name shown beside it")
    add_json_flag(favourite)
    favourite.set_defaults(handler=_favourite, favourite=True)

    unfavourite = commands.add_parser("unfavourite", help="remove an address from favourites")
    unfavourite.add_argument("address")
    add_json_flag(unfavourite)
    unfavourite.set_defaults(handler=_favourite, favourite=False, name="")


def contact_json(contact: Contact) -> dict[str, Any]:
    """A correspondent for ``--json`` (stable keys)."""
    return {
        "address": contact.address,
        "name": contact.name,
        "favourite": contact.favourite,
        "last_sent": iso_time(contact.last_used),
        "messages_sent": contact.use_count,
    }


async def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    contacts = await services.contacts.list(favourites_only=args.favourites)
    rows = [
        [
            "★" if c.favourite else "",
            c.address,
            c.name or "",
            (iso_time(c.last_used) or "")[:10],
            str(c.use_count) if c.use_count else "",
        ]
        for c in contacts
    ]
    empty = "No favourite yet." if args.favourites else "No correspondent yet."
    ctx.out.result(
        {"contacts": [contact_json(c) for c in contacts]},
        table(rows, ["", "ADDRESS", "NAME", "LAST SENT", "SENT"]) if rows else [empty],
    )
    return 0


async def _favourite(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    contact = await services.contacts.set_favourite(args.address, args.favourite, args.name)
    state = "now a favourite" if contact.favourite else "no longer a favourite"
    ctx.out.result(contact_json(contact), [f"{contact.address} is {state}"])
    return 0
