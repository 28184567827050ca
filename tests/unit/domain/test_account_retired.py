"""The `retired` mark of an account's configuration (a mailbox removed, its archive kept)."""

from __future__ import annotations

from dataclasses import replace

from app.domain.account import AccountConfig, Endpoint, Security


def _config() -> AccountConfig:
    return AccountConfig(
        name="cabinet",
        address="dr.martin@cabinet-test.mssante.fr",
        imap=Endpoint("imap.cabinet-test.mssante.fr", 143, Security.STARTTLS),
        smtp=Endpoint("smtp.cabinet-test.mssante.fr", 587, Security.STARTTLS),
    )


def test_older_configurations_are_not_retired() -> None:
    stored = _config().to_json_dict()
    del stored["retired"]  # written before the mark existed
    assert AccountConfig.from_json_dict(stored).retired is False


def test_the_mark_survives_the_archive_round_trip() -> None:
    retired = replace(_config(), retired=True)
    assert AccountConfig.from_json_dict(retired.to_json_dict()) == retired
    assert AccountConfig.from_json_dict(retired.to_json_dict()).retired is True
