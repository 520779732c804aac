"""Bad input at the command line and in the build: one sentence, never a traceback.

Each case is listed in tests/BAD_INPUT.md. Builds here use the scratch chapter (see
conftest.py) or stop before any chapter runs, so they are quick.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from analysis import build as build_module
from analysis import REPO_ROOT, tempfolders
from analysis.build import execute as execute_module, html as html_module, publish
from analysis.build.plan import plan_runs, report_sources
from analysis import sealed
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.registry import load_registry


@pytest.fixture
def isolated(scratch, monkeypatch):
    """The scratch chapter, with the book and _build in tmp_path (so the real _build is untouched)."""
    monkeypatch.setattr(build_module, "BOOK_DIR", scratch["book"])
    monkeypatch.setattr(build_module, "BUILD_DIR", scratch["out"])
    return scratch


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err, "nothing was said"
    last = err[-1]
    assert last.startswith("handbook: error: ")
    assert not any("Traceback" in line for line in err)
    return last


def test_an_empty_period_is_an_error_not_the_default(isolated, capsys):
    assert main(["build", "--period", ""]) == 1
    assert one_line_error(capsys) == ("handbook: error: parameter 'period': '' is not an NHS financial year; "
                                      "write it like 2016-17 (or 2016/17)")


def test_data_dir_given_as_a_chapter_parameter_is_refused(isolated, capsys):
    assert main(["run", "scratch", "-p", "data_dir", "/tmp"]) == 1
    assert one_line_error(capsys) == ("handbook: error: parameter 'data_dir': is set by the build from --data DIR; "
                                      "give --data instead of -p data_dir")


def test_data_naming_a_file_says_it_is_a_file(isolated, capsys, tmp_path):
    afile = tmp_path / "ae_attendances.csv"
    afile.write_text("period\n")
    assert main(["build", "--data", str(afile)]) == 1
    assert one_line_error(capsys) == (f"handbook: error: parameter 'data': {afile} is a file, not a folder; "
                                      "give the folder that holds it")


def test_an_empty_data_folder_is_an_error(isolated, capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "sources.csv").write_text("file,publisher,title,url,date,sha256,synthetic,notes\n")
    assert main(["build", "--data", str(empty)]) == 1
    assert one_line_error(capsys).startswith(
        f"handbook: error: parameter 'data': the data folder {empty} holds no data files")


def test_a_sources_csv_not_in_the_handbooks_format_is_named(isolated, capsys, real_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(real_data / "population", data / "population")
    (data / "population" / "sources.csv").write_text("name,downloaded\ngp.csv,2017-02-01\n")
    assert main(["build", "--data", str(data)]) == 1
    assert one_line_error(capsys).startswith(
        f"handbook: error: {data / 'population' / 'sources.csv'}: is not a sources listing in the handbook's format")


@pytest.mark.parametrize("damage", ["utf16", "binary"])
def test_a_sources_csv_in_another_encoding_is_named(isolated, capsys, tmp_path, damage):
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.csv").write_text("a\n")
    header = "file,publisher,title,url,date,sha256,synthetic,notes\n"
    (data / "sources.csv").write_bytes(header.encode("utf-16") if damage == "utf16" else bytes(range(256)))
    assert main(["build", "--data", str(data)]) == 1
    assert "is not a sources listing in the handbook's format" in one_line_error(capsys)


def test_an_unexpected_error_is_one_sentence_and_its_trace_is_written(isolated, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw\nsecond line")

    monkeypatch.setattr(html_module, "javascript_bundle", broken)  # called by every build (it reads a cache)
    assert main(["build"]) == 1
    line = one_line_error(capsys)
    assert line.startswith("handbook: error: an unexpected RuntimeError (something nobody foresaw) stopped the "
                           "command; the full trace is in ")
    trace = line.rsplit(" ", 1)[-1]
    text = open(trace).read()
    assert "Traceback" in text and "something nobody foresaw" in text and "javascript_bundle" in text


def test_a_folder_that_cannot_be_written_is_one_sentence(isolated, capsys, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(isolated["out"] / ".staging" / "build-x"))

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    assert main(["build"]) == 1
    line = one_line_error(capsys)
    assert line.startswith(f"handbook: error: {isolated['out'] / '.staging' / 'build-x'}: permission denied "
                           "(the handbook could not read or write it); the full trace is in ")


def test_a_read_only_book_folder_is_refused_before_anything_runs(isolated, capsys, monkeypatch):
    book = isolated["book"]
    monkeypatch.setattr(publish.os, "access", lambda path, mode: str(path) != str(book))
    assert main(["build"]) == 1
    assert one_line_error(capsys) == (f"handbook: error: cannot write to {book}: the build needs to write "
                                      "there (check its permissions)")


def test_build_folder_that_is_a_file_is_one_sentence(isolated, capsys):
    isolated["out"].write_text("not a folder")
    assert main(["build"]) == 1
    assert "handbook: error: " in one_line_error(capsys)


def test_a_second_build_in_the_same_checkout_is_told_another_is_running(isolated, capsys):
    isolated["out"].mkdir()
    with open(isolated["out"] / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242")
        held.flush()
        assert main(["build"]) == 1
    assert one_line_error(capsys).startswith("handbook: error: another build is running in this checkout "
                                             "(process 4242, lock ")
    assert main(["build"]) == 0  # the lock is released


def test_leftovers_of_a_killed_build_are_removed(isolated, capsys):
    out = isolated["out"]
    stale = out / ".staging" / "build-killed"
    (stale / "book").mkdir(parents=True)
    (stale / "book" / "big.bin").write_bytes(b"0" * 1000)
    socket = build_module.kernel_socket_prefix(out) + "deadbeef-1"
    open(socket, "w").close()
    assert main(["build"]) == 0
    assert not stale.exists() and not build_module.Path(socket).exists()
    assert "Removed 2 staging folder(s) and kernel socket file(s) of this checkout" in capsys.readouterr().err


@pytest.fixture
def private_temp(monkeypatch):
    """A temporary folder of the test's own (short, for socket paths), for this process and its children."""
    folder = Path(tempfile.mkdtemp(prefix="hb-"))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def processes():
    """Start processes (`sleep`) for a test; each is killed and reaped at its end."""
    started = []

    def start():
        started.append(subprocess.Popen(["sleep", "60"]))
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait()


