"""Start-up (issue 15): `pli <command>` loads only the area registering it, with the same parser.

Times are judged by the benchmark (bench/startup_bench.py), never here: these tests check
what is imported and that the narrowed parser parses exactly as the whole one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from app.cli import main


def _registered(area: str) -> list[str]:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    (module,) = main.areas((area,))
    module.register(subparsers)
    return list(subparsers.choices)


@pytest.mark.parametrize("area", main.AREA_NAMES)
def test_each_area_lists_exactly_the_commands_it_registers(area: str) -> None:
    assert _registered(area) == list(main.AREA_COMMANDS[area])


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["list", "--limit", "20"], "list"),
        (["--profile", "list", "show", "3"], "show"),  # a profile folder named like a command
        (["--profile=/p", "--passphrase-file", "f", "-vv", "sync"], "sync"),
        (["--wait", "2", "--verbose", "directory", "search", "x"], "directory"),
        (["--help"], None),
        (["--prof", "/p", "list"], None),  # abbreviated option: the whole parser decides
        (["nonsense"], None),
        ([], None),
        (["--self-test"], None),
    ],
)
def test_the_command_word_is_told_only_when_unambiguous(argv: list[str], word: str | None) -> None:
    assert main.command_word(argv) == word


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--limit", "20", "--attachments"],
        ["--profile", "/p", "-v", "search", "cardio", "--json"],
        ["account", "list"],
        ["outbox"],
        ["xdm", "inspect", "f.zip"],
        ["directory", "search", "dupont"],
        ["contacts", "list"],
    ],
)
def test_the_narrowed_parser_parses_as_the_whole_one(argv: list[str]) -> None:
    whole = main.build_parser()
    narrow = main.build_parser(main.command_word(argv))

    def parsed(parser: argparse.ArgumentParser) -> dict[str, object]:
        args = vars(parser.parse_args(argv))
        handler = args.pop("handler", None)
        return args | {"handler": getattr(handler, "__qualname__", handler)}

    assert parsed(narrow) == parsed(whole)


#: Modules no command's parsing needs: they load when a command runs and uses them.
HEAVY = {
    "app.services.compose_service",
    "app.services.outbox_service",
    "app.services.account_service",
    "app.services.mailbox_sync",
    "app.services.store_gateway",
    "app.store.archive",
    "app.transport.imap_session",
    "app.documents.pdf",
    "app.documents.xdm_reader",
    "imapclient",
    "pypdf",
    "PIL",
    "keyring",
    "cryptography.x509",
    "sqlcipher3",
}


def _loaded_after(statement: str) -> set[str]:
    code = (
        "import sys, json; from app.cli import main; import app.bootstrap;"
        f" {statement}; print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def test_parsing_a_list_command_loads_no_heavy_module() -> None:
    loaded = _loaded_after("main.build_parser(main.command_word(['list'])).parse_args(['list'])")
    assert loaded & HEAVY == set()


def test_the_whole_parser_for_help_loads_no_heavy_module() -> None:
    loaded = _loaded_after("main.build_parser().format_help()")
    assert loaded & HEAVY == set()
    assert {"app.cli.sending", "app.cli.documents", "app.cli.directory"} <= loaded


def test_the_window_preparation_imports_every_service_off_its_thread() -> None:
    loaded = _loaded_after("app.bootstrap.prepare_gui()")
    assert {"app.services.sync_supervisor", "app.services.compose_service"} <= loaded


#: Not needed to parse and start `pli list`: each loads where it is used (start-up, issue 15).
NOT_AT_START = {
    "multiprocessing",  # only a frozen build calls freeze_support
    "app.domain.events",  # with the first service that publishes
    "app.domain.documents.attachments",  # `display_subject` needs `naming` alone
    "app.cli.messages",  # when an error is shown
    "app.services.container",
    "app.services.event_bus",
}


def test_starting_a_list_command_loads_only_what_it_uses() -> None:
    loaded = _loaded_after(
        "import app.__main__; main.build_parser(main.command_word(['list'])).parse_args(['list'])"
    )
    assert loaded & NOT_AT_START == set()


def test_opening_the_archive_for_a_keyring_profile_loads_no_cryptography() -> None:
    # The data key's wrapping (a passphrase profile) and the bodies' cipher load when used.
    loaded = _loaded_after(
        "import app.credentials.data_keys, app.services.store_gateway, app.services.archive_service"
    )
    assert not {m for m in loaded if m.split(".")[0] == "cryptography"}


def test_the_documents_package_gives_every_name_from_its_module() -> None:
    import importlib

    import app.domain.documents as documents

    for name in documents.__all__:
        home = importlib.import_module(f"app.domain.documents.{documents._HOMES[name]}")
        assert getattr(documents, name) is getattr(home, name)
    assert set(documents.__all__) <= set(dir(documents))
    with pytest.raises(AttributeError):
        _ = documents.no_such_name  # type: ignore[attr-defined]
