"""The command line: output, --json, exit codes and one-line error messages."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from mtcr_desk.cli import main
from tests.conftest import STRUCTURE_EDITION

EU_EDITION = "eu-2021-821-2025-11"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def db(ready_database_path) -> str:
    return str(ready_database_path)


def test_list_show_gives_category_and_provenance(db):
    code, out = run("--db", db, "list", "show", "2.A.1.c")
    assert code == 0
    assert out.startswith("2.A.1.c  (entry, Category I)")
    assert "Path:       Item 2 COMPLETE SUBSYSTEMS" in out
    assert "structure only" in out
    assert "Provenance: Entry codes, hierarchy and categories" in out
    assert "MIT License" in out


def test_db_option_works_after_the_command_too(db):
    assert run("list", "show", "9a1", "--db", db)[0] == 0
    assert run("list", "--db", db, "editions")[0] == 0


def test_list_show_json(db):
    code, out = run("--db", db, "list", "show", "2.a.1.c", "--json")
    assert code == 0
    [detail] = json.loads(out)
    assert detail["code"] == "2.A.1.c"
    assert detail["category"] == "I"
    assert detail["edition"] == STRUCTURE_EDITION
    assert [step["code"] for step in detail["path"]] == ["2", "2.A", "2.A.1"]
    assert detail["sources"] == ["lite-api", "caelex-2024"]


def test_list_search_json_objects(db):
    code, out = run("--db", db, "--json", "list", "search", "production facilities")
    assert code == 0
    hits = json.loads(out)
    first = hits[0]
    assert {"edition", "code", "title", "category", "snippet"} <= set(first)
    assert first["code"] in {"2.B.1", "3.B.1"}
    start, end = first["highlights"][0]
    assert first["snippet"][start:end] == "Production"


def test_list_search_text_output_marks_exact_code_matches(db):
    code, out = run("--db", db, "list", "search", "9a1", "--limit", "3")
    assert code == 0
    assert out.splitlines()[0].startswith("= 9.A.1")


def test_list_search_with_no_match_says_so(db):
    code, out = run("--db", db, "list", "search", "zzzzqqq")
    assert (code, out.strip()) == (0, "No entries match 'zzzzqqq'.")


def test_list_editions(db):
    code, out = run("--db", db, "list", "editions")
    assert code == 0
    assert out.startswith(STRUCTURE_EDITION)
    assert "NOTE: Structure only" in out
    editions = json.loads(run("--db", db, "list", "editions", "--json")[1])
    assert [edition["id"] for edition in editions] == [STRUCTURE_EDITION, EU_EDITION]
    assert editions[0]["entries"] == 387
    assert editions[1]["text_status"] == "full"
    assert editions[1]["acknowledgement"].startswith("Source: Regulation (EU) 2021/821")


def test_list_export(db, tmp_path):
    target = tmp_path / "out.json"
    code, out = run("--db", db, "list", "export", STRUCTURE_EDITION, "-o", str(target))
    assert code == 0
    assert "387 entries" in out
    assert json.loads(target.read_text(encoding="utf-8"))["edition"]["id"] == STRUCTURE_EDITION


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["list", "show", "9.A.99"], 1, "No entry 9.A.99 in any loaded edition"),
        (["list", "show", "2.A.1.c", "--edition", "eu-1999"], 1, "No edition 'eu-1999'"),
        (["list", "export", "eu-1999", "-o", "x.json"], 1, "No edition 'eu-1999'"),
        (["list", "show", "rocket motors"], 2, "is not a control-list code"),
        (["list", "search"], 2, "required: query"),
        (["list", "search", "x", "--limit", "zero"], 2, "invalid int value"),
        (["list", "search", "x", "--limit", "0"], 2, "Limit must be between"),
        (["list", "search", "x", "--category", "III"], 2, "invalid choice"),
        (["list", "search", "x", "--item", "21"], 2, "expected 1 to 20"),
        (["list", "frobnicate"], 2, "invalid choice"),
        (["list"], 2, "required"),
        (["--no-such-option"], 2, "unrecognized arguments"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(db, capsys, args, exit_code, message):
    code, _ = run("--db", db, *args)
    err = capsys.readouterr().err
    assert code == exit_code
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("mtcr-desk: ")
    assert "Traceback" not in err


def test_a_foreign_file_gives_exit_4_and_stays_untouched(tmp_path, capsys):
    path = tmp_path / "accounts.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE accounts (x)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    code, _ = run("--db", str(path), "list", "editions")
    err = capsys.readouterr().err
    assert code == 4
    assert "another application" in err
    assert path.read_bytes() == before


def test_export_to_a_missing_folder_is_invalid_input(db, tmp_path, capsys):
    code, _ = run("--db", db, "list", "export", STRUCTURE_EDITION, "-o",
                  str(tmp_path / "nowhere" / "x.json"))
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_default_database_lives_in_the_user_data_folder(capsys):
    # conftest points MTCR_DESK_DATA_DIR at a temporary folder.
    code, _ = run("--demo", "list", "editions")
    assert code == 0
    data_dir = os.environ["MTCR_DESK_DATA_DIR"]
    assert os.path.exists(os.path.join(data_dir, "mtcr-desk-demo.sqlite"))


def _run_process(args, env_changes, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(env_changes)
    env["MTCR_DESK_DATA_DIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "-m", "mtcr_desk", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_without_a_display_the_gui_says_how_to_run_and_exits_2(tmp_path):
    result = _run_process([], {}, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]


def test_version_and_module_entry_point(tmp_path):
    result = _run_process(["--version"], {}, tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("MTCR Desk ")


def test_window_options_are_read_without_the_command_parsers(monkeypatch):
    from mtcr_desk import cli

    built = []
    real_build = cli.build_parser

    def counting_build(*, commands=True):
        built.append(commands)
        return real_build(commands=commands)

    monkeypatch.setattr(cli, "build_parser", counting_build)
    args = cli.parse_arguments(["--demo"])
    assert args.demo is True and args.db is None and not hasattr(args, "handler")
    assert built == [False]  # the window's start never built the forty command parsers
    built.clear()
    args = cli.parse_arguments(["--demo", "list", "editions"])
    assert args.handler is cli.cmd_list_editions and args.demo is True
    assert built == [False, True]


def _outcome(parse, argv, capsys):
    """What a parse gives: the namespace, or how it stopped and what it printed."""
    from mtcr_desk.cli import CommandLineError

    try:
        return ("parsed", vars(parse(argv)))
    except CommandLineError as error:
        return ("refused", error.message)
    except SystemExit as stop:
        return ("exited", stop.code, capsys.readouterr().out)


@pytest.mark.parametrize("argv", [
    [], ["--demo"], ["--dem"], ["--db=x.sqlite"], ["--db", "x.sqlite", "--json"],
    ["--training"], ["--smoke"], ["--demo", "--db", "x.sqlite"], ["--db"], ["--bogus"],
    ["--version"], ["--version", "--demo"], ["--demo", "-h"], ["--d"],
    ["gui", "--demo"], ["--demo", "list", "editions", "--db", "x.sqlite"],
    ["--training", "list", "editions", "--demo"], ["--demo", "gui", "--db", "x.sqlite"],
    ["list", "editions", "--version"], ["gui", "--version"], ["list", "editions", "--db"],
    ["lists"], ["--json", "list", "search", "rocket"],
])
def test_the_quick_window_parse_decides_every_line_as_the_full_parser(argv, capsys):
    from mtcr_desk import cli

    assert _outcome(cli.parse_arguments, argv, capsys) == _outcome(
        lambda line: cli.build_parser().parse_args(line), argv, capsys)


@pytest.mark.parametrize(("argv", "message"), [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--demo", "--db", "x.sqlite"], "argument --db: not allowed with argument --demo"),
    (["--db"], "argument --db: expected one argument"),
    (["lists"], "invalid choice: 'lists'"),
])
def test_window_option_mistakes_get_the_usual_one_line_message(argv, message, capsys):
    code, out = run(*argv)
    assert code == 2 and out == ""
    error = capsys.readouterr().err
    assert message in error and "see mtcr-desk --help" in error
    assert error.count("\n") == 1


def test_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    for command in ("list", "case", "memo", "backup", "restore", "settings"):
        assert f"    {command}" in text
