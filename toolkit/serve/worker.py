"""The check of an uploaded workbook, in worker processes with a time and memory limit.

A hostile file (a zip bomb, a billion laughs) must not stall or starve the server: each
check runs in a long-lived worker process; one that does not answer within the time limit
is killed and replaced, and the upload gets a finding saying the file could not be checked.
The workers are started with ``spawn``: the server has threads, which ``fork`` would copy
in whatever state they are.
"""

from __future__ import annotations

import multiprocessing
import queue
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from toolkit import catalogue
from toolkit.model import Report

MEMORY_LIMIT = 2 * 1024 ** 3  # address space of one worker


@dataclass
class Checked:
    """What the service keeps of one check: ``report`` is the JSON of ``toolkit check --json``."""

    status: str
    report: dict[str, Any]
    agency_id: str | None  # from the workbook's stamp
    contact: dict[str, str]


def _serve(conn: Connection, edition: str, year: int) -> None:
    from toolkit.check import check_bytes
    from toolkit.format.spec import load_spec
    from toolkit.outputs.feedback import agency_of, feedback_workbook
    from toolkit.outputs.report_docx import render_report
    from toolkit.outputs.report_html import render_report_html

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    spec = load_spec(edition)
    while True:
        try:
            kind, data, name = conn.recv()
        except EOFError:
            return
        result = check_bytes(data, name, spec, year=year)
        if kind == "check":
            contact = dict(result.filled.contact) if result.filled else {}
            conn.send(Checked(result.status, result.to_dict(), result.agency_id, contact))
        elif kind == "feedback":  # the workbook returned with its findings marked
            filled = result.filled
            conn.send(None if filled is None else
                      feedback_workbook(spec, result, filled, agency=agency_of(result, name), year=year))
        else:  # the report preview (DOCX or the web page), only of a workbook without error
            filled = result.filled
            render = render_report_html if kind == "html" else render_report
            conn.send(render(spec, filled) if filled is not None and result.valid else None)


@dataclass
class _Worker:
    process: Any
    conn: Connection


class Checker:
    """A few worker processes shared by the request threads."""

    def __init__(self, edition: str, year: int, *, workers: int = 2, timeout: float = 20.0) -> None:
        self.edition, self.year, self.timeout = edition, year, timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_serve, args=(child, self.edition, self.year), daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.append(worker)
        return worker

    def _run(self, job: tuple[str, bytes, str]) -> Any:
        """The worker's answer, or None when it took too long or died (it is then replaced)."""
        worker = self._idle.get()
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError):
            pass
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._all.remove(worker)
        self._idle.put(self._start())
        return None

    def check(self, data: bytes, name: str) -> Checked:
        checked = self._run(("check", data, name))
        return checked if checked is not None else _not_checked(name, self.timeout)

    def report_docx(self, data: bytes, name: str) -> bytes | None:
        return self._run(("docx", data, name))

    def report_html(self, data: bytes, name: str) -> bytes | None:
        """The report as the self-contained web page `toolkit report --format html` writes."""
        return self._run(("html", data, name))

    def feedback_xlsx(self, data: bytes, name: str) -> bytes | None:
        """The feedback workbook of ``toolkit feedback``, or None when the file cannot be read."""
        return self._run(("feedback", data, name))

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._all]

    def close(self) -> None:
        for worker in list(self._all):
            worker.conn.close()
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
        self._all.clear()


def _not_checked(name: str, timeout: float) -> Checked:
    finding = catalogue.finding("serve_check_failed", file=name, timeout=f"{timeout:g}")
    submission = {"file": name, "agency_id": None, "agency": None, "year": None, "status": "rejected",
                  "sha256": "", "application": "", "saved_at": ""}
    report = Report.of({}, [submission], [finding]).to_dict()
    return Checked("rejected", report, None, {})