@pytest.mark.parametrize("kind", tempfolders.KINDS)
@pytest.mark.parametrize("owner, removed", [
    ("killed and reaped", True),
    ("killed, not yet reaped (a zombie)", True),
    ("id reused by a process started after the folder", True),
    ("running", False),
    ("this process", False),
    ("none in the name (an older version's folder)", False),
    pytest.param("another user", False, marks=pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")),
    ("a file, not a folder", False),
])
def test_temporary_folders_are_removed_only_when_their_process_has_gone(private_temp, processes, kind, owner,
                                                                        removed):
    process = processes()
    pid = os.getpid() if owner == "this process" else process.pid
    if owner.startswith("killed"):
        process.kill()
        if owner == "killed and reaped":
            process.wait()
        else:
            deadline = time.monotonic() + 10
            while tempfolders._linux_process(pid)[0] != "Z" and time.monotonic() < deadline:
                time.sleep(0.01)
    name = f"handbook-{kind}-abc_12x9" if owner.startswith("none") else f"handbook-{kind}-{pid}-abc_12x9"
    folder = private_temp / name
    if owner.startswith("a file"):
        folder.write_text("x")
    else:
        (folder / "inside").mkdir(parents=True)
        (folder / "inside" / "socket").write_text("x")
    if owner.startswith("id reused"):
        os.utime(folder, (time.time() - 3600, time.time() - 3600))
    if owner == "another user":
        os.chown(folder, 65534, 65534)
    assert tempfolders.remove_orphans() == int(removed)
    assert folder.exists() is not removed


SERVER_OWNER = Path(__file__).parents[1] / "helpers" / "server_owner.py"

@pytest.mark.parametrize("kind", ["sphinx", "kernel"])
def test_the_server_folder_of_a_build_killed_with_kill_9_is_removed_at_the_next_start(private_temp, isolated, kind):
    """Two builds' processes with their Sphinx (or kernel) servers running: one is killed with kill -9 (its
    folder stays, as after a kill during the HTML build); the next start removes that folder
    and says so, and leaves the other's, whose build still runs, until it too is gone."""
    owners = [subprocess.Popen([sys.executable, str(SERVER_OWNER), kind], stdout=subprocess.PIPE, text=True,
                               cwd=REPO_ROOT) for _ in range(2)]
    try:
        folders = [Path(owner.stdout.readline().strip()) for owner in owners]
        assert all(folder.parent == private_temp and (folder / "socket").exists() for folder in folders)
        assert all(folder.name.startswith(f"handbook-{kind}-") for folder in folders)
        owners[0].kill()
        owners[0].wait()
        time.sleep(0.2)
        assert folders[0].exists()  # nothing of the killed process cleaned it
        messages = []
        build_module.clean_leftovers(isolated["out"], messages.append)
        assert not folders[0].exists() and (folders[1] / "socket").exists()
        assert messages == [f"Removed 0 staging folder(s) and kernel socket file(s) of this checkout, and 1 temporary "
                            f"folder(s) in {private_temp}, left by builds that did not finish."]
        owners[1].kill()
        owners[1].wait()
        build_module.clean_leftovers(isolated["out"], messages.append)
        assert not folders[1].exists() and len(messages) == 2
    finally:
        for owner in owners:
            owner.kill()
            owner.wait()


def test_a_swap_killed_half_way_is_rolled_back_so_notebooks_and_html_match(isolated):
    out, book = isolated["out"], isolated["book"]
    assert main(["build"]) == 0
    html, chapters = out / "html", book / "chapters"
    before = ((html / "chapters" / "scratch.html").read_bytes(), (chapters / "scratch.ipynb").read_bytes())
    # A later build was killed after moving the old chapters aside and its new ones in,
    # but before the HTML: the journal is still there.
    chapters.rename(chapters.with_name("chapters.old"))
    chapters.mkdir()
    (chapters / "scratch.ipynb").write_text("from the killed build")
    html.rename(html.with_name("html.old"))
    sealed.write(out / publish.JOURNAL_FILE, f'[["x", "{chapters}"], ["y", "{html}"]]'.encode())
    assert publish.recover_swap(out / publish.JOURNAL_FILE, [chapters, html])
    assert ((html / "chapters" / "scratch.html").read_bytes(), (chapters / "scratch.ipynb").read_bytes()) == before
    assert not (out / publish.JOURNAL_FILE).exists()
    assert not chapters.with_name("chapters.old").exists() and not html.with_name("html.old").exists()


def swap_victim(tmp_path) -> Path:
    """A folder outside the build folder, with a `.old` beside it, as a forged journal would want them."""
    victim = tmp_path / "precious"
    for folder, text in ((victim, "keep me"), (victim.with_name("precious.old"), "planted")):
        folder.mkdir()
        (folder / "x").write_text(text)
    return victim


def test_a_sealed_swap_journal_naming_a_folder_outside_the_build_is_not_followed(isolated, capsys):
    out, victim = isolated["out"], swap_victim(isolated["tmp"])
    assert main(["build"]) == 0
    # a journal with a valid record (as if the key were known) naming a folder outside _build
    sealed.write(out / publish.JOURNAL_FILE, f'[["x", "{victim}"]]'.encode())
    assert main(["build"]) == 0
    assert (victim / "x").read_text() == "keep me" and victim.with_name("precious.old").is_dir()
    assert f"Not followed: {out / publish.JOURNAL_FILE} names {victim}, which is not a folder a build swaps" \
        in capsys.readouterr().err
    assert not (out / publish.JOURNAL_FILE).exists()


def test_an_edited_swap_journal_is_not_followed(isolated, capsys):
    out, victim = isolated["out"], swap_victim(isolated["tmp"])
    assert main(["build"]) == 0
    journal = out / publish.JOURNAL_FILE
    sealed.write(journal, f'[["x", "{out / "html"}"]]'.encode())
    journal.write_text(f'[["x", "{victim}"]]')  # edited after it was sealed
    assert main(["build"]) == 0
    assert (victim / "x").read_text() == "keep me" and victim.with_name("precious.old").is_dir()
    assert f"Not reused: {journal} does not match the record written with it" in capsys.readouterr().err
    assert not journal.exists()


def test_every_dataset_says_where_it_came_from_and_why(tmp_path, real_data):
    data = tmp_path / "data"
    shutil.copytree(real_data / "cwt", data / "cwt", ignore=shutil.ignore_patterns("provider_monthly"))
    registry = load_registry()
    runs = plan_runs(registry, ["cancer", "ae"], str(data), {})
    messages = []
    report_sources(runs, registry, data, messages.append)
    text = "\n".join(messages)
    assert ("cwt_national: synthetic, bundled (1 file(s)) instead of your data folder, because it is read "
            f"together with the other 'cwt' datasets and {data} has no file matching "
            "cwt/provider_monthly/*-Provider-Data*.csv") in text
    assert (f"ae_monthly: synthetic, bundled (24 file(s)) instead of your data folder, because {data} has "
            "no file matching ae/Monthly-AE-*.csv") in text
    assert "ae_attendances: no files (none matching ae_attendances_*.csv in the bundled data; optional)" in text
    with pytest.raises(ParameterError, match=r"parameter 'real-only': 4 dataset\(s\) would come from the bundled "
                                             r"synthetic samples \(ae_monthly, cwt_national, "
                                             r"cwt_provider, dtoc_england\)"):
        report_sources(runs, registry, data, messages.append, real_only=True)


def test_real_only_passes_when_every_dataset_is_the_users(tmp_path, real_data):
    registry = load_registry()
    runs = plan_runs(registry, ["ae"], str(real_data), {})
    messages = []
    report_sources(runs, registry, real_data, messages.append, real_only=True)
    assert "ae_attendances: published, from your data folder (1 file(s) matching ae_attendances_*.csv)" in messages[0]


def test_real_only_without_data_is_an_error(isolated, capsys):
    assert main(["build", "--real-only"]) == 1
    assert one_line_error(capsys) == ("handbook: error: parameter 'real-only': needs --data DIR: without it every "
                                      "dataset is a bundled sample")


def test_kernels_are_not_interrupted_at_shutdown(tmp_path):
    """The SIGINT jupyter_client sends before a shutdown made kernels log a spurious
    "KeyboardInterrupt caught in kernel"; the handbook's kernel manager does not send it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    manager = execute_module._ipc_kernel_manager(str(tmp_path / "k-"))()

    def interrupt():  # in a thread of its own, whatever event loop the test process runs
        return asyncio.run(manager._async_interrupt_kernel())

    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(RuntimeError, match="No kernel is running"):
            pool.submit(interrupt).result()  # an interrupt outside shutdown is still sent
        manager.shutting_down = True
        assert pool.submit(interrupt).result() is None


def test_a_swap_that_fails_half_way_puts_the_last_book_back_at_once(tmp_path):
    chapters, html = tmp_path / "chapters", tmp_path / "html"
    for folder, text in ((chapters, "old notebooks"), (html, "old pages")):
        folder.mkdir()
        (folder / "x").write_text(text)
    new_chapters = tmp_path / "new-chapters"
    new_chapters.mkdir()
    (new_chapters / "x").write_text("new notebooks")
    journal = tmp_path / publish.JOURNAL_FILE
    with pytest.raises(FileNotFoundError):  # the new HTML is missing: the second move fails
        publish.swap_together([(new_chapters, chapters), (tmp_path / "no-html", html)], journal)
    assert (chapters / "x").read_text() == "old notebooks" and (html / "x").read_text() == "old pages"
    assert not journal.exists() and not list(tmp_path.glob("*.old"))


def test_real_mar_workbooks_without_a_population_file_are_not_swapped_silently(tmp_path, real_data):
    data = tmp_path / "data"
    shutil.copytree(real_data / "mar", data / "mar")
    registry = load_registry()
    runs = plan_runs(registry, ["vanguards"], str(data), {})
    messages = []
    report_sources(runs, registry, data, messages.append)
    assert ("mar_monthly: synthetic, bundled (33 file(s)) instead of your data folder, because it is read "
            f"together with the other 'ccg' datasets and {data} has no file matching "
            "population/*registered_patients_ccg_*.csv") in messages[0]
    with pytest.raises(ParameterError, match="parameter 'real-only'"):
        report_sources(runs, registry, data, messages.append, real_only=True)


@pytest.mark.parametrize("argv, message", [
    (["build", "--jobs", "abc"], "handbook build: error: argument --jobs: invalid int value: 'abc' "
                                 "(see handbook build --help)"),
    (["run"], "handbook run: error: the following arguments are required: chapter (see handbook run --help)"),
])
def test_usage_errors_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err == message + "\n"


def test_the_bundled_finance_transcription_is_never_called_the_users(tmp_path, real_data):
    registry = load_registry()
    messages = []
    report_sources(plan_runs(registry, ["finance"], str(real_data), {}), registry, real_data, messages.append,
                   real_only=True)
    text = "\n".join(messages)
    assert ("finance_tables: transcribed, bundled (1 file(s)) instead of your data folder, because "
            f"{real_data} has no file matching finance/finance_tables*.csv") in text
    messages.clear()
    report_sources(plan_runs(registry, ["finance"], None, {}), registry, None, messages.append)
    assert "finance_tables: transcribed, bundled (1 file(s); no --data folder given)" in "\n".join(messages)


@pytest.mark.parametrize("argv, target", [
    (["build"], ("analysis.build", "build")),
    (["run", "scratch"], ("analysis.build", "build")),
    (["samples"], ("analysis.samples", "write_all_samples")),
    (["fetch", "ae", "--period", "2017-18", "--data", "{tmp}", "--base-url", "http://127.0.0.1:1/"],
     ("analysis.ae", "fetch")),
])
def test_every_command_turns_an_unforeseen_error_into_one_sentence(isolated, capsys, monkeypatch, argv, target):
    import importlib

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(importlib.import_module(target[0]), target[1], broken)
    assert main([a.format(tmp=isolated["tmp"]) for a in argv]) == 1
    line = one_line_error(capsys)
    assert line.startswith("handbook: error: an unexpected KeyError ('surprise') stopped the command; "
                           f"the full trace is in {isolated['out'] / 'logs'}/handbook-error-")
