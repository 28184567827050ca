"""Dates, sizes and identifiers as the mail screens show and speak them (French, QLocale).

Must run on the Qt thread (QLocale and QCoreApplication.translate).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime

#: The window speaks French whatever the system locale (STYLE.md §8).
LOCALE = QLocale(QLocale.Language.French, QLocale.Country.France)


translate = QCoreApplication.translate


def _datetime(epoch: int) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(epoch))


def format_time(epoch: int) -> str:
    """``7 h 42``."""
    pattern = translate("MailFormatting", "h:mm AP", "time format")
    return LOCALE.toString(_datetime(epoch).time(), pattern)


def format_list_date(epoch: int, *, now: datetime | None = None) -> str:
    """Short date of a list row: the time today, ``hier``, the day this week, else the date."""
    when = _datetime(epoch)
    today = QDate.currentDate() if now is None else QDate(now.year, now.month, now.day)
    days = when.date().daysTo(today)
    if days == 0:
        return format_time(epoch)
    if days == 1:
        return translate("MailFormatting", "yesterday")
    if 1 < days < 7:
        return LOCALE.toString(when.date(), "dddd")
    if when.date().year() == today.year():
        return LOCALE.toString(when.date(), "d MMM")
    return LOCALE.toString(when.date(), "dd/MM/yyyy")


def format_spoken_date(epoch: int, *, now: datetime | None = None) -> str:
    """Date for a sentence: ``aujourd'hui à 7 h 42``, ``hier à 7 h 42``, ``le 2 mars 2026 à…``."""
    when = _datetime(epoch)
    today = QDate.currentDate() if now is None else QDate(now.year, now.month, now.day)
    days = when.date().daysTo(today)
    time = format_time(epoch)
    if days == 0:
        return translate("MailFormatting", "today at %1").replace("%1", time)
    if days == 1:
        return translate("MailFormatting", "yesterday at %1").replace("%1", time)
    return (
        translate("MailFormatting", "on %1 at %2")
        .replace("%1", LOCALE.toString(when.date(), "d MMMM yyyy"))
        .replace("%2", time)
    )


def format_full_date(epoch: int) -> str:
    """``jeudi 3 décembre 2026 à 7 h 42`` (the reading pane's header)."""
    when = _datetime(epoch)
    return (
        translate("MailFormatting", "%1 at %2")
        .replace("%1", LOCALE.toString(when.date(), "dddd d MMMM yyyy"))
        .replace("%2", format_time(epoch))
    )


def format_size(size: int) -> str:
    """``120,6 ko``."""
    return LOCALE.formattedDataSize(max(0, size), 1, QLocale.DataSizeFormat.DataSizeSIQuantifiers)


def format_ins(ins: str) -> str:
    """An INS (NIR) grouped as on the carte Vitale: ``2 84 05 75 123 456 78``."""
    digits = "".join(c for c in ins if c.isalnum())
    if len(digits) != 15:
        return ins
    groups = (1, 2, 2, 2, 3, 3, 2)
    out, at = [], 0
    for size in groups:
        out.append(digits[at : at + size])
        at += size
    return " ".join(out)


def format_count(count: int) -> str:
    """A count with French digit grouping."""
    return LOCALE.toString(count)


def midnight_today() -> QDateTime:
    """Start of today (local time)."""
    return QDateTime(QDate.currentDate(), QTime(0, 0))
