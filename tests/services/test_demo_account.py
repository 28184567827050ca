"""The demo flag of an account's configuration: stored with it, absent from older ones."""

from __future__ import annotations

import json

from app.domain.account import AccountConfig, Endpoint, Security


def config(**changes: object) -> AccountConfig:
    return AccountConfig(
        name="Démo",
        address="marie.martin@demo.mssante.fr",
        imap=Endpoint("127.0.0.1", 40001, Security.STARTTLS),
        smtp=Endpoint("127.0.0.1", 40002, Security.STARTTLS),
        **changes,  # type: ignore[arg-type]
    )


def test_the_flag_is_stored_with_the_account() -> None:
    stored = json.loads(json.dumps(config(demo=True).to_json_dict()))
    assert stored["demo"] is True
    assert AccountConfig.from_json_dict(stored).demo is True


def test_accounts_stored_before_the_flag_are_not_demos() -> None:
    stored = config().to_json_dict()
    del stored["demo"]
    assert AccountConfig.from_json_dict(stored).demo is False
    assert config().demo is False
